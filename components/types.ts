/**
 * Every Pulumi type string this project registers or recognises, and the shape of the dynamic
 * resources' properties as the engine (and so the policy pack) sees them. Components, providers,
 * policies and the review report import this one module. No Pulumi imports: the policy pack loads it.
 */
import type { AccessLevelName, TokenKind } from "./gitlab/facts";

/** Stack config namespace of this project (`gitlab-tokens:baseUrl`, `gitlab-tokens:token`, …). */
export const CONFIG_NAMESPACE = "gitlab-tokens";

/** Component resource types (`ComponentResource` type tokens). */
export const COMPONENT_TYPES = {
  project: "gitlab-tokens:index:ProjectAccessToken",
  group: "gitlab-tokens:index:GroupAccessToken",
  personal: "gitlab-tokens:index:PersonalAccessToken",
} as const satisfies Record<TokenKind, string>;

/** `module` and `type` passed to `pulumi.dynamic.Resource`; the engine prefixes `pulumi-nodejs:dynamic/`. */
export const DYNAMIC_MODULE = "gitlab-tokens";
export const DYNAMIC_RESOURCES = {
  accessToken: "AccessToken",
  ciVariable: "CiVariable",
} as const;

/** The full type strings of the dynamic resources, as they appear in state and in policies. */
export const ACCESS_TOKEN_TYPE = `pulumi-nodejs:dynamic/${DYNAMIC_MODULE}:${DYNAMIC_RESOURCES.accessToken}`;
export const CI_VARIABLE_TYPE = `pulumi-nodejs:dynamic/${DYNAMIC_MODULE}:${DYNAMIC_RESOURCES.ciVariable}`;

/** The official `@pulumi/gitlab` provider's token resource types (Terraform-bridged). */
export const OFFICIAL_TYPES = {
  project: "gitlab:index/projectAccessToken:ProjectAccessToken",
  group: "gitlab:index/groupAccessToken:GroupAccessToken",
  personal: "gitlab:index/personalAccessToken:PersonalAccessToken",
} as const satisfies Record<TokenKind, string>;

/**
 * The properties of an access-token dynamic resource (its inputs after `check`). All values are
 * plain; nothing secret is an input. This is a stable contract: state, policies and the review
 * report read it.
 */
export interface AccessTokenProps {
  /** project | group | personal */
  kind: TokenKind;
  /** The declaration's stable key (`tokens.yaml`), or the component name. */
  key: string;
  /** Project path or id (kind project), group path or id (group), username or id (personal). */
  target: string;
  /** The token's name in GitLab. */
  name: string;
  description: string;
  /** Sorted, de-duplicated. */
  scopes: string[];
  /** Project/group tokens only. */
  accessLevel?: AccessLevelName;
  /** Lifetime in days from creation, when the declaration gives one (mutually exclusive with `fixedExpiresAt`). */
  lifetimeDays?: number;
  /** A fixed expiry date `YYYY-MM-DD`, when the declaration gives one. */
  fixedExpiresAt?: string;
  rotateBeforeDays: number;
  /** Any change replaces the token. */
  rotateWhenChanged: Record<string, string>;
  /** Stack-wide rotation trigger (`gitlab-tokens:rotationEpoch`). */
  rotationEpoch: string;
  /** Team or person accountable for the token. */
  owner?: string;
  /** Why a high-risk scope or level is needed. */
  justification?: string;
  /** Personal tokens: whether the target user is a service account (declared). */
  serviceAccount?: boolean;
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
  /** ISO timestamp of creation (from GitLab). */
  createdAt: string;
  /** GitLab user id of the token's user (the bot user for project/group tokens). */
  userId: number;
  /** Numeric id of the resolved project, group or user. */
  targetId: number;
}
