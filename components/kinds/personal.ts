/**
 * Personal access tokens of a user or service account. No access level; the declaration may state
 * that the user is a service account, and name the namespace that owns it (`group:` or `project:`).
 *
 * Three families of routes (../shared/reference/gitlab-token-api.md §3.1, §4):
 * - `POST /users/:id/personal_access_tokens` and `/personal_access_tokens/:id`: an administrator's
 *   credential (any user, instance service accounts);
 * - `/groups/:id/service_accounts/:user_id/personal_access_tokens[/:token_id]`: a group service
 *   account's tokens, with an Owner of its top-level group (gitlab.com, where nobody is an
 *   administrator) or an administrator (`ee/lib/api/group_service_accounts.rb`);
 * - `/projects/:id/service_accounts/:user_id/personal_access_tokens[/:token_id]`: a project service
 *   account's tokens (GitLab 18.11+), with a Maintainer or Owner of the project or an administrator
 *   (`ee/lib/api/project_service_accounts.rb`).
 * The group routes are used when the declaration names the group, or when the user is a service
 * account and the credential is not an administrator's — then the group is found among the
 * top-level groups the credential owns. The project routes are used when the declaration names the
 * project: a project service account is never searched for, because that would ask every project
 * the credential maintains for its service accounts (one call each — thousands on gitlab.com — and
 * a 404 from each where the feature is off), where the owned top-level groups are a handful. The
 * choice is kept in state (`serviceAccountGroupId`, `serviceAccountProjectId`).
 */
import { z } from "zod";
import type { CreateTokenParams, GitLabClient, GitLabToken, ServiceAccountOwner } from "../gitlab/client";
import {
  GRANULAR_ACCESS,
  GRANULAR_CATALOGUE,
  boundariesReached,
  granularPermission,
  permissionsLike,
  scopesForKind,
} from "../gitlab/facts";
import { targetSchema } from "../model";
import type { KindDescriptor, ResolvedTarget, TargetLookup, TokenLister, TokenTarget } from "./descriptor";

/** One family of routes for a user's personal tokens, chosen once per target (`routesOf`). */
interface PersonalTokenRoutes {
  create(gl: GitLabClient, userId: number, params: CreateTokenParams): Promise<GitLabToken>;
  get(gl: GitLabClient, userId: number, tokenId: number): Promise<GitLabToken | undefined>;
  list(gl: TokenLister, userId: number, search?: string): Promise<GitLabToken[]>;
  revoke(gl: GitLabClient, userId: number, tokenId: number): Promise<void>;
}

/** The administrator's routes (`/users/:id/personal_access_tokens`, `/personal_access_tokens/:id`). */
const ADMIN_ROUTES: PersonalTokenRoutes = {
  create: (gl, userId, params) => gl.createPersonalToken(userId, params),
  get: (gl, _userId, tokenId) => gl.getPersonalToken(tokenId),
  list: (gl, userId, search) => gl.listPersonalTokens(userId, search),
  revoke: (gl, _userId, tokenId) => gl.revokePersonalToken(tokenId),
};

/** The routes of the group or project that owns the service account. */
function serviceAccountRoutes(owner: ServiceAccountOwner): PersonalTokenRoutes {
  return {
    create: (gl, userId, params) => gl.createServiceAccountToken(owner, userId, params),
    get: (gl, userId, tokenId) => gl.getServiceAccountToken(owner, userId, tokenId),
    list: (gl, userId, search) => gl.listServiceAccountTokens(owner, userId, search),
    revoke: (gl, userId, tokenId) => gl.revokeServiceAccountToken(owner, userId, tokenId),
  };
}

/** The namespace whose service-account routes hold the target's tokens, or undefined for the admin routes. */
function ownerOf(t: TokenTarget): ServiceAccountOwner | undefined {
  if (t.serviceAccountProjectId !== undefined) return { type: "project", id: t.serviceAccountProjectId };
  if (t.serviceAccountGroupId !== undefined) return { type: "group", id: t.serviceAccountGroupId };
  return undefined;
}

