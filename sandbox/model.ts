/**
 * The sandbox's GitLab: its state (users, groups, projects, memberships, tokens, CI/CD variables —
 * tokens of every kind in one table, as GitLab keeps them) and the rules that act on it (who may do
 * what, expiry, rotation, reuse detection). Plain JSON-able data, so it can be saved and restored.
 * Services throw `ModelError` (a model validation) and leave each endpoint to choose its status.
 */
import { Clock, addDays, startOfDay } from "./clock";
import { ModelError } from "./errors";
import { ASSIGNABLE_PERMISSIONS } from "./granular-permissions";
import {
  DEFAULT_MAX_LIFETIME_DAYS,
  DEPLOY_TOKEN_PREFIX,
  DEPLOY_TOKEN_SCOPES,
  GUEST,
  LAST_USED_AT_INTERVAL_MS,
  MAINTAINER,
  MAX_DESCRIPTION_LENGTH,
  MAX_LAST_USED_IPS,
  OWNER,
  ROTATION_DEFAULT_DAYS,
  digestToken,
  generateTokenValue,
  randomHex,
  TRIGGER_TOKEN_PREFIX,
  GRANULAR_SCOPE,
  type GranularAccess,
} from "./rules";

/** `Ci::Maskable::REGEX`: masked (expanded) values. */
const MASK_REGEX = /^[a-zA-Z0-9_+=/@:.~-]{8,}$/;
/** `Ci::Maskable::MASK_AND_RAW_REGEX`: masked raw values. */
const MASK_AND_RAW_REGEX = /^\S{8,}$/;

export type Visibility = "private" | "internal" | "public";
export type SourceType = "project" | "group";
/** `human` = a regular user or admin; `project_bot` = the bot behind a project or group access token. */
export type UserKind = "human" | "service_account" | "project_bot";

export interface User {
  id: number;
  username: string;
  name: string;
  email: string;
  admin: boolean;
  kind: UserKind;
  state: "active" | "blocked";
  createdAt: string;
  /** Group service accounts: the top-level group that owns the account. */
  provisionedByGroupId: number | null;
  /**
   * Project service accounts: the project that owns the account (absent in data files written
   * before project service accounts).
   */
  provisionedByProjectId?: number | null;
  /** Project and group bots: the resource the bot's token belongs to. */
  botResource: { type: SourceType; id: number } | null;
}

export interface Group {
  id: number;
  name: string;
  path: string;
  parentId: number | null;
  visibility: Visibility;
  description: string;
  createdAt: string;
}

export interface Project {
  id: number;
  name: string;
  path: string;
  /** The group the project lives in. */
  namespaceId: number;
  visibility: Visibility;
  description: string;
  createdAt: string;
}

export interface Member {
  sourceType: SourceType;
  sourceId: number;
  userId: number;
  accessLevel: number;
  createdAt: string;
}

/** A row of `personal_access_tokens`: personal, service-account, project and group tokens alike. */
export interface Token {
  id: number;
  userId: number;
  name: string;
  description: string | null;
  scopes: string[];
  createdAt: string;
  /** `YYYY-MM-DD`; the token stops working at 00:00 UTC that day. `null` = never expires. */
  expiresAt: string | null;
  revoked: boolean;
  lastUsedAt: string | null;
  lastUsedIps: string[];
  impersonation: boolean;
  previousTokenId: number | null;
  /** SHA-256 of the value; the value itself is never stored. */
  digest: string;
  /**
   * A fine-grained ("granular") personal access token (GitLab 19.2+): its `scopes` are
   * `["granular"]` and what it may do is in `granularScopes`. Absent (= false) on every other token,
   * and in data files written before granular tokens.
   */
  granular?: boolean;
  /** A granular token's scopes (`personal_access_token_granular_scopes`), in the order made. */
  granularScopes?: GranularScope[];
}

/**
 * One of a granular token's scopes (`Authz::GranularScope`): an access, the permissions it grants,
 * and the namespace it is bounded to — the user's own namespace (`personal_projects`), a project's
 * or a group's (`selected_memberships`, one scope per project or group), or none (`all_memberships`,
 * `user`, `instance`).
 */
export interface GranularScope {
  access: GranularAccess;
  permissions: string[];
  namespace: { type: "user" | "project" | "group"; id: number } | null;
}

/**
 * A granular token's scopes refused by `Authn::PersonalAccessTokens::CreateGranularService` or
 * `Authz::GranularScopeService` (not by the token's own model validations, which are `ModelError`s).
 */
export class GranularScopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GranularScopeError";
  }
}

/**
 * A row of `deploy_tokens` (GitLab's `DeployToken`): a project's or a group's token for Git, the
 * container registry and the package registry, with no user behind it (app/models/deploy_token.rb).
 */
export interface DeployToken {
  id: number;
  /** `deploy_token_type`: whose token it is (`project_type` or `group_type`). */
  sourceType: SourceType;
  sourceId: number;
  name: string;
  /** The username given at creation; `null` = GitLab's default, `gitlab+deploy-token-<id>`. */
  username: string | null;
  scopes: string[];
  /**
   * ISO timestamp (a `datetime` column: the API takes a DateTime, a date meaning its 00:00 UTC);
   * `null` = never expires (GitLab stores `Forever.date` and presents `null`).
   */
  expiresAt: string | null;
  revoked: boolean;
  createdAt: string;
  /** `creator_id`: the user who made it (kept for the credential inventory, not for access). */
  creatorId: number;
  /** SHA-256 of the value (`token_encrypted` in GitLab); the value itself is never stored. */
  digest: string;
}

