/**
 * The review of a set of declarations against the current state. For each token: the properties
 * `pulumi up` registers (`tokenProps`, then the provider's `check`), what it will do with them (the
 * provider's `diff`: create, replace = rotate, update in place, nothing), and what the policy pack
 * says (the pack's own rules, `evaluate`). Nothing here decides anything itself: it asks the modules
 * that decide. Pure — the declarations, state, policy configuration and time are passed in — except
 * `declarationsFromFile`, which reads the file.
 */
import * as fs from "node:fs";
import {
  DeclarationsError,
  loadDeclarations,
  parseDeclarations,
  type DeclarationIssue,
  type TokenDeclaration,
} from "../../components/declarations";
import {
  ACCESS_LEVELS,
  SCOPE_IMPLIES,
  daysBetween,
  isKnownScope,
  isoDate,
  rotationDate,
  type AccessLevelName,
  type TokenKind,
} from "../../components/gitlab/facts";
import { declarationArgs as componentArgs, deliveryTargets, tokenProps } from "../../components/props";
import {
  UPDATE_IN_PLACE,
  check,
  diff,
  expiryFor as projectedExpiry,
} from "../../components/providers/access-token-logic";
import { kindOf } from "../../components/kinds";
import { ACCESS_TOKEN_TYPE, type AccessTokenOutputs, type AccessTokenProps } from "../../components/types";
import {
  evaluate,
  fromGitlabTokensProps,
  granularNamespaces,
  type FindingStatus,
  type GranularScopeEntry,
  type NormalisedToken,
  type PackConfig,
} from "../../policies/rules";
import { fieldLines, type FieldLineLookup } from "./lines";
import type { StateToken, StoredToken } from "./state";

/** The declarations file: where it is, its text, and what loading it gave. */
export interface DeclarationsInput {
  /** The path shown in the report and in Code Quality locations (relative to the repository). */
  path: string;
  /** The file's text, to point findings at their field's line; "" when the file cannot be read. */
  text: string;
  result: { ok: true; tokens: TokenDeclaration[] } | { ok: false; issues: DeclarationIssue[] };
}

export interface ReviewInput {
  declarations: DeclarationsInput;
  /** The current state (`label` names it: "stack `prod`"); undefined = no state, every token is new. */
  state?: { label: string; tokens: StateToken[] };
  /** The pack configuration (a `--policy-pack-config` JSON) and its path; undefined = the pack's defaults. */
  policy?: { path?: string; config: PackConfig };
  now: Date;
  /**
   * The stack's `gitlab-tokens:rotationEpoch` for this `pulumi up`. Default - each stored token's own
   * (the epoch is unchanged), "" for new tokens.
   */
  rotationEpoch?: string;
}

/** What `pulumi up` does with a declared or stored token. */
export type ChangeKind = "new" | "rotate" | "update" | "revoke" | "unchanged";

export interface ScopeChange {
  added: string[];
  removed: string[];
  /** By what the scopes grant (`api` grants `read_api`): more, less, both, or the same access. */
  direction: "widened" | "narrowed" | "changed" | "same-access";
}

/**
 * How a fine-grained token's permissions moved: each entry a permission on one scope, e.g.
 * `create_release on selected_memberships (acme/web)`. A scope whose access or namespaces change
 * counts as its permissions removed from the old scope and added to the new one.
 */
export interface GranularChange {
  added: string[];
  removed: string[];
  /** More permissions, fewer, or both. */
  direction: "widened" | "narrowed" | "changed";
}

export interface AccessLevelChange {
  from?: string;
  to?: string;
  direction: "raised" | "lowered";
}

export interface ChangeReason {
  /** The property, as the provider's `diff` names it (`scopes`, `expiresAt`, `active`, …). */
  property: string;
  /** Why, in words: `scopes widened (+api)`. */
  text: string;
}

export interface TokenChange {
  key: string;
  kind: ChangeKind;
  tokenKind: TokenKind;
  target: string;
  /** For `rotate`: one per property the provider replaces on; for `update`: the fields updated in place. */
  reasons: ChangeReason[];
  /** The provider's `diff` answer: properties that force a new token. */
  replaces: string[];
  scopes?: ScopeChange;
  /** Fine-grained personal tokens: the permissions added and removed. */
  granular?: GranularChange;
  accessLevel?: AccessLevelChange;
  /** The token in state before this change (rotate, update, revoke, unchanged). */
  previous?: { createdAt?: string; expiresAt: string };
}

