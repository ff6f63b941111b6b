/**
 * The project's one GitLab client: a small, typed facade over @gitbeaker/rest for exactly the calls
 * the providers make. Auth, retries and errors live in ./requester; URL building and encoding of
 * every path parameter is gitbeaker's (`endpoint` template); project and group tokens share one
 * code path parametrised by kind. The calls are typed by gitbeaker's own types; where those differ
 * from GitLab's API, the adapters in ./gitbeaker-types say how.
 */
import {
  DeployTokens,
  GroupAccessTokens,
  GroupVariables,
  Groups,
  PersonalAccessTokens,
  PipelineTriggerTokens,
  ProjectAccessTokens,
  ProjectVariables,
  Projects,
  type AllPersonalAccessTokenOptions,
  type ResourceAccessTokens,
  type ResourceVariables,
  type SimpleUserSchema,
  Users,
} from "@gitbeaker/rest";
import { BaseResource, type FormattedResponse } from "@gitbeaker/requester-utils";
import { GitLabApiError, isNotFound } from "./errors";
import {
  type CreateVariableOptions,
  type EditVariableOptions,
  type GitLabDeployToken,
  deployTokenScopes,
  gitlabDeployToken,
  type GitLabToken,
  type GitLabVariable,
  gitlabToken,
  gitlabVariable,
  type PersonalTokenCreateOptions,
  type RemoveVariableOptions,
  type ResourceTokenCreateOptions,
  type ResourceTokenListOptions,
  resourceTokenScopes,
  type TriggerCreateOptions,
  triggerToken,
} from "./gitbeaker-types";
import { createRequester, DEFAULT_RETRY_POLICY, type RetryPolicy } from "./requester";

/** GitLab's Owner access level (`Gitlab::Access::OWNER`, §6). */
const OWNER_ACCESS = 50;
/** GitLab's largest page (§1.3). */
const PER_PAGE = 100;

export interface GitLabClientOptions {
  /** e.g. `https://gitlab.com` (no `/api/v4`). */
  baseUrl: string;
  /** The provisioning credential. Never logged, never part of an error. */
  token: string;
  retry?: Partial<RetryPolicy>;
  /** Runs before every request and may throw to stop it. */
  beforeRequest?: () => void;
}

export type { GitLabDeployToken, GitLabToken, GitLabVariable };

export type ResourceKind = "project" | "group";

export interface CreateTokenParams {
  name: string;
  scopes: string[];
  /** `YYYY-MM-DD`. */
  expiresAt: string;
  description?: string;
  /** GitLab's integer; project/group tokens only. */
  accessLevel?: number;
  /** Deploy tokens only: the username (GitLab's default `gitlab+deploy-token-<id>` when absent). */
  username?: string;
  /**
   * Personal tokens only: a fine-grained token's granular scopes, sent instead of `scopes`
   * (GitLab takes exactly one; `POST /users/:id/personal_access_tokens`, GitLab 19.6+).
   */
  granularScopes?: GranularScopeParams[];
}

/** One granular scope as GitLab's create routes take it (`granular_scopes[]`). */
export interface GranularScopeParams {
  access: string;
  permissions: string[];
  /** `selected_memberships` only. */
  projectIds?: number[];
  groupIds?: number[];
}

export interface VariableParams {
  value: string;
  protected: boolean;
  masked: boolean;
  /** `masked_and_hidden` on create (GitLab 17.4+); cannot be changed afterwards. */
  hidden: boolean;
  raw: boolean;
  environmentScope: string;
  description?: string;
}

/** The call's result, or undefined when GitLab answers 404 (the thing does not exist, or no longer). */
async function unlessNotFound<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** Numeric ids pass as they are; paths are encoded by gitbeaker's endpoint template. */
function ref(target: string | number): string | number {
  return typeof target === "number" || /^\d+$/.test(target) ? Number(target) : target;
}

