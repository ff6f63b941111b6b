/**
 * GitLab's own rules about access tokens — scopes, access levels, lifetimes — in one module that
 * the components, the providers, the policy pack and the review report all import, so they can
 * never disagree. Every value comes from ../shared/reference/gitlab-token-api.md (GitLab's source).
 * Pure data and pure functions only: no I/O, no Pulumi imports (the policy pack loads this file).
 */

import {
  GRANULAR_CATALOGUE_VERSION,
  GRANULAR_PERMISSIONS,
  type GranularPermission,
  type PermissionBoundary,
} from "./permissions";

/**
 * The kinds of token this project manages. `personal` = a user's or service account's PAT;
 * `deploy` = a project's or group's deploy token (Git, container and package registries).
 * `trigger` = a project's pipeline trigger token (`Ci::Trigger`).
 */
export const TOKEN_KINDS = ["project", "group", "personal", "deploy", "trigger"] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

/** Every scope a personal access token may carry (`Gitlab::Auth.all_available_scopes`). */
export const PERSONAL_SCOPES = [
  "api",
  "read_api",
  "read_user",
  "create_runner",
  "manage_runner",
  "k8s_proxy",
  "self_rotate",
  "read_repository",
  "write_repository",
  "read_registry",
  "write_registry",
  "read_virtual_registry",
  "write_virtual_registry",
  "read_observability",
  "write_observability",
  "ai_features",
  "sudo",
  "admin_mode",
  "read_service_ping",
] as const;

/** Scopes only administrators can use; never valid on project or group tokens. */
export const ADMIN_SCOPES = ["sudo", "admin_mode", "read_service_ping"] as const;

/**
 * Scopes a project or group access token may carry (`Gitlab::Auth.resource_bot_scopes`): the
 * non-admin scopes minus `read_user`.
 */
export const RESOURCE_SCOPES = PERSONAL_SCOPES.filter(
  (s) => s !== "read_user" && !(ADMIN_SCOPES as readonly string[]).includes(s),
) as readonly string[];

/**
 * The scopes a deploy token may carry (`DeployToken::AVAILABLE_SCOPES`, gitlabhq
 * app/models/deploy_token.rb; `POST /projects|groups/:id/deploy_tokens` refuses any other with
 * `scopes does not have a valid value`): Git reads and the registries — no API scope, no Git push.
 * The package-registry scopes exist only on deploy tokens.
 */
export const DEPLOY_SCOPES = [
  "read_repository",
  "read_registry",
  "write_registry",
  "read_package_registry",
  "write_package_registry",
  "read_virtual_registry",
  "write_virtual_registry",
] as const;

/** Every scope gitlab-tokens knows, of any kind. */
export const KNOWN_SCOPES = [...new Set([...PERSONAL_SCOPES, ...DEPLOY_SCOPES])] as readonly Scope[];

export type Scope = (typeof PERSONAL_SCOPES)[number] | (typeof DEPLOY_SCOPES)[number];

/**
 * The scopes GitLab accepts for a kind of token; undefined for a kind that has none (a pipeline
 * trigger token only starts pipelines: `Ci::Trigger` has no scopes column).
 */
export function scopesForKind(kind: TokenKind): readonly string[] | undefined {
  if (kind === "trigger") return undefined;
  if (kind === "deploy") return DEPLOY_SCOPES;
  return kind === "personal" ? PERSONAL_SCOPES : RESOURCE_SCOPES;
}

/**
 * Whether gitlab-tokens knows a scope (of any kind). A newer GitLab sends others (`mcp`,
 * `granular`): readers pass them through and report them as unknown; declarations may not use them.
 */
export function isKnownScope(scope: string): boolean {
  return (KNOWN_SCOPES as readonly string[]).includes(scope);
}

/**
 * The one scope GitLab reports for a fine-grained personal access token (`Gitlab::Auth::GRANULAR_SCOPE`;
 * `Authn::PersonalAccessTokens::CreateGranularService` sets `scopes: [granular]`, `granular: true`):
 * known to readers, never declarable — a fine-grained token is declared with `granular:`.
 */
export const GRANULAR_SCOPE = "granular";

/**
 * The access of one granular scope of a fine-grained personal access token — which namespaces it
 * reaches (`Authz::GranularScope::Access`, app/models/authz/granular_scope.rb): the user's personal
 * projects, every group and project the user is a member of, chosen groups and projects, the user
 * itself, or the instance.
 */
export const GRANULAR_ACCESS = [
  "personal_projects",
  "all_memberships",
  "selected_memberships",
  "user",
  "instance",
] as const;
export type GranularAccess = (typeof GRANULAR_ACCESS)[number];

