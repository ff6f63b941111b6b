/**
 * The day a token leaks (`npm run revoke -- <key>`): the leaked token must die first and its
 * replacement follow, the reverse of a rotation's create-before-delete. This core finds the token
 * in an exported stack (read without `--show-secrets`: its value stays ciphertext and is never
 * known here), reads from GitLab what it could do and when it was last used, revokes it with its
 * kind's own route and checks that GitLab shows it revoked or gone, and writes the incident note.
 * The CLI (./cli.ts) reads the state, runs `pulumi up --refresh` for the replacement, and writes
 * the note and the summary.
 *
 * Nothing here ever holds a token value or the credential: facts are picked field by field from
 * GitLab's answers (a trigger's GET carries its value: it is never copied).
 */
import { GitLabApiError } from "../../components/gitlab/errors";
import type { GitLabClient, GitLabToken } from "../../components/gitlab/client";
import { ACCESS_LEVELS, dateStart } from "../../components/gitlab/facts";
import {
  hasScopes,
  isTokenKind,
  kindOf,
  type KindDescriptor,
  type TokenKind,
  type TokenTarget,
} from "../../components/kinds";
import { tokenTarget } from "../../components/providers/access-token-impl";
import { ACCESS_TOKEN_TYPE, CI_VARIABLE_TYPE } from "../../components/types";

/** Bad input: an unknown key, a stack without such a token. Nothing has been changed. */
export class RevokeInputError extends Error {}

/** A resource as `pulumi stack export` writes it (the parts read here). */
export interface ExportedResource {
  urn: string;
  type: string;
  parent?: string;
  /** A replaced resource waiting for its deletion (create-before-delete). */
  delete?: boolean;
  outputs?: Record<string, unknown>;
}

/** The part of an exported stack this module reads. */
export interface ExportedStack {
  deployment: { resources?: ExportedResource[] };
}

/** A token as the state holds it; never its value. */
export interface StateToken {
  urn: string;
  /** The component that owns the token and its deliveries. */
  parent?: string;
  key: string;
  kind: TokenKind;
  name: string;
  /** As declared: a path, a username or an id. */
  target: string;
  targetId: number;
  tokenId: number;
  /** The operations' routes (`targetId`, `serviceAccountGroupId`, `serviceAccountProjectId`, `targetField`). */
  routes: TokenTarget;
  /** The declared fields the note falls back on where GitLab says nothing. */
  declared: {
    scopes?: string[];
    granular?: unknown;
    accessLevel?: string;
    expiresAt?: string;
    rotatesAt?: string;
    identityUsername?: string;
    userId?: number;
    targetField?: string;
  };
}

/** Where a token's value (or its username) is delivered: a CI/CD variable. */
export interface Delivery {
  scope: string;
  target: string;
  variable: string;
  environmentScope: string;
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);

/** The live access tokens of a stack (not the ones waiting for deletion after a replacement). */
function liveTokens(state: ExportedStack): ExportedResource[] {
  return (state.deployment.resources ?? []).filter(
    (r) => r.type === ACCESS_TOKEN_TYPE && r.delete !== true && typeof r.outputs?.key === "string",
  );
}

/** The declaration keys of the stack's tokens, sorted. */
export function tokenKeys(state: ExportedStack): string[] {
  return [...new Set(liveTokens(state).map((r) => r.outputs!.key as string))].sort();
}

/** The token declared as `key` in the state; anything else is one clear error naming the keys there are. */
export function findToken(state: ExportedStack, key: string, stack: string): StateToken {
  const found = liveTokens(state).filter((r) => r.outputs!.key === key);
  if (found.length === 0) {
    const keys = tokenKeys(state);
    throw new RevokeInputError(
      `no token "${key}" in stack ${stack}'s state; nothing was revoked. ` +
        (keys.length === 0
          ? "The stack holds no token (run `pulumi up` first?)."
          : `Its tokens: ${keys.join(", ")}`),
    );
  }
  if (found.length > 1) {
    throw new RevokeInputError(
      `stack ${stack}'s state holds ${found.length} tokens with key "${key}" (${found.map((r) => r.urn).join(", ")}); nothing was revoked`,
    );
  }
  const r = found[0]!;
  const o = r.outputs!;
  const tokenId = num(o.tokenId);
  const targetId = num(o.targetId);
  if (!isTokenKind(o.kind) || tokenId === undefined || targetId === undefined) {
    throw new RevokeInputError(
      `token "${key}" in stack ${stack}'s state has no kind, token id or target id (${r.urn}); nothing was revoked`,
    );
  }
  const field = str(o.targetField);
  return {
    urn: r.urn,
    ...(r.parent === undefined ? {} : { parent: r.parent }),
    key,
    kind: o.kind,
    name: str(o.name) ?? "",
    target: str(o.target) ?? String(targetId),
    targetId,
    tokenId,
    routes: tokenTarget({
      id: targetId,
      serviceAccountGroupId: num(o.serviceAccountGroupId),
      serviceAccountProjectId: num(o.serviceAccountProjectId),
      field: field as TokenTarget["field"],
    }),
    declared: {
      scopes: Array.isArray(o.scopes)
        ? o.scopes.filter((s): s is string => typeof s === "string")
        : undefined,
      granular: o.granular,
      accessLevel: str(o.accessLevel),
      expiresAt: str(o.expiresAt),
      rotatesAt: str(o.rotatesAt),
      identityUsername: str(o.identityUsername),
      userId: num(o.userId),
      targetField: field,
    },
  };
}

