/**
 * The access-token provider's GitLab calls: create, read (refresh), remove, and the reconciliation
 * of a create whose outcome was unknown. The serialised provider (./access-token.ts) is a thin shell
 * that `require`s the compiled form of this module inside each method, so state carries ~1 KB of
 * provider code per resource and implementation changes never touch state. The pure rules (check,
 * diff, update, expiry) are in ./access-token-logic and re-exported here.
 */
import { createHash } from "node:crypto";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { GitLabApiError, expiryCapOf } from "../gitlab/errors";
import type { GitLabClient, CreateTokenParams, GitLabToken } from "../gitlab/client";
import {
  ACCESS_LEVELS,
  addDays,
  dateStart,
  daysBetween,
  isoDate,
  rotationDate,
  type TokenKind,
} from "../gitlab/facts";
import {
  hasField,
  isNamed,
  kindOf,
  type ResolvedTarget,
  type TargetHints,
  type TargetLookup,
  type TokenTarget,
} from "../kinds";
import type { AccessTokenOutputs, AccessTokenProps } from "../types";
import {
  isCurrentCreateRef,
  markedDescription,
  markerOf,
  newCreateNonce,
  newCreateRef,
  type Marker,
} from "../gitlab/marker";
import { check, diff, expiredByProvider, expiryFor, resourceId, update } from "./access-token-logic";
import type { ShellEntry } from "./shell";
import { connectionOf, currentTime, clientFor, type Connection, type ProviderConfig } from "./runtime-env";

export {
  REPLACE_ON_CHANGE,
  UPDATE_IN_PLACE,
  check,
  diff,
  expiryFor,
  resourceId,
  update,
} from "./access-token-logic";

/** Attempts at a create whose outcome was unknown (response lost), each after reconciliation. */
const CREATE_ATTEMPTS = 3;

/**
 * Targets looked up in this process, by GitLab URL and credential, kind and target as written. One
 * provider process serves a whole `pulumi up`, so a hundred tokens on one project cost one lookup,
 * and parallel creates share it while it is in flight. A failed lookup is not kept. The credential
 * is part of the key (as a digest) because it decides the routes (a personal token of a group
 * service account: an administrator's routes, or the group's for an Owner).
 */
const lookups = new Map<string, Promise<ResolvedTarget>>();

/**
 * The token's project, group or user (its numeric id) and the routes its tokens go through. A
 * numeric target of a kind with nothing to verify is its own id (no call); any other is looked up
 * once per process (`gitlab` names the GitLab it was looked up in) and verified against the
 * declaration.
 */
export async function resolveTarget(
  gl: TargetLookup,
  props: AccessTokenProps,
  gitlab = "",
): Promise<TokenTarget> {
  const kind = kindOf(props.kind);
  const target = props.target;
  if (/^\d+$/.test(target) && !kind.verify)
    return tokenTarget({ id: Number(target), field: props.targetField });
  const hints = targetHints(props);
  const key = [
    gitlab,
    props.kind,
    hints.field ?? "",
    target.toLowerCase(),
    String(hints.group ?? "").toLowerCase(),
  ]
    .concat(hints.project === undefined ? [] : [`project:${String(hints.project).toLowerCase()}`])
    .join("\u0000");
  let lookup = lookups.get(key);
  if (!lookup) {
    lookup = kind.resolve(gl, target, hints);
    lookups.set(key, lookup);
    lookup.catch(() => lookups.delete(key));
  }
  const resolved = await lookup;
  kind.verify?.(resolved, props);
  return tokenTarget(resolved);
}

/** Which GitLab and credential a lookup was made in (the credential as a digest, never itself). */
function lookupScope(conn: Connection): string {
  const digest = createHash("sha256")
    .update(conn.token ?? "")
    .digest("hex")
    .slice(0, 16);
  return `${conn.baseUrl}\u0000${digest}`;
}

/** The declaration's fields that may decide a target's routes (personal: `group`, `project`; deploy: the target's field). */
function targetHints(props: AccessTokenProps): TargetHints {
  const hints: TargetHints = {};
  if (props.group !== undefined) hints.group = props.group;
  if (props.project !== undefined) hints.project = props.project;
  if (props.targetField !== undefined) hints.field = props.targetField;
  return hints;
}

