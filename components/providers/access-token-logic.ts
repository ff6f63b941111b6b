/**
 * The access-token provider's pure rules: `check`, `diff`, `update`, the expiry a new token gets and
 * which properties replace a token. No GitLab client, no gitbeaker, no Pulumi runtime (a type
 * import only): the review report imports this module to predict exactly what `pulumi up` will do.
 *
 * Domain rules (../../DESIGN.md): tokens are immutable, so any change to what GitLab stores is a
 * replacement, done create-before-delete; expiry is computed once at creation and kept; `check`
 * and `diff` are pure (an unchanged program makes zero API calls); rotation is due when
 * `now >= expiresAt - rotateBeforeDays`, when `rotateWhenChanged` or `rotationEpoch` changes, or when
 * a refresh finds the token revoked, expired or gone.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import {
  DEFAULT_ROTATE_BEFORE_DAYS,
  addDays,
  dateStart,
  rotationDate,
  rotationDue,
  type TokenKind,
} from "../gitlab/facts";
import { isCurrentCreateRef, newCreateRef } from "../gitlab/marker";
import type { AccessTokenOutputs, AccessTokenProps } from "../types";
import { validateTokenSpec } from "../validation";
import { isNamed, isTokenKind, kindOf, scopesStandIn } from "../kinds";

/** Properties whose change means a new token (GitLab tokens are immutable). */
export const REPLACE_ON_CHANGE = [
  "kind",
  "target",
  "name",
  "description",
  "scopes",
  // A fine-grained token's granular scopes (GitLab keeps them with the token, like scopes).
  "granular",
  "accessLevel",
  // Deploy tokens: the username GitLab keeps with the token, and whether it is a project's or a group's.
  "username",
  "targetField",
  "lifetimeDays",
  "fixedExpiresAt",
  "rotateWhenChanged",
  "rotationEpoch",
] as const;

/** Properties that only this project reads: changed in place, no API call. */
export const UPDATE_IN_PLACE = [
  "key",
  "rotateBeforeDays",
  "owner",
  "justification",
  "serviceAccount",
  // The service account's group or project says which routes reach the token, not what the token
  // is: the token keeps the routes it was made through (`serviceAccountGroupId`,
  // `serviceAccountProjectId` in its outputs). (A project token's project is its `target`.)
  "group",
  "project",
] as const;

function canonical(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return JSON.stringify([...value].map((v) => canonical(v)).sort());
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, canonical(v)]);
    return JSON.stringify(entries);
  }
  return JSON.stringify(value);
}

/** `check`: GitLab's rules, and normalisation (sorted unique scopes, defaults). */
export function check(
  olds: Partial<AccessTokenProps> | undefined,
  news: AccessTokenProps,
  now: Date,
): dynamic.CheckResult<AccessTokenProps> {
  const failures = validateTokenSpec(
    {
      kind: news.kind,
      target: news.target,
      // A kind GitLab gives no name registers its key as `name`, for messages: not the user's to judge.
      name: isTokenKind(news.kind) && !isNamed(kindOf(news.kind)) ? undefined : news.name,
      description: news.description,
      scopes: news.scopes,
      scopesInstead: isTokenKind(news.kind)
        ? scopesStandIn(kindOf(news.kind), news as unknown as Record<string, unknown>)
        : undefined,
      accessLevel: news.accessLevel,
      lifetimeDays: news.lifetimeDays,
      expiresAt: news.fixedExpiresAt,
      rotateBeforeDays: news.rotateBeforeDays,
      rotateWhenChanged: news.rotateWhenChanged,
    },
    now,
  ).map((f) => ({ property: f.property === "expiresAt" ? "fixedExpiresAt" : f.property, reason: f.reason }));
  if (failures.length > 0) return { failures };
  const own = kindOf(news.kind).checkFields?.(news as unknown as Record<string, unknown>) ?? [];
  if (own.length > 0) return { failures: own.map((f) => ({ property: f.field, reason: f.reason })) };

  // The engine's extra properties (`__provider`, the outputs' placeholders) pass through untouched.
  const inputs: AccessTokenProps = {
    ...news,
    scopes: Array.isArray(news.scopes) ? [...new Set(news.scopes)].sort() : news.scopes,
    description: news.description ?? "",
    rotateBeforeDays: news.rotateBeforeDays ?? DEFAULT_ROTATE_BEFORE_DAYS,
    rotateWhenChanged: news.rotateWhenChanged ?? {},
    rotationEpoch: news.rotationEpoch ?? "",
    // The resource's reference, drawn once and then kept (an unchanged run then leaves the state
    // as it was: no checkpoint per token), ignored by diff. The engine writes it into its pending
    // create before calling create, so a killed run leaves a way to find the token it may have
    // made; each create call adds its own nonce to the marker (gitlab/marker.ts).
    createRef: isCurrentCreateRef(olds?.createRef) ? olds.createRef : newCreateRef(),
  };
  return { inputs };
}

