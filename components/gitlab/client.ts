/**
 * The project's one GitLab client: a small, typed facade over @gitbeaker/rest for exactly the calls
 * the providers make. Auth, retries and errors live in ./requester; URL building and encoding of
 * every path parameter is gitbeaker's (`endpoint` template); project and group tokens share one
 * code path parametrised by kind.
 */
import {
  GroupAccessTokens,
  GroupVariables,
  Groups,
  PersonalAccessTokens,
  ProjectAccessTokens,
  ProjectVariables,
  Projects,
  Users,
} from "@gitbeaker/rest";
import { GitLabApiError, isNotFound } from "./errors";
import { createRequester, DEFAULT_RETRY_POLICY, type RetryPolicy } from "./requester";

export interface GitLabClientOptions {
  /** e.g. `https://gitlab.com` (no `/api/v4`). */
  baseUrl: string;
  /** The provisioning credential. Never logged, never part of an error. */
  token: string;
  retry?: Partial<RetryPolicy>;
  /** Runs before every request and may throw to stop it. */
  beforeRequest?: () => void;
}

/** A token as GitLab returns it (personal, project or group; `token` only on create/rotate). */
export interface GitLabToken {
  id: number;
  name: string;
  description?: string | null;
  revoked: boolean;
  active: boolean;
  scopes: string[];
  user_id: number;
  created_at: string;
  expires_at: string | null;
  access_level?: number;
  token?: string;
}

export interface GitLabVariable {
  key: string;
  value: string | null;
  variable_type: string;
  protected: boolean;
  masked: boolean;
  hidden?: boolean;
  raw: boolean;
  environment_scope: string;
  description?: string | null;
}

export type ResourceKind = "project" | "group";

export interface CreateTokenParams {
  name: string;
  scopes: string[];
  /** `YYYY-MM-DD`. */
  expiresAt: string;
  description?: string;
  /** GitLab's integer; project/group tokens only. */
  accessLevel?: number;
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

export class GitLabClient {
  private readonly projectTokens: InstanceType<typeof ProjectAccessTokens<false>>;
  private readonly groupTokens: InstanceType<typeof GroupAccessTokens<false>>;
  private readonly personalTokens: InstanceType<typeof PersonalAccessTokens<false>>;
  private readonly users: InstanceType<typeof Users<false>>;
  private readonly projects: InstanceType<typeof Projects<false>>;
  private readonly groups: InstanceType<typeof Groups<false>>;
  private readonly projectVariables: InstanceType<typeof ProjectVariables<false>>;
  private readonly groupVariables: InstanceType<typeof GroupVariables<false>>;

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
  }

  // ---- name resolution ------------------------------------------------------------------------

  async resolveProject(target: string | number): Promise<{ id: number; path: string }> {
    const p = (await this.projects.show(ref(target))) as unknown as {
      id: number;
      path_with_namespace: string;
    };
    return { id: p.id, path: p.path_with_namespace };
  }

  async resolveGroup(target: string | number): Promise<{ id: number; path: string }> {
    const g = (await this.groups.show(ref(target))) as unknown as { id: number; full_path: string };
    return { id: g.id, path: g.full_path };
  }