/** A path below /api/v4 with every parameter encoded (the job gitbeaker's `endpoint` template does). */
function apiPath(parts: TemplateStringsArray, ...values: (string | number)[]): string {
  return values.reduce<string>((out, v, i) => out + encodeURIComponent(String(v)) + parts[i + 1], parts[0]!);
}

/**
 * The namespace that owns a service account and whose routes manage its tokens (§4): a top-level
 * group (`/groups/:id/service_accounts/…`, its Owners; `ee/lib/api/group_service_accounts.rb`) or
 * a project (`/projects/:id/service_accounts/…`, its Maintainers and Owners, GitLab 18.11+;
 * `ee/lib/api/project_service_accounts.rb`). Both serve the same routes with the same shapes.
 */
export interface ServiceAccountOwner {
  type: "group" | "project";
  /** The group's or project's numeric id. */
  id: number;
}

/**
 * A 404 from a service-account route that says the account, its namespace or the token is gone
 * (`404 User Not Found`, `404 Project Not Found`, `404 Personal Access Token Not Found`, …). A bare
 * `404 Not Found` is not one: GitLab sends it for a route it does not have (before 18.11) or has
 * switched off (project service accounts behind the feature flag
 * `allow_projects_to_create_service_accounts`), where the token may well still be alive.
 */
function isGone(e: unknown): boolean {
  return isNotFound(e) && (e as GitLabApiError).gitlabMessage.trim() !== "404 Not Found";
}

/** The call's result, or undefined when the service-account route says what it acts on is gone. */
async function unlessGone<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (e) {
    if (isGone(e)) return undefined;
    throw e;
  }
}

/**
 * GitLab's group and project service-account endpoints (§4): a namespace's accounts and their
 * personal access tokens, which an Owner of the group (a Maintainer or Owner of the project) may
 * manage — no administrator needed. They go through gitbeaker's requester (so through
 * ./requester's retries and errors) rather than its `GroupServiceAccounts`: in gitbeaker 43.8 that
 * class posts a token to `groups/:id/service_accounts/:user_id` (without `/personal_access_tokens`,
 * a path GitLab does not have), takes no name or scopes, and cannot list or revoke; gitbeaker has no
 * project service accounts at all.
 */
class ServiceAccountApi extends BaseResource<false> {
  /** Every page of a list (`X-Next-Page` empty on the last, §1.3). */
  private async all<T>(path: string, query: Record<string, unknown> = {}): Promise<T[]> {
    const out: T[] = [];
    for (let page: string | undefined = "1"; page;) {
      const r: FormattedResponse<Record<string, unknown>[]> = await this.requester.get(path, {
        searchParams: { ...query, per_page: PER_PAGE, page },
      });
      out.push(...(r.body as T[]));
      page = r.headers["x-next-page"] || undefined;
    }
    return out;
  }

  /** `groups/:id/service_accounts` or `projects/:id/service_accounts`, the id encoded. */
  private base(owner: ServiceAccountOwner): string {
    return owner.type === "group"
      ? apiPath`groups/${owner.id}/service_accounts`
      : apiPath`projects/${owner.id}/service_accounts`;
  }

  private tokensPath(owner: ServiceAccountOwner, userId: number): string {
    return `${this.base(owner)}${apiPath`/${userId}/personal_access_tokens`}`;
  }

  accounts(owner: ServiceAccountOwner): Promise<{ id: number; username: string }[]> {
    return this.all(this.base(owner));
  }

  tokens(owner: ServiceAccountOwner, userId: number, search?: string): Promise<GitLabToken[]> {
    return this.all(this.tokensPath(owner, userId), search ? { search } : {});
  }

  async createToken(owner: ServiceAccountOwner, userId: number, p: CreateTokenParams): Promise<GitLabToken> {
    const body: Record<string, unknown> = { name: p.name, scopes: p.scopes, expires_at: p.expiresAt };
    if (p.description) body.description = p.description;
    const r = await this.requester.post<Record<string, unknown>>(this.tokensPath(owner, userId), { body });
    return r.body as unknown as GitLabToken;
  }