/**
 * A pipeline trigger token (`ci_triggers`, app/models/ci/trigger.rb): a project's token that only
 * starts pipelines. GitLab keeps its value encrypted (reversibly: it shows it in full to its owner),
 * so the sandbox keeps the value too, unlike access tokens' digests.
 */
export interface Trigger {
  id: number;
  projectId: number;
  /** The user who created it (`owner`); only they see the value in full. */
  ownerId: number;
  description: string;
  /** `glptt-` + 40 hex characters. */
  value: string;
  createdAt: string;
  updatedAt: string;
  /** ISO time (GitLab's `expires_at` is a DateTime); `null` = never expires. */
  expiresAt: string | null;
}

export interface Variable {
  id: number;
  sourceType: SourceType;
  sourceId: number;
  key: string;
  value: string;
  variableType: "env_var" | "file";
  protected: boolean;
  masked: boolean;
  hidden: boolean;
  raw: boolean;
  environmentScope: string;
  description: string | null;
}

/** Instance settings that change token rules. */
export interface Settings {
  /** `require_personal_access_token_expiry` (default true). */
  requirePersonalAccessTokenExpiry: boolean;
  /** Maximum lifetime in days (default 365). */
  maxPersonalAccessTokenLifetimeDays: number;
  /** `service_access_tokens_expiration_enforced` (default true). */
  serviceAccessTokensExpirationEnforced: boolean;
  /**
   * Feature flag `allow_projects_to_create_service_accounts` (default true; absent in data files
   * written before it = on): when off, every `/projects/:id/service_accounts` route is 404, as in the
   * GitLab revisions that gate project service accounts behind it.
   */
  allowProjectsToCreateServiceAccounts?: boolean;
  /**
   * Whether pipeline trigger tokens take an `expires_at` (GitLab 17.x+, feature flag
   * `trigger_token_expiration`; default true). False plays an older GitLab: `expires_at` is ignored
   * on create and never returned. Absent in data files written before it: true.
   */
  triggerTokenExpiration?: boolean;
  /**
   * Fine-grained personal access tokens (GitLab 19.2+, feature flag `granular_personal_access_tokens`;
   * default true). False plays a GitLab without them: a create with `granular_scopes` answers 404.
   * Absent in data files written before it: true.
   */
  granularPersonalAccessTokens?: boolean;
}

export const DEFAULT_SETTINGS: Settings = {
  requirePersonalAccessTokenExpiry: true,
  maxPersonalAccessTokenLifetimeDays: DEFAULT_MAX_LIFETIME_DAYS,
  serviceAccessTokensExpirationEnforced: true,
  allowProjectsToCreateServiceAccounts: true,
  triggerTokenExpiration: true,
  granularPersonalAccessTokens: true,
};

export interface State {
  version: 1;
  settings: Settings;
  nextId: {
    user: number;
    group: number;
    project: number;
    token: number;
    variable: number;
    /** Absent in data files written before deploy tokens: then 1. */
    deployToken?: number;
    /** Absent in data files written before trigger tokens: then 1. */
    trigger?: number;
  };
  users: User[];
  groups: Group[];
  projects: Project[];
  members: Member[];
  tokens: Token[];
  /** Absent in data files written before deploy tokens. */
  deployTokens?: DeployToken[];
  variables: Variable[];
  /** Pipeline trigger tokens; absent in data files written before them. */
  triggers?: Trigger[];
}

export function emptyState(settings: Partial<Settings> = {}): State {
  return {
    version: 1,
    settings: { ...DEFAULT_SETTINGS, ...settings },
    nextId: { user: 1, group: 1, project: 1, token: 1, variable: 1, deployToken: 1, trigger: 1 },
    users: [],
    groups: [],
    projects: [],
    members: [],
    tokens: [],
    deployTokens: [],
    variables: [],
    triggers: [],
  };
}

export type Source = { type: "project"; entity: Project } | { type: "group"; entity: Group };

export type TokenStatus = "active" | "expired" | "revoked" | "unknown";

export interface NewToken {
  token: Token;
  /** The plaintext, returned once. */
  value: string;
}

export interface TokenParams {
  name: string | null | undefined;
  description?: string | null;
  scopes: string[];
  expiresAt?: string | null;
}

export class Model {
  /** Set by every change; the server persists and clears it. */
  dirty = false;
  private readonly tokensByDigest = new Map<string, Token>();

  constructor(
    readonly state: State,
    readonly clock: Clock,
    /** Host used in e-mail addresses of bots and service accounts. */
    public host = "127.0.0.1",
  ) {
    for (const t of state.tokens) this.tokensByDigest.set(t.digest, t);
  }

  get settings(): Settings {
    return this.state.settings;
  }

  private nowIso(): string {
    return this.clock.now().toISOString();
  }

  private touch(): void {
    this.dirty = true;
  }

  // ---------------------------------------------------------------- users

  user(id: number): User | undefined {
    return this.state.users.find((u) => u.id === id);
  }

  userByUsername(username: string): User | undefined {
    const lower = username.toLowerCase();
    return this.state.users.find((u) => u.username.toLowerCase() === lower);
  }

