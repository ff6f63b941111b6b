/**
 * The access-token provider's logic. The serialised provider (./access-token.ts) is a thin shell
 * that `require`s the compiled form of this module inside each method, so state carries ~1 KB of
 * provider code per resource and implementation changes never touch state.
 *
 * Domain rules (../../DESIGN.md): tokens are immutable, so any change to what GitLab stores is a
 * replacement, done create-before-delete; expiry is computed once at creation and kept; `check`
 * and `diff` are pure (an unchanged program makes zero API calls); rotation is due when
 * `now >= expiresAt - rotateBeforeDays`, when `rotateWhenChanged` or `rotationEpoch` changes, or when
 * a refresh finds the token revoked, expired or gone.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { GitLabApiError } from "../gitlab/errors";
import type { GitLabClient, CreateTokenParams, GitLabToken } from "../gitlab/client";
import {
  ACCESS_LEVELS,
  DEFAULT_ROTATE_BEFORE_DAYS,
  addDays,
  rotationDate,
  rotationDue,
  type TokenKind,
} from "../gitlab/facts";
import { kindOf, type TargetLookup } from "../kinds";
import type { AccessTokenOutputs, AccessTokenProps } from "../types";
import { validateTokenSpec } from "../validation";
import { createRefOf, markedDescription, newCreateRef } from "../gitlab/marker";
import { connectionOf, currentTime, clientFor, type Connection, type ProviderConfig } from "./runtime-env";

/** Properties whose change means a new token (GitLab tokens are immutable). */
export const REPLACE_ON_CHANGE = [
  "kind",
  "target",
  "name",
  "description",
  "scopes",
  "accessLevel",
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
] as const;