  async revokeToken(owner: ServiceAccountOwner, userId: number, tokenId: number): Promise<void> {
    await this.requester.delete(`${this.tokensPath(owner, userId)}${apiPath`/${tokenId}`}`);
  }
}

/**
 * Fine-grained personal access tokens (`POST /users/:id/personal_access_tokens` with
 * `granular_scopes` and no `scopes`, GitLab 19.6+), through gitbeaker's requester (so through
 * ./requester's retries and errors): gitbeaker 43.8's `PersonalAccessTokens.create` always sends
 * `scopes`, which GitLab refuses beside `granular_scopes` (`exactly_one_of`).
 */
class GranularTokenApi extends BaseResource<false> {
  async create(userId: number, p: CreateTokenParams): Promise<GitLabToken> {
    const body: Record<string, unknown> = {
      name: p.name,
      expires_at: p.expiresAt,
      granular_scopes: (p.granularScopes ?? []).map((g) => ({
        access: g.access,
        permissions: g.permissions,
        ...(g.projectIds === undefined ? {} : { project_ids: g.projectIds }),
        ...(g.groupIds === undefined ? {} : { group_ids: g.groupIds }),
      })),
    };
    if (p.description) body.description = p.description;
    const r = await this.requester.post<Record<string, unknown>>(
      apiPath`users/${userId}/personal_access_tokens`,
      {
        body,
      },
    );
    return r.body as unknown as GitLabToken;
  }
}

export class GitLabClient {
  private readonly projectTokens: InstanceType<typeof ProjectAccessTokens<false>>;
  private readonly groupTokens: InstanceType<typeof GroupAccessTokens<false>>;
  private readonly personalTokens: InstanceType<typeof PersonalAccessTokens<false>>;
  private readonly users: InstanceType<typeof Users<false>>;
  private readonly projects: InstanceType<typeof Projects<false>>;
  private readonly groups: InstanceType<typeof Groups<false>>;
  private readonly projectVariables: InstanceType<typeof ProjectVariables<false>>;
  private readonly groupVariables: InstanceType<typeof GroupVariables<false>>;
  private readonly serviceAccounts: ServiceAccountApi;
  private readonly granularTokens: GranularTokenApi;
  private readonly deployTokens: InstanceType<typeof DeployTokens<false>>;
  private readonly triggers: InstanceType<typeof PipelineTriggerTokens<false>>;

  constructor(opts: GitLabClientOptions) {
    if (!opts.token) throw new Error("GitLab client: no credential given");
    const common = {
      host: opts.baseUrl.replace(/\/+$/, ""),
      token: opts.token,
      queryTimeout: null,
      requesterFn: createRequester({ ...DEFAULT_RETRY_POLICY, ...opts.retry }, opts.beforeRequest),
    };
    this.projectTokens = new ProjectAccessTokens(common);
    this.groupTokens = new GroupAccessTokens(common);
    this.personalTokens = new PersonalAccessTokens(common);
    this.users = new Users(common);
    this.projects = new Projects(common);
    this.groups = new Groups(common);
    this.projectVariables = new ProjectVariables(common);
    this.groupVariables = new GroupVariables(common);
    this.serviceAccounts = new ServiceAccountApi(common);
    this.granularTokens = new GranularTokenApi(common);
    this.deployTokens = new DeployTokens(common);
    this.triggers = new PipelineTriggerTokens(common);
  }

  // ---- name resolution ------------------------------------------------------------------------

  async resolveProject(target: string | number): Promise<{ id: number; path: string }> {
    const p = await this.projects.show(ref(target));
    return { id: p.id, path: p.path_with_namespace };
  }

  async resolveGroup(target: string | number): Promise<{ id: number; path: string }> {
    const g = await this.groups.show(ref(target));
    return { id: g.id, path: g.full_path };
  }