  createUser(input: {
    username: string;
    name: string;
    email?: string;
    admin?: boolean;
    kind?: UserKind;
    provisionedByGroupId?: number | null;
    provisionedByProjectId?: number | null;
    botResource?: User["botResource"];
    id?: number;
  }): User {
    const errors: string[] = [];
    if (!input.name) errors.push("Name can't be blank");
    if (!input.username) errors.push("Username can't be blank");
    else if (this.userByUsername(input.username)) errors.push("Username has already been taken");
    const email = input.email ?? `${input.username}@noreply.${this.host}`;
    if (this.state.users.some((u) => u.email.toLowerCase() === email.toLowerCase())) {
      errors.push("Email has already been taken");
    }
    if (errors.length > 0) throw new ModelError(errors);
    const id = input.id ?? this.state.nextId.user;
    this.state.nextId.user = Math.max(this.state.nextId.user, id + 1);
    const user: User = {
      id,
      username: input.username,
      name: input.name,
      email,
      admin: input.admin ?? false,
      kind: input.kind ?? "human",
      state: "active",
      createdAt: this.nowIso(),
      provisionedByGroupId: input.provisionedByGroupId ?? null,
      provisionedByProjectId: input.provisionedByProjectId ?? null,
      botResource: input.botResource ?? null,
    };
    this.state.users.push(user);
    this.touch();
    return user;
  }

  updateUser(user: User, changes: { name?: string; username?: string; email?: string }): void {
    const errors: string[] = [];
    if (changes.username !== undefined && changes.username !== user.username) {
      const other = this.userByUsername(changes.username);
      if (other && other.id !== user.id) errors.push("Username has already been taken");
    }
    if (changes.email !== undefined) {
      const lower = changes.email.toLowerCase();
      if (this.state.users.some((u) => u.id !== user.id && u.email.toLowerCase() === lower)) {
        errors.push("Email has already been taken");
      }
    }
    if (changes.name !== undefined && changes.name === "") errors.push("Name can't be blank");
    if (errors.length > 0) throw new ModelError(errors);
    if (changes.name !== undefined) user.name = changes.name;
    if (changes.username !== undefined) user.username = changes.username;
    if (changes.email !== undefined) user.email = changes.email;
    this.touch();
  }

  /** Delete a user with their memberships and tokens (a deleted user's tokens are simply gone). */
  deleteUser(user: User): void {
    this.state.users = this.state.users.filter((u) => u.id !== user.id);
    this.state.members = this.state.members.filter((m) => m.userId !== user.id);
    for (const t of this.state.tokens.filter((t) => t.userId === user.id))
      this.tokensByDigest.delete(t.digest);
    this.state.tokens = this.state.tokens.filter((t) => t.userId !== user.id);
    this.touch();
  }

  isServiceAccount(user: User): boolean {
    return user.kind === "service_account";
  }

  isBot(user: User): boolean {
    return user.kind === "project_bot";
  }

  // --------------------------------------------------------- groups/projects

  group(id: number): Group | undefined {
    return this.state.groups.find((g) => g.id === id);
  }

  groupFullPath(g: Group): string {
    const parent = g.parentId !== null ? this.group(g.parentId) : undefined;
    return parent ? `${this.groupFullPath(parent)}/${g.path}` : g.path;
  }

  groupFullName(g: Group): string {
    const parent = g.parentId !== null ? this.group(g.parentId) : undefined;
    return parent ? `${this.groupFullName(parent)} / ${g.name}` : g.name;
  }

  /** The group and its ancestors, nearest first. */
  groupChain(g: Group): Group[] {
    const chain: Group[] = [];
    let current: Group | undefined = g;
    while (current) {
      chain.push(current);
      current = current.parentId !== null ? this.group(current.parentId) : undefined;
    }
    return chain;
  }

  topLevelGroup(g: Group): Group {
    const chain = this.groupChain(g);
    return chain[chain.length - 1] ?? g;
  }

  /** By numeric id or full path (case-insensitive), as GitLab resolves `:id`. */
  findGroup(idOrPath: string | number): Group | undefined {
    const s = String(idOrPath);
    if (/^\d+$/.test(s)) return this.group(Number(s));
    const lower = s.toLowerCase();
    return this.state.groups.find((g) => this.groupFullPath(g).toLowerCase() === lower);
  }

  project(id: number): Project | undefined {
    return this.state.projects.find((p) => p.id === id);
  }

  projectNamespace(p: Project): Group {
    const g = this.group(p.namespaceId);
    if (!g) throw new Error(`project ${p.id} has no namespace ${p.namespaceId}`);
    return g;
  }

  projectFullPath(p: Project): string {
    return `${this.groupFullPath(this.projectNamespace(p))}/${p.path}`;
  }

  projectFullName(p: Project): string {
    return `${this.groupFullName(this.projectNamespace(p))} / ${p.name}`;
  }

  findProject(idOrPath: string | number): Project | undefined {
    const s = String(idOrPath);
    if (/^\d+$/.test(s)) return this.project(Number(s));
    const lower = s.toLowerCase();
    return this.state.projects.find((p) => this.projectFullPath(p).toLowerCase() === lower);
  }

  createGroup(input: {
    name: string;
    path: string;
    parentId?: number | null;
    visibility?: Visibility;
    description?: string;
    id?: number;
  }): Group {
    const id = input.id ?? this.state.nextId.group;
    this.state.nextId.group = Math.max(this.state.nextId.group, id + 1);
    const g: Group = {
      id,
      name: input.name,
      path: input.path,
      parentId: input.parentId ?? null,
      visibility: input.visibility ?? "private",
      description: input.description ?? "",
      createdAt: this.nowIso(),
    };
    this.state.groups.push(g);
    this.touch();
    return g;
  }