/** The fields of a target (and of a token's outputs) that say which routes reach its tokens. */
const ROUTE_FIELDS = ["serviceAccountGroupId", "serviceAccountProjectId"] as const;

/** The operations' part of a resolved target (or of a token's state): its id and its routes, if any. */
export function tokenTarget(t: TokenTarget): TokenTarget {
  const out: TokenTarget = { id: t.id };
  for (const f of ROUTE_FIELDS) if (t[f] !== undefined) out[f] = t[f];
  if (t.field !== undefined) out.field = t.field;
  return out;
}

/** Where a token in state lives: its target's id, the field that named it, and the routes it was made through. */
function storedTarget(props: AccessTokenOutputs): TokenTarget {
  return tokenTarget({
    id: props.targetId,
    serviceAccountGroupId: props.serviceAccountGroupId,
    serviceAccountProjectId: props.serviceAccountProjectId,
    field: props.targetField,
  });
}

/**
 * Creates the token, marked with its resource's `createRef` and a nonce drawn for this call. Happy
 * path: one call. When GitLab may have made it without our seeing the response (connection
 * dropped, 5xx), the tokens carrying this call's marker are found and revoked before trying again —
 * so a lost response never leaves an orphan or a duplicate, and no token another create made (the
 * token being replaced, another stack's, a person's) is touched: only this call knows its nonce.
 */
export async function createToken(
  gl: GitLabClient,
  kind: TokenKind,
  target: TokenTarget,
  params: CreateTokenParams,
  createRef: string,
): Promise<GitLabToken> {
  const nonce = newCreateNonce();
  const marked: CreateTokenParams = {
    ...params,
    description: markedDescription(params.description ?? "", createRef, nonce),
  };
  let lastError: GitLabApiError | undefined;
  for (let attempt = 1; attempt <= CREATE_ATTEMPTS; attempt++) {
    try {
      return await kindOf(kind).create(gl, target, marked);
    } catch (e) {
      if (!GitLabApiError.is(e) || !e.outcomeUnknown) throw e;
      lastError = e;
      await revokeMarked(gl, kind, target, params.name, (m) => m.ref === createRef && m.nonce === nonce);
    }
  }
  throw new Error(
    `creating ${kind} token "${params.name}" failed ${CREATE_ATTEMPTS} times without an answer from GitLab ` +
      `(last: ${lastError?.message ?? "unknown"}); any token those attempts made was found and revoked`,
  );
}

/** Revokes the active tokens named `name` whose marker `matches` (and whose id `keep` does not hold); returns their ids. */
export async function revokeMarked(
  gl: GitLabClient,
  kind: TokenKind,
  target: TokenTarget,
  name: string,
  matches: (marker: Marker) => boolean,
  keep: ReadonlySet<number> = new Set(),
): Promise<number[]> {
  // A kind without names (a pipeline trigger token) is told apart by its marker alone.
  const named = isNamed(kindOf(kind));
  const made = (await kindOf(kind).list(gl, target, name)).filter((t) => {
    const marker = markerOf(t.description);
    return (
      (!named || t.name === name) && !t.revoked && marker !== undefined && matches(marker) && !keep.has(t.id)
    );
  });
  for (const t of made) await kindOf(kind).revoke(gl, target, t.id);
  return made.map((t) => t.id);
}

/** Who a token acts as (kept in its outputs): its user's username and, where GitLab shows it, commit e-mail. */
export type TokenIdentity = Pick<AccessTokenOutputs, "identityUsername" | "commitEmail">;

/**
 * The identity of the token's user `userId`: one `GET /users/:id` with the provisioning credential
 * (GitLabClient.userIdentity says what GitLab shows to whom). A user's identity never changes for a
 * token id, so it is read once — at create (and so at every rotation, which creates a successor) —
 * and kept through refresh. GitLab refusing or failing to answer leaves it undefined, for the next
 * refresh to fill: by then the token exists, and a create that failed for it would leave the token
 * behind, unrecorded.
 */