/** One row of the token table: what the token looks like after `pulumi up`. */
export interface TokenRow {
  key: string;
  kind: TokenKind;
  target: string;
  /** Kinds whose target several fields may name (deploy): the one that does (`project`, `group`). */
  targetField?: string;
  scopes: string[];
  /** A fine-grained personal token's granular scopes (then `scopes` is empty). */
  granular?: GranularScopeEntry[];
  accessLevel?: string;
  /** Days from creation to expiry. */
  lifetimeDays: number;
  /** The expiry is a fixed date (`expiresAt`), so `pulumi up` never rotates the token by time. */
  fixedExpiry: boolean;
  /** `YYYY-MM-DD`; for a token `pulumi up` creates, counted from `now`. */
  expiresAt: string;
  /** `YYYY-MM-DD` from which `pulumi up` rotates it; undefined for a fixed expiry. */
  nextRotation?: string;
  /** `YYYY-MM-DD` the current token was created; undefined for one `pulumi up` creates. */
  createdAt?: string;
  deliveredTo: string[];
  /** Line of the token's key in the declarations file. */
  line: number;
  change: ChangeKind;
}

export interface FindingLocation {
  path: string;
  line: number;
}

/** A policy finding, a declaration error or a provider check failure, with where to fix it. */
export interface ReviewFinding {
  source: "policy" | "declarations" | "check";
  /** The policy id, or `gitlab-tokens-declarations` / `gitlab-tokens-check`. */
  check: string;
  /** A policy finding's status; `error` for declaration errors and check failures. */
  status: FindingStatus | "error";
  severity: "mandatory" | "advisory";
  /** Stable id of the kind of finding (`lifetime-too-long`, `invalid-declaration`). */
  code: string;
  tokenKey?: string;
  field?: string;
  /** States the limit, the actual value and what to change; never a token value. */
  message: string;
  location: FindingLocation;
}

/**
 * A change that gives a token a new GitLab user: a new project or group token, or the rotation of
 * one (GitLab makes a bot user per token, and a rotation creates a successor token). Rules that name
 * the old bot user stop applying to the token.
 */
export interface IdentityWarning {
  tokenKey: string;
  tokenKind: TokenKind;
  change: "new" | "rotate";
  /** The current bot user's username, when state records it. */
  previousUsername?: string;
  /** Names the token, the old user when known, what breaks and what to do; never a token value. */
  message: string;
  location: FindingLocation;
}

export interface Review {
  now: Date;
  declarationsPath: string;
  /** What the changes are against; undefined when no state was given. */
  stateLabel?: string;
  policyConfigPath?: string;
  /** False when the declarations did not load: no rows, no changes, only their errors. */
  declarationsLoaded: boolean;
  rows: TokenRow[];
  /** Declared tokens in file order, then tokens only in state. */
  changes: TokenChange[];
  findings: ReviewFinding[];
  /** Declared tokens, in file order, whose change makes a new bot user. */
  identity: IdentityWarning[];
  /** Declared tokens, in file order, that take over a token made by hand (`replaces:`). */
  adoptions: Adoption[];
}

/**
 * A declaration that takes over a token made by hand: once `pulumi up` has made and delivered the
 * declared token, it revokes that one (a reviewer must see that a merge revokes a live token).
 */
export interface Adoption {
  tokenKey: string;
  tokenKind: TokenKind;
  target: string;
  /** The token taken over: its id, or its name on the same target. */
  replaces: string | number;
  /** What the merge does, in words; never a token value. */
  message: string;
  location: FindingLocation;
}

export const DECLARATIONS_CHECK = "gitlab-tokens-declarations";
export const PROVIDER_CHECK = "gitlab-tokens-check";

/** Whether a finding fails the review: a mandatory violation, a declaration error, a check failure. */
export function isBlocking(f: ReviewFinding): boolean {
  return f.status === "error" || (f.status === "violation" && f.severity === "mandatory");
}

function attempt(load: () => TokenDeclaration[]): DeclarationsInput["result"] {
  try {
    return { ok: true, tokens: load() };
  } catch (e) {
    if (e instanceof DeclarationsError) return { ok: false, issues: e.issues };
    throw e;
  }
}

/** Declarations from YAML text (`path` is how the report names the file). */
export function declarationsFromText(text: string, path: string, now: Date): DeclarationsInput {
  return { path, text, result: attempt(() => parseDeclarations(text, now, path)) };
}