  /** A user by numeric id or username. */
  async resolveUser(
    target: string | number,
  ): Promise<{ id: number; username: string; bot: boolean; serviceAccount: boolean | undefined }> {
    // gitbeaker's user schemas have no `user_type`, and the list's (SimpleUserSchema) no `bot`: both
    // are read from the entity's other fields, which gitbeaker types `unknown`, and narrowed here.
    let u: SimpleUserSchema | undefined;
    if (typeof ref(target) === "number") {
      u = await this.users.show(Number(target));
    } else {
      const found = await this.users.all({ username: String(target) });
      u = found.find((x) => x.username.toLowerCase() === String(target).toLowerCase());
      if (!u) {
        throw new GitLabApiError({
          method: "GET",
          path: "users",
          status: 404,
          gitlabMessage: `no user with username ${String(target)}`,
        });
      }
    }
    const serviceAccount = u.user_type === undefined ? undefined : u.user_type === "service_account";
    return { id: u.id, username: u.username, bot: typeof u.bot === "boolean" && u.bot, serviceAccount };
  }

  /**
   * The identity a token acts as — its user's username and, where GitLab shows it, commit e-mail —
   * with one `GET /users/:id` made with the provisioning credential (never with the token: a call
   * with it would set its `last_used_at`, which the audit reads to find unused tokens).
   * gitlabhq `lib/api/users.rb` (`get ":id"`) presents `Entities::UserDetailsWithAdmin` to a
   * credential that can read all resources (an administrator), which has `commit_email`
   * (`lib/api/entities/user_public.rb`: `commit_email_or_default`, the commit e-mail or else the
   * primary one — a bot's `<username>@noreply.<host>`), and `Entities::User` to anyone else
   * (`lib/api/entities/user.rb`: `public_email` only, empty for bots and service accounts): then
   * `commitEmail` is undefined.
   */
  async userIdentity(userId: number): Promise<{ username: string; commitEmail?: string }> {
    const u = (await this.users.show(userId)) as { username: string; commit_email?: unknown };
    return typeof u.commit_email === "string" && u.commit_email !== ""
      ? { username: u.username, commitEmail: u.commit_email }
      : { username: u.username };
  }

  /** The user the credential belongs to (`GET /user`), and whether GitLab says it is an administrator. */
  async currentUser(): Promise<{ id: number; username: string; admin: boolean }> {
    // `is_admin` is sent only to administrators (about themselves): absent means not one.
    const me = (await this.users.showCurrentUser()) as { id: number; username: string; is_admin?: unknown };
    return { id: me.id, username: me.username, admin: me.is_admin === true };
  }

  /**
   * The top-level group one of whose service accounts `userId` is, among the top-level groups the
   * credential owns; undefined when none of them has it. GitLab's user entity does not say which
   * group provisioned a service account, so this asks each owned top-level group for its service
   * accounts (`GET /groups?min_access_level=50&top_level_only=true`, then
   * `GET /groups/:id/service_accounts` per group, §4).
   */
  async serviceAccountGroupOf(userId: number): Promise<{ id: number; path: string } | undefined> {
    const owned = await this.groups.all({ minAccessLevel: OWNER_ACCESS, topLevelOnly: true });
    for (const g of owned) {
      const accounts = await this.serviceAccounts.accounts({ type: "group", id: g.id });
      if (accounts.some((a) => a.id === userId)) return { id: g.id, path: g.full_path };
    }
    return undefined;
  }

  // ---- project and group access tokens (one code path, parametrised by kind) ---------------------

  private resourceTokens(kind: ResourceKind): ResourceAccessTokens<false> {
    const apis = { project: this.projectTokens, group: this.groupTokens };
    return apis[kind];
  }