export async function identityOf(
  gl: Pick<GitLabClient, "userIdentity">,
  userId: number,
): Promise<TokenIdentity> {
  try {
    const { username, commitEmail } = await gl.userIdentity(userId);
    return commitEmail === undefined
      ? { identityUsername: username }
      : { identityUsername: username, commitEmail };
  } catch (e) {
    if (GitLabApiError.is(e)) return {};
    throw e;
  }
}

/**
 * The instance's maximum lifetime, as GitLab's refusals taught this process: days from today, per
 * GitLab and credential (lookupScope) and per family of tokens (pipeline triggers have their own).
 */
const lifetimeCaps = new Map<string, number>();
const capKey = (conn: Connection, kind: TokenKind) =>
  `${lookupScope(conn)}\u0000${kind === "trigger" ? "trigger" : "token"}`;

/**
 * Creates the token with the expiry asked for, or — when the instance's maximum lifetime is shorter
 * (an administrator's setting, or a rotation on the cap's day; GitLab #548819) — with the last date
 * GitLab accepts: learnt from its refusal (`… must be before <date>`), remembered for the process's
 * later creates, so each GitLab refuses once. `params.expiresAt` is left at the date used.
 */
async function createWithinCap(
  gl: GitLabClient,
  conn: Connection,
  kind: TokenKind,
  target: TokenTarget,
  params: CreateTokenParams,
  createRef: string,
  now: Date,
): Promise<GitLabToken> {
  const known = lifetimeCaps.get(capKey(conn, kind));
  if (known !== undefined && params.expiresAt > addDays(now, known)) params.expiresAt = addDays(now, known);
  try {
    return await createToken(gl, kind, target, params, createRef);
  } catch (e) {
    const cap = expiryCapOf(e);
    // Nothing to cap to: the refusal is another, or the cap leaves no day at all.
    if (cap === undefined || cap >= params.expiresAt || cap <= isoDate(now)) throw e;
    lifetimeCaps.set(capKey(conn, kind), daysBetween(now, cap));
    params.expiresAt = cap;
    return createToken(gl, kind, target, params, createRef);
  }
}

export async function create(
  conn: Connection,
  inputs: AccessTokenProps,
  now: Date,
): Promise<dynamic.CreateResult> {
  const gl = clientFor(conn);
  const target = await resolveTarget(gl, inputs, lookupScope(conn));
  const expiresAt = expiryFor(inputs, now);
  const params: CreateTokenParams = {
    name: inputs.name,
    scopes: inputs.scopes,
    expiresAt,
    description: inputs.description || undefined,
  };
  if (kindOf(inputs.kind).accessLevels && inputs.accessLevel !== undefined) {
    params.accessLevel = ACCESS_LEVELS[inputs.accessLevel];
  }
  if (hasField(kindOf(inputs.kind), "username") && inputs.username) params.username = inputs.username;
  Object.assign(
    params,
    await kindOf(inputs.kind).prepareCreate?.(gl, inputs as unknown as Record<string, unknown>),
  );

  const createRef = isCurrentCreateRef(inputs.createRef) ? inputs.createRef : newCreateRef();
  const t = await createWithinCap(gl, conn, inputs.kind, target, params, createRef, now);
  if (!t.token)
    throw new Error(
      `GitLab created ${inputs.kind} token "${inputs.name}" (id ${t.id}) but returned no value`,
    );
  // GitLab answers with the expiry it stored; none means it ignored ours (a GitLab before pipeline
  // trigger expiry): the provider then enforces the declared one itself (expiredByProvider).
  const honoured = t.expires_at !== null && t.expires_at !== undefined;
  const actualExpiry = t.expires_at ?? params.expiresAt;
  const outs: AccessTokenOutputs = {
    ...inputs,
    createRef,
    tokenId: t.id,
    token: t.token,
    expiresAt: actualExpiry,
    rotatesAt: rotationDate(actualExpiry, inputs.rotateBeforeDays),
    active: t.active,
    // A deploy token has no creation time or user in GitLab.
    createdAt: t.created_at ?? now.toISOString(),
    targetId: target.id,
  };
  // A deploy token has no user: its own username is who it acts as.
  if (t.user_id !== undefined) Object.assign(outs, { userId: t.user_id }, await identityOf(gl, t.user_id));
  if (t.username !== undefined) outs.identityUsername = t.username;
  for (const f of ROUTE_FIELDS) if (target[f] !== undefined) outs[f] = target[f];
  if (!honoured) outs.expiryEnforcedByProvider = true;
  if (params.expiresAt !== expiresAt) outs.expiryCappedFrom = expiresAt;
  return { id: resourceId(inputs.kind, target.id, t.id), outs };
}