/** Declarations from a file; an unreadable file is a declaration error like any other. */
export function declarationsFromFile(file: string, path: string, now: Date): DeclarationsInput {
  let text = "";
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    // loadDeclarations reports the unreadable file.
  }
  return { path, text, result: attempt(() => loadDeclarations(file, now, path)) };
}

/** The component arguments index.ts passes for a declaration (its `declare`). */
export { componentArgs, deliveryTargets, projectedExpiry };

/** How scopes moved, judged by what they grant (so `read_api` → `api` is a widening). */
export function scopeChange(before: readonly string[], after: readonly string[]): ScopeChange | undefined {
  const added = after.filter((s) => !before.includes(s));
  const removed = before.filter((s) => !after.includes(s));
  if (added.length === 0 && removed.length === 0) return undefined;
  const grants = (scopes: readonly string[]) =>
    new Set(scopes.flatMap((s) => [s, ...(SCOPE_IMPLIES[s] ?? [])]));
  const was = grants(before);
  const is = grants(after);
  const gained = [...is].some((s) => !was.has(s));
  const lost = [...was].some((s) => !is.has(s));
  const direction = gained && lost ? "changed" : gained ? "widened" : lost ? "narrowed" : "same-access";
  return { added, removed, direction };
}

/** Where a granular scope applies, as a change names it: `selected_memberships (acme/web, group acme)`. */
function scopePlace(scope: GranularScopeEntry): string {
  const where = granularNamespaces(scope);
  return `${scope.access}${where ? ` (${where})` : ""}`;
}

/** How a fine-grained token's permissions moved (undefined: the same permissions on the same scopes). */
export function granularChange(
  before: readonly GranularScopeEntry[] | undefined,
  after: readonly GranularScopeEntry[] | undefined,
): GranularChange | undefined {
  const grants = (scopes: readonly GranularScopeEntry[] | undefined) =>
    (scopes ?? []).flatMap((s) => s.permissions.map((p) => `${p} on ${scopePlace(s)}`));
  const was = grants(before);
  const is = grants(after);
  const added = [...new Set(is.filter((g) => !was.includes(g)))];
  const removed = [...new Set(was.filter((g) => !is.includes(g)))];
  if (added.length === 0 && removed.length === 0) return undefined;
  const direction =
    added.length > 0 && removed.length > 0 ? "changed" : added.length > 0 ? "widened" : "narrowed";
  return { added, removed, direction };
}

/** `granular permissions widened (+create_release on selected_memberships (acme/web))`. */
export function granularText(c: GranularChange): string {
  const parts = [...c.added.map((g) => `+${g}`), ...c.removed.map((g) => `−${g}`)].join(", ");
  return `granular permissions ${c.direction} (${parts})`;
}

/** A stored or registered token's granular scopes, read as the policy pack reads them. */
function granularOf(props: unknown): GranularScopeEntry[] | undefined {
  return fromGitlabTokensProps({ type: ACCESS_TOKEN_TYPE, name: "", props: props as Record<string, unknown> })
    .granular;
}

function levelValue(level: string | undefined): number {
  return level !== undefined && level in ACCESS_LEVELS ? ACCESS_LEVELS[level as AccessLevelName] : 0;
}

export function accessLevelChange(
  before: string | undefined,
  after: string | undefined,
): AccessLevelChange | undefined {
  if (before === after) return undefined;
  return {
    from: before,
    to: after,
    direction: levelValue(after) > levelValue(before) ? "raised" : "lowered",
  };
}

const show = (v: unknown): string =>
  v === undefined || v === null || v === "" ? "none" : typeof v === "string" ? v : JSON.stringify(v);

/** The declared field a provider property comes from, where the names differ. */
const FIELD_OF: Partial<Record<string, string>> = { fixedExpiresAt: "expiresAt" };

function scopeText(c: ScopeChange): string {
  const parts = [...c.added.map((s) => `+${s}`), ...c.removed.map((s) => `−${s}`)].join(", ");
  // A scope from state this version does not know (written by a newer gitlab-tokens or GitLab).
  const unknown = [...c.added, ...c.removed].filter((s) => !isKnownScope(s));
  const note = unknown.map((s) => `; scope ${s} is not known to gitlab-tokens`).join("");
  return c.direction === "same-access"
    ? `scopes changed, same access (${parts})${note}`
    : `scopes ${c.direction} (${parts})${note}`;
}