  createProject(input: {
    name: string;
    path: string;
    namespaceId: number;
    visibility?: Visibility;
    description?: string;
    id?: number;
  }): Project {
    const id = input.id ?? this.state.nextId.project;
    this.state.nextId.project = Math.max(this.state.nextId.project, id + 1);
    const p: Project = {
      id,
      name: input.name,
      path: input.path,
      namespaceId: input.namespaceId,
      visibility: input.visibility ?? "private",
      description: input.description ?? "",
      createdAt: this.nowIso(),
    };
    this.state.projects.push(p);
    this.touch();
    return p;
  }

  // ----------------------------------------------------------- memberships

  addMember(source: Source, user: User, accessLevel: number): Member {
    const existing = this.state.members.find(
      (m) => m.sourceType === source.type && m.sourceId === source.entity.id && m.userId === user.id,
    );
    if (existing) {
      existing.accessLevel = accessLevel;
      this.touch();
      return existing;
    }
    const m: Member = {
      sourceType: source.type,
      sourceId: source.entity.id,
      userId: user.id,
      accessLevel,
      createdAt: this.nowIso(),
    };
    this.state.members.push(m);
    this.touch();
    return m;
  }

  directMembership(type: SourceType, sourceId: number, userId: number): Member | undefined {
    return this.state.members.find(
      (m) => m.sourceType === type && m.sourceId === sourceId && m.userId === userId,
    );
  }

  /** The user's effective access level: direct membership or inherited from ancestor groups. */
  accessLevel(user: User | null, source: Source): number {
    if (!user) return 0;
    const groups =
      source.type === "group"
        ? this.groupChain(source.entity)
        : this.groupChain(this.projectNamespace(source.entity));
    let level = 0;
    if (source.type === "project") {
      level = this.directMembership("project", source.entity.id, user.id)?.accessLevel ?? 0;
    }
    for (const g of groups) {
      level = Math.max(level, this.directMembership("group", g.id, user.id)?.accessLevel ?? 0);
    }
    return level;
  }

  /** Members of a source with their effective levels (direct and inherited). */
  effectiveMembers(source: Source): { user: User; accessLevel: number; direct: boolean }[] {
    const out: { user: User; accessLevel: number; direct: boolean }[] = [];
    for (const user of this.state.users) {
      const level = this.accessLevel(user, source);
      if (level > 0) {
        const direct = this.directMembership(source.type, source.entity.id, user.id) !== undefined;
        out.push({ user, accessLevel: level, direct });
      }
    }
    return out;
  }

  /** Whether the user can see the source at all (else GitLab answers 404). */
  canRead(user: User | null, source: Source): boolean {
    if (user?.admin) return true;
    const visibility = source.entity.visibility;
    if (visibility === "public") return true;
    if (visibility === "internal" && user && user.kind !== "project_bot") return true;
    if (!user) return false;
    if (source.type === "project") return this.accessLevel(user, source) >= GUEST;
    if (this.accessLevel(user, source) > 0) return true;
    // Members of a descendant group or of a project inside can see the group.
    return (
      this.state.groups.some(
        (g) =>
          g.id !== source.entity.id &&
          this.groupChain(g).some((a) => a.id === source.entity.id) &&
          this.accessLevel(user, { type: "group", entity: g }) > 0,
      ) ||
      this.state.projects.some(
        (p) =>
          this.groupChain(this.projectNamespace(p)).some((a) => a.id === source.entity.id) &&
          this.accessLevel(user, { type: "project", entity: p }) >= GUEST,
      )
    );
  }

  /** `admin_project` (Maintainer+) on projects, `admin_group` (Owner) on groups. */
  canAdminSource(user: User, source: Source): boolean {
    if (user.admin) return true;
    const needed = source.type === "project" ? MAINTAINER : OWNER;
    return this.accessLevel(user, source) >= needed;
  }

  /** `create/read/destroy/manage_resource_access_tokens`: admins of the source, never bots. */
  canManageResourceTokens(user: User, source: Source): boolean {
    if (this.isBot(user)) return false;
    return this.canAdminSource(user, source);
  }

  /**
   * `read_deploy_token`: a project's or a group's Maintainers (ProjectPolicy and GroupPolicy's
   * maintainer rules); creating and deleting them is canAdminSource (a group's: Owners only).
   */
  canReadDeployTokens(user: User, source: Source): boolean {
    return user.admin || this.accessLevel(user, source) >= MAINTAINER;
  }

  /** `admin_cicd_variables`: Maintainer on projects, Owner on groups. */
  canAdminVariables(user: User, source: Source): boolean {
    return this.canAdminSource(user, source);
  }

  /** `admin_service_accounts` on a group: instance admins and Owners of the top-level group. */
  canAdminGroupServiceAccounts(user: User, group: Group): boolean {
    if (user.admin) return true;
    return this.accessLevel(user, { type: "group", entity: group }) >= OWNER;
  }

  /**
   * `admin_service_accounts` on a project: instance admins, and the project's Maintainers and Owners
   * (`ee/lib/api/project_service_accounts.rb`: "Available only for project Owners or Maintainers,
   * and administrators").
   */
  canAdminProjectServiceAccounts(user: User, project: Project): boolean {
    if (user.admin) return true;
    return this.accessLevel(user, { type: "project", entity: project }) >= MAINTAINER;
  }

  // ---------------------------------------------------------------- tokens

  token(id: number): Token | undefined {
    return this.state.tokens.find((t) => t.id === id);
  }

  tokenByValue(value: string): Token | undefined {
    return this.tokensByDigest.get(digestToken(value));
  }