/** `diff`: pure — decides replacement from the stored outputs and the new inputs. */
export function diff(olds: AccessTokenOutputs, news: AccessTokenProps, now: Date): dynamic.DiffResult {
  const replaces: string[] = REPLACE_ON_CHANGE.filter((k) => canonical(olds[k]) !== canonical(news[k]));
  const updates = UPDATE_IN_PLACE.filter((k) => canonical(olds[k]) !== canonical(news[k]));

  // Time-based rotation, only for tokens with a lifetime (a fixed date would come back unchanged).
  if (
    replaces.length === 0 &&
    news.fixedExpiresAt === undefined &&
    typeof olds.expiresAt === "string" &&
    rotationDue(olds.expiresAt, news.rotateBeforeDays ?? DEFAULT_ROTATE_BEFORE_DAYS, now)
  ) {
    replaces.push("expiresAt");
  }
  // A lifetime the provider enforces (GitLab ignored `expires_at`): a token on or past its expiry
  // is replaced even with a fixed date (the replacement's check then asks for a later date).
  if (replaces.length === 0 && expiredByProvider(olds, now)) replaces.push("expiresAt");
  // A token that a refresh found inactive is replaced even if it is still in state.
  if (replaces.length === 0 && olds.active === false) replaces.push("active");

  return {
    changes: replaces.length > 0 || updates.length > 0,
    replaces,
    deleteBeforeReplace: false,
    stables: ["kind", "target", "key"],
  };
}

/**
 * Whether the provider enforces this token's lifetime (GitLab did not honour `expires_at`: a
 * pipeline trigger token on a GitLab before trigger expiry) and the lifetime is over: the token
 * stopped being valid at 00:00 UTC on `expiresAt`, as a GitLab-enforced one would.
 */
export function expiredByProvider(outs: Partial<AccessTokenOutputs>, now: Date): boolean {
  return (
    outs.expiryEnforcedByProvider === true &&
    typeof outs.expiresAt === "string" &&
    now.getTime() >= dateStart(outs.expiresAt).getTime()
  );
}

export function resourceId(kind: TokenKind, targetId: number, tokenId: number): string {
  return `${kind}/${targetId}/${tokenId}`;
}

/** The target's numeric id; a target that contradicts the declaration is refused (the kind says how). */
/** The expiry a token created at `now` gets: its fixed date, or today + its lifetime. */
export function expiryFor(props: AccessTokenProps, now: Date): string {
  return props.fixedExpiresAt ?? addDays(now, props.lifetimeDays ?? 0);
}

/**
 * The identity outputs `olds` hold, and only those: an output set to `undefined` is refused by the
 * engine ("Unexpected struct type"), and state may lack them (written before them, or by a
 * credential GitLab shows no e-mail).
 */
function keptIdentity(
  olds: AccessTokenOutputs,
): Partial<Pick<AccessTokenOutputs, "userId" | "identityUsername" | "commitEmail">> {
  const kept: Partial<Pick<AccessTokenOutputs, "userId" | "identityUsername" | "commitEmail">> = {};
  if (olds.userId !== undefined) kept.userId = olds.userId;
  if (olds.identityUsername !== undefined) kept.identityUsername = olds.identityUsername;
  if (olds.commitEmail !== undefined) kept.commitEmail = olds.commitEmail;
  return kept;
}

/** `update`: only this project's own metadata changed; no API call. */
export function update(olds: AccessTokenOutputs, news: AccessTokenProps): dynamic.UpdateResult {
  return {
    outs: {
      ...olds,
      ...news,
      // The reference the token carries; news holds the one drawn by this run's check.
      createRef: olds.createRef,
      // Who the token acts as: the same token, so the same user.
      ...keptIdentity(olds),
      rotatesAt: rotationDate(olds.expiresAt, news.rotateBeforeDays),
    },
  };
}
