/**
 * Every Pulumi type string this project registers or recognises, and the shape of the dynamic
 * resources' properties as the engine (and so the policy pack) sees them. Components, providers,
 * policies and the review report import this one module. No Pulumi imports: the policy pack loads it.
 */
import type { KindFields, TargetField, TokenKind } from "./kinds";
import type { CommonTokenFields } from "./model";

/** Stack config namespace of this project (`gitlab-tokens:baseUrl`, `gitlab-tokens:token`, …). */
export const CONFIG_NAMESPACE = "gitlab-tokens";

/** Component resource types and the official provider's types, by kind: kept with each kind (./kinds). */
export { COMPONENT_TYPES, OFFICIAL_TYPES } from "./kinds";

/** `module` and `type` passed to `pulumi.dynamic.Resource`; the engine prefixes `pulumi-nodejs:dynamic/`. */
export const DYNAMIC_MODULE = "gitlab-tokens";
export const DYNAMIC_RESOURCES = {
  accessToken: "AccessToken",
  ciVariable: "CiVariable",
  tokenRetirement: "TokenRetirement",
} as const;

/** The full type strings of the dynamic resources, as they appear in state and in policies. */
export const ACCESS_TOKEN_TYPE = `pulumi-nodejs:dynamic/${DYNAMIC_MODULE}:${DYNAMIC_RESOURCES.accessToken}`;
export const CI_VARIABLE_TYPE = `pulumi-nodejs:dynamic/${DYNAMIC_MODULE}:${DYNAMIC_RESOURCES.ciVariable}`;
export const TOKEN_RETIREMENT_TYPE = `pulumi-nodejs:dynamic/${DYNAMIC_MODULE}:${DYNAMIC_RESOURCES.tokenRetirement}`;

/**
 * A token as declared, defaults applied: the shared fields, the kind-specific ones, the kind and
 * its target. TokenDeclaration (tokens.yaml) and AccessTokenProps (the provider's props, in state)
 * both extend it, so the schemas (./model, ./kinds) are the one source of every field's type.
 */
export type DeclaredToken = Required<
  Pick<CommonTokenFields, "name" | "description" | "scopes" | "rotateBeforeDays" | "rotateWhenChanged">
> &
  Pick<CommonTokenFields, "lifetimeDays" | "expiresAt" | "owner" | "justification"> &
  KindFields & {
    /** The declaration's stable key (`tokens.yaml`), or the component name. */
    key: string;
    kind: TokenKind;
    /** Project path or id (kind project), group path or id (group), username or id (personal). */
    target: string;
    /**
     * Kinds whose target several fields may name (deploy: `project` or `group`): the one that does.
     * Absent for the other kinds (their `targetField`), and in state written before it.
     */
    targetField?: TargetField;
  };

/**
 * The properties of an access-token dynamic resource (its inputs after `check`). All values are
 * plain; nothing secret is an input. This is a stable contract: state, policies and the review
 * report read it.
 */
export interface AccessTokenProps extends Omit<DeclaredToken, "expiresAt"> {
  // From the declaration (DeclaredToken above): kind (project | group | personal); key;
  // target (project path or id, group path or id, username or id); name (in GitLab); description;
  // scopes (sorted, de-duplicated); lifetimeDays (days from creation, when the declaration gives
  // one; exclusive with fixedExpiresAt); rotateBeforeDays; rotateWhenChanged (any change replaces
  // the token); owner; justification; and the kind's own fields: accessLevel (project/group
  // tokens), serviceAccount (personal tokens: whether the target user is a service account),
  // group (personal tokens: the top-level group that owns the service account), project (personal
  // tokens: the project that owns the service account; a project token's project is `target`),
  // username (deploy tokens: the username asked for); granular (personal tokens: a fine-grained
  // token's granular scopes, groups and projects as declared); targetField (deploy tokens: project or group).

  /** A fixed expiry date `YYYY-MM-DD`, when the declaration gives one. */
  fixedExpiresAt?: string;
  /** Stack-wide rotation trigger (`gitlab-tokens:rotationEpoch`). */
  rotationEpoch: string;
  /**
   * The creation reference (`components/gitlab/marker.ts`): drawn anew by every `check`, so a
   * pending create in state names the tokens it may have made; in the outputs, the reference the
   * token itself carries in its GitLab description. Absent in state written before markers.
   */
  createRef?: string;
}

/** The outputs an access-token resource adds to its props. */
export interface AccessTokenOutputs extends AccessTokenProps {
  tokenId: number;
  /** Secret. */
  token: string;
  /** `YYYY-MM-DD`; fixed at creation. */
  expiresAt: string;
  /** `YYYY-MM-DD`: the first day a `pulumi up` rotates the token. */
  rotatesAt: string;
  active: boolean;
  /** ISO timestamp of creation (from GitLab; for a deploy token, which has none there, the provider's clock). */
  createdAt: string;
  /**
   * GitLab user id of the token's user (the bot user for project/group tokens). Absent on a deploy
   * token: GitLab keeps no user for one.
   */
  userId?: number;
  /**
   * The username the token acts as: its user's (`project_<id>_bot_<hex>` for a project token's bot),
   * read once at creation (`GET /users/:id`) and kept, as a token's user never changes; a deploy
   * token's own username (the declared `username`, or GitLab's default `gitlab+deploy-token-<id>`).
   * Absent in state written before it, until a refresh fills it, and when GitLab did not show the
   * user to the credential. Not named `username`: that is a deploy token's declared field.
   */
  identityUsername?: string;
  /**
   * The commit e-mail of the token's user, when GitLab shows it: only to an administrator's
   * credential (`GET /users/:id` gives e-mail fields to nobody else). Absent otherwise.
   */
  commitEmail?: string;
  /** Numeric id of the resolved project, group or user. */
  targetId: number;
  /**
   * Personal tokens of a group service account made through the group's routes (a group Owner's
   * credential): the top-level group's id, so refresh and destroy use the same routes. Absent: the
   * kind's ordinary routes (and in state written before it).
   */
  serviceAccountGroupId?: number;
  /**
   * Personal tokens of a project service account made through the project's routes (a project
   * Maintainer's or Owner's credential): the project's id, so refresh and destroy use the same
   * routes. Absent: not a project service account's routes (and in state written before it).
   */
  serviceAccountProjectId?: number;
  /**
   * True when GitLab did not honour the token's `expires_at` (its response had none: a pipeline
   * trigger token on a GitLab before trigger expiry): the provider enforces `expiresAt` itself —
   * rotation before it as for every token, and a refresh on or after it deletes the token and
   * reports it gone. Absent: GitLab enforces the expiry (and in state written before it).
   */
  expiryEnforcedByProvider?: boolean;
  /**
   * The expiry the declaration asked for, when the instance's maximum lifetime made GitLab refuse it
   * and the token was made with the last date GitLab accepts (`expiresAt`). Absent: as asked.
   */
  expiryCappedFrom?: string;
}