  isExpired(t: Token): boolean {
    return t.expiresAt !== null && startOfDay(t.expiresAt) <= this.clock.now().getTime();
  }

  isActive(t: Token): boolean {
    return !t.revoked && !this.isExpired(t);
  }

  /** What GitLab would answer if this value were used to authenticate (expired is checked before revoked). */
  tokenStatus(value: string): TokenStatus {
    const t = this.tokenByValue(value);
    if (!t) return "unknown";
    if (this.isExpired(t)) return "expired";
    if (t.revoked) return "revoked";
    return "active";
  }

  /** Record a use: `last_used_at` at most every 10 minutes, the last five IPs. */
  recordUse(t: Token, ip: string | undefined): void {
    const now = this.clock.now().getTime();
    if (t.lastUsedAt === null || now - Date.parse(t.lastUsedAt) >= LAST_USED_AT_INTERVAL_MS) {
      t.lastUsedAt = new Date(now).toISOString();
      this.touch();
    }
    if (ip && !t.lastUsedIps.includes(ip)) {
      t.lastUsedIps = [...t.lastUsedIps, ip].slice(-MAX_LAST_USED_IPS);
      this.touch();
    }
  }

  /** Whether this user's tokens must expire (service accounts follow their own setting). */
  expiryRequired(user: User): boolean {
    return this.isServiceAccount(user)
      ? this.settings.serviceAccessTokensExpirationEnforced
      : this.settings.requirePersonalAccessTokenExpiry;
  }

  /** The latest expiry date allowed today. */
  maxExpiryDate(): string {
    return addDays(this.clock.today(), this.settings.maxPersonalAccessTokenLifetimeDays);
  }

  /**
   * The expiry a new token gets: the requested date, checked against the maximum, or the default —
   * today + the maximum lifetime on create, tomorrow for `POST /user/personal_access_tokens`,
   * today + 7 days (capped at the maximum) on rotate; `null` when expiry is not required.
   */
  resolveExpiry(
    user: User,
    requested: string | null | undefined,
    mode: "create" | "rotate" | "tomorrow",
  ): string | null {
    const required = this.expiryRequired(user);
    const today = this.clock.today();
    if (requested === undefined || requested === null) {
      if (mode === "tomorrow") return addDays(today, 1);
      if (!required) return null;
      if (mode === "create") return this.maxExpiryDate();
      const week = addDays(today, ROTATION_DEFAULT_DAYS);
      return week < this.maxExpiryDate() ? week : this.maxExpiryDate();
    }
    return requested;
  }

  private validateToken(user: User, params: TokenParams, expiresAt: string | null): string[] {
    const errors: string[] = [];
    if (!params.name) errors.push("Name can't be blank");
    if (params.scopes.length === 0) errors.push("Scopes can't be blank");
    if (params.scopes.includes("sudo") && !user.admin)
      errors.push("Sudo can only be enabled for administrators");
    if (this.expiryRequired(user)) {
      if (expiresAt === null) errors.push("Expiration date can't be blank");
      else if (expiresAt > this.maxExpiryDate())
        errors.push(`Expiration date must be before ${this.maxExpiryDate()}`);
    }
    if ((params.description ?? "").length > MAX_DESCRIPTION_LENGTH) {
      errors.push(`Description is too long (maximum is ${MAX_DESCRIPTION_LENGTH} characters)`);
    }
    return errors;
  }

  /** Insert a token row (no validation). Seeds pass a known `value`. */
  insertToken(
    user: User,
    fields: {
      name: string;
      description?: string | null;
      scopes: string[];
      expiresAt: string | null;
      revoked?: boolean;
      previousTokenId?: number | null;
      value?: string;
      createdAt?: string;
      granularScopes?: GranularScope[];
    },
  ): NewToken {
    const value = fields.value ?? generateTokenValue();
    const digest = digestToken(value);
    if (this.tokensByDigest.has(digest)) throw new Error("token value already in use");
    const token: Token = {
      id: this.state.nextId.token++,
      userId: user.id,
      name: fields.name,
      description: fields.description ?? null,
      scopes: [...fields.scopes],
      createdAt: fields.createdAt ?? this.nowIso(),
      expiresAt: fields.expiresAt,
      revoked: fields.revoked ?? false,
      lastUsedAt: null,
      lastUsedIps: [],
      impersonation: false,
      previousTokenId: fields.previousTokenId ?? null,
      digest,
    };
    if (fields.granularScopes) {
      token.granular = true;
      token.granularScopes = fields.granularScopes.map((g) => ({ ...g, permissions: [...g.permissions] }));
    }
    this.state.tokens.push(token);
    this.tokensByDigest.set(digest, token);
    this.touch();
    return { token, value };
  }

  /** `PersonalAccessTokens::CreateService`. */
  createPersonalToken(user: User, params: TokenParams, mode: "create" | "tomorrow" = "create"): NewToken {
    const expiresAt = this.resolveExpiry(user, params.expiresAt, mode);
    const errors = this.validateToken(user, params, expiresAt);
    if (errors.length > 0) throw new ModelError(errors);
    return this.insertToken(user, {
      name: params.name ?? "",
      description: params.description ?? null,
      scopes: params.scopes,
      expiresAt,
    });
  }

  /** Whether this GitLab has fine-grained personal access tokens (Settings.granularPersonalAccessTokens). */
  granularTokensSupported(): boolean {
    return this.settings.granularPersonalAccessTokens !== false;
  }

