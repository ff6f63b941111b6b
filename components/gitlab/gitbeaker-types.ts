/**
 * Where @gitbeaker/rest 43.8.0's types differ from GitLab's API, one typed adapter per spot.
 * GitLab's API here is the one its source defines (../shared/reference/gitlab-token-api.md, cited
 * by section as §n). The client (./client.ts) calls gitbeaker with gitbeaker's own types everywhere
 * else; the only type assertions in the GitLab client are the ones in this file.
 *
 * How gitbeaker sends options, which every adapter below relies on: each method spreads its
 * `options` into the request (a POST/PUT body, a GET query; for DELETE, everything but
 * `searchParams` goes into the body), with every key snake-cased by `decamelizeKeys` — so a
 * camelCase and a snake_case key reach GitLab the same, and an option gitbeaker's type does not
 * declare is sent as it is.
 */
import type {
  AccessTokenSchema,
  AccessTokenScopes,
  DeployTokenSchema,
  DeployTokenScope,
  PersonalAccessTokenSchema,
  PersonalAccessTokens,
  PipelineTriggerTokenSchema,
  PipelineTriggerTokens,
  ResourceAccessTokens,
  ResourceVariables,
  VariableFilter,
  VariableSchema,
} from "@gitbeaker/rest";

// ---- access tokens -----------------------------------------------------------------------------

/**
 * The scopes of a project or group token. gitbeaker's `AccessTokenScopes` (the `scopes` parameter of
 * ResourceAccessTokens.create) is a seven-member union — api, read_api, create_runner, read/write
 * registry, read/write repository — while GitLab accepts every `resource_bot_scopes` value (§7):
 * also manage_runner, k8s_proxy, self_rotate, read/write_virtual_registry, read/write_observability,
 * ai_features. The scopes are checked against GitLab's list (./facts.ts) before any call; here they
 * only cross gitbeaker's narrower type.
 */
export function resourceTokenScopes(scopes: string[]): AccessTokenScopes[] {
  return scopes as AccessTokenScopes[];
}

/**
 * The options of ResourceAccessTokens.create, with what GitLab takes and gitbeaker's type lacks:
 * - `description`: GitLab 17+ takes an optional description on token create (§5 create params);
 *   gitbeaker declares only `accessLevel`.
 * - `accessLevel`: gitbeaker types it as its `AccessLevel` enum minus no/minimal/admin access, which
 *   has no Planner (15); GitLab accepts 10, 15, 20, 30, 40, 50 (§5, §6). A plain number, checked
 *   against facts.ts's levels before any call.
 */
export type ResourceTokenCreateOptions = Omit<
  NonNullable<Parameters<ResourceAccessTokens<false>["create"]>[4]>,
  "accessLevel" | "showExpanded"
> & { accessLevel?: number; description?: string };

/**
 * The options of ResourceAccessTokens.all, plus `search`: GitLab's token lists take the PAT list
 * filters (§5: `state`, `revoked`, dates, `search`, `sort`), and gitbeaker declares only pagination.
 */
export type ResourceTokenListOptions = Omit<
  NonNullable<Parameters<ResourceAccessTokens<false>["all"]>[1]>,
  "showExpanded"
> & { search?: string };

/**
 * The options of PersonalAccessTokens.create (`POST users/:user_id/personal_access_tokens`, GitLab's
 * admin path, §3.1 — gitbeaker 43.8's `userId` parameter and path are right), plus `description`,
 * which GitLab takes (§3.1 params) and gitbeaker's type (`expiresAt` only) lacks.
 */
export type PersonalTokenCreateOptions = Omit<
  NonNullable<Parameters<PersonalAccessTokens<false>["create"]>[3]>,
  "showExpanded"
> & { description?: string };

/**
 * A token as GitLab returns it (personal, project or group; `token` only on create and rotate),
 * from gitbeaker's schemas where they describe GitLab's entity (§10) and corrected where they do not.
 */
export type GitLabToken = Pick<
  AccessTokenSchema & PersonalAccessTokenSchema,
  "id" | "name" | "revoked" | "active"
> &
  // `user_id` and `created_at` are absent only on a deploy token (read through its kind's
  // descriptor): GitLab keeps no user and no creation time for one.
  Partial<Pick<AccessTokenSchema & PersonalAccessTokenSchema, "user_id" | "created_at">> & {
    /** Deploy tokens: the username that goes with the token (`gitlab+deploy-token-<id>` by default). */
    username?: string;
    /** GitLab 17.7+ (§10); in neither gitbeaker schema. */
    description?: string | null;
    /** Always sent (§10); gitbeaker marks it optional, and narrows it to AccessTokenScopes on resource tokens. */
    scopes: string[];
    /** `null` for a token without expiry (§8, §10); gitbeaker types it `string` (resource) or optional. */
    expires_at: string | null;
    /** Resource tokens only; gitbeaker's enum lacks Planner (15). */
    access_level?: number;
    /** Only on create and rotate (§10); gitbeaker's PersonalAccessTokenSchema makes it always present. */
    token?: string;
  };

/**
 * A token gitbeaker returned, typed as GitLab's entity (see GitLabToken for each field gitbeaker gets
 * wrong). The object is GitLab's JSON as parsed — nothing is copied or dropped (the audit reads
 * `last_used_at` from it).
 */
export function gitlabToken(t: AccessTokenSchema | PersonalAccessTokenSchema): GitLabToken {
  return t as GitLabToken;
}

// ---- deploy tokens -------------------------------------------------------------------------------