/**
 * The permission boundaries a granular scope's access reaches (`Authz::GranularScope.token_permissions`):
 * a project is reached by a scope on it, on an ancestor group (`self_and_ancestor_ids`), on the
 * user's namespace (personal projects) or by all memberships; a group by a scope on it or an
 * ancestor, or by all memberships; the user and the instance only by their own access. A
 * `selected_memberships` scope reaches groups only when it names some (`withGroups`).
 */
export function boundariesReached(
  access: GranularAccess,
  withGroups: boolean,
): readonly PermissionBoundary[] {
  switch (access) {
    case "personal_projects":
      return ["project"];
    case "all_memberships":
      return ["project", "group"];
    case "selected_memberships":
      return withGroups ? ["project", "group"] : ["project"];
    case "user":
      return ["user"];
    case "instance":
      return ["instance"];
  }
}

const PERMISSIONS_BY_NAME = new Map(GRANULAR_PERMISSIONS.map((p) => [p.name, p]));

/** The catalogue's permission of that name, or undefined (../gitlab/permissions, GitLab 19.6). */
export function granularPermission(name: string): GranularPermission | undefined {
  return PERMISSIONS_BY_NAME.get(name);
}

/** The catalogue a declaration is judged against, as messages name it. */
export const GRANULAR_CATALOGUE = `GitLab ${GRANULAR_CATALOGUE_VERSION}'s catalogue of fine-grained permissions`;

/**
 * Whether a permission only reads: GitLab names every permission `<action>_<resource>`, and `read`
 * is the one action that changes nothing. Every other (create, update, delete, run, approve, …)
 * writes.
 */
export function isReadPermission(name: string): boolean {
  return name.startsWith("read_");
}

/**
 * The catalogue's permissions a misspelt name probably meant: the same words, a plural made
 * singular (`read_jobs` → `read_job`), or else every permission on the same resource.
 */
export function permissionsLike(name: string): string[] {
  const words = (n: string) => n.split("_").map((w) => w.replace(/s$/, ""));
  const key = words(name).sort().join("_");
  const same = GRANULAR_PERMISSIONS.filter((p) => words(p.name).sort().join("_") === key).map((p) => p.name);
  if (same.length > 0) return same;
  const resource = words(name).slice(1).join("_");
  if (resource === "") return [];
  return GRANULAR_PERMISSIONS.filter((p) => words(p.name).slice(1).join("_") === resource).map((p) => p.name);
}

/** What each scope grants, in GitLab's words (doc/user/profile/personal_access_tokens.md). */
export const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  api: "complete read/write access to the API, including Git over HTTP and every registry",
  read_api: "read access to the API (GET and HEAD requests only)",
  read_user: "read-only /user and /users endpoints",
  create_runner: "create runners",
  manage_runner: "manage runners",
  k8s_proxy: "Kubernetes API calls through the agent for Kubernetes",
  self_rotate: "rotate this token (and only this token)",
  read_repository: "pull over Git HTTP and read the Repository Files API",
  write_repository: "pull and push over Git HTTP",
  read_registry: "pull container images",
  write_registry: "push container images (does not include pull)",
  read_package_registry: "read (pull) packages from the package registry (deploy tokens)",
  write_package_registry: "publish (push) packages to the package registry (deploy tokens)",
  read_virtual_registry: "pull through the dependency proxy",
  write_virtual_registry: "pull, push and delete through the dependency proxy",
  read_observability: "read observability data",
  write_observability: "write observability data",
  ai_features: "GitLab Duo APIs",
  sudo: "act as any user (administrators only)",
  admin_mode: "administrator actions when Admin Mode is on",
  read_service_ping: "read the Service Ping payload (administrators only)",
};

/**
 * Scopes that make a token dangerous if it leaks: write access, runner control, cluster access.
 * The policy pack asks for a written justification before it allows them.
 */
export const HIGH_RISK_SCOPES = [
  "api",
  "write_repository",
  "write_registry",
  "write_package_registry",
  "write_virtual_registry",
  "manage_runner",
  "create_runner",
  "k8s_proxy",
  "ai_features",
] as const;

/** Scopes no automation token should carry. */
export const FORBIDDEN_SCOPES = ADMIN_SCOPES;

/**
 * `broader` implies `narrower` for the purposes of least privilege: declaring both is redundant.
 * (`write_registry` does NOT imply `read_registry` in GitLab — pushing needs both.)
 */
export const SCOPE_IMPLIES: Readonly<Record<string, readonly string[]>> = {
  api: ["read_api", "read_repository", "write_repository", "read_registry", "write_registry"],
  write_repository: ["read_repository"],
  write_virtual_registry: ["read_virtual_registry"],
  write_observability: ["read_observability"],
  // A deploy token with write_package_registry reads packages too (Packages::Policies::*Policy).
  write_package_registry: ["read_package_registry"],
};