  /**
   * Whether a user is a member of a project or group, directly or through an ancestor group (what
   * `Authz::Boundary#member?` asks of a `selected_memberships` scope's project or group).
   */
  isMember(user: User, source: Source): boolean {
    return this.accessLevel(user, source) > 0;
  }

  /**
   * `Authn::PersonalAccessTokens::CreateGranularService`: at least one scope, then the token as
   * `PersonalAccessTokens::CreateService` makes it (its model validations: `ModelError`) with
   * `scopes: [GRANULAR_SCOPE]` and `granular: true`, then `Authz::GranularScopeService#add_granular_scopes`
   * (no two scopes on one namespace, checked for every scope before any is added) and the scopes'
   * own validation (`permissions` against the `granular_scope_permissions` JSON schema). Any
   * failure rolls the whole creation back: nothing is stored.
   */
  createGranularToken(
    user: User,
    params: Omit<TokenParams, "scopes">,
    scopes: GranularScope[],
    mode: "create" | "tomorrow" = "create",
  ): NewToken {
    if (scopes.length === 0) throw new GranularScopeError("At least one granular scope must be provided");
    const tokenParams: TokenParams = { ...params, scopes: [GRANULAR_SCOPE] };
    const expiresAt = this.resolveExpiry(user, params.expiresAt, mode);
    const errors = this.validateToken(user, tokenParams, expiresAt);
    if (errors.length > 0) throw new ModelError(errors);
    // Authz::GranularScopeService#validate_unique_namespace (app/services/authz/granular_scope_service.rb):
    // scopes without a namespace (all_memberships, user, instance) share the nil namespace, so two
    // of them clash too.
    const seen = new Set<string>();
    for (const s of scopes) {
      const key = s.namespace ? `${s.namespace.type}:${s.namespace.id}` : "none";
      if (seen.has(key)) {
        throw new GranularScopeError(
          s.namespace
            ? "The token cannot have multiple granular scopes for the same namespace"
            : "The token cannot have multiple instance-level granular scopes",
        );
      }
      seen.add(key);
    }
    // `validates :permissions, json_schema: { filename: 'granular_scope_permissions' }`
    // (app/models/authz/granular_scope.rb): the schema enumerates the assignable permissions.
    // GitLab's JsonSchemaValidator says "must be a valid json schema"; the "Validation failed: "
    // prefix (the record failing on save!) is the sandbox's reading, not a confirmed body.
    if (scopes.some((s) => s.permissions.some((p) => !ASSIGNABLE_PERMISSIONS.has(p)))) {
      throw new GranularScopeError("Validation failed: Permissions must be a valid json schema");
    }
    return this.insertToken(user, {
      name: params.name ?? "",
      description: params.description ?? null,
      scopes: tokenParams.scopes,
      expiresAt,
      granularScopes: scopes,
    });
  }

  /** `revoke!` — true also when already revoked. */
  revokeToken(t: Token): void {
    if (!t.revoked) {
      t.revoked = true;
      this.touch();
    }
  }

  /**
   * `PersonalAccessTokens::RotateService`: refuse a revoked token, validate the new token, then revoke
   * the old one and create its successor (same name, description, scopes; new id and secret). Nothing
   * changes when validation fails.
   */
  rotateToken(t: Token, requestedExpiry: string | null | undefined): NewToken {
    if (t.revoked) throw new ModelError(["Token already revoked"]);
    const user = this.user(t.userId);
    if (!user) throw new ModelError(["Failed to revoke token"]);
    const expiresAt = this.resolveExpiry(user, requestedExpiry, "rotate");
    const errors = this.validateToken(
      user,
      { name: t.name, description: t.description, scopes: t.scopes },
      expiresAt,
    );
    if (errors.length > 0) throw new ModelError(errors);
    this.revokeToken(t);
    // The successor keeps a granular token's scopes (GitLab copies them: `Authz::GranularScope#build_copy`).
    return this.insertToken(user, {
      name: t.name,
      description: t.description,
      scopes: t.scopes,
      expiresAt,
      previousTokenId: t.id,
      ...(t.granular ? { granularScopes: t.granularScopes ?? [] } : {}),
    });
  }

  /** `RevokeTokenFamilyService`: revoke every active descendant of a token. Returns the ids revoked. */
  revokeTokenFamily(t: Token): number[] {
    const revoked: number[] = [];
    const queue = [t.id];
    while (queue.length > 0) {
      const parent = queue.shift();
      for (const child of this.state.tokens.filter((c) => c.previousTokenId === parent)) {
        queue.push(child.id);
        if (!child.revoked) {
          child.revoked = true;
          revoked.push(child.id);
        }
      }
    }
    if (revoked.length > 0) this.touch();
    return revoked;
  }

  /** Tokens of the bots of a project or group. */
  resourceTokens(source: Source): Token[] {
    const botIds = new Set(
      this.state.users
        .filter((u) => u.botResource?.type === source.type && u.botResource.id === source.entity.id)
        .map((u) => u.id),
    );
    return this.state.tokens.filter((t) => botIds.has(t.userId));
  }

  /** The bot's access level on its resource (the token's `access_level`). */
  botAccessLevel(bot: User): number {
    if (!bot.botResource) return 0;
    return this.directMembership(bot.botResource.type, bot.botResource.id, bot.id)?.accessLevel ?? 0;
  }