/** The CI/CD variables the token's component delivers to (its CiVariable children), in state order. */
export function deliveriesOf(state: ExportedStack, token: Pick<StateToken, "parent">): Delivery[] {
  if (token.parent === undefined) return [];
  return (state.deployment.resources ?? [])
    .filter((r) => r.type === CI_VARIABLE_TYPE && r.parent === token.parent && r.delete !== true)
    .map((r) => ({
      scope: str(r.outputs?.kind) ?? "project",
      target: str(r.outputs?.target) ?? "?",
      variable: str(r.outputs?.key) ?? "?",
      environmentScope: str(r.outputs?.environmentScope) ?? "*",
    }));
}

/** A token's state in GitLab when it was read. */
export type TokenStatus = "active" | "expired" | "revoked" | "gone";

/** One granular scope of a fine-grained token, as GitLab shows it (or as declared). */
export interface GranularScopeFact {
  access: string;
  permissions: string[];
  projectId?: number | null;
  groupId?: number | null;
  /** As declared (when GitLab no longer shows the token): the projects and groups it names. */
  on?: string[];
}

/** What the token could do and when it was used, read from GitLab before the revoke. */
export interface TokenFacts {
  status: TokenStatus;
  /** GitLab's legacy scopes (or the declared ones when GitLab no longer shows the token); undefined: the kind has none. */
  scopes?: string[];
  /** A fine-grained token's granular scopes. */
  granularScopes?: GranularScopeFact[];
  accessLevel?: string;
  expiresAt?: string | null;
  createdAt?: string;
  /** null: never used; undefined: GitLab does not say. */
  lastUsedAt?: string | null;
  /** undefined: GitLab does not say. */
  lastUsedIps?: string[];
  /** Who the token acts as: its user's username and id (a deploy token's own username). */
  actsAs?: string;
  userId?: number;
  /** What GitLab's answers did not say, each with why. */
  unknown: string[];
}

function levelName(level: unknown, fallback: string | undefined): string | undefined {
  if (typeof level !== "number") return fallback;
  const name = Object.entries(ACCESS_LEVELS).find(([, v]) => v === level)?.[0];
  return name ?? `access level ${level} (not known to gitlab-tokens)`;
}

function granularFacts(raw: unknown): GranularScopeFact[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  return raw
    .filter((g): g is Record<string, unknown> => typeof g === "object" && g !== null)
    .map((g) => ({
      access: str(g.access) ?? "?",
      permissions: Array.isArray(g.permissions) ? g.permissions.map(String) : [],
      ...(g.project_id !== undefined ? { projectId: g.project_id as number | null } : {}),
      ...(g.group_id !== undefined ? { groupId: g.group_id as number | null } : {}),
      ...(Array.isArray(g.projects) || Array.isArray(g.groups)
        ? { on: [...((g.projects as unknown[]) ?? []), ...((g.groups as unknown[]) ?? [])].map(String) }
        : {}),
    }));
}

/** `last_used_ips` of a token as GitLab answered it, or undefined when the answer has none. */
function ipsOf(raw: Record<string, unknown>): string[] | undefined {
  return Array.isArray(raw.last_used_ips) ? raw.last_used_ips.map(String) : undefined;
}

/**
 * Whether a kind's tokens are personal access tokens of a user (GitLab's `personal_access_tokens`,
 * readable by id on `GET /personal_access_tokens/:id`): a user's own (the kind whose target is a
 * user), or a bot user's made for each token (project and group tokens).
 */
