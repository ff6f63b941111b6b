/**
 * The audit's core: the live tokens GitLab listed, held against the declarations (managed or not,
 * declared but missing) and the policy pack's rules (`evaluate`, through the `gitlab-api` adapter),
 * plus what only a live token can tell: expiring soon, never or long unused. Pure: GitLab's answers,
 * the declarations, the policy configuration and the time are passed in.
 */
import type { TokenDeclaration } from "../../components/declarations";
import {
  dateStart,
  daysBetween,
  isoDate,
  rotationDate,
  rotationDue,
  type TokenKind,
} from "../../components/gitlab/facts";
import { isNamed, kindOf } from "../../components/kinds";
import {
  evaluate,
  fromGitLabApi,
  liveTokenKey,
  type NormalisedToken,
  type PackConfig,
} from "../../policies/rules";
import {
  TOKEN_KIND_OF,
  isMandatoryViolation,
  type Audit,
  type AuditNotice,
  type AuditSettings,
  type AuditedTarget,
  type AuditedToken,
  type ListedTarget,
  type LiveState,
  type LiveToken,
  type MissingToken,
} from "./model";
import { targetKindOf } from "./scope";

export interface AuditInput {
  targets: readonly ListedTarget[];
  /** The declarations and the path to show; undefined when none were read (`--no-declarations`). */
  declarations?: { path: string; tokens: readonly TokenDeclaration[] };
  /** The pack configuration (a `--policy-pack-config` JSON) and its path; undefined = the pack's defaults. */
  policy?: { path?: string; config: PackConfig };
  now: Date;
  settings: AuditSettings;
  gitlab: Audit["gitlab"];
}

const days = (n: number) => `${n} day${n === 1 ? "" : "s"}`;

/** Whether a declaration's target (path, username or id, as written) is this listed target. */
export function declaresTarget(d: TokenDeclaration, target: ListedTarget): boolean {
  if (targetKindOf(d) !== target.kind) return false;
  const name = d.target.toLowerCase();
  const names = [
    ...target.refs,
    ...(target.resolved ? [target.resolved.path, String(target.resolved.id)] : []),
  ];
  return names.some((n) => n.toLowerCase() === name);
}

/** Revoked, expired (GitLab says so, or its `expires_at` has come: a trigger stays listed as it was), or active. */
function stateOf(t: LiveToken, now: Date): LiveState {
  if (t.revoked) return "revoked";
  if (t.expires_at !== null && now.getTime() >= dateStart(t.expires_at).getTime()) return "expired";
  return t.active ? "active" : "expired";
}

/** The kind of a listed token: its own, else the one its target's field names. */
const kindOfLive = (t: LiveToken, target: ListedTarget): TokenKind => t.kind ?? TOKEN_KIND_OF[target.kind];

/**
 * Whether a declaration is this live token's: same kind, and the same name — or, for a kind GitLab
 * gives no name (a pipeline trigger token), the same declared description (the marker aside).
 */
function declares(d: TokenDeclaration, kind: TokenKind, t: Pick<LiveToken, "name" | "description">): boolean {
  if (d.kind !== kind) return false;
  return isNamed(kindOf(kind)) ? d.name === t.name : (d.description ?? "") === (t.description ?? "");
}

function usageNotice(t: LiveToken, now: Date, unusedDays: number): AuditNotice | undefined {
  // A deploy token has neither a creation time nor a last use in GitLab's API: nothing to say.
  if (t.created_at === undefined) return undefined;
  if (t.last_used_at === null) {
    const created = isoDate(new Date(t.created_at));
    const age = daysBetween(created, isoDate(now));
    if (age <= unusedDays) {
      return {
        code: "never-used",
        message: `not used yet (created ${age === 0 ? "today" : `on ${created}, ${days(age)} ago`}).`,
      };
    }
    return {
      code: "never-used",
      message: `never used since its creation on ${created}, ${days(age)} ago; revoke it if nothing needs it.`,
    };
  }
  const lastUsed = isoDate(new Date(t.last_used_at));
  const idle = daysBetween(lastUsed, isoDate(now));
  if (idle <= unusedDays) return undefined;
  return {
    code: "unused",
    message: `last used on ${lastUsed}, ${days(idle)} ago (more than ${unusedDays}); revoke it if nothing needs it.`,
  };
}

