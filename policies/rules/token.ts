/**
 * The normalised token every rule judges, whatever resource it came from. Pure data: no Pulumi
 * imports, so the merge-request review and the audit load this module with plain Node.
 */
import type { TokenKind } from "../../components/gitlab/facts";

/**
 * Where a token comes from: this project's dynamic resource, the official `@pulumi/gitlab` provider,
 * or GitLab's REST API (a live token the audit read, managed by a declaration in `tokens.yaml` or not).
 */
export type TokenFamily = "gitlab-tokens" | "gitlab-provider" | "gitlab-api";

/**
 * The normalised fields a value can be missing from. A field listed in `NormalisedToken.unknown`
 * is not known until apply (a Pulumi unknown at preview); rules say they could not judge it
 * instead of reading its absence as a violation.
 */
export type TokenField =
  | "key"
  | "kind"
  | "name"
  | "target"
  | "description"
  | "scopes"
  | "accessLevel"
  | "lifetimeDays"
  | "expiresAt"
  | "createdAt"
  | "rotation"
  | "rotateBeforeDays"
  | "owner"
  | "justification"
  | "serviceAccount"
  | "userId"
  | "granular";

/**
 * One granular scope of a fine-grained personal access token: an access boundary (`personal_projects`,
 * `all_memberships`, `selected_memberships`, `user`, `instance`; unvalidated) and the permissions
 * granted within it; `selected_memberships` names its projects and groups (paths as declared, or
 * GitLab's ids as text for a live token).
 */
export interface GranularScopeEntry {
  access: string;
  permissions: string[];
  projects?: string[];
  groups?: string[];
}

export interface NormalisedToken {
  /**
   * The token's identity in messages and in exceptions: the declaration key (`tokens.yaml`) for this
   * project's tokens, the Pulumi resource name for the official provider's.
   */
  key: string;
  /** Other names an exception may use for the token: the Pulumi resource name, the URN. */
  aliases: string[];
  family: TokenFamily;
  /** The Pulumi type of the resource it came from. */
  type: string;
  urn?: string;
  kind: TokenKind;
  /** Project or group path or id; for personal tokens the user (username or id). */
  target?: string;
  /** The token's name in GitLab. */
  name?: string;
  description?: string;
  /** The scopes known at this point (a list with unknown elements keeps its known ones). */
  scopes: string[];
  /**
   * Fine-grained personal access tokens: true when the token is one (it declares `granular:`, or
   * GitLab reports `granular: true`). Its scopes are then no scopes to judge (`[]` declared,
   * `[granular]` live): `granular` says what it may do.
   */
  fineGrained?: boolean;
  /**
   * A fine-grained token's granular scopes, when known. Absent on a fine-grained token whose scopes
   * are not known: unknown until apply (`unknown` lists `granular`), or a live token GitLab listed
   * without `granular_scopes`.
   */
  granular?: GranularScopeEntry[];
  /** The access level name as declared (project and group tokens), unvalidated. */
  accessLevel?: string;
  /**
   * The declared lifetime in days from creation: `lifetimeDays` (this project) or
   * `rotationConfiguration.expirationDays` (official provider).
   */
  lifetimeDays?: number;
  /** A fixed expiry date `YYYY-MM-DD`, declared or (in state) computed. */
  expiresAt?: string;
  /** When GitLab created the token (ISO time); only known from state. */
  createdAt?: string;
  /**
   * Rotation before expiry: present when configured (`rotateBeforeDays` on this project's tokens,
   * `rotationConfiguration` on the official provider's); `rotateBeforeDays` inside may be absent.
   */
  rotation?: { rotateBeforeDays?: number };
  owner?: string;
  justification?: string;
  /**
   * Personal tokens of this project: whether the declared user is a service account; the official
   * provider's service-account token types: always true.
   */
  serviceAccount?: boolean;
  /**
   * False when the resource type has no description to give (the official provider's
   * `GroupServiceAccountAccessToken` and `ProjectServiceAccountAccessToken`): the ownership rule
   * then does not ask for one. Absent: it has one.
   */
  describable?: false;
  /** Personal tokens of the official provider and live personal tokens: the GitLab user id. */
  userId?: string;
  /**
   * Live tokens (`gitlab-api`): true when a declaration in `tokens.yaml` manages the token (its key is
   * the declaration's), so a fix goes into that file and `pulumi up` replaces the token.
   */
  managed?: boolean;
  /** Fields whose values are not known until apply. */
  unknown: TokenField[];
}