  /** A user by numeric id or username. */
  async resolveUser(
    target: string | number,
  ): Promise<{ id: number; username: string; bot: boolean; serviceAccount: boolean | undefined }> {
    type U = { id: number; username: string; bot?: boolean; user_type?: string };
    let u: U | undefined;
    if (typeof ref(target) === "number") {
      u = (await this.users.show(Number(target))) as unknown as U;
    } else {
      const found = (await this.users.all({ username: String(target) } as never)) as unknown as U[];
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
    return { id: u.id, username: u.username, bot: u.bot ?? false, serviceAccount };
  }

  // ---- project and group access tokens (one code path, parametrised by kind) ---------------------

  private resourceTokens(kind: ResourceKind) {
    const apis = { project: this.projectTokens, group: this.groupTokens } as const;
    return apis[kind];
  }

  async createResourceToken(
    kind: ResourceKind,
    targetId: number,
    p: CreateTokenParams,
  ): Promise<GitLabToken> {
    const options: Record<string, unknown> = {};
    if (p.accessLevel !== undefined) options.accessLevel = p.accessLevel;
    if (p.description) options.description = p.description;
    const t = await this.resourceTokens(kind).create(
      targetId,
      p.name,
      p.scopes as never,
      p.expiresAt,
      options as never,
    );
    return t as unknown as GitLabToken;
  }

  async listResourceTokens(kind: ResourceKind, targetId: number, search?: string): Promise<GitLabToken[]> {
    const opts = search ? { search } : {};
    return (await this.resourceTokens(kind).all(targetId, opts as never)) as unknown as GitLabToken[];
  }

  /** The token, or undefined when GitLab says it does not exist. */
  async getResourceToken(
    kind: ResourceKind,
    targetId: number,
    tokenId: number,
  ): Promise<GitLabToken | undefined> {
    return unlessNotFound(
      async () => (await this.resourceTokens(kind).show(targetId, tokenId)) as unknown as GitLabToken,
    );
  }

  /** Revokes; a token GitLab no longer knows counts as revoked. */
  async revokeResourceToken(kind: ResourceKind, targetId: number, tokenId: number): Promise<void> {
    await unlessNotFound(() => this.resourceTokens(kind).revoke(targetId, tokenId));
  }

  // ---- personal access tokens (users and service accounts; admin or group-owner credential) -------

  async createPersonalToken(userId: number, p: CreateTokenParams): Promise<GitLabToken> {
    const options: Record<string, unknown> = { expiresAt: p.expiresAt };
    if (p.description) options.description = p.description;
    const t = await this.personalTokens.create(userId, p.name, p.scopes as never, options as never);
    return t as unknown as GitLabToken;
  }

  async listPersonalTokens(userId: number, search?: string): Promise<GitLabToken[]> {
    const opts: Record<string, unknown> = { userId };
    if (search) opts.search = search;
    return (await this.personalTokens.all(opts as never)) as unknown as GitLabToken[];
  }

  async getPersonalToken(tokenId: number): Promise<GitLabToken | undefined> {
    return unlessNotFound(
      async () => (await this.personalTokens.show({ tokenId } as never)) as unknown as GitLabToken,
    );
  }

  async revokePersonalToken(tokenId: number): Promise<void> {
    await unlessNotFound(() => this.personalTokens.remove({ tokenId } as never));
  }

  // ---- CI/CD variables ------------------------------------------------------------------------------

  private variables(kind: ResourceKind) {
    const apis = { project: this.projectVariables, group: this.groupVariables } as const;
    return apis[kind];
  }

  async getVariable(
    kind: ResourceKind,
    target: string | number,
    key: string,
    environmentScope: string,
  ): Promise<GitLabVariable | undefined> {
    return unlessNotFound(
      async () =>
        (await this.variables(kind).show(ref(target), key, {
          filter: { environmentScope },
        } as never)) as unknown as GitLabVariable,
    );
  }

  async createVariable(
    kind: ResourceKind,
    target: string | number,
    key: string,
    p: VariableParams,
  ): Promise<GitLabVariable> {
    const options: Record<string, unknown> = {
      protected: p.protected,
      raw: p.raw,
      environmentScope: p.environmentScope,
      variableType: "env_var",
    };
    if (p.hidden) options.maskedAndHidden = true;
    else options.masked = p.masked;
    if (p.description) options.description = p.description;
    const v = await this.variables(kind).create(ref(target), key, p.value, options as never);
    return v as unknown as GitLabVariable;
  }

  async updateVariable(
    kind: ResourceKind,
    target: string | number,
    key: string,
    p: VariableParams,
  ): Promise<GitLabVariable> {
    const options: Record<string, unknown> = {
      protected: p.protected,
      raw: p.raw,
      environmentScope: p.environmentScope,
      filter: { environmentScope: p.environmentScope },
    };
    if (!p.hidden) options.masked = p.masked;
    if (p.description !== undefined) options.description = p.description;
    const v = await this.variables(kind).edit(ref(target), key, p.value, options as never);
    return v as unknown as GitLabVariable;
  }

  /** Deletes; a variable GitLab no longer has counts as deleted. */
  async deleteVariable(kind: ResourceKind, target: string | number, key: string, environmentScope: string) {
    await unlessNotFound(() =>
      this.variables(kind).remove(ref(target), key, {
        searchParams: { filter: { environmentScope } },
      } as never),
    );
  }
}