function expiryNotice(
  token: NormalisedToken,
  declared: { declaration: TokenDeclaration; file: string } | undefined,
  now: Date,
  withinDays: number,
): AuditNotice | undefined {
  if (token.expiresAt === undefined) return undefined;
  const left = daysBetween(isoDate(now), token.expiresAt);
  if (left > withinDays) return undefined;
  const when = `expires on ${token.expiresAt} (in ${days(left)})`;
  let what: string;
  if (declared === undefined) {
    what = "nothing rotates it: whatever uses it stops working then";
  } else if (declared.declaration.expiresAt !== undefined) {
    // The provider rotates by time only the tokens declared with a lifetime.
    what = `its declaration has a fixed expiresAt, so \`pulumi up\` does not rotate it: set a later expiresAt (or lifetimeDays) on '${declared.declaration.key}' in ${declared.file}`;
  } else {
    const before = declared.declaration.rotateBeforeDays;
    what = rotationDue(token.expiresAt, before, now)
      ? `its rotation was due on ${rotationDate(token.expiresAt, before)}: check that the scheduled \`pulumi up\` runs`
      : `\`pulumi up\` rotates it from ${rotationDate(token.expiresAt, before)}`;
  }
  return { code: "expiring-soon", message: `${when}; ${what}.` };
}

function unmanagedNotice(declarationsPath: string | undefined): AuditNotice {
  return {
    code: "unmanaged",
    message:
      declarationsPath === undefined
        ? "no declarations were read (--no-declarations), so nothing here is known to manage it."
        : `not declared in ${declarationsPath}: nothing reviews, rotates or revokes it. Declare it there (\`pulumi up\` then replaces it with a managed token) or revoke it.`,
  };
}

function inactiveNotice(t: LiveToken, state: LiveState): AuditNotice {
  const what = state === "revoked" ? "revoked" : `expired${t.expires_at ? ` on ${t.expires_at}` : ""}`;
  return { code: "inactive", message: `${what}; listed because of --all, not judged.` };
}

/** One live token of a target: matched to its declaration, normalised, judged and annotated. */
function auditToken(
  t: LiveToken,
  target: ListedTarget & { resolved: { id: number; path: string } },
  input: AuditInput,
): AuditedToken {
  const kind = kindOfLive(t, target);
  const declaration = input.declarations?.tokens.find(
    (d) => declares(d, kind, t) && declaresTarget(d, target),
  );
  const normalised = fromGitLabApi(t, kind, target.resolved.path, declaration, {
    serviceAccount: target.serviceAccount,
  });
  const state = stateOf(t, input.now);
  const notices: AuditNotice[] = [];
  // The configuration's own findings (malformed exceptions) are reported once, not with every token.
  const findings =
    state === "active"
      ? evaluate([normalised], input.policy?.config, input.now).filter(
          (f) => f.status !== "exception-invalid",
        )
      : [];
  if (state !== "active") notices.push(inactiveNotice(t, state));
  else {
    if (!normalised.managed) notices.push(unmanagedNotice(input.declarations?.path));
    const declared =
      declaration && input.declarations ? { declaration, file: input.declarations.path } : undefined;
    const expiry = expiryNotice(normalised, declared, input.now, input.settings.expiringWithinDays);
    if (expiry) notices.push(expiry);
    const usage = usageNotice(t, input.now, input.settings.unusedDays);
    if (usage) notices.push(usage);
  }
  return {
    key: normalised.key,
    ref: liveTokenKey(kind, target.resolved.path, t),
    id: t.id,
    kind,
    target: target.resolved.path,
    targetField: target.kind,
    targetId: target.resolved.id,
    name: t.name,
    description: t.description,
    scopes: t.scopes,
    ...(normalised.fineGrained === true ? { granular: normalised.granular ?? "not listed" } : {}),
    ...(normalised.accessLevel !== undefined ? { accessLevel: normalised.accessLevel } : {}),
    createdAt: t.created_at ?? null,
    expiresAt: t.expires_at,
    lastUsedAt: t.last_used_at,
    state,
    managed: normalised.managed === true,
    // Only a user target has it (collect.ts).
    ...(target.serviceAccount !== undefined ? { serviceAccount: target.serviceAccount } : {}),
    findings,
    notices,
  };
}

/** Active tokens that share a declaration: `pulumi up` holds only one of them. */
function markDuplicates(tokens: AuditedToken[]): void {
  const byKey = new Map<string, AuditedToken[]>();
  for (const t of tokens) {
    if (!t.managed || t.state !== "active") continue;
    byKey.set(t.key, [...(byKey.get(t.key) ?? []), t]);
  }
  for (const [key, same] of byKey) {
    if (same.length < 2) continue;
    const ids = same.map((t) => t.id).join(", ");
    for (const t of same) {
      t.notices.push({
        code: "duplicate",
        message: `one of ${same.length} active tokens that match the declaration '${key}' (ids ${ids}); \`pulumi up\` holds only one of them in its state. Revoke the others (an interrupted rotation, or a token made by hand with the same name).`,
      });
    }
  }
}