/**
 * `read` (refresh): a revoked, expired or deleted token is reported as gone so `up` recreates it.
 * The identity of its user is kept from state; state without it (written before it was recorded,
 * or whose create could not read it) gets it here, once — one more call for that token, none on the
 * refreshes after.
 * A token whose lifetime the provider enforces (expiryEnforcedByProvider) and which is on or past
 * its expiry is deleted first: GitLab would leave it working forever, and a refresh must not.
 */
export async function read(
  conn: Connection,
  id: string,
  props: AccessTokenOutputs,
  now: Date = currentTime(),
): Promise<dynamic.ReadResult> {
  const gl = clientFor(conn);
  const kind = kindOf(props.kind);
  const t = await kind.get(gl, storedTarget(props), props.tokenId);
  if (t && expiredByProvider(props, now)) {
    await kind.revoke(gl, storedTarget(props), props.tokenId);
    return {};
  }
  // GitLab's own expiry too, by the provider's clock: a trigger GitLab expired is still listed as is.
  const lapsed = typeof t?.expires_at === "string" && now.getTime() >= dateStart(t.expires_at).getTime();
  if (!t || t.revoked || !t.active || lapsed) return {};
  const expiresAt = t.expires_at ?? props.expiresAt;
  const userId = typeof props.userId === "number" ? props.userId : t.user_id;
  const identity =
    props.identityUsername === undefined && userId !== undefined ? await identityOf(gl, userId) : {};
  return {
    id,
    props: {
      ...props,
      // A deploy token has no user: no userId (an undefined output is refused by the engine).
      ...(userId === undefined ? {} : { userId }),
      ...identity,
      active: t.active,
      expiresAt,
      rotatesAt: rotationDate(expiresAt, props.rotateBeforeDays),
    },
  };
}

/** `delete`: revoke; a token GitLab no longer knows is already gone. */
export async function remove(conn: Connection, props: AccessTokenOutputs): Promise<void> {
  const gl = clientFor(conn);
  await kindOf(props.kind).revoke(gl, storedTarget(props), props.tokenId);
}

/**
 * The entry points the serialised shell calls: raw provider config in; the clock and the
 * connection are resolved here, so the shell stays a few hundred bytes per method.
 *
 * A contract with OLD state: every resource's state carries the shell that was current when it was
 * last written, and `refresh` and `destroy` run that old shell against this module. Keep these
 * method names (check, diff, create, read, update, remove, updateWith) and their parameters exactly as they are;
 * add new entry points beside them, never change these.
 */
export const entry = {
  check: (olds: AccessTokenProps, news: AccessTokenProps) => check(olds, news, currentTime()),
  diff: (olds: AccessTokenOutputs, news: AccessTokenProps) => diff(olds, news, currentTime()),
  create: (config: ProviderConfig, inputs: AccessTokenProps) =>
    create(connectionOf(config), inputs, currentTime()),
  read: (config: ProviderConfig, id: string, props: AccessTokenOutputs) =>
    read(connectionOf(config), id, props, currentTime()),
  update: (olds: AccessTokenOutputs, news: AccessTokenProps) => update(olds, news),
  remove: (config: ProviderConfig, props: AccessTokenOutputs) => remove(connectionOf(config), props),
  /** The shared shell's update (./shell.ts); `update` above is the older shells'. */
  updateWith: (_config: ProviderConfig, olds: AccessTokenOutputs, news: AccessTokenProps) =>
    update(olds, news),
};

/** The shared shell calls these through ShellEntry: checked here. */
const _forTheShell: ShellEntry<AccessTokenProps, AccessTokenOutputs> = entry;
