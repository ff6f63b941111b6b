/**
 * What a credential kind is: everything about one kind of token that differs from the others, as
 * data and small functions. One descriptor file per kind (./project.ts, ./group.ts, ./personal.ts);
 * ./index.ts is the registry. Adding a kind = its scopes in ../gitlab/facts, one descriptor file,
 * its entry in the registry, the sandbox's routes and tests.
 *
 * Loadable by the policy pack and the review: zod and ../gitlab/facts only at run time; the GitLab
 * client is a type import (the operations receive a client, they never build one).
 */
import type { z } from "zod";
import type { GitLabClient, CreateTokenParams, GitLabToken } from "../gitlab/client";
import type { AccessLevelName, TokenKind } from "../gitlab/facts";

/** The declaration / component field that names a kind's target. */
export type TargetField = "project" | "group" | "user";

/** The client calls that find a target (the audit hands in a narrower client than the providers). */
export type TargetLookup = Pick<
  GitLabClient,
  "resolveProject" | "resolveGroup" | "resolveUser" | "currentUser" | "serviceAccountGroupOf"
>;
/** The client calls that list tokens. */
export type TokenLister = Pick<
  GitLabClient,
  | "listResourceTokens"
  | "listPersonalTokens"
  | "listServiceAccountTokens"
  | "listDeployTokens"
  | "listTriggerTokens"
>;

/**
 * Whose tokens the operations act on: the target's numeric id and, where a kind has more than one
 * family of routes, which one. Kept in state (`targetId`, `serviceAccountGroupId`,
 * `serviceAccountProjectId`), so refresh and destroy use the routes the token was made with.
 */
export interface TokenTarget {
  id: number;
  /**
   * Personal tokens of a group service account managed without an administrator's credential: the
   * top-level group whose `/groups/:id/service_accounts/:user_id/personal_access_tokens` routes hold
   * them. Absent: the kind's ordinary routes.
   */
  serviceAccountGroupId?: number;
  /**
   * Personal tokens of a project service account managed through its project's routes
   * (`/projects/:id/service_accounts/:user_id/personal_access_tokens`, a Maintainer's or Owner's
   * credential): the project's id. Never together with `serviceAccountGroupId`.
   */
  serviceAccountProjectId?: number;
  /**
   * A kind whose target may be named by several fields (deploy tokens: `project` or `group`): the
   * one that names it, kept in state (`targetField`). Absent: the kind's `targetField`.
   */
  field?: TargetField;
}

/** What the declaration says besides the target that may decide how it is found (personal: `group`, `project`). */
export interface TargetHints {
  /** Personal tokens: the top-level group that owns the service account (path or id). */
  group?: string | number;
  /** Personal tokens: the project that owns the service account (path or id). */
  project?: string | number;
  /** Kinds with several target fields: the field the declaration gave (deploy: `project` or `group`). */
  field?: TargetField;
}

/** A target as GitLab knows it. */
export interface ResolvedTarget extends TokenTarget {
  /** Full path (project, group) or username (user). */
  path: string;
  /** Users only: how GitLab classifies the account. */
  user?: { bot: boolean; serviceAccount: boolean | undefined };
  /**
   * Why this credential cannot manage the target's tokens by any route the kind knows, and what to
   * change (the field to give is `field`); `verify` refuses such a target, the audit reports it.
   */
  unroutable?: { field: string; reason: string };
}

/** An official @pulumi/gitlab token resource type, as the policy adapters read it. */
export interface OfficialResource {
  /** Its resource type (`gitlab:index/projectAccessToken:ProjectAccessToken`). */
  readonly type: string;
  /** The property naming the target (`project`, `group`, `userId`). */
  readonly targetProp: string;
  /** Whether the target is a user (then the normalised token's `userId` is the target). */
  readonly targetIsUser: boolean;
  /** The type is a service account's token by definition (the no-human-personal-tokens rule needs no declaration). */
  readonly serviceAccount?: boolean;
  /** The type has no `description` property (GitLab's routes take one; the provider's resource does not). */
  readonly noDescription?: boolean;
  /**
   * False when the official resource cannot give the token an expiry at all (`PipelineTrigger`:
   * no `expiresAt`, no `rotationConfiguration`), so the policies' fix is another resource.
   * Default - true
   */
  readonly canExpire?: boolean;
  /**
   * False when the type has no `rotationConfiguration` (the deploy tokens: `expiresAt` only), so
   * the official provider cannot rotate it. Absent: it has one.
   */
  readonly rotationConfiguration?: false;
}