  async createResourceToken(
    kind: ResourceKind,
    targetId: number,
    p: CreateTokenParams,
  ): Promise<GitLabToken> {
    const options: ResourceTokenCreateOptions = {};
    if (p.accessLevel !== undefined) options.accessLevel = p.accessLevel;
    if (p.description) options.description = p.description;
    const scopes = resourceTokenScopes(p.scopes);
    return gitlabToken(
      await this.resourceTokens(kind).create(targetId, p.name, scopes, p.expiresAt, options),
    );
  }

  async listResourceTokens(kind: ResourceKind, targetId: number, search?: string): Promise<GitLabToken[]> {
    const opts: ResourceTokenListOptions = search ? { search } : {};
    return (await this.resourceTokens(kind).all(targetId, opts)).map(gitlabToken);
  }

  /** The token, or undefined when GitLab says it does not exist. */
  async getResourceToken(
    kind: ResourceKind,
    targetId: number,
    tokenId: number,
  ): Promise<GitLabToken | undefined> {
    return unlessNotFound(async () => gitlabToken(await this.resourceTokens(kind).show(targetId, tokenId)));
  }

  /** Revokes; a token GitLab no longer knows counts as revoked. */
  async revokeResourceToken(kind: ResourceKind, targetId: number, tokenId: number): Promise<void> {
    await unlessNotFound(() => this.resourceTokens(kind).revoke(targetId, tokenId));
  }

  // ---- personal access tokens (users and service accounts; admin or group-owner credential) -------

  async createPersonalToken(userId: number, p: CreateTokenParams): Promise<GitLabToken> {
    if (p.granularScopes !== undefined) return this.granularTokens.create(userId, p);
    const options: PersonalTokenCreateOptions = { expiresAt: p.expiresAt };
    if (p.description) options.description = p.description;
    return gitlabToken(await this.personalTokens.create(userId, p.name, p.scopes, options));
  }

  async listPersonalTokens(userId: number, search?: string): Promise<GitLabToken[]> {
    const opts: AllPersonalAccessTokenOptions = { userId };
    if (search) opts.search = search;
    return (await this.personalTokens.all(opts)).map(gitlabToken);
  }

  async getPersonalToken(tokenId: number): Promise<GitLabToken | undefined> {
    return unlessNotFound(async () => gitlabToken(await this.personalTokens.show({ tokenId })));
  }

  async revokePersonalToken(tokenId: number): Promise<void> {
    await unlessNotFound(() => this.personalTokens.remove({ tokenId }));
  }

  // ---- the credential itself ----------------------------------------------------------------------

  /** The credential's own token (`GET /personal_access_tokens/self`). */
  async selfToken(): Promise<GitLabToken> {
    return gitlabToken(await this.personalTokens.show());
  }

  /**
   * Rotates the credential itself (`POST /personal_access_tokens/self/rotate`, GitLab 17.9+, scope
   * `api` or `self_rotate`): GitLab revokes it at once and answers with its successor, value included.
   */
  async rotateSelf(expiresAt: string): Promise<GitLabToken> {
    return gitlabToken(await this.personalTokens.rotate("self", { expiresAt }));
  }

  // ---- personal access tokens of a group or project service account (its namespace's routes) ----

  /** `POST /{groups,projects}/:id/service_accounts/:user_id/personal_access_tokens` (§4). */
  async createServiceAccountToken(
    owner: ServiceAccountOwner,
    userId: number,
    p: CreateTokenParams,
  ): Promise<GitLabToken> {
    return this.serviceAccounts.createToken(owner, userId, p);
  }

  /** `GET /{groups,projects}/:id/service_accounts/:user_id/personal_access_tokens`, every page (§4: the §2 filters). */
  async listServiceAccountTokens(
    owner: ServiceAccountOwner,
    userId: number,
    search?: string,
  ): Promise<GitLabToken[]> {
    return this.serviceAccounts.tokens(owner, userId, search);
  }

