/**
 * The audit's data: what was asked to be audited, what GitLab listed, and what the audit found. Pure
 * types and a few constants; no I/O. A token's value is never part of any of it.
 */
import {
  TARGET_FIELDS,
  kindOfTarget,
  type TargetField,
  type TargetHints,
  type TokenKind,
} from "../../components/kinds";
import type { Finding, GitLabApiGranularScope, GranularScopeEntry } from "../../policies/rules";

/**
 * What the audit lists tokens of: a project's or group's access tokens and deploy tokens, a user's
 * personal tokens.
 */
export type AuditTargetKind = TargetField;
/** Every kind's target, in kind order, each once (from the credential-kind registry). */
export const AUDIT_TARGET_KINDS: readonly AuditTargetKind[] = TARGET_FIELDS;

/** The kind of token a target is first of (its access tokens; it may hold deploy tokens too: LiveToken.kind). */
export const TOKEN_KIND_OF = Object.fromEntries(
  AUDIT_TARGET_KINDS.map((t) => [t, kindOfTarget(t)] as const),
) as Readonly<Record<AuditTargetKind, TokenKind>>;

/** Where a target came from: a command-line flag, or a declaration in tokens.yaml. */
export type TargetSource = "flag" | "declarations";

/** A project, group or user to audit, as given (full path, username or numeric id). */
export interface TargetRef {
  kind: AuditTargetKind;
  ref: string;
  from: TargetSource[];
  /**
   * What a declaration says about the routes to the target's tokens (a personal token's `group:` or
   * `project:`: the namespace that owns the service account), as `pulumi up` uses it.
   */
  hints?: TargetHints;
}

/**
 * A token as GitLab lists it, reduced to the fields the audit reads: whatever else GitLab sends (and
 * a `token` value, which a list never has) is dropped when it is read.
 */
export interface LiveToken {
  /** The kind it was listed as (a project and a group hold access tokens and deploy tokens, a project trigger tokens). */
  kind?: TokenKind;
  id: number;
  name: string;
  /** Without the creation marker. */
  description: string | null;
  /** It carries gitlab-tokens' creation marker (some stack of gitlab-tokens made it). */
  createdByGitlabTokens?: boolean;
  scopes: string[];
  /** ISO time; absent on a deploy token (GitLab keeps none for one). */
  created_at?: string;
  /** `YYYY-MM-DD`, or null: never expires. */
  expires_at: string | null;
  /** ISO time, or null: never used. */
  last_used_at: string | null;
  active: boolean;
  revoked: boolean;
  /** Project and group tokens: GitLab's integer. */
  access_level?: number;
  /** Absent on a deploy token (no user behind it). */
  user_id?: number;
  /** Deploy tokens: the username that goes with the token. */
  username?: string;
  /** Personal tokens: GitLab marks a fine-grained token `granular: true` (its scopes are `[granular]`). */
  granular?: boolean;
  /** A fine-grained token's granular scopes, as GitLab lists them (one per namespace). */
  granular_scopes?: GitLabApiGranularScope[];
}

/** One target after asking GitLab: resolved (or not) and its tokens (or why they could not be listed). */
export interface ListedTarget {
  kind: AuditTargetKind;
  /** Every way it was named (`acme/web`, `12`); the first is the one shown. */
  refs: string[];
  from: TargetSource[];
  /** GitLab's id and full path (project, group) or username (user), when it was found. */
  resolved?: { id: number; path: string };
  /** Users: whether GitLab marks the user a bot or service account. */
  serviceAccount?: boolean;
  tokens: LiveToken[];
  /** Why the tokens could not be listed ("could not list: 401 Unauthorized"); then `tokens` is empty. */
  problem?: string;
}

/** A live token's state in GitLab. */
export type LiveState = "active" | "revoked" | "expired";

/**
 * What the audit says about a token besides the policy findings.
 * - `unmanaged`: no declaration in tokens.yaml manages it;
 * - `duplicate`: more than one active token matches the same declaration;
 * - `expiring-soon`: it expires within the `--expiring-within` window;
 * - `never-used`, `unused`: `last_used_at` is empty, or older than the `--unused-days` window;
 * - `inactive`: revoked or expired (listed with `--all`, not judged).
 */
export type NoticeCode = "unmanaged" | "duplicate" | "expiring-soon" | "never-used" | "unused" | "inactive";

export interface AuditNotice {
  code: NoticeCode;
  message: string;
}

/** One live token, judged. */
export interface AuditedToken {
  /** The declaration key when managed, else `<kind>:<target>:<name>#<id>` (the key exceptions use). */
  key: string;
  /** `<kind>:<target>:<name>#<id>`: unique in the audit, even when two tokens share a declaration. */
  ref: string;
  id: number;
  kind: TokenKind;
  /** Project or group full path, or username. */
  target: string;
  /** The field a declaration names the target with (`project`, `group`, `user`): a deploy token's says which. */
  targetField: TargetField;
  targetId: number;
  name: string;
  description: string | null;
  scopes: string[];
  /**
   * A fine-grained personal token: its granular scopes (ids as text, one scope per access and
   * permissions), or `"not listed"` when GitLab marks it `granular: true` but listed none.
   */
  granular?: GranularScopeEntry[] | "not listed";
  /** Project and group tokens: the level's name (or GitLab's number when it has none). */
  accessLevel?: string;
  /** Null for a deploy token: GitLab keeps no creation time for one. */
  createdAt: string | null;
  expiresAt: string | null;
  lastUsedAt: string | null;
  state: LiveState;
  managed: boolean;
  /** Personal tokens: whether GitLab marks the user a bot or service account. */
  serviceAccount?: boolean;
  /** The policy findings (none for an inactive token, which is not judged). */
  findings: Finding[];
  notices: AuditNotice[];
}

/** A declared token with no active live token. */
export interface MissingToken {
  key: string;
  kind: TokenKind;
  target: string;
  name: string;
  /** Line of the declaration in the declarations file. */
  line: number;
  /** `absent`: the target was listed and has no such active token; `unchecked`: it could not be listed. */
  status: "absent" | "unchecked";
  message: string;
}

/** How a target fared, for the report's scope section. */
export interface AuditedTarget {
  kind: AuditTargetKind;
  name: string;
  id?: number;
  from: TargetSource[];
  /** Active tokens listed (all tokens with `--all`). */
  tokens: number;
  problem?: string;
}

export interface AuditSettings {
  /** Include revoked and expired tokens (not judged). */
  includeInactive: boolean;
  /** Report tokens expiring within this many days. */
  expiringWithinDays: number;
  /** Report tokens unused for more than this many days. */
  unusedDays: number;
}

export interface Audit {
  now: Date;
  /** GitLab's URL (without credentials) and the user the credential belongs to. */
  gitlab: { url: string; user?: string; admin?: boolean };
  /** The declarations file, when one was read. */
  declarationsPath?: string;
  /** The policy configuration file, when one was used. */
  policyConfigPath?: string;
  settings: AuditSettings;
  targets: AuditedTarget[];
  tokens: AuditedToken[];
  missing: MissingToken[];
  /** Findings about the policy configuration itself (malformed exceptions). */
  configFindings: Finding[];
}

/** Whether a finding fails the audit: a mandatory policy violation. */
export function isMandatoryViolation(f: Finding): boolean {
  return f.status === "violation" && f.severity === "mandatory";
}
