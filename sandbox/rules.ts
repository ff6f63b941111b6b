/**
 * GitLab's rules as the sandbox plays them: scopes, access levels, token format, lifetimes.
 * Written from ../shared/reference/gitlab-token-api.md on purpose independently of
 * components/gitlab/facts.ts, so the sandbox is a second opinion the product is tested against.
 */
import { createHash, randomBytes } from "node:crypto";

/** `Gitlab::Auth::API_SCOPES` and friends (spec §7). */
const API_SCOPES = [
  "api",
  "read_api",
  "read_user",
  "create_runner",
  "manage_runner",
  "k8s_proxy",
  "self_rotate",
] as const;
const REPOSITORY_SCOPES = ["read_repository", "write_repository"] as const;
const REGISTRY_SCOPES = ["read_registry", "write_registry"] as const;
const VIRTUAL_REGISTRY_SCOPES = ["read_virtual_registry", "write_virtual_registry"] as const;
const OBSERVABILITY_SCOPES = ["read_observability", "write_observability"] as const;
const AI_FEATURES_SCOPES = ["ai_features"] as const;
export const ADMIN_SCOPES: readonly string[] = ["sudo", "admin_mode", "read_service_ping"];

const NON_ADMIN_SCOPES: readonly string[] = [
  ...API_SCOPES,
  ...REPOSITORY_SCOPES,
  ...REGISTRY_SCOPES,
  ...VIRTUAL_REGISTRY_SCOPES,
  ...OBSERVABILITY_SCOPES,
  ...AI_FEATURES_SCOPES,
];

/** `Gitlab::Auth.all_available_scopes`: what a personal access token may carry. */
export const PERSONAL_TOKEN_SCOPES: readonly string[] = [...NON_ADMIN_SCOPES, ...ADMIN_SCOPES];

/** `Gitlab::Auth.resource_bot_scopes`: project and group access tokens (no `read_user`, no admin scopes). */
export const RESOURCE_TOKEN_SCOPES: readonly string[] = NON_ADMIN_SCOPES.filter((s) => s !== "read_user");

/**
 * `DeployToken::AVAILABLE_SCOPES` (app/models/deploy_token.rb), in GitLab's order: what a deploy
 * token may carry — Git reads, the container, package and virtual registries; no API scope.
 */
export const DEPLOY_TOKEN_SCOPES: readonly string[] = [
  "read_repository",
  "read_registry",
  "write_registry",
  "read_package_registry",
  "write_package_registry",
  "read_virtual_registry",
  "write_virtual_registry",
];

/**
 * `Gitlab::Auth::GRANULAR_SCOPE`: the one legacy scope a fine-grained ("granular") personal access
 * token carries (`Authn::PersonalAccessTokens::CreateGranularService`); not a scope a create may ask for.
 */
export const GRANULAR_SCOPE = "granular";

/**
 * `Authz::GranularScope::Access::LEVELS` (app/models/authz/granular_scope.rb), the values of a
 * granular scope's `access` (`GRANULAR_SCOPE_ACCESS_VALUES`, lib/api/helpers/personal_access_tokens_helpers.rb).
 */
export const GRANULAR_ACCESS = [
  "personal_projects",
  "all_memberships",
  "selected_memberships",
  "user",
  "instance",
] as const;
export type GranularAccess = (typeof GRANULAR_ACCESS)[number];

/** `POST /user/personal_access_tokens` accepts only this scope (spec §3.2). */
export const USER_SELF_TOKEN_SCOPES: readonly string[] = ["k8s_proxy"];

/** GitLab's access levels (`Gitlab::Access`). */
export const ACCESS_LEVELS = {
  no_access: 0,
  minimal_access: 5,
  guest: 10,
  planner: 15,
  reporter: 20,
  developer: 30,
  maintainer: 40,
  owner: 50,
} as const;
export type AccessLevelName = keyof typeof ACCESS_LEVELS;

/** Levels a project or group access token may be given (`options_with_owner`), default Maintainer. */
export const TOKEN_ACCESS_LEVELS: readonly number[] = [10, 15, 20, 30, 40, 50];
export const DEFAULT_TOKEN_ACCESS_LEVEL = 40;

export const GUEST = 10;
export const MAINTAINER = 40;
export const OWNER = 50;

/** `MAX_PERSONAL_ACCESS_TOKEN_LIFETIME_IN_DAYS`. */
export const DEFAULT_MAX_LIFETIME_DAYS = 365;
/** `RotateService::EXPIRATION_PERIOD` (1 week). */
export const ROTATION_DEFAULT_DAYS = 7;
export const MAX_DESCRIPTION_LENGTH = 255;
/** `last_used_at` is written at most this often. */
export const LAST_USED_AT_INTERVAL_MS = 10 * 60 * 1000;
export const MAX_LAST_USED_IPS = 5;

/** Paths whose use with a revoked token triggers reuse detection (spec §9). */
export const REUSE_DETECTION_PATH = /access_tokens\/(\d+|self)\/rotate$/;

export const TOKEN_PREFIX = "glpat-";
/** `DeployToken::DEPLOY_TOKEN_PREFIX`. */
export const DEPLOY_TOKEN_PREFIX = "gldt-";

/** `Ci::Trigger::TRIGGER_TOKEN_PREFIX`; the value is the prefix and `SecureRandom.hex(20)`. */
export const TRIGGER_TOKEN_PREFIX = "glptt-";

/**
 * A new token in GitLab's legacy format: the prefix and Devise's `friendly_token` — 15 random bytes as
 * URL-safe base64 (20 characters) with `lIO0` replaced by `sxyz`.
 */
export function generateTokenValue(prefix = TOKEN_PREFIX): string {
  const body = randomBytes(15)
    .toString("base64url")
    .replace(/[lIO0]/g, (c) => ({ l: "s", I: "x", O: "y", "0": "z" })[c] ?? c);
  return prefix + body;
}

/** How token values are kept: only their SHA-256, never the plaintext. */
export function digestToken(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

export function accessLevelFromName(value: string | number): number | undefined {
  if (typeof value === "number") return value;
  if (/^\d+$/.test(value)) return Number(value);
  return (ACCESS_LEVELS as Record<string, number>)[value.toLowerCase()];
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}