/** Why the provider replaces a token because of `property`, in words. */
function replaceReason(property: string, stored: StoredToken, props: AccessTokenProps): ChangeReason {
  const was = (stored as unknown as Record<string, unknown>)[property];
  const is = (props as unknown as Record<string, unknown>)[property];
  const text = ((): string => {
    switch (property) {
      case "scopes": {
        const c = scopeChange(stored.scopes, props.scopes);
        return c ? scopeText(c) : "scopes changed";
      }
      case "granular": {
        const c = granularChange(granularOf(stored), granularOf(props));
        return c ? granularText(c) : "granular scopes changed (the same permissions)";
      }
      case "accessLevel": {
        const c = accessLevelChange(stored.accessLevel, props.accessLevel);
        return c ? `access level ${c.direction} (${show(c.from)} → ${show(c.to)})` : "access level changed";
      }
      case "rotateWhenChanged":
        return `triggered rotation: rotateWhenChanged changed (${show(was)} → ${show(is)})`;
      case "rotationEpoch":
        return `stack-wide rotation: rotationEpoch changed (${show(was)} → ${show(is)})`;
      case "expiresAt":
        return `rotation due: the window opened on ${rotationDate(stored.expiresAt, props.rotateBeforeDays)} and the token expires on ${stored.expiresAt}`;
      case "active":
        return "GitLab reports the token revoked or expired: `pulumi up` creates a new one";
      default:
        return `${FIELD_OF[property] ?? property} changed (${show(was)} → ${show(is)})`;
    }
  })();
  return { property, text };
}

/** Presentation only: which in-place fields differ (whether anything changed is `diff`'s answer). */
function inPlaceFields(stored: StoredToken, props: AccessTokenProps): string[] {
  const norm = (v: unknown) => (v === undefined || v === null ? "" : JSON.stringify(v));
  const olds = stored as unknown as Record<string, unknown>;
  const news = props as unknown as Record<string, unknown>;
  return UPDATE_IN_PLACE.filter((k) => norm(olds[k]) !== norm(news[k]));
}

/** `{ [key]: value }` when the value is there, else nothing (rows and changes keep their shape). */
function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function dateOf(time: string | undefined): string | undefined {
  if (time === undefined) return undefined;
  const d = new Date(time);
  return Number.isNaN(d.getTime()) ? undefined : isoDate(d);
}

interface Planned {
  row: TokenRow;
  change: TokenChange;
  /** The token as the policy pack sees it in this `pulumi up`. */
  token: NormalisedToken;
  failures: { property: string; reason: string }[];
}

/** One declared token: its registered props, the provider's decision, its row, its normalised form. */
function planToken(
  d: TokenDeclaration,
  stored: StateToken | undefined,
  rotationEpoch: string | undefined,
  now: Date,
): Planned {
  const epoch = rotationEpoch ?? stored?.outputs.rotationEpoch ?? "";
  const raw: AccessTokenProps = tokenProps(d.kind, d.key, d.target, componentArgs(d), epoch);
  const olds = (stored?.outputs ?? {}) as AccessTokenProps;
  const checked = check(olds, raw, now);
  const props = checked.inputs ?? raw;
  const base = { key: d.key, tokenKind: d.kind, target: d.target, replaces: [] as string[] };

  let change: TokenChange;
  if (stored === undefined) {
    change = { ...base, kind: "new", reasons: [] };
  } else {
    // The provider reads no secret; the stored outputs stand in for what the engine passes it.
    const decision = diff(stored.outputs as AccessTokenOutputs, props, now);
    const replaces = decision.replaces ?? [];
    const previous = { createdAt: stored.outputs.createdAt, expiresAt: stored.outputs.expiresAt };
    const kind: ChangeKind = replaces.length > 0 ? "rotate" : decision.changes ? "update" : "unchanged";
    change = {
      ...base,
      kind,
      replaces,
      previous,
      reasons:
        kind === "rotate"
          ? replaces.map((p) => replaceReason(p, stored.outputs, props))
          : inPlaceFields(stored.outputs, props).map((p) => ({ property: p, text: `${p} updated in place` })),
      scopes: scopeChange(stored.outputs.scopes, props.scopes),
      ...optional("granular", granularChange(granularOf(stored.outputs), granularOf(props))),
      accessLevel: accessLevelChange(stored.outputs.accessLevel, props.accessLevel),
    };
  }

  const keeps = stored !== undefined && change.kind !== "rotate";
  const createdAt = keeps ? dateOf(stored.outputs.createdAt) : undefined;
  const expiresAt = keeps ? stored.outputs.expiresAt : projectedExpiry(props, now);
  const fixedExpiry = props.fixedExpiresAt !== undefined;
  const row: TokenRow = {
    key: d.key,
    kind: d.kind,
    target: d.target,
    ...(props.targetField === undefined ? {} : { targetField: props.targetField }),
    scopes: props.scopes,
    ...optional("granular", granularOf(props)),
    accessLevel: props.accessLevel,
    lifetimeDays: props.lifetimeDays ?? daysBetween(createdAt ?? now, expiresAt),
    fixedExpiry,
    expiresAt,
    nextRotation: fixedExpiry ? undefined : rotationDate(expiresAt, props.rotateBeforeDays),
    createdAt,
    deliveredTo: deliveryTargets(d),
    line: d.line,
    change: change.kind,
  };

  // A token kept in state is judged from its recorded creation and expiry, like the pack's validateStack.
  const judged: Record<string, unknown> = keeps
    ? { ...props, expiresAt: stored.outputs.expiresAt, createdAt: stored.outputs.createdAt }
    : { ...props };
  const token = fromGitlabTokensProps({ type: ACCESS_TOKEN_TYPE, name: d.key, props: judged });
  return { row, change, token, failures: checked.failures ?? [] };
}

