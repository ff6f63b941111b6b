/**
 * The token-retirement provider: adoption of a token made by hand (`replaces:` on a declaration).
 * The declared token is made and delivered first (the retirement depends on its CI/CD variables);
 * then this resource's create finds the token it replaces — by id, or by name on the same target —
 * and revokes it. Once: refresh reads nothing, an update changes only what state says, and delete
 * revokes nothing (a revoked token cannot come back). A token gitlab-tokens manages (it carries a
 * creation marker) is never retired this way: it belongs to a stack, which revokes it itself.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { GitLabClient, GitLabToken } from "../gitlab/client";
import type { TokenKind } from "../gitlab/facts";
import { markerOf } from "../gitlab/marker";
import { isNamed, isTokenKind, kindOf, type TargetField, type TokenTarget } from "../kinds";
import type { ShellEntry } from "./shell";
import { clientFor, connectionOf, currentTime, type Connection, type ProviderConfig } from "./runtime-env";

/** What a retirement is given: the replaced token, and its successor's target and routes (its outputs). */
export interface RetirementProps {
  /** The declaration key of the successor, for messages. */
  key: string;
  kind: TokenKind;
  /** The target as declared, for messages. */
  target: string;
  targetId: number;
  serviceAccountGroupId?: number;
  serviceAccountProjectId?: number;
  targetField?: TargetField;
  /** The replaced token: its id, or its name on the same target. */
  replaces: string | number;
  successorTokenId: number;
}

export interface RetirementOutputs extends RetirementProps {
  /** Whether an active token was found and revoked (false: it was already gone or revoked). */
  retired: boolean;
  retiredTokenId?: number;
  retiredName?: string;
  /** When GitLab last saw the replaced token used, as it said just before the revocation. */
  lastUsedAt?: string | null;
  retiredAt: string;
}

const describeToken = (p: RetirementProps) =>
  `${p.kind} token "${p.key}": replaces ${typeof p.replaces === "number" ? `token id ${p.replaces}` : JSON.stringify(p.replaces)}`;

function target(p: RetirementProps): TokenTarget {
  const t: TokenTarget = { id: p.targetId };
  if (p.serviceAccountGroupId !== undefined) t.serviceAccountGroupId = p.serviceAccountGroupId;
  if (p.serviceAccountProjectId !== undefined) t.serviceAccountProjectId = p.serviceAccountProjectId;
  if (p.targetField !== undefined) t.field = p.targetField;
  return t;
}

const isLive = (t: GitLabToken) => t.active !== false && t.revoked !== true;

/** The token `replaces` names, if it is still live; throws when the name is ambiguous or the token is not one to retire. */
async function findReplaced(gl: GitLabClient, p: RetirementProps): Promise<GitLabToken | undefined> {
  const kind = kindOf(p.kind);
  let found: GitLabToken | undefined;
  if (typeof p.replaces === "number") {
    found = await kind.get(gl, target(p), p.replaces);
  } else {
    const name = p.replaces;
    const named = (await kind.list(gl, target(p), name)).filter((t) => t.name === name && isLive(t));
    if (named.length > 1) {
      throw new Error(
        `${describeToken(p)}, but ${named.length} active tokens of ${p.target} have that name ` +
          `(ids ${named.map((t) => t.id).join(", ")}); give replaces: <token id>`,
      );
    }
    found = named[0];
  }
  if (found === undefined || !isLive(found)) return undefined;
  if (found.id === p.successorTokenId) {
    throw new Error(`${describeToken(p)}, which is the token this declaration made; remove replaces`);
  }
  const marker = markerOf(kind.markerInName ? found.name : found.description);
  if (marker !== undefined) {
    throw new Error(
      `${describeToken(p)} (id ${found.id}), which gitlab-tokens manages (its creation marker says a stack made it); ` +
        "remove it from that stack's declarations instead of replacing it here",
    );
  }
  return found;
}

export async function create(
  conn: Connection,
  inputs: RetirementProps,
  now: Date,
): Promise<dynamic.CreateResult> {
  const gl = clientFor(conn);
  const found = await findReplaced(gl, inputs);
  const outs: RetirementOutputs = { ...inputs, retired: false, retiredAt: now.toISOString() };
  if (found !== undefined) {
    await kindOf(inputs.kind).revoke(gl, target(inputs), found.id);
    Object.assign(outs, { retired: true, retiredTokenId: found.id, retiredName: found.name });
    const lastUsed = (found as { last_used_at?: string | null }).last_used_at;
    if (lastUsed !== undefined) outs.lastUsedAt = lastUsed;
  }
  return { id: `${inputs.kind}/${inputs.targetId}/replaces/${String(inputs.replaces)}`, outs };
}

/** `check`: what a declaration can get wrong is refused before any API call. */
export function check(
  _olds: RetirementProps | undefined,
  news: RetirementProps,
): dynamic.CheckResult<RetirementProps> {
  if (!isTokenKind(news.kind))
    return { failures: [{ property: "kind", reason: `unknown kind ${String(news.kind)}` }] };
  const r = news.replaces as unknown;
  const byName = typeof r === "string" && r.trim() !== "";
  const byId = typeof r === "number" && Number.isInteger(r) && r > 0;
  if (!byName && !byId) {
    return {
      failures: [{ property: "replaces", reason: "replaces is a token id (a number) or a token name" }],
    };
  }
  if (byName && !isNamed(kindOf(news.kind))) {
    return {
      failures: [
        {
          property: "replaces",
          reason: `a ${news.kind} token has no name in GitLab; give replaces: <token id>`,
        },
      ],
    };
  }
  return { inputs: news };
}

/** A different token to replace, or another target, is another retirement; the successor changing is not. */
export function diff(olds: RetirementOutputs, news: RetirementProps): dynamic.DiffResult {
  const replaces = (["kind", "targetId", "replaces"] as const).filter(
    (k) => String(olds[k]) !== String(news[k]),
  );
  const changes =
    replaces.length > 0 || olds.successorTokenId !== news.successorTokenId || olds.key !== news.key;
  return { changes, replaces, deleteBeforeReplace: false };
}

/**
 * The entry points the serialised shell calls (raw provider config in): a contract with old state,
 * like the other providers' (docs/architecture.md, "The persisted interface").
 */
export const entry = {
  check,
  diff,
  create: (config: ProviderConfig, inputs: RetirementProps) =>
    create(connectionOf(config), inputs, currentTime()),
  read: (_config: ProviderConfig, id: string, props: RetirementOutputs) => Promise.resolve({ id, props }),
  updateWith: (_config: ProviderConfig, olds: RetirementOutputs, news: RetirementProps) => ({
    outs: { ...olds, ...news },
  }),
  remove: () => Promise.resolve(),
};

/** The shared shell calls these through ShellEntry: checked here. */
const _forTheShell: ShellEntry<RetirementProps, RetirementOutputs> = entry;