/** Attempts at a create whose outcome was unknown (response lost), each after reconciliation. */
const CREATE_ATTEMPTS = 3;

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
  _olds: AccessTokenProps,
  news: AccessTokenProps,
  now: Date,
): dynamic.CheckResult<AccessTokenProps> {
  const failures = validateTokenSpec(
    {
      kind: news.kind,
      target: news.target,
      name: news.name,
      description: news.description,
      scopes: news.scopes,
      accessLevel: news.accessLevel,
      lifetimeDays: news.lifetimeDays,
      expiresAt: news.fixedExpiresAt,
      rotateBeforeDays: news.rotateBeforeDays,
      rotateWhenChanged: news.rotateWhenChanged,
    },
    now,
  ).map((f) => ({ property: f.property === "expiresAt" ? "fixedExpiresAt" : f.property, reason: f.reason }));
  if (failures.length > 0) return { failures };

  // The engine's extra properties (`__provider`, the outputs' placeholders) pass through untouched.
  const inputs: AccessTokenProps = {
    ...news,
    scopes: Array.isArray(news.scopes) ? [...new Set(news.scopes)].sort() : news.scopes,
    description: news.description ?? "",
    rotateBeforeDays: news.rotateBeforeDays ?? DEFAULT_ROTATE_BEFORE_DAYS,
    rotateWhenChanged: news.rotateWhenChanged ?? {},
    rotationEpoch: news.rotationEpoch ?? "",
    // Fresh for every check, and ignored by diff: the engine writes it into its pending create
    // before calling create, so a killed run leaves a way to find the token it may have made.
    createRef: newCreateRef(),
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
  // A token that a refresh found inactive is replaced even if it is still in state.
  if (replaces.length === 0 && olds.active === false) replaces.push("active");

  return {
    changes: replaces.length > 0 || updates.length > 0,
    replaces,
    deleteBeforeReplace: false,
    stables: ["kind", "target", "key"],
  };
}

export function resourceId(kind: TokenKind, targetId: number, tokenId: number): string {
  return `${kind}/${targetId}/${tokenId}`;
}

/** The target's numeric id; a target that contradicts the declaration is refused (the kind says how). */
export async function resolveTarget(gl: TargetLookup, props: AccessTokenProps): Promise<number> {
  const kind = kindOf(props.kind);
  const resolved = await kind.resolve(gl, props.target);
  kind.verify?.(resolved, props);
  return resolved.id;
}

/**
 * Creates the token, marked with `createRef`. Happy path: one call. When GitLab may have
 * made it without our seeing the response (connection dropped, 5xx), the tokens carrying this
 * create's reference are found and revoked before trying again — so a lost response never leaves
 * an orphan or a duplicate, and no token another create made (another stack's, a person's) is
 * touched: only this create knows its reference.
 */
export async function createToken(
  gl: GitLabClient,
  kind: TokenKind,
  targetId: number,
  params: CreateTokenParams,
  createRef: string,
): Promise<GitLabToken> {
  const marked: CreateTokenParams = {
    ...params,
    description: markedDescription(params.description ?? "", createRef),
  };
  let lastError: GitLabApiError | undefined;
  for (let attempt = 1; attempt <= CREATE_ATTEMPTS; attempt++) {
    try {
      return await kindOf(kind).create(gl, targetId, marked);
    } catch (e) {
      if (!GitLabApiError.is(e) || !e.outcomeUnknown) throw e;
      lastError = e;
      await revokeMarked(gl, kind, targetId, params.name, createRef);
    }
  }
  throw new Error(
    `creating ${kind} token "${params.name}" failed ${CREATE_ATTEMPTS} times without an answer from GitLab ` +
      `(last: ${lastError?.message ?? "unknown"}); any token those attempts made was found and revoked`,
  );
}

/** Revokes the active tokens named `name` that carry `createRef`; returns their ids. */
export async function revokeMarked(
  gl: GitLabClient,
  kind: TokenKind,
  targetId: number,
  name: string,
  createRef: string,
): Promise<number[]> {
  const made = (await kindOf(kind).list(gl, targetId, name)).filter(
    (t) => t.name === name && !t.revoked && createRefOf(t.description) === createRef,
  );
  for (const t of made) await kindOf(kind).revoke(gl, targetId, t.id);
  return made.map((t) => t.id);
}

/** The expiry a token created at `now` gets: its fixed date, or today + its lifetime. */
export function expiryFor(props: AccessTokenProps, now: Date): string {
  return props.fixedExpiresAt ?? addDays(now, props.lifetimeDays ?? 0);
}

export async function create(
  conn: Connection,
  inputs: AccessTokenProps,
  now: Date,
): Promise<dynamic.CreateResult> {
  const gl = clientFor(conn);
  const targetId = await resolveTarget(gl, inputs);
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

  const createRef = inputs.createRef ?? newCreateRef();
  const t = await createToken(gl, inputs.kind, targetId, params, createRef);
  if (!t.token)
    throw new Error(
      `GitLab created ${inputs.kind} token "${inputs.name}" (id ${t.id}) but returned no value`,
    );
  const actualExpiry = t.expires_at ?? expiresAt;
  const outs: AccessTokenOutputs = {
    ...inputs,
    createRef,
    tokenId: t.id,
    token: t.token,
    expiresAt: actualExpiry,
    rotatesAt: rotationDate(actualExpiry, inputs.rotateBeforeDays),
    active: t.active,
    createdAt: t.created_at,
    userId: t.user_id,
    targetId,
  };
  return { id: resourceId(inputs.kind, targetId, t.id), outs };
}

/** `read` (refresh): a revoked, expired or deleted token is reported as gone so `up` recreates it. */
export async function read(
  conn: Connection,
  id: string,
  props: AccessTokenOutputs,
): Promise<dynamic.ReadResult> {
  const gl = clientFor(conn);
  const t = await kindOf(props.kind).get(gl, props.targetId, props.tokenId);
  if (!t || t.revoked || !t.active) return {};
  const expiresAt = t.expires_at ?? props.expiresAt;
  return {
    id,
    props: {
      ...props,
      active: t.active,
      expiresAt,
      rotatesAt: rotationDate(expiresAt, props.rotateBeforeDays),
    },
  };
}

/** `update`: only this project's own metadata changed; no API call. */
export function update(olds: AccessTokenOutputs, news: AccessTokenProps): dynamic.UpdateResult {
  return {
    outs: {
      ...olds,
      ...news,
      // The reference the token carries; news holds the one drawn by this run's check.
      createRef: olds.createRef,
      rotatesAt: rotationDate(olds.expiresAt, news.rotateBeforeDays),
    },
  };
}

/** `delete`: revoke; a token GitLab no longer knows is already gone. */
export async function remove(conn: Connection, props: AccessTokenOutputs): Promise<void> {
  const gl = clientFor(conn);
  await kindOf(props.kind).revoke(gl, props.targetId, props.tokenId);
}

/**
 * The entry points the serialised shell calls: raw provider config in; the clock and the
 * connection are resolved here, so the shell stays a few hundred bytes per method.
 *
 * A contract with OLD state: every resource's state carries the shell that was current when it was
 * last written, and `refresh` and `destroy` run that old shell against this module. Keep these
 * method names (check, diff, create, read, update, remove) and their parameters exactly as they are;
 * add new entry points beside them, never change these.
 */
export const entry = {
  check: (olds: AccessTokenProps, news: AccessTokenProps) => check(olds, news, currentTime()),
  diff: (olds: AccessTokenOutputs, news: AccessTokenProps) => diff(olds, news, currentTime()),
  create: (config: ProviderConfig, inputs: AccessTokenProps) =>
    create(connectionOf(config), inputs, currentTime()),
  read: (config: ProviderConfig, id: string, props: AccessTokenOutputs) =>
    read(connectionOf(config), id, props),
  update: (olds: AccessTokenOutputs, news: AccessTokenProps) => update(olds, news),
  remove: (config: ProviderConfig, props: AccessTokenOutputs) => remove(connectionOf(config), props),
};