/** Whether a field's value is unknown until apply. */
export function isUnknown(token: NormalisedToken, field: TokenField): boolean {
  return token.unknown.includes(field);
}

/**
 * How a concept is spelt where the user declares it, so a message names the field to change:
 * `tokens.yaml` keys for this project, the provider's input properties for the official one.
 */
export const FIELD_NAMES: Record<
  TokenFamily,
  {
    lifetimeDays: string;
    expiresAt: string;
    rotation: string;
    rotateBeforeDays: string;
    accessLevel: string;
    description: string;
  }
> = {
  "gitlab-tokens": {
    lifetimeDays: "lifetimeDays",
    expiresAt: "expiresAt",
    rotation: "rotateBeforeDays",
    rotateBeforeDays: "rotateBeforeDays",
    accessLevel: "accessLevel",
    description: "description",
  },
  "gitlab-provider": {
    lifetimeDays: "rotationConfiguration.expirationDays",
    expiresAt: "expiresAt",
    rotation: "rotationConfiguration",
    rotateBeforeDays: "rotationConfiguration.rotateBeforeDays",
    accessLevel: "accessLevel",
    description: "description",
  },
  // GitLab's API has no lifetime and no rotation: a live token's lifetime runs from `created_at` to
  // `expires_at`, and only a declaration in tokens.yaml (`rotateBeforeDays`) rotates it.
  "gitlab-api": {
    lifetimeDays: "expires_at",
    expiresAt: "expires_at",
    rotation: "tokens.yaml",
    rotateBeforeDays: "rotateBeforeDays",
    accessLevel: "access_level",
    description: "description",
  },
};

/** Whether a token was read from GitLab (the audit), rather than declared. */
export function isLive(token: NormalisedToken): boolean {
  return token.family === "gitlab-api";
}

/**
 * What to do about a live token whose fix GitLab cannot apply in place (scopes, access level, expiry
 * and description are fixed when a token is created): for a managed token, change its declaration and
 * let `pulumi up` replace the token; for an unmanaged one, replace it by hand, best with a declaration.
 *
 * `declared` is the change in tokens.yaml ("set lifetimeDays to 90 or less"); `replacement` describes
 * the token to issue instead ("that expires within 90 days of its creation").
 */
export function liveFix(token: NormalisedToken, declared: string, replacement: string): string {
  return token.managed
    ? `On '${token.key}' in tokens.yaml, ${declared}; the next \`pulumi up\` replaces the token`
    : `Revoke it and issue a replacement ${replacement}, best declared in tokens.yaml so \`pulumi up\` manages it`;
}

/** `project token 'web-deploy'`: how messages name a token (`token 'x'` when its kind is unknown). */
export function describeToken(token: NormalisedToken): string {
  return isUnknown(token, "kind") ? `token '${token.key}'` : `${token.kind} token '${token.key}'`;
}

/**
 * The fix for an official-provider resource that cannot expire at all (`PipelineTrigger`: no
 * `expiresAt`, no `rotationConfiguration`): declare the token with gitlab-tokens instead, which
 * sends GitLab's `expires_at` and rotates it (`field` is what to declare, e.g. `lifetimeDays: 90`).
 */
export function officialCannotExpire(token: NormalisedToken, field: string): string {
  return (
    `The official ${token.type.split(":").pop()} resource cannot give it an expiry; declare it in ` +
    `tokens.yaml instead (kind: ${token.kind}, ${field}) and remove this resource`
  );
}