/** The routes a target's tokens go through, as its state says. */
function routesOf(t: TokenTarget): PersonalTokenRoutes {
  const owner = ownerOf(t);
  return owner === undefined ? ADMIN_ROUTES : serviceAccountRoutes(owner);
}

/** The state field that keeps each namespace's routes. */
const OWNER_ID_FIELD = { group: "serviceAccountGroupId", project: "serviceAccountProjectId" } as const;

/**
 * The user as a service account of the declared group or project: the namespace is looked up, and
 * its routes are used as they are — no list of its accounts first (one call fewer per target; an
 * account that is not the namespace's gets GitLab's `404 User Not Found` on create, and routes a
 * GitLab does not have get the explanation of ../gitlab/errors).
 */
async function declaredOwner(
  gl: TargetLookup,
  resolved: ResolvedTarget,
  type: ServiceAccountOwner["type"],
  declared: string | number,
): Promise<ResolvedTarget> {
  const ns = type === "group" ? await gl.resolveGroup(declared) : await gl.resolveProject(declared);
  return { ...resolved, [OWNER_ID_FIELD[type]]: ns.id };
}

/**
 * One granular scope of a fine-grained personal access token (GitLab 19.2+; `granular_scopes` in
 * `POST /users/:id/personal_access_tokens`, 19.6+): an access boundary and the permissions granted
 * within it; `selected_memberships` names its groups and projects (paths or ids, resolved at create).
 */
export const granularScopeSchema = z.strictObject({
  access: z.enum(GRANULAR_ACCESS),
  permissions: z.array(z.string()),
  projects: z.array(targetSchema).optional(),
  groups: z.array(targetSchema).optional(),
});
export type GranularScope = z.infer<typeof granularScopeSchema>;

type FieldFailure = { field: string; reason: string };

/** `acme/web` or `42`, as a key that tells two spellings of one id apart from two different targets. */
const spelled = (t: string | number) => String(t).toLowerCase();

/**
 * GitLab's rules for `granular` (../gitlab/facts, ../gitlab/permissions), and ours where GitLab's
 * would silently grant nothing: every permission in the catalogue and applying at a boundary its
 * scope reaches, `selected_memberships` with groups or projects (and only it), no permission or
 * namespace twice.
 */