/** Narrower scopes that cover a read-only need usually met with a broader scope. */
export const NARROWER_ALTERNATIVES: Readonly<Record<string, readonly string[]>> = {
  api: ["read_api", "read_repository", "write_repository", "read_registry", "write_registry"],
  write_repository: ["read_repository"],
  write_registry: ["read_registry"],
  write_package_registry: ["read_package_registry"],
  write_virtual_registry: ["read_virtual_registry"],
  manage_runner: ["create_runner"],
};

/** GitLab access levels (`Gitlab::Access`) that a project or group token may have. */
export const ACCESS_LEVELS = {
  guest: 10,
  planner: 15,
  reporter: 20,
  developer: 30,
  maintainer: 40,
  owner: 50,
} as const;
export type AccessLevelName = keyof typeof ACCESS_LEVELS;
export const ACCESS_LEVEL_NAMES = Object.keys(ACCESS_LEVELS) as AccessLevelName[];

/**
 * Every access level gitlab-tokens knows GitLab to have (`Gitlab::Access`, reference §6), tokens'
 * or not: no access (0), minimal access (5), the token levels, admin (60). A newer GitLab's role (a
 * number not here) is unknown: readers pass it through and report it as such.
 */
export const KNOWN_ACCESS_LEVEL_VALUES: readonly number[] = [0, 5, ...Object.values(ACCESS_LEVELS), 60];

/** GitLab's default when a project or group token is created without `access_level`. */
export const DEFAULT_ACCESS_LEVEL: AccessLevelName = "maintainer";

/** The access-level name for GitLab's integer, or undefined for a value tokens cannot have. */
export function accessLevelName(value: number): AccessLevelName | undefined {
  return ACCESS_LEVEL_NAMES.find((n) => ACCESS_LEVELS[n] === value);
}

/** GitLab rejects an `expires_at` later than today + this many days (instance maximum). */
export const GITLAB_MAX_LIFETIME_DAYS = 365;

/**
 * Pipeline trigger tokens: `expires_at` must be *before* today + 365 days
 * (app/models/ci/trigger.rb `expires_at_before_instance_max_expiry_date`: `expires_at.before?(max)`),
 * so the longest lifetime is one day shorter than other tokens'.
 */
export const TRIGGER_MAX_LIFETIME_DAYS = GITLAB_MAX_LIFETIME_DAYS - 1;

/** GitLab's prefix of a pipeline trigger token's value (`Ci::Trigger::TRIGGER_TOKEN_PREFIX`). */
export const TRIGGER_TOKEN_PREFIX = "glptt-";

/** The organisation's ceiling, enforced by the policy pack (never configurable higher). */
export const POLICY_MAX_LIFETIME_DAYS = 90;

/** Project defaults applied to a declaration that does not say otherwise. */
export const DEFAULT_LIFETIME_DAYS = 90;
export const DEFAULT_ROTATE_BEFORE_DAYS = 14;

/** GitLab's limit on a token description (`MAX_DESCRIPTION_LENGTH`). */
export const MAX_DESCRIPTION_LENGTH = 255;

const DAY_MS = 24 * 60 * 60 * 1000;

/** `YYYY-MM-DD` of a moment, in UTC. */
export function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** Midnight UTC at the start of a `YYYY-MM-DD` date — when a token with that expiry stops working. */
export function dateStart(date: string): Date {
  return new Date(`${date}T00:00:00.000Z`);
}

/** Whether a string is a real calendar date in `YYYY-MM-DD` form. */
export function isValidDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const d = dateStart(date);
  return !Number.isNaN(d.getTime()) && isoDate(d) === date;
}

/** The date `days` whole days after `from`'s UTC date. */
export function addDays(from: Date | string, days: number): string {
  const start = typeof from === "string" ? dateStart(from) : dateStart(isoDate(from));
  return isoDate(new Date(start.getTime() + days * DAY_MS));
}

/** Whole days from `from`'s UTC date to `to` (a date); negative when `to` is earlier. */
export function daysBetween(from: Date | string, to: string): number {
  const start = typeof from === "string" ? dateStart(from) : dateStart(isoDate(from));
  return Math.round((dateStart(to).getTime() - start.getTime()) / DAY_MS);
}

/** The date rotation becomes due: `rotateBeforeDays` before expiry. */
export function rotationDate(expiresAt: string, rotateBeforeDays: number): string {
  return addDays(expiresAt, -rotateBeforeDays);
}

/** Rotation is due when `now >= expiresAt - rotateBeforeDays` (start of that UTC day). */
export function rotationDue(expiresAt: string, rotateBeforeDays: number, now: Date): boolean {
  return now.getTime() >= dateStart(rotationDate(expiresAt, rotateBeforeDays)).getTime();
}
