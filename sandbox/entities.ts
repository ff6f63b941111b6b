/**
 * GitLab's JSON shapes (Grape entities) for what the sandbox serves (spec §10). Timestamps are ISO 8601
 * with milliseconds; `expires_at` is a date.
 */
import type {
  DeployToken,
  GranularScope,
  Group,
  Model,
  Project,
  Token,
  Trigger,
  User,
  Variable,
} from "./model";

/** `PersonalAccessToken` (newest key order; adds `expired` and `granular`). */
export function tokenEntity(model: Model, t: Token): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    active: model.isActive(t),
    revoked: t.revoked,
    expired: model.isExpired(t),
    granular: t.granular === true,
    created_at: t.createdAt,
    description: t.description,
    scopes: t.scopes,
    user_id: t.userId,
    last_used_at: t.lastUsedAt,
    expires_at: t.expiresAt,
  };
}

/** `PersonalAccessTokenWithLastUsedIps`. */
export function tokenWithIpsEntity(model: Model, t: Token): Record<string, unknown> {
  return { ...tokenEntity(model, t), last_used_ips: t.lastUsedIps };
}

/**
 * `PersonalAccessTokenGranularScope` (lib/api/entities/personal_access_token_granular_scope.rb):
 * `project_id` only for a project's namespace, `group_id` only for a group's, both null otherwise
 * (a `personal_projects` scope's user namespace, and the scopes without a namespace).
 */
export function granularScopeEntity(s: GranularScope): Record<string, unknown> {
  return {
    access: s.access,
    permissions: s.permissions,
    project_id: s.namespace?.type === "project" ? s.namespace.id : null,
    group_id: s.namespace?.type === "group" ? s.namespace.id : null,
  };
}

/**
 * `expose :granular_scopes, if: token.granular? && options[:with_granular_scopes]`: a granular
 * token's scopes, where the route presents it `with_granular_scopes: true` (lists, get by id, rotate
 * by id); other tokens never get the key.
 */
export function withGranularScopes(entity: Record<string, unknown>, t: Token): Record<string, unknown> {
  if (!t.granular) return entity;
  return { ...entity, granular_scopes: (t.granularScopes ?? []).map(granularScopeEntity) };
}

/** `...WithToken`: only in create and rotate responses. */
export function withToken(entity: Record<string, unknown>, value: string): Record<string, unknown> {
  return { ...entity, token: value };
}

/** `ResourceAccessToken`: the base entity with the bot's `access_level`, `resource_type`, `resource_id`. */
export function resourceTokenEntity(model: Model, t: Token): Record<string, unknown> {
  const bot = model.user(t.userId);
  return {
    ...tokenEntity(model, t),
    access_level: bot ? model.botAccessLevel(bot) : 0,
    resource_type: bot?.botResource?.type ?? null,
    resource_id: bot?.botResource?.id ?? null,
  };
}

function webUrl(base: string, path: string): string {
  return `${base}/${path}`;
}

/** `UserBasic`. */
export function userBasicEntity(base: string, u: User): Record<string, unknown> {
  return {
    id: u.id,
    username: u.username,
    name: u.name,
    state: u.state,
    locked: false,
    avatar_url: null,
    web_url: webUrl(base, u.username),
  };
}

/**
 * `User`, with `UserPublic` fields (`email`, `commit_email`, ...) and `is_admin` for admins, and the
 * `UserPublic` fields for the user themself where GitLab presents `UserPublic` (`self`: `GET /user`).
 * gitlabhq `lib/api/users.rb`: `GET /user` presents `UserWithAdmin` to an administrator and
 * `UserPublic` to anyone else; `GET /users/:id` presents `UserDetailsWithAdmin` to an administrator
 * and `Entities::User` — no e-mail but `public_email`, even about oneself — to anyone else.
 * `commit_email` is `commit_email_or_default` (`lib/api/entities/user_public.rb`): the user's commit
 * e-mail, else their primary e-mail (a bot's `<username>@noreply.<host>`).
 */