export function checkGranular(granular: unknown): FieldFailure[] {
  const failures: FieldFailure[] = [];
  if (!Array.isArray(granular)) return failures; // the schema says what is wrong with its type
  if (granular.length === 0) {
    return [
      {
        field: "granular",
        reason:
          "granular is empty; give at least one scope, e.g. - { access: personal_projects, permissions: [read_job] }",
      },
    ];
  }
  const namespaces = new Map<string, string>();
  granular.forEach((raw: Partial<GranularScope> | undefined, i) => {
    if (raw === undefined || typeof raw !== "object") return;
    const at = `granular[${i}]`;
    const selected = raw.access === "selected_memberships";
    const named = [...(raw.projects ?? []), ...(raw.groups ?? [])];
    if (selected && named.length === 0) {
      failures.push({
        field: at,
        reason:
          "access selected_memberships needs the groups or projects it reaches; add projects: [acme/web] or groups: [acme]",
      });
    }
    for (const f of ["projects", "groups"] as const) {
      if (!selected && raw[f] !== undefined) {
        failures.push({
          field: `${at}.${f}`,
          reason: `${f} applies to access selected_memberships only (${raw.access} reaches its namespaces by itself); remove ${f}, or use access selected_memberships`,
        });
      }
      if (!selected) continue;
      (raw[f] ?? []).forEach((t, j) => {
        const id = `${f}:${spelled(t)}`;
        const first = namespaces.get(id);
        if (first !== undefined) {
          failures.push({
            field: `${at}.${f}[${j}]`,
            reason: `${String(t)} is already in ${first}; GitLab allows one granular scope per namespace — put its permissions together in one scope`,
          });
        } else namespaces.set(id, `${at}.${f}[${j}]`);
      });
    }
    if (raw.access !== undefined && !selected) {
      const first = namespaces.get(`access:${raw.access}`);
      if (first !== undefined) {
        failures.push({
          field: `${at}.access`,
          reason: `access ${raw.access} is already given in ${first}; put its permissions together in one scope`,
        });
      } else namespaces.set(`access:${raw.access}`, at);
    }
    if (!Array.isArray(raw.permissions)) return;
    if (raw.permissions.length === 0) {
      failures.push({
        field: `${at}.permissions`,
        reason: "permissions is empty; list at least one, e.g. [read_job]",
      });
      return;
    }
    const reached =
      raw.access === undefined ? undefined : boundariesReached(raw.access, (raw.groups ?? []).length > 0);
    const seen = new Map<string, number>();
    raw.permissions.forEach((name, j) => {
      const field = `${at}.permissions[${j}]`;
      const twice = seen.get(name);
      if (twice !== undefined) {
        failures.push({
          field,
          reason: `permission ${name} is listed twice (also permissions[${twice}]); remove one`,
        });
        return;
      }
      seen.set(name, j);
      const p = granularPermission(name);
      if (p === undefined) {
        const like = permissionsLike(name);
        failures.push({
          field,
          reason:
            `permission ${JSON.stringify(name)} is not in ${GRANULAR_CATALOGUE}` +
            (like.length > 0
              ? `; did you mean ${like.join(", ")}?`
              : "; see docs.gitlab.com/auth/tokens/fine_grained_access_tokens_rest"),
        });
        return;
      }
      if (reached !== undefined && !p.boundaries.some((b) => reached.includes(b))) {
        const fits = GRANULAR_ACCESS.filter((a) =>
          p.boundaries.some((b) => boundariesReached(a, true).includes(b)),
        );
        failures.push({
          field,
          reason:
            `permission ${name} applies to a ${p.boundaries.join(" or ")}, which access ${raw.access}` +
            `${selected ? " over projects only" : ""} does not reach, so GitLab would grant nothing; ` +
            `move it to a scope with access ${fits.join(" or ")}${selected && p.boundaries.includes("group") ? " (or add groups:)" : ""}`,
        });
      }
    });
  });
  return failures;
}