  /**
   * The token, or undefined when GitLab says it, the account or the namespace is gone. These routes
   * have no `GET` of one token and `GET /personal_access_tokens/:id` is for the token's owner or an
   * administrator (§2), so it is found in the account's list. A bare `404 Not Found` (the routes
   * missing or switched off) is an error, not a gone token.
   */
  async getServiceAccountToken(
    owner: ServiceAccountOwner,
    userId: number,
    tokenId: number,
  ): Promise<GitLabToken | undefined> {
    const tokens = await unlessGone(() => this.serviceAccounts.tokens(owner, userId));
    return tokens?.find((t) => t.id === tokenId);
  }

  /**
   * `DELETE /{groups,projects}/:id/service_accounts/:user_id/personal_access_tokens/:token_id`; a
   * token GitLab says is gone (or whose account or namespace is) counts as revoked — a bare
   * `404 Not Found` does not: the routes are missing or switched off and the token may be alive.
   */
  async revokeServiceAccountToken(
    owner: ServiceAccountOwner,
    userId: number,
    tokenId: number,
  ): Promise<void> {
    await unlessGone(() => this.serviceAccounts.revokeToken(owner, userId, tokenId));
  }

  // ---- deploy tokens (a project's or a group's; gitlabhq lib/api/deploy_tokens.rb) ----------------

  /** Whose tokens: gitbeaker's DeployTokens takes the owner as `projectId` or `groupId`. */
  private static deployOwner(kind: ResourceKind, targetId: number) {
    return kind === "project" ? { projectId: targetId } : { groupId: targetId };
  }

  /**
   * `POST /projects|groups/:id/deploy_tokens`: Maintainer of the project, Owner of the group.
   * `expires_at` a date (GitLab's DateTime: 00:00 UTC of it); no description (GitLab has none).
   */
  async createDeployToken(
    kind: ResourceKind,
    targetId: number,
    p: Pick<CreateTokenParams, "name" | "scopes" | "expiresAt" | "username">,
  ): Promise<GitLabDeployToken> {
    const scopes = deployTokenScopes(p.scopes);
    const options = { expires_at: p.expiresAt, ...(p.username ? { username: p.username } : {}) };
    return gitlabDeployToken(
      kind === "project"
        ? await this.deployTokens.create(p.name, scopes, { projectId: targetId, ...options })
        : await this.deployTokens.create(p.name, scopes, { groupId: targetId, ...options }),
    );
  }

  /** `GET /projects|groups/:id/deploy_tokens`, every page (GitLab has no name search here). */
  async listDeployTokens(kind: ResourceKind, targetId: number): Promise<GitLabDeployToken[]> {
    return (await this.deployTokens.all(GitLabClient.deployOwner(kind, targetId))).map(gitlabDeployToken);
  }

  /** `GET /projects|groups/:id/deploy_tokens/:token_id`; undefined when GitLab does not know it. */
  async getDeployToken(
    kind: ResourceKind,
    targetId: number,
    tokenId: number,
  ): Promise<GitLabDeployToken | undefined> {
    return unlessNotFound(async () =>
      gitlabDeployToken(await this.deployTokens.show(tokenId, GitLabClient.deployOwner(kind, targetId))),
    );
  }

  /**
   * `DELETE /projects|groups/:id/deploy_tokens/:token_id`: GitLab destroys the token (no revoked
   * record remains); one it no longer knows counts as gone.
   */
  async revokeDeployToken(kind: ResourceKind, targetId: number, tokenId: number): Promise<void> {
    await unlessNotFound(() => this.deployTokens.remove(tokenId, GitLabClient.deployOwner(kind, targetId)));
  }

  // ---- pipeline trigger tokens (a project's; Maintainer) -------------------------------------------