function revoked(stored: StateToken): TokenChange {
  return {
    key: stored.key,
    kind: "revoke",
    tokenKind: stored.outputs.kind,
    target: stored.outputs.target,
    reasons: [{ property: "declaration", text: "no longer declared" }],
    replaces: [],
    previous: { createdAt: stored.outputs.createdAt, expiresAt: stored.outputs.expiresAt },
  };
}

function declarationFinding(issue: DeclarationIssue): ReviewFinding {
  return {
    source: "declarations",
    check: DECLARATIONS_CHECK,
    status: "error",
    severity: "mandatory",
    code: "invalid-declaration",
    ...(issue.token !== undefined ? { tokenKey: issue.token } : {}),
    ...(issue.field ? { field: issue.field } : {}),
    message: issue.message,
    location: { path: issue.file, line: issue.line },
  };
}

/** Reviews declarations against state: the rows, the changes, the findings. */
export function reviewDeclarations(input: ReviewInput): Review {
  const { declarations, now } = input;
  const review: Review = {
    now,
    declarationsPath: declarations.path,
    stateLabel: input.state?.label,
    policyConfigPath: input.policy?.path,
    declarationsLoaded: declarations.result.ok,
    rows: [],
    changes: [],
    findings: [],
    identity: [],
    adoptions: [],
  };
  if (!declarations.result.ok) {
    review.findings = declarations.result.issues.map(declarationFinding);
    return review;
  }

  const stored = new Map((input.state?.tokens ?? []).map((t) => [t.key, t] as const));
  const declared = declarations.result.tokens;
  const planned = declared.map((d) => planToken(d, stored.get(d.key), input.rotationEpoch, now));
  const keys = new Set(declared.map((d) => d.key));
  review.rows = planned.map((p) => p.row);
  review.changes = [
    ...planned.map((p) => p.change),
    ...(input.state?.tokens ?? []).filter((t) => !keys.has(t.key)).map(revoked),
  ];

  review.identity = planned.flatMap((p) => {
    const w = identityWarning(p.change, stored.get(p.row.key), {
      path: declarations.path,
      line: p.row.line,
    });
    return w ? [w] : [];
  });

  review.adoptions = declared.flatMap((d): Adoption[] => {
    if (d.replaces === undefined) return [];
    const which =
      typeof d.replaces === "number"
        ? `token id ${d.replaces}`
        : `the token named ${JSON.stringify(d.replaces)}`;
    const delivered =
      d.deliverTo.length > 0
        ? `and written it into ${deliveryTargets(d).join(", ")}`
        : "(it is delivered nowhere)";
    return [
      {
        tokenKey: d.key,
        tokenKind: d.kind,
        target: d.target,
        replaces: d.replaces,
        message:
          `${d.kind} token '${d.key}' takes over ${which} of ${d.target}: once \`pulumi up\` has made '${d.key}' ` +
          `${delivered}, it revokes that token — whatever still uses it stops working then (once: later runs leave it).`,
        location: { path: declarations.path, line: d.line },
      },
    ];
  });

  const lineOf = locate(declarations, new Map(declared.map((d) => [d.key, d.line])));
  const failures = planned.flatMap((p) =>
    p.failures.map((f): ReviewFinding => ({
      source: "check",
      check: PROVIDER_CHECK,
      status: "error",
      severity: "mandatory",
      code: "check-failed",
      tokenKey: p.row.key,
      field: f.property,
      message: `${p.row.kind} token '${p.row.key}': ${f.reason}`,
      location: lineOf(p.row.key, f.property),
    })),
  );
  const policy = evaluate(
    planned.map((p) => p.token),
    input.policy?.config ?? {},
    now,
  ).map((f): ReviewFinding => ({
    source: "policy",
    check: f.policy,
    status: f.status,
    severity: f.severity,
    code: f.code,
    ...(f.tokenKey ? { tokenKey: f.tokenKey } : {}),
    ...(f.field ? { field: f.field } : {}),
    message: f.message,
    location:
      f.status === "exception-invalid"
        ? { path: input.policy?.path ?? declarations.path, line: 1 }
        : lineOf(f.tokenKey, f.field),
  }));
  review.findings = [...failures, ...policy];
  return review;
}