  /**
   * `ResourceAccessTokens::CreateService`: check the caller, create the bot user, make it a member
   * with the requested level, then create its token. Every failure is a `ModelError`.
   */
  createResourceToken(
    creator: User,
    source: Source,
    params: TokenParams & { accessLevel: number },
  ): NewToken & { bot: User } {
    const kind = source.type;
    if (!this.canManageResourceTokens(creator, source)) {
      throw new ModelError([`User does not have permission to create ${kind} access token`]);
    }
    if (!creator.admin) {
      const level = this.accessLevel(creator, source);
      if (kind === "project" && params.accessLevel === OWNER && level < OWNER) {
        throw new ModelError(["Could not provision owner access to project access token"]);
      }
      if (level < params.accessLevel) {
        throw new ModelError([
          "Access level of the token can't be greater the access level of the user who created the token",
        ]);
      }
    }
    const username = `${kind}_${source.entity.id}_bot_${randomHex(16)}`;
    const botTemplate: User = {
      id: 0,
      username,
      name: params.name ?? "",
      email: `${username}@noreply.${this.host}`,
      admin: false,
      kind: "project_bot",
      state: "active",
      createdAt: this.nowIso(),
      provisionedByGroupId: null,
      botResource: { type: kind, id: source.entity.id },
    };
    const expiresAt = this.resolveExpiry(botTemplate, params.expiresAt, "create");
    const errors = this.validateToken(botTemplate, params, expiresAt);
    if (errors.length > 0) throw new ModelError(errors);
    const bot = this.createUser({
      username,
      name: botTemplate.name,
      email: botTemplate.email,
      kind: "project_bot",
      botResource: botTemplate.botResource,
    });
    this.addMember(source, bot, params.accessLevel);
    const created = this.insertToken(bot, {
      name: params.name ?? "",
      description: params.description ?? null,
      scopes: params.scopes,
      expiresAt,
    });
    return { ...created, bot };
  }

  // --------------------------------------------------------- deploy tokens

  /** Every deploy token of the instance (a data file written before them has none). */
  get deployTokenRows(): DeployToken[] {
    return (this.state.deployTokens ??= []);
  }

  /** A project's or group's deploy tokens (`project.deploy_tokens`, `group.deploy_tokens`). */
  deployTokens(source: Source): DeployToken[] {
    return this.deployTokenRows.filter(
      (t) => t.sourceType === source.type && t.sourceId === source.entity.id,
    );
  }

  /** `DeployToken#username`: the one given, else `gitlab+deploy-token-<id>`. */
  deployTokenUsername(t: DeployToken): string {
    return t.username ?? `gitlab+deploy-token-${t.id}`;
  }

  /** `DeployToken#expired?`: `expires_at < Date.today` (a token is still listed as not expired on its expiry day). */
  isDeployTokenExpired(t: DeployToken): boolean {
    return t.expiresAt !== null && Date.parse(t.expiresAt) < startOfDay(this.clock.today());
  }

  /** `DeployToken.active`: not revoked and `expires_at >= NOW()` (it stops working at 00:00 UTC on its date). */
  isDeployTokenActive(t: DeployToken): boolean {
    return !t.revoked && (t.expiresAt === null || Date.parse(t.expiresAt) >= this.clock.now().getTime());
  }

  /**
   * `Projects::DeployTokens::CreateService` / `Groups::DeployTokens::CreateService`
   * (`DeployTokenMethods#create_deploy_token_for`): the model's validations — at least one scope, a
   * username of letters, digits, `_`, `-`, `+`, `.` (at most 255), a name of at most 255 — then the
   * row. A blank username means GitLab's default. No expiry rule: none is required, any date is kept.
   */
  createDeployToken(
    creator: User,
    source: Source,
    params: {
      name: string;
      username?: string | null;
      scopes: string[];
      /** ISO timestamp, or null/absent for no expiry. */
      expiresAt?: string | null;
      value?: string;
    },
  ): { token: DeployToken; value: string } {
    const errors: string[] = [];
    const username = params.username ? params.username : null;
    if (params.scopes.length === 0) errors.push("Scopes can't be blank");
    if (username !== null) {
      if (username.length > 255) errors.push("Username is too long (maximum is 255 characters)");
      if (!/^[a-zA-Z0-9.+_-]+$/.test(username)) {
        errors.push("Username can contain only letters, digits, '_', '-', '+', and '.'");
      }
    }
    if (params.name.length > 255) errors.push("Name is too long (maximum is 255 characters)");
    if (errors.length > 0) throw new ModelError(errors);
    const value = params.value ?? generateTokenValue(DEPLOY_TOKEN_PREFIX);
    const token: DeployToken = {
      id: (this.state.nextId.deployToken ??= 1),
      sourceType: source.type,
      sourceId: source.entity.id,
      name: params.name,
      username,
      scopes: DEPLOY_TOKEN_SCOPES.filter((s) => params.scopes.includes(s)),
      expiresAt: params.expiresAt ?? null,
      revoked: false,
      createdAt: this.nowIso(),
      creatorId: creator.id,
      digest: digestToken(value),
    };
    this.state.nextId.deployToken = token.id + 1;
    this.deployTokenRows.push(token);
    this.touch();
    return { token, value };
  }

  /** The deploy token a value belongs to (GitLab finds it by its encrypted value), or undefined. */
  deployTokenByValue(value: string): DeployToken | undefined {
    const digest = digestToken(value);
    return this.deployTokenRows.find((t) => t.digest === digest);
  }

  /** `DestroyService` (the API's DELETE): the row is destroyed, not revoked — GitLab forgets it. */
  destroyDeployToken(t: DeployToken): void {
    this.state.deployTokens = this.deployTokenRows.filter((x) => x.id !== t.id);
    this.touch();
  }