export const personal = {
  kind: "personal",
  targetField: "user",
  targetLabel: "user",
  fields: {
    serviceAccount: z.boolean().optional(),
    /** The top-level group that owns the service account: its tokens go through the group's routes. */
    group: targetSchema.optional(),
    /** The project that owns the service account: its tokens go through the project's routes. */
    project: targetSchema.optional(),
    /**
     * A fine-grained token's granular scopes, given instead of `scopes` (GitLab takes exactly one):
     * each an access boundary and the permissions granted within it.
     */
    granular: z.array(granularScopeSchema).optional(),
  },
  scopesInstead: "granular",
  scopes: scopesForKind("personal"),
  accessLevels: undefined,
  userPerToken: false,
  componentType: "gitlab-tokens:index:PersonalAccessToken",
  official: {
    type: "gitlab:index/personalAccessToken:PersonalAccessToken",
    targetProp: "userId",
    targetIsUser: true,
  },
  // The official provider's service-account tokens (terraform-provider-gitlab
  // docs/resources/group_service_account_access_token.md: `group`, `user_id`, `name`, `scopes`,
  // `expires_at`, `rotation_configuration`, no description; the project one — provider 19.3+,
  // @pulumi/gitlab 10.2+ — the same with `project`).
  officialVariants: [
    {
      type: "gitlab:index/groupServiceAccountAccessToken:GroupServiceAccountAccessToken",
      targetProp: "userId",
      targetIsUser: true,
      serviceAccount: true,
      noDescription: true,
    },
    {
      type: "gitlab:index/projectServiceAccountAccessToken:ProjectServiceAccountAccessToken",
      targetProp: "userId",
      targetIsUser: true,
      serviceAccount: true,
      noDescription: true,
    },
  ],
  checkFields(fields) {
    const failures: FieldFailure[] = checkGranular(fields.granular);
    if (fields.granular !== undefined && (fields.group !== undefined || fields.project !== undefined)) {
      failures.push({
        field: "granular",
        reason:
          `GitLab's service-account routes (${fields.group !== undefined ? "group:" : "project:"}) take scopes only, ` +
          "not granular scopes; declare scopes, or create the fine-grained token with an administrator's credential " +
          "(POST /users/:id/personal_access_tokens, GitLab 19.6+) and remove group:/project:",
      });
    }
    if (fields.group !== undefined && fields.project !== undefined) {
      failures.push({
        field: "project",
        reason:
          "a service account belongs to a top-level group or to a project, not both; " +
          "keep group for a group service account, or project for a project service account",
      });
    }
    for (const field of ["group", "project"] as const) {
      if (fields[field] !== undefined && fields.serviceAccount === false) {
        failures.push({
          field,
          reason:
            `${field} names the ${field === "group" ? "top-level group" : "project"} that owns a service account, ` +
            `but serviceAccount is false; remove ${field}, or serviceAccount if the user is the ${field}'s service account`,
        });
      }
    }
    return failures;
  },
  async resolve(gl, target, hints = {}) {
    const u = await gl.resolveUser(target);
    const resolved = { id: u.id, path: u.username, user: { bot: u.bot, serviceAccount: u.serviceAccount } };
    if (hints.project !== undefined) return declaredOwner(gl, resolved, "project", hints.project);
    if (hints.group !== undefined) return declaredOwner(gl, resolved, "group", hints.group);
    // A person's tokens have only the administrator's routes; so has an administrator every token.
    if (!u.bot || (await gl.currentUser()).admin) return resolved;
    const g = await gl.serviceAccountGroupOf(u.id);
    if (g === undefined) {
      const reason =
        `the credential is not an administrator's, and ${u.username} is not a service account of any ` +
        `top-level group it owns; declare group: <the top-level group that owns ${u.username}> (with a ` +
        `credential of an Owner of that group), or project: <the project that owns ${u.username}> for a ` +
        "project service account (with a Maintainer's or Owner's credential), or use an administrator's credential";
      return { ...resolved, unroutable: { field: "group", reason } };
    }
    return { ...resolved, serviceAccountGroupId: g.id };
  },
  verify(resolved, declared) {
    const token = `personal token "${declared.key ?? declared.name}"`;
    if (resolved.unroutable) {
      throw new Error(`${token}, field "${resolved.unroutable.field}": ${resolved.unroutable.reason}`);
    }
    if (
      declared.granular !== undefined &&
      (resolved.serviceAccountGroupId ?? resolved.serviceAccountProjectId) !== undefined
    ) {
      throw new Error(
        `${token}, field "granular": ${resolved.path}'s tokens go through its ` +
          `${resolved.serviceAccountGroupId !== undefined ? "group" : "project"}'s service-account routes ` +
          "(the credential is not an administrator's), which take scopes only, not granular scopes; " +
          "use an administrator's credential for a fine-grained token, or declare scopes",
      );
    }
    if (declared.serviceAccount === true && resolved.user?.bot !== true) {
      throw new Error(
        `${token}: ${resolved.path} is declared a service account (serviceAccount: true) ` +
          "but GitLab reports a human user; fix the declaration or use a service account",
      );
    }
  },
  async prepareCreate(gl, fields) {
    const granular = fields.granular as GranularScope[] | undefined;
    if (granular === undefined) return {};
    const ids = async (
      ts: (string | number)[] | undefined,
      find: (t: string | number) => Promise<{ id: number }>,
    ) => (ts === undefined ? undefined : Promise.all(ts.map(async (t) => (await find(t)).id)));
    return {
      granularScopes: await Promise.all(
        granular.map(async (g) => ({
          access: g.access,
          permissions: g.permissions,
          projectIds: await ids(g.projects, (t) => gl.resolveProject(t)),
          groupIds: await ids(g.groups, (t) => gl.resolveGroup(t)),
        })),
      ),
    };
  },
  create: (gl, t, params) => routesOf(t).create(gl, t.id, params),
  get: (gl, t, tokenId) => routesOf(t).get(gl, t.id, tokenId),
  list: (gl, t, search) => routesOf(t).list(gl, t.id, search),
  revoke: (gl, t, tokenId) => routesOf(t).revoke(gl, t.id, tokenId),
} as const satisfies KindDescriptor<"personal", "user">;