function isPersonalAccessToken(d: KindDescriptor): boolean {
  return d.userPerToken || d.targetField === "user";
}

/** The token's status from GitLab's answer, by `now`. */
function statusOf(t: GitLabToken | undefined, now: Date): TokenStatus {
  if (!t) return "gone";
  if (t.revoked) return "revoked";
  const lapsed = typeof t.expires_at === "string" && now.getTime() >= dateStart(t.expires_at).getTime();
  return !t.active || lapsed ? "expired" : "active";
}

/**
 * Reads the token with its kind's `get` over the routes in its state — with the provisioning
 * credential, never the token itself (a call with it would move its `last_used_at`). A personal
 * token, and a project or group token (a personal access token of its bot user), where its route's
 * answer has no `last_used_ips` (a service account's list, a project's token), is asked for them on
 * `GET /personal_access_tokens/:id` too — its owner's or an administrator's route; a refusal: unknown.
 */
export async function inspectToken(gl: GitLabClient, token: StateToken, now: Date): Promise<TokenFacts> {
  const d = kindOf(token.kind);
  const t = await d.get(gl, token.routes, token.tokenId);
  const raw = (t ?? {}) as Record<string, unknown>;
  const unknown: string[] = [];
  const facts: TokenFacts = { status: statusOf(t, now), unknown };

  if (hasScopes(d)) {
    const gitlabScopes = Array.isArray(raw.scopes) ? raw.scopes.map(String) : undefined;
    facts.scopes = gitlabScopes ?? token.declared.scopes;
    const granular = granularFacts(raw.granular_scopes) ?? granularFacts(token.declared.granular);
    if (granular) facts.granularScopes = granular;
  }
  if (d.accessLevels) facts.accessLevel = levelName(raw.access_level, token.declared.accessLevel);
  facts.expiresAt = t ? (t.expires_at ?? null) : token.declared.expiresAt;
  if (typeof t?.created_at === "string") facts.createdAt = t.created_at;
  const userId = num(raw.user_id) ?? token.declared.userId;
  if (userId !== undefined) facts.userId = userId;
  facts.actsAs = str(raw.username) ?? token.declared.identityUsername;

  if (!t) {
    unknown.push(
      "everything GitLab would say about its use: GitLab no longer knows the token (it was deleted)",
    );
    return facts;
  }
  // null: GitLab says it was never used; absent (or undefined, as a trigger's mapping leaves it): unknown.
  if (raw.last_used_at !== undefined) facts.lastUsedAt = str(raw.last_used_at) ?? null;
  else unknown.push(`when it was last used: GitLab's answer for a ${token.kind} token has no last use`);

  let ips = ipsOf(raw);
  const pat = isPersonalAccessToken(d);
  if (ips === undefined && pat) {
    try {
      const byId = await gl.getPersonalToken(token.tokenId);
      ips = byId ? ipsOf(byId as unknown as Record<string, unknown>) : undefined;
    } catch (e) {
      if (!GitLabApiError.is(e)) throw e;
    }
  }
  if (ips !== undefined) facts.lastUsedIps = ips;
  else
    unknown.push(
      pat
        ? `the IP addresses it was used from: GitLab shows a ${token.kind} token's last_used_ips on GET /personal_access_tokens/:id, which this credential was refused (the token's owner or an administrator may read it)`
        : `the IP addresses it was used from: GitLab records none for a ${token.kind} token`,
    );
  if (!hasScopes(d)) {
    unknown.push(
      `scopes: a ${token.kind} token has none; it can do everything its kind allows on ${token.target}, as its owner`,
    );
  }
  return facts;
}

/** How the revoke went. */
export interface RevokeOutcome {
  /** The token was already revoked or gone in GitLab before this run: no revoke call was made. */
  already: boolean;
  /** What a GET after the revoke showed. */
  verified: "revoked" | "gone";
}

/** Revokes the token with its kind's route (unless GitLab already shows it dead) and checks with a GET that it is. */
export async function revokeToken(
  gl: GitLabClient,
  token: StateToken,
  before: TokenFacts,
): Promise<RevokeOutcome> {
  const d = kindOf(token.kind);
  const already = before.status === "revoked" || before.status === "gone";
  if (!already) await d.revoke(gl, token.routes, token.tokenId);
  const after = await d.get(gl, token.routes, token.tokenId);
  if (after && !after.revoked) {
    throw new Error(
      `GitLab still shows ${token.kind} token "${token.key}" (id ${token.tokenId}) as not revoked after the revoke; revoke it by hand in GitLab now`,
    );
  }
  return { already, verified: after ? "revoked" : "gone" };
}

