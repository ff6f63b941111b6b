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
import { scopesForKind } from "../gitlab/facts";
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
  },
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
    const failures: { field: string; reason: string }[] = [];
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
    if (declared.serviceAccount === true && resolved.user?.bot !== true) {
      throw new Error(
        `${token}: ${resolved.path} is declared a service account (serviceAccount: true) ` +
          "but GitLab reports a human user; fix the declaration or use a service account",
      );
    }
  },
  create: (gl, t, params) => routesOf(t).create(gl, t.id, params),
  get: (gl, t, tokenId) => routesOf(t).get(gl, t.id, tokenId),
  list: (gl, t, search) => routesOf(t).list(gl, t.id, search),
  revoke: (gl, t, tokenId) => routesOf(t).revoke(gl, t.id, tokenId),
} as const satisfies KindDescriptor<"personal", "user">;