export function userEntity(
  base: string,
  u: User,
  viewer: User | null,
  opts: { self?: boolean } = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ...userBasicEntity(base, u),
    created_at: u.createdAt,
    bio: "",
    location: "",
    public_email: null,
    website_url: "",
    organization: "",
    job_title: "",
    bot: u.kind === "project_bot" || u.kind === "service_account",
  };
  if (viewer && (viewer.admin || (opts.self === true && viewer.id === u.id))) {
    out.email = u.email;
    out.commit_email = u.email;
    out.external = false;
    out.private_profile = false;
    out.two_factor_enabled = false;
    out.can_create_group = u.kind === "human";
    out.can_create_project = u.kind === "human";
  }
  if (viewer?.admin) out.is_admin = u.admin;
  return out;
}

/** The entity of `POST/GET /service_accounts` and the group variant. */
export function serviceAccountEntity(u: User): Record<string, unknown> {
  return { id: u.id, username: u.username, name: u.name, email: u.email };
}

export function groupEntity(base: string, model: Model, g: Group): Record<string, unknown> {
  const fullPath = model.groupFullPath(g);
  return {
    id: g.id,
    web_url: webUrl(base, `groups/${fullPath}`),
    name: g.name,
    path: g.path,
    description: g.description,
    visibility: g.visibility,
    full_name: model.groupFullName(g),
    full_path: fullPath,
    created_at: g.createdAt,
    parent_id: g.parentId,
    avatar_url: null,
  };
}

export function projectEntity(base: string, model: Model, p: Project): Record<string, unknown> {
  const ns = model.projectNamespace(p);
  const fullPath = model.projectFullPath(p);
  return {
    id: p.id,
    description: p.description,
    name: p.name,
    name_with_namespace: model.projectFullName(p),
    path: p.path,
    path_with_namespace: fullPath,
    created_at: p.createdAt,
    default_branch: "main",
    tag_list: [],
    topics: [],
    ssh_url_to_repo: `git@${new URL(base).hostname}:${fullPath}.git`,
    http_url_to_repo: `${base}/${fullPath}.git`,
    web_url: webUrl(base, fullPath),
    readme_url: null,
    avatar_url: null,
    forks_count: 0,
    star_count: 0,
    last_activity_at: p.createdAt,
    namespace: {
      id: ns.id,
      name: ns.name,
      path: ns.path,
      kind: "group",
      full_path: model.groupFullPath(ns),
      parent_id: ns.parentId,
      avatar_url: null,
      web_url: webUrl(base, `groups/${model.groupFullPath(ns)}`),
    },
    visibility: p.visibility,
    archived: false,
    empty_repo: true,
  };
}

/** `Ci::Variable`: a hidden variable's value is never shown. */
export function variableEntity(v: Variable): Record<string, unknown> {
  return {
    variable_type: v.variableType,
    key: v.key,
    value: v.hidden ? null : v.value,
    hidden: v.hidden,
    protected: v.protected,
    masked: v.masked,
    raw: v.raw,
    environment_scope: v.environmentScope,
    description: v.description,
  };
}

/**
 * `API::Entities::DeployToken` (lib/api/entities/deploy_token.rb): no description, no user, no
 * creation time; `expires_at` a DateTime (null for none), `expired` as `DeployToken#expired?`.
 */
export function deployTokenEntity(model: Model, t: DeployToken): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    username: model.deployTokenUsername(t),
    expires_at: t.expiresAt === null ? null : new Date(t.expiresAt).toISOString(),
    scopes: t.scopes,
    revoked: t.revoked,
    expired: model.isDeployTokenExpired(t),
  };
}

/**
 * `Trigger` (lib/api/entities/trigger.rb) as `TriggerPresenter` shows it: the value in full only to
 * its owner, otherwise its first four characters after the `glptt-` prefix (`short_token`).
 * `expires_at` exists only on a GitLab with trigger expiry (17.x+); an older one never sends it.
 */
export function triggerEntity(
  base: string,
  model: Model,
  t: Trigger,
  viewer: User | null,
): Record<string, unknown> {
  const owner = model.user(t.ownerId);
  const out: Record<string, unknown> = {
    id: t.id,
    token: viewer?.id === t.ownerId ? t.value : t.value.replace(/^glptt-/, "").slice(0, 4),
    description: t.description,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
    last_used: null,
  };
  if (model.triggerExpirySupported()) out.expires_at = t.expiresAt;
  out.owner = owner ? userBasicEntity(base, owner) : null;
  return out;
}