  /** `DeployToken#revoke!` (the UI's revoke; seeds use it for a revoked token). */
  revokeDeployToken(t: DeployToken): void {
    if (!t.revoked) {
      t.revoked = true;
      this.touch();
    }
  }

  // ------------------------------------------------------------- variables

  variables(type: SourceType, sourceId: number): Variable[] {
    return this.state.variables.filter((v) => v.sourceType === type && v.sourceId === sourceId);
  }

  insertVariable(v: Omit<Variable, "id">): Variable {
    const variable: Variable = { id: this.state.nextId.variable++, ...v };
    this.state.variables.push(variable);
    this.touch();
    return variable;
  }

  /**
   * The model validations of a CI/CD variable (`Ci::HasVariable`, `Ci::Maskable`, `Ci::HidableVariable`,
   * uniqueness per key and environment scope). Returns errors by attribute, empty when valid.
   */
  validateVariable(v: Omit<Variable, "id">, previous?: Variable): Record<string, string[]> {
    const errors: Record<string, string[]> = {};
    const add = (attr: string, msg: string) => (errors[attr] ??= []).push(msg);
    if (!v.key) add("key", "can't be blank");
    else {
      if (v.key.length > 255) add("key", "is too long (maximum is 255 characters)");
      if (!/^[a-zA-Z0-9_]+$/.test(v.key)) add("key", "can contain only letters, digits and '_'.");
    }
    if (v.masked) {
      const pattern = v.raw ? MASK_AND_RAW_REGEX : MASK_REGEX;
      if (!pattern.test(v.value)) add("value", "is invalid");
    }
    if (!previous && v.hidden && !v.masked) add("masked", "should be true when variable is hidden");
    if (
      previous &&
      (previous.masked !== v.masked || previous.hidden !== v.hidden) &&
      (previous.hidden || v.hidden)
    ) {
      add(
        "base",
        previous.hidden !== v.hidden
          ? "Only new variables can be set as masked and hidden."
          : "The visibility setting cannot be changed for masked and hidden variables.",
      );
    }
    if ((v.description ?? "").length > 255) add("description", "is too long (maximum is 255 characters)");
    const clash = this.variables(v.sourceType, v.sourceId).some(
      (o) => o.id !== previous?.id && o.key === v.key && o.environmentScope === v.environmentScope,
    );
    if (clash) add("key", `(${v.key}) has already been taken`);
    return errors;
  }

  deleteVariable(v: Variable): void {
    this.state.variables = this.state.variables.filter((x) => x.id !== v.id);
    this.touch();
  }

  markChanged(): void {
    this.touch();
  }

  // ---------------------------------------------------------- pipeline triggers

  /** The triggers of a project, oldest first. */
  triggers(projectId: number): Trigger[] {
    return (this.state.triggers ?? []).filter((t) => t.projectId === projectId);
  }

  trigger(projectId: number, id: number): Trigger | undefined {
    return this.triggers(projectId).find((t) => t.id === id);
  }

  triggerByValue(value: string): Trigger | undefined {
    return (this.state.triggers ?? []).find((t) => t.value === value);
  }

  /** Whether this GitLab has trigger-token expiry (see Settings.triggerTokenExpiration). */
  triggerExpirySupported(): boolean {
    return this.settings.triggerTokenExpiration !== false;
  }

  /** `Expirable#expired?`: `expires_at` is set and not in the future. */
  isTriggerExpired(t: Trigger): boolean {
    return t.expiresAt !== null && Date.parse(t.expiresAt) <= this.clock.now().getTime();
  }

  /** `manage_trigger` / `admin_build`: Maintainers of the project and admins, never bots' tokens of other projects. */
  canManageTriggers(user: User, project: Project): boolean {
    return this.canAdminSource(user, { type: "project", entity: project });
  }

  /**
   * `Ci::PipelineTriggers::CreateService`: a new trigger owned by `owner`. `expiresAt` is honoured
   * only when this GitLab has trigger expiry; it must be before today + 365 days
   * (`expires_at_before_instance_max_expiry_date`, validated on create).
   */
  createTrigger(
    project: Project,
    owner: User,
    description: string,
    expiresAt: Date | null | undefined,
  ): Trigger {
    const expiry = this.triggerExpirySupported() && expiresAt ? expiresAt : null;
    if (expiry) {
      const max = addDays(this.clock.today(), DEFAULT_MAX_LIFETIME_DAYS);
      if (expiry.getTime() >= startOfDay(max)) throw new ModelError([`Expires at must be before ${max}`]);
    }
    this.state.triggers ??= [];
    this.state.nextId.trigger ??= Math.max(0, ...this.state.triggers.map((t) => t.id)) + 1;
    const now = this.nowIso();
    const t: Trigger = {
      id: this.state.nextId.trigger++,
      projectId: project.id,
      ownerId: owner.id,
      description,
      value: `${TRIGGER_TOKEN_PREFIX}${randomHex(20)}`,
      createdAt: now,
      updatedAt: now,
      expiresAt: expiry ? expiry.toISOString() : null,
    };
    this.state.triggers.push(t);
    this.touch();
    return t;
  }

  updateTrigger(t: Trigger, description: string | undefined): void {
    if (description === undefined) return;
    t.description = description;
    t.updatedAt = this.nowIso();
    this.touch();
  }

  /** `destroy`: a trigger is deleted, not revoked. */
  deleteTrigger(t: Trigger): void {
    this.state.triggers = (this.state.triggers ?? []).filter((x) => x.id !== t.id);
    this.touch();
  }
}