/** What rules name a token's user, and so stop applying to a new one. */
const RULES_NAMING_A_USER =
  "protected branches and tags (allowed to push or merge), push rules and other allow-lists naming the user, " +
  "CODEOWNERS entries and merge-request approval rules";

/**
 * The warning for a change that makes a new bot user, or undefined: only kinds with a user per token
 * (the descriptor's `userPerToken`), and only when `pulumi up` creates a token (new, rotate).
 */
export function identityWarning(
  change: TokenChange,
  stored: StateToken | undefined,
  location: FindingLocation,
): IdentityWarning | undefined {
  if (!kindOf(change.tokenKind).userPerToken) return undefined;
  if (change.kind !== "new" && change.kind !== "rotate") return undefined;
  const token = `${change.tokenKind} token '${change.key}'`;
  const bot = `${change.tokenKind}_<id>_bot_<hex>`;
  const previousUsername = change.kind === "rotate" ? stored?.outputs.identityUsername : undefined;
  const what =
    change.kind === "new"
      ? `${token} is new: GitLab creates a bot user for it (${bot}; its \`username\` output after \`pulumi up\`). ` +
        `Any rule that must let it in needs that user added — ${RULES_NAMING_A_USER} — and again after every rotation, ` +
        "which makes another bot user."
      : `${token} is rotated: its successor is a new bot user (${bot}), ` +
        (previousUsername !== undefined
          ? `not ${previousUsername}, whose token \`pulumi up\` then revokes. `
          : "not the current one (state does not record its username: refresh the stack to record it). ") +
        `Rules naming the old bot stop applying: ${RULES_NAMING_A_USER}. ` +
        "Update them with the new `username` output after `pulumi up`.";
  const advice =
    " For an identity that outlives rotations, use a service account's personal token (kind: personal): " +
    "it keeps one user, and its rotations keep its username.";
  return {
    tokenKey: change.key,
    tokenKind: change.tokenKind,
    change: change.kind,
    ...(previousUsername !== undefined ? { previousUsername } : {}),
    message: what + advice,
    location,
  };
}

/** Where a finding about a token's field is fixed: the field's line, else the token's, else line 1. */
function locate(
  declarations: DeclarationsInput,
  tokenLines: ReadonlyMap<string, number>,
): (tokenKey: string, field: string | undefined) => FindingLocation {
  const fieldLine: FieldLineLookup = fieldLines(declarations.text);
  return (tokenKey, field) => {
    const line = (field !== undefined ? fieldLine(tokenKey, field) : undefined) ?? tokenLines.get(tokenKey);
    return { path: declarations.path, line: line ?? 1 };
  };
}

/** Counts for the summary line and the command's output. */
export interface ReviewSummary {
  tokens: number;
  changes: Record<ChangeKind, number>;
  /** Mandatory violations, declaration errors and check failures. */
  blocking: number;
  /** Every other finding (advisory, exempted, unjudged, exception problems). */
  other: number;
}

export function summarize(review: Review): ReviewSummary {
  const changes: Record<ChangeKind, number> = { new: 0, rotate: 0, update: 0, revoke: 0, unchanged: 0 };
  for (const c of review.changes) changes[c.kind]++;
  const blocking = review.findings.filter(isBlocking).length;
  return { tokens: review.rows.length, changes, blocking, other: review.findings.length - blocking };
}