  /**
   * `POST /projects/:id/triggers` with `description` and `expires_at` (the date: 00:00 UTC). A GitLab
   * without trigger expiry ignores `expires_at`: the result's `expires_at` is then null.
   */
  async createTriggerToken(
    projectId: number,
    p: { description: string; expiresAt: string },
  ): Promise<GitLabToken> {
    const options: TriggerCreateOptions = { expiresAt: p.expiresAt };
    return triggerToken(await this.triggers.create(projectId, p.description, options));
  }

  /** `GET /projects/:id/triggers`, every page. */
  async listTriggerTokens(projectId: number): Promise<GitLabToken[]> {
    return (await this.triggers.all(projectId)).map(triggerToken);
  }

  /** `GET /projects/:id/triggers/:trigger_id`, or undefined when GitLab does not know it (deleted). */
  async getTriggerToken(projectId: number, triggerId: number): Promise<GitLabToken | undefined> {
    return unlessNotFound(async () => triggerToken(await this.triggers.show(projectId, triggerId)));
  }

  /** `DELETE /projects/:id/triggers/:trigger_id`; a trigger GitLab no longer knows counts as deleted. */
  async deleteTriggerToken(projectId: number, triggerId: number): Promise<void> {
    await unlessNotFound(() => this.triggers.remove(projectId, triggerId));
  }

  // ---- CI/CD variables ------------------------------------------------------------------------------

  private variables(kind: ResourceKind): ResourceVariables<false> {
    const apis = { project: this.projectVariables, group: this.groupVariables };
    return apis[kind];
  }

  async getVariable(
    kind: ResourceKind,
    target: string | number,
    key: string,
    environmentScope: string,
  ): Promise<GitLabVariable | undefined> {
    return unlessNotFound(async () =>
      gitlabVariable(
        await this.variables(kind).show(ref(target), key, {
          filter: { environment_scope: environmentScope },
        }),
      ),
    );
  }

  async createVariable(
    kind: ResourceKind,
    target: string | number,
    key: string,
    p: VariableParams,
  ): Promise<GitLabVariable> {
    const options = variableOptions(p, "create");
    return gitlabVariable(await this.variables(kind).create(ref(target), key, p.value, options));
  }

  async updateVariable(
    kind: ResourceKind,
    target: string | number,
    key: string,
    p: VariableParams,
  ): Promise<GitLabVariable> {
    const options = variableOptions(p, "edit");
    return gitlabVariable(await this.variables(kind).edit(ref(target), key, p.value, options));
  }

  /** Deletes; a variable GitLab no longer has counts as deleted. */
  async deleteVariable(kind: ResourceKind, target: string | number, key: string, environmentScope: string) {
    const options: RemoveVariableOptions = {
      searchParams: { filter: { environment_scope: environmentScope } },
    };
    await unlessNotFound(() => this.variables(kind).remove(ref(target), key, options));
  }
}

/**
 * What a variable's create and edit send besides its key and value, in this order: the settings;
 * then `variable_type` (create) or the environment-scope filter that picks the variable to edit;
 * then masking — `masked_and_hidden` on create when hidden (GitLab 17.4+; it cannot be changed
 * afterwards, so edit sends no masking for a hidden variable), `masked` otherwise; then the
 * description — on create only when there is one, on edit whenever given ("" clears it).
 */
function variableOptions(p: VariableParams, op: "create"): CreateVariableOptions;
function variableOptions(p: VariableParams, op: "edit"): EditVariableOptions;
function variableOptions(
  p: VariableParams,
  op: "create" | "edit",
): CreateVariableOptions | EditVariableOptions {
  const create = op === "create";
  const withDescription = create ? Boolean(p.description) : p.description !== undefined;
  return {
    protected: p.protected,
    raw: p.raw,
    environmentScope: p.environmentScope,
    ...(create
      ? { variableType: "env_var" as const }
      : { filter: { environment_scope: p.environmentScope } }),
    ...(p.hidden ? (create ? { maskedAndHidden: true } : {}) : { masked: p.masked }),
    ...(withDescription ? { description: p.description } : {}),
  };
}