/** The replacement `pulumi up` made, read from the state after it. */
export interface Replacement {
  tokenId: number;
  expiresAt?: string;
  rotatesAt?: string;
  deliveries: Delivery[];
}

/** What happened, for the note and the summary. */
export interface Incident {
  stack: string;
  token: StateToken;
  /** The deliveries before the revoke (the ones that held the leaked value). */
  deliveries: Delivery[];
  reason?: string;
  /** When the revoke call was made (ISO). */
  revokedAt: string;
  revokedBy: { username: string; id: number };
  before: TokenFacts;
  outcome: RevokeOutcome;
  /** The replacement: made, not asked for (`--no-up`), or failed (why). */
  replacement: { made: Replacement } | { skipped: string } | { failed: string; command: string };
}

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function deliveryText(d: Delivery): string {
  return `${d.scope} ${d.target}: ${d.variable}${d.environmentScope === "*" ? "" : ` (environment ${d.environmentScope})`}`;
}

function scopesText(f: TokenFacts): string {
  if (f.scopes === undefined) return "none (this kind has no scopes)";
  return f.scopes.length === 0 ? "none" : f.scopes.join(", ");
}

function granularText(g: GranularScopeFact): string {
  const on =
    typeof g.projectId === "number"
      ? ` on project id ${g.projectId}`
      : typeof g.groupId === "number"
        ? ` on group id ${g.groupId}`
        : g.on && g.on.length > 0
          ? ` on ${g.on.join(", ")}`
          : "";
  return `${g.access}${on}: ${g.permissions.join(", ")}`;
}

function lastUseText(f: TokenFacts): string {
  if (f.lastUsedAt === undefined) return "unknown (GitLab does not say)";
  return f.lastUsedAt === null ? "never (GitLab records no use)" : f.lastUsedAt;
}

function ipsText(f: TokenFacts): string {
  if (f.lastUsedIps === undefined) return "unknown (GitLab does not say)";
  return f.lastUsedIps.length === 0 ? "none recorded" : f.lastUsedIps.join(", ");
}

/** The `pulumi up` that makes and delivers the replacement. */
export function upCommand(stack: string): string {
  return `pulumi up --stack ${stack} --refresh --run-program --yes`;
}

/** Where the responder looks for what the token did: GitLab's audit events (Premium and Ultimate). */
function auditEventPlaces(token: StateToken): string[] {
  const field = token.routes.field ?? kindOf(token.kind).targetField;
  const places: string[] = [];
  if (field === "project")
    places.push(
      `${code(`GET /projects/${encodeURIComponent(token.target)}/audit_events`)} (the token's project)`,
    );
  if (field === "group")
    places.push(
      `${code(`GET /groups/${encodeURIComponent(token.target)}/audit_events`)} (the token's group)`,
    );
  places.push(
    `${code("GET /groups/:id/audit_events")} (Premium+) of each top-level group the token could reach; in the UI: the group's Secure > Audit events`,
  );
  places.push(
    `${code("GET /audit_events")} (an administrator, self-managed; filter \`entity_type\`, \`created_after\`) and Admin > Monitoring > Audit events`,
  );
  return places;
}