export interface KindDescriptor<K extends TokenKind = TokenKind, F extends TargetField = TargetField> {
  readonly kind: K;
  /** The field naming the target in tokens.yaml and the component args (`project`, `group`, `user`). */
  readonly targetField: F;
  /**
   * Fields that may name the target instead of `targetField` (deploy tokens: `group` besides
   * `project`); a declaration gives exactly one of them. Absent: `targetField` only.
   */
  readonly otherTargetFields?: readonly TargetField[];
  /**
   * GitLab keeps no description for this kind (deploy tokens): the creation marker
   * (../gitlab/marker.ts) rides at the end of the token's name instead, a declaration may not give
   * a description, and its name is shorter by the marker. The operations hand the marker back as
   * the token's `description`, so reconciliation, recover and the audit read it as for every kind.
   */
  readonly markerInName?: boolean;
  /**
   * The GitLab table whose ids this kind's token ids are (deploy tokens: `deploy_tokens`); absent:
   * `personal_access_tokens`, which project, group and personal tokens share. Ids are unique only
   * within one table.
   */
  readonly tokenTable?: "deploy_tokens";
  /** What the target is, in messages (`project`, `group`, `user`). */
  readonly targetLabel: string;
  /** The declaration fields only this kind has, as zod schema pieces (all optional). */
  readonly fields: z.ZodRawShape;
  /**
   * The scopes GitLab accepts for this kind (from ../gitlab/facts); undefined = the kind has no
   * scopes (a pipeline trigger token): declarations must not give any, and the policies' scope
   * rules have nothing to judge.
   */
  readonly scopes: readonly string[] | undefined;
  /**
   * The kind's own field a declaration may give instead of `scopes` — GitLab takes exactly one
   * (personal: `granular`, a fine-grained token's granular scopes). Absent: `scopes` is required
   * where the kind has scopes.
   */
  readonly scopesInstead?: string;
  /**
   * False when GitLab gives this kind's tokens no name (a pipeline trigger token: its description
   * is its only text, and carries the creation marker): declarations must not give one, and
   * tokens are told apart by their marker alone. Default - true
   */
  readonly named?: boolean;
  /** The longest lifetime GitLab allows this kind, in days. Default - GITLAB_MAX_LIFETIME_DAYS (365) */
  readonly maxLifetimeDays?: number;
  /** The access levels a token of this kind may have; undefined = access levels do not apply. */
  readonly accessLevels: readonly AccessLevelName[] | undefined;
  /**
   * Whether every token of this kind is held by a user of its own: GitLab makes a new bot user
   * (`project_<id>_bot_<hex>`, `group_<id>_bot_<hex>`) for each project or group access token
   * (`app/services/resource_access_tokens/create_service.rb`), so a new token — and a rotation, which
   * creates a successor — is a new identity to git, protected branches and allow-lists. A personal
   * token belongs to its existing user, who keeps the identity across rotations.
   */
  readonly userPerToken: boolean;
  /** The component's type token (`gitlab-tokens:index:ProjectAccessToken`). */
  readonly componentType: string;
  /** How the official @pulumi/gitlab provider declares this kind, for the policy adapters. */
  readonly official: OfficialResource;
  /**
   * Other official resource types that are tokens of this kind (personal: the group and project
   * service accounts' `GroupServiceAccountAccessToken`, `ProjectServiceAccountAccessToken`; deploy:
   * `GroupDeployToken` besides `ProjectDeployToken`).
   */
  readonly officialVariants?: readonly OfficialResource[];

  /**
   * Finds the target by path, username or id (404: GitLabApiError), and the routes its tokens go
   * through (the declaration's `hints` and the credential may decide them).
   */
  resolve(gl: TargetLookup, target: string | number, hints?: TargetHints): Promise<ResolvedTarget>;
  /**
   * The kind's own rules about its kind-specific fields taken together (pure; run before any API
   * call). Each failure names the field and says what to change.
   */
  checkFields?(fields: Record<string, unknown>): { field: string; reason: string }[];
  /** Refuses a resolved target that contradicts the declaration, with what to change. */
  verify?(
    resolved: ResolvedTarget,
    declared: { key?: string; name: string; serviceAccount?: boolean; granular?: unknown },
  ): void;
  /**
   * The create call's kind-specific parameters, from the kind's own fields (personal: a
   * fine-grained token's granular scopes, their groups and projects looked up by path).
   */
  prepareCreate?(gl: TargetLookup, fields: Record<string, unknown>): Promise<Partial<CreateTokenParams>>;
  create(gl: GitLabClient, target: TokenTarget, params: CreateTokenParams): Promise<GitLabToken>;
  /** The token, or undefined when GitLab says it does not exist. */
  get(gl: GitLabClient, target: TokenTarget, tokenId: number): Promise<GitLabToken | undefined>;
  list(gl: TokenLister, target: TokenTarget, search?: string): Promise<GitLabToken[]>;
  /** Revokes; a token GitLab no longer knows counts as revoked. */
  revoke(gl: GitLabClient, target: TokenTarget, tokenId: number): Promise<void>;
}
