/**
 * The provisioning credential rotating itself (`npm run rotate-credential`): before the credential
 * every scheduled rotation runs on expires, it is rotated through GitLab's
 * `POST /personal_access_tokens/self/rotate` and its new value written to the CI/CD variable the
 * pipeline reads it from — so the pipeline never stops on a lapsed credential (pulumi-gitlab#909).
 * Neither value is ever in Pulumi state, a log or an error: the old one comes from the environment,
 * the new one goes to the variable (with the new credential: GitLab revokes the old one as it
 * answers) and to a file the job reads for its own later steps.
 */
import { GitLabApiError } from "../../components/gitlab/errors";
import type { GitLabClient, ResourceKind } from "../../components/gitlab/client";
import { addDays, daysBetween, isoDate } from "../../components/gitlab/facts";

/** Where the pipeline reads the credential: a project's or group's CI/CD variable. */
export interface CredentialVariable {
  kind: ResourceKind;
  target: string;
  key: string;
  environmentScope: string;
}

export interface SelfRotationOptions {
  now: Date;
  /** Rotate when the credential expires within this many days. */
  beforeDays: number;
  /** The successor's lifetime in days. */
  lifetimeDays: number;
  variable: CredentialVariable;
  /** A client with the current credential, and one for a value (the successor). */
  client: GitLabClient;
  clientWith: (token: string) => GitLabClient;
  /** Keeps the successor's value where the job reads it (a file only its user can read). */
  keepValue: (value: string) => void;
}

export type SelfRotation =
  | { rotated: false; tokenId: number; name: string; expiresAt: string | null; reason: string }
  | {
      rotated: true;
      tokenId: number;
      name: string;
      expiresAt: string | null;
      newTokenId: number;
      newExpiresAt: string;
      variable: CredentialVariable;
    };

/** A failure to rotate: nothing was changed, or (`afterRotation`) the old credential is already revoked. */
export class SelfRotationError extends Error {
  constructor(
    message: string,
    readonly afterRotation = false,
  ) {
    super(message);
  }
}

const say = (v: CredentialVariable) =>
  `CI/CD variable ${v.key} of ${v.kind} ${v.target} (environment scope ${JSON.stringify(v.environmentScope)})`;

/**
 * Rotates the credential when it is due, then writes its successor to the variable. Everything that
 * can be checked first is (the variable exists and the credential can rotate itself), so a refusal
 * changes nothing; after GitLab's rotate, the successor's value is kept (`keepValue`) before the
 * variable is written, so a failed write leaves the job a working credential to retry with.
 */
export async function rotateCredential(o: SelfRotationOptions): Promise<SelfRotation> {
  const self = await o.client.selfToken();
  const expiresAt = self.expires_at ?? null;
  const base = { tokenId: self.id, name: self.name, expiresAt };
  if (expiresAt !== null && daysBetween(o.now, expiresAt) > o.beforeDays) {
    return {
      rotated: false,
      ...base,
      reason: `expires ${expiresAt}, ${daysBetween(o.now, expiresAt)} days away: not within ${o.beforeDays} days`,
    };
  }
  // `self_rotate` alone would rotate it, but its successor (same scopes) could not write the variable.
  if (!self.scopes.includes("api")) {
    throw new SelfRotationError(
      `the credential (token ${self.id}, "${self.name}") lacks the api scope: it could rotate itself ` +
        "with self_rotate, but its successor could not write the CI/CD variable; nothing was changed",
    );
  }
  const v = o.variable;
  const existing = await o.client.getVariable(v.kind, v.target, v.key, v.environmentScope);
  if (existing === undefined) {
    throw new SelfRotationError(
      `${say(v)} does not exist, or the credential cannot see it; create it (protected, masked and hidden) ` +
        "with the current credential first; nothing was changed",
    );
  }

  const newExpiresAt = addDays(o.now, o.lifetimeDays);
  const successor = await o.client.rotateSelf(newExpiresAt);
  if (!successor.token) {
    throw new SelfRotationError(
      `GitLab rotated the credential (new token ${successor.id}) but returned no value; ` +
        "an administrator or the token's owner must issue a new one and set it in the variable",
      true,
    );
  }
  o.keepValue(successor.token);
  try {
    await o.clientWith(successor.token).updateVariable(v.kind, v.target, v.key, {
      value: successor.token,
      protected: existing.protected,
      masked: existing.masked,
      hidden: existing.hidden === true,
      raw: existing.raw,
      environmentScope: v.environmentScope,
    });
  } catch (e) {
    const why = GitLabApiError.is(e) ? e.message : String(e);
    throw new SelfRotationError(
      `the credential was rotated (token ${self.id} revoked, successor ${successor.id} expires ` +
        `${successor.expires_at ?? newExpiresAt}) but ${say(v)} could not be written: ${why}; ` +
        "the successor's value was kept for this job: set the variable from it",
      true,
    );
  }
  return {
    rotated: true,
    ...base,
    newTokenId: successor.id,
    newExpiresAt: successor.expires_at ?? newExpiresAt,
    variable: v,
  };
}

/** One line per outcome, with ids and dates and never a value. */
export function describeSelfRotation(r: SelfRotation, now: Date): string {
  if (!r.rotated) return `credential token ${r.tokenId} ("${r.name}") not rotated: ${r.reason}`;
  return (
    `credential token ${r.tokenId} ("${r.name}", expiring ${r.expiresAt ?? "never"}) rotated on ${isoDate(now)}: ` +
    `successor token ${r.newTokenId} expires ${r.newExpiresAt}; written to ${say(r.variable)}`
  );
}