/**
 * A deploy token as GitLab returns it (`API::Entities::DeployToken`, gitlabhq
 * lib/api/entities/deploy_token.rb; `token` only on create, `DeployTokenWithToken`): no description,
 * no user, no creation time. gitbeaker's DeployTokenSchema matches but for `expires_at`, which GitLab
 * sends as `null` for a token without expiry (a DateTime otherwise, `2027-01-24T00:00:00.000Z`), and
 * `scopes`, which GitLab always sends.
 */
export type GitLabDeployToken = Pick<
  DeployTokenSchema,
  "id" | "name" | "username" | "revoked" | "expired"
> & {
  scopes: string[];
  expires_at: string | null;
  token?: string;
};

/** A deploy token gitbeaker returned, typed as GitLab's entity (see GitLabDeployToken); nothing is copied. */
export function gitlabDeployToken(t: DeployTokenSchema): GitLabDeployToken {
  return t as GitLabDeployToken;
}

/**
 * The scopes of a deploy token. gitbeaker's `DeployTokenScope` lacks read/write_virtual_registry,
 * which GitLab accepts (`DeployToken::AVAILABLE_SCOPES`); checked against ./facts.ts before any call.
 */
export function deployTokenScopes(scopes: string[]): DeployTokenScope[] {
  return scopes as DeployTokenScope[];
}

// ---- pipeline trigger tokens ----------------------------------------------------------------------

/**
 * The options of PipelineTriggerTokens.create, plus `expiresAt`: GitLab 17.x+ takes an optional
 * `expires_at` (a DateTime) on `POST /projects/:id/triggers` (lib/api/ci/triggers.rb, G!146912);
 * gitbeaker 43.8 declares only `description`. An older GitLab ignores it (Grape drops undeclared
 * parameters).
 */
export type TriggerCreateOptions = Omit<
  NonNullable<Parameters<PipelineTriggerTokens<false>["create"]>[2]>,
  "showExpanded"
> & { expiresAt?: string };

/**
 * A pipeline trigger token (lib/api/entities/trigger.rb: `id`, `token`, `description`, `created_at`,
 * `updated_at`, `last_used`, `expires_at`, `owner`) in the shape of the other tokens, so the kind
 * registry's operations return one type:
 * - no name and no scopes: `name` is "" and `scopes` [];
 * - `expires_at` is a time (GitLab 17.x+; absent on an older GitLab, which has no trigger expiry):
 *   here its UTC date, when a token stops working at 00:00 UTC as every other kind's; null without;
 * - a trigger is deleted, never revoked: one GitLab still lists is `revoked: false`, `active: true`
 *   — whether it has expired is judged against `expires_at` with the caller's clock;
 * - `user_id` is its owner's (the user who made it), absent when GitLab shows no owner (then there is
 *   no user to read an identity of, at create or at any refresh); `last_used_at` is GitLab's `last_used`;
 * - `token` is the value in full for its owner, four characters for anyone else.
 */
export function triggerToken(t: PipelineTriggerTokenSchema): GitLabToken & { last_used_at: string | null } {
  const expires = t.expires_at;
  return {
    id: t.id,
    name: "",
    description: t.description,
    scopes: [],
    expires_at: typeof expires === "string" && expires !== "" ? expires.slice(0, 10) : null,
    revoked: false,
    active: true,
    ...(t.owner ? { user_id: t.owner.id } : {}),
    created_at: t.created_at,
    last_used_at: t.last_used,
    token: t.token,
  };
}

// ---- CI/CD variables -----------------------------------------------------------------------------

/**
 * A CI/CD variable as GitLab returns it, from gitbeaker's VariableSchema where it matches. gitbeaker's
 * schema (the one ResourceVariables and GroupVariables return) lacks environment_scope, raw, hidden
 * and description, and types `value` as a string although GitLab sends `null` for a masked-and-hidden
 * variable.
 */
export type GitLabVariable = Pick<VariableSchema, "key" | "protected" | "masked"> & {
  value: string | null;
  variable_type: string;
  hidden?: boolean;
  raw: boolean;
  environment_scope: string;
  description?: string | null;
};

/** A variable gitbeaker returned, typed as GitLab's entity (see GitLabVariable); nothing is copied. */
export function gitlabVariable(v: VariableSchema): GitLabVariable {
  return v as GitLabVariable;
}

/**
 * The options of ResourceVariables.create (the type ProjectVariables and GroupVariables share) plus
 * `maskedAndHidden`: GitLab 17.4+ takes `masked_and_hidden` on create, for project and group
 * variables alike; gitbeaker declares it (spelt `masked_and_hidden`) on ProjectVariables.create only.
 */
export type CreateVariableOptions = Omit<
  NonNullable<Parameters<ResourceVariables<false>["create"]>[3]>,
  "showExpanded"
> & { maskedAndHidden?: boolean };

/** The options of ResourceVariables.edit, as gitbeaker declares them (`filter` keyed as GitLab's query). */
export type EditVariableOptions = Omit<
  NonNullable<Parameters<ResourceVariables<false>["edit"]>[3]>,
  "showExpanded"
>;

/**
 * The options of ResourceVariables.remove for one environment scope. gitbeaker types the scope as a
 * `filter` option, but its DELETE helper sends such an option in the JSON body; GitLab documents
 * `filter[environment_scope]` as a query parameter, and the client has always sent it there, through
 * `searchParams` — which gitbeaker's request helpers honour but its method types do not declare.
 */
export type RemoveVariableOptions = Omit<
  NonNullable<Parameters<ResourceVariables<false>["remove"]>[2]>,
  "showExpanded" | "filter"
> & { searchParams: { filter: VariableFilter } };