/** The incident note (Markdown). Holds no token value and no credential: none is known here. */
export function incidentNote(i: Incident): string {
  const t = i.token;
  const f = i.before;
  const rows: [string, string][] = [
    [
      "Token",
      `${code(t.key)}: ${t.kind} token ${t.name ? `"${t.name}" ` : ""}(id ${t.tokenId}) on ${t.target} (id ${t.targetId})`,
    ],
    ["Stack", code(i.stack)],
    [
      "Revoked at",
      `${i.revokedAt}${i.outcome.already ? " (GitLab already showed it revoked or gone: no revoke call was needed)" : ""}`,
    ],
    [
      "Revoked by",
      `${i.revokedBy.username} (user id ${i.revokedBy.id}), the credential's user (\`GET /user\`)`,
    ],
    ["Reason", i.reason ?? "(none given)"],
    ["Verified", `a GET after the revoke shows it ${i.outcome.verified}`],
    ["Status before", f.status],
  ];
  const out: string[] = [
    `# Incident: token ${code(t.key)} revoked`,
    "",
    "| | |",
    "| --- | --- |",
    ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`),
    "",
    "## What it could do",
    "",
    `- Kind: ${t.kind} token of ${kindOf(t.kind).targetLabel} ${t.target}`,
    `- Scopes: ${scopesText(f)}`,
  ];
  if (f.granularScopes)
    out.push(
      `- Fine-grained (granular) scopes:${f.granularScopes.length === 0 ? " none" : ""}`,
      ...f.granularScopes.map((g) => `  - ${granularText(g)}`),
    );
  if (f.accessLevel !== undefined) out.push(`- Access level: ${f.accessLevel}`);
  if (f.actsAs !== undefined || f.userId !== undefined)
    out.push(`- Acts as: ${f.actsAs ?? "?"}${f.userId !== undefined ? ` (user id ${f.userId})` : ""}`);
  out.push(
    `- Expiry: ${f.expiresAt === null ? "none" : (f.expiresAt ?? "unknown")}`,
    ...(f.createdAt ? [`- Created: ${f.createdAt}`] : []),
    `- Delivered to: ${i.deliveries.length === 0 ? "no CI/CD variable" : i.deliveries.map(deliveryText).join("; ")}`,
    "",
    "## When it was used",
    "",
    `- Last used: ${lastUseText(f)}`,
    `- Last IP addresses: ${ipsText(f)}`,
    "",
  );
  if (f.unknown.length > 0) {
    out.push("## What GitLab does not say", "", ...f.unknown.map((u) => `- ${u}`), "");
  }
  out.push("## Replacement", "");
  const r = i.replacement;
  if ("made" in r) {
    out.push(
      `- New token id: ${r.made.tokenId}`,
      `- Expires: ${r.made.expiresAt ?? "unknown"}${r.made.rotatesAt ? ` (rotates from ${r.made.rotatesAt})` : ""}`,
      `- CI/CD variables redelivered:${r.made.deliveries.length === 0 ? " none (the token has no delivery)" : ""}`,
      ...r.made.deliveries.map((d) => `  - ${deliveryText(d)}`),
    );
  } else if ("skipped" in r) {
    out.push(`- Not made yet: ${r.skipped}. Run ${code(upCommand(i.stack))} to make and deliver it.`);
  } else {
    out.push(
      `- Not made: the \`pulumi up\` failed (${r.failed}). The leaked token is revoked; run ${code(r.command)} again.`,
    );
  }
  out.push(
    "",
    "## What the responder still must do",
    "",
    "- [ ] Check GitLab's audit events for what the token did up to the revoke (this tool reads none; the sandbox has none):",
    ...auditEventPlaces(t).map((p) => `  - ${p}`),
    "- [ ] Look at the last use and the IP addresses above: are they the pipelines' own?",
    "- [ ] Find where the value leaked (job logs, artifacts, a repository's history, a paste) and remove it there.",
    "- [ ] Consumers outside the CI/CD variables above that hold the old value need the new one.",
  );
  if (!("made" in r)) out.push(`- [ ] Make the replacement: ${code(upCommand(i.stack))}.`);
  return `${out.join("\n")}\n`;
}

/** The summary for the terminal: one line per fact. */
export function describeIncident(i: Incident, noteFile: string): string[] {
  const t = i.token;
  const f = i.before;
  const lines = [
    `revoke: ${t.kind} token "${t.key}" (id ${t.tokenId}) on ${t.target}: ${i.outcome.already ? "already dead in GitLab" : "revoked"} at ${i.revokedAt} by ${i.revokedBy.username}; GitLab now shows it ${i.outcome.verified}`,
    `  could: scopes ${scopesText(f)}${f.granularScopes ? `; granular ${f.granularScopes.map(granularText).join("; ")}` : ""}${f.accessLevel ? `; access level ${f.accessLevel}` : ""}; expiry ${f.expiresAt ?? "none"}`,
    `  last used: ${lastUseText(f)}; from: ${ipsText(f)}`,
  ];
  const r = i.replacement;
  if ("made" in r) {
    lines.push(
      `  replacement: token id ${r.made.tokenId}, expires ${r.made.expiresAt ?? "?"}; redelivered to ${r.made.deliveries.length === 0 ? "no variable" : r.made.deliveries.map(deliveryText).join("; ")}`,
    );
  } else if ("skipped" in r) {
    lines.push(`  replacement: not made (${r.skipped}); run: ${upCommand(i.stack)}`);
  } else {
    lines.push(`  replacement: NOT made, pulumi up failed (${r.failed}); run: ${r.command}`);
  }
  lines.push(
    `  next: check GitLab's audit events (GET /groups/:id/audit_events, Premium+); note: ${noteFile}`,
  );
  return lines;
}