function missingTokens(input: AuditInput, tokens: readonly AuditedToken[]): MissingToken[] {
  const declarations = input.declarations;
  if (declarations === undefined) return [];
  const out: MissingToken[] = [];
  for (const d of declarations.tokens) {
    const target = input.targets.find((t) => declaresTarget(d, t));
    const base = { key: d.key, kind: d.kind, target: d.target, name: d.name, line: d.line };
    if (target === undefined || target.problem !== undefined || target.resolved === undefined) {
      out.push({
        ...base,
        status: "unchecked",
        message: `could not check: ${target?.problem ?? `${d.target} was not listed`}.`,
      });
      continue;
    }
    const live = tokens.some(
      (t) => t.state === "active" && declares(d, t.kind, t) && t.targetId === target.resolved?.id,
    );
    if (live) continue;
    const which = isNamed(kindOf(d.kind)) ? `named '${d.name}'` : `described '${d.description}'`;
    out.push({
      ...base,
      status: "absent",
      message: `declared in ${declarations.path} line ${d.line}, but ${target.resolved.path} has no active ${d.kind} token ${which}: \`pulumi up\` has not created it yet, or it was revoked or expired outside Pulumi (\`pulumi up --refresh\` recreates it).`,
    });
  }
  return out;
}

function targetSummary(t: ListedTarget, includeInactive: boolean, now: Date): AuditedTarget {
  return {
    kind: t.kind,
    name: t.resolved?.path ?? t.refs[0] ?? "",
    ...(t.resolved ? { id: t.resolved.id } : {}),
    from: t.from,
    tokens: t.tokens.filter((x) => includeInactive || stateOf(x, now) === "active").length,
    ...(t.problem !== undefined ? { problem: t.problem } : {}),
  };
}

/** The whole audit. */
export function auditTokens(input: AuditInput): Audit {
  const configFindings = evaluate([], input.policy?.config, input.now);
  const tokens: AuditedToken[] = [];
  for (const target of input.targets) {
    const resolved = target.resolved;
    if (resolved === undefined || target.problem !== undefined) continue;
    for (const t of target.tokens) {
      if (!input.settings.includeInactive && stateOf(t, input.now) !== "active") continue;
      tokens.push(auditToken(t, { ...target, resolved }, input));
    }
  }
  markDuplicates(tokens);
  return {
    now: input.now,
    gitlab: input.gitlab,
    ...(input.declarations ? { declarationsPath: input.declarations.path } : {}),
    ...(input.policy?.path !== undefined ? { policyConfigPath: input.policy.path } : {}),
    settings: input.settings,
    targets: input.targets.map((t) => targetSummary(t, input.settings.includeInactive, input.now)),
    tokens,
    missing: missingTokens(input, tokens),
    configFindings,
  };
}

export interface AuditSummary {
  /** Tokens in the inventory (active, plus inactive with `--all`). */
  tokens: number;
  active: number;
  inactive: number;
  managed: number;
  unmanaged: number;
  /** Mandatory policy violations, and the tokens that have one. */
  mandatory: number;
  failingTokens: number;
  /** Advisory violations, exempted violations, expired exceptions, malformed exceptions. */
  otherFindings: number;
  expiringSoon: number;
  /** Active tokens not used within the `--unused-days` window (counting from creation when never used). */
  unused: number;
  /** Active tokens never used at all (recent ones included). */
  neverUsed: number;
  duplicates: number;
  /** Declared tokens with no active live token, and those that could not be checked. */
  missing: number;
  unchecked: number;
  /** Targets whose tokens could not be listed. */
  notListed: number;
}

/** Days since a token was last used, or since its creation when it never was; undefined when GitLab says neither (deploy tokens). */
function idleDays(t: AuditedToken, now: Date): number | undefined {
  const since = t.lastUsedAt ?? t.createdAt;
  return since === null ? undefined : daysBetween(isoDate(new Date(since)), isoDate(now));
}

export function summarizeAudit(audit: Audit): AuditSummary {
  const active = audit.tokens.filter((t) => t.state === "active");
  const findings = audit.tokens.flatMap((t) => t.findings);
  const noticed = (code: AuditNotice["code"]) =>
    audit.tokens.filter((t) => t.notices.some((n) => n.code === code)).length;
  return {
    tokens: audit.tokens.length,
    active: active.length,
    inactive: audit.tokens.length - active.length,
    managed: active.filter((t) => t.managed).length,
    unmanaged: active.filter((t) => !t.managed).length,
    mandatory: findings.filter(isMandatoryViolation).length,
    failingTokens: audit.tokens.filter((t) => t.findings.some(isMandatoryViolation)).length,
    otherFindings: findings.filter((f) => !isMandatoryViolation(f)).length + audit.configFindings.length,
    expiringSoon: noticed("expiring-soon"),
    unused: active.filter((t) => (idleDays(t, audit.now) ?? 0) > audit.settings.unusedDays).length,
    neverUsed: noticed("never-used"),
    duplicates: noticed("duplicate"),
    missing: audit.missing.filter((m) => m.status === "absent").length,
    unchecked: audit.missing.filter((m) => m.status === "unchecked").length,
    notListed: audit.targets.filter((t) => t.problem !== undefined).length,
  };
}
