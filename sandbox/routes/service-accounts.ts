/**
 * Service accounts (spec §4): instance service accounts (admins), group service accounts (admins
 * and Owners of the top-level group) and project service accounts (admins, the project's Maintainers
 * and Owners; 404 when the feature flag is off), and the personal access tokens of group and project
 * service accounts — one set of routes for both namespaces. Instance
 * service accounts' tokens go through the ordinary admin endpoints (`/users/:id/personal_access_tokens`).
 */
import { ModelError, badRequest, forbidden, notFound } from "../errors";
import { serviceAccountEntity, tokenEntity, tokenWithIpsEntity, withToken } from "../entities";
import type { Group, Project, User } from "../model";
import { type ParamSpec, str, strings } from "../params";
import { PAGINATION_PARAMS } from "../pagination";
import { PERSONAL_TOKEN_SCOPES, randomHex } from "../rules";
import {
  type ApiContext,
  type ApiRoute,
  created,
  currentUser,
  findSource,
  list,
  noContent,
  ok,
  params,
  requireAdmin,
  routeParam,
} from "./api";
import { createParams, service } from "./personal-tokens";
import { TOKEN_FILTER_PARAMS, filterTokens } from "./token-filters";

const ACCOUNT_PARAMS: ParamSpec[] = [
  { name: "name", type: "string" },
  { name: "username", type: "string" },
  { name: "email", type: "string" },
];
const LIST_PARAMS: ParamSpec[] = [
  { name: "order_by", type: "string", values: ["id", "username"], default: "id" },
  { name: "sort", type: "string", values: ["asc", "desc"], default: "desc" },
  ...PAGINATION_PARAMS,
];
const USER_ID: ParamSpec = { name: "user_id", type: "integer", required: true };
const TOKEN_ID: ParamSpec = { name: "token_id", type: "integer", required: true };

/**
 * `Users::ServiceAccounts::CreateService` (`ee/app/services/users/service_accounts/create_service.rb`;
 * the group one prefixes `service_account_group_<id>`, the project one `service_account_project_<id>`):
 * `username` and `email` each default to `Gitlab::Utils::UsernameAndEmailGenerator`'s
 * (`lib/gitlab/utils/username_and_email_generator.rb`), so a given username without an email still
 * gets the generated `<prefix>_<hex>@noreply.<host>` address, never one made from the given username.
 */
function createAccount(
  ctx: ApiContext,
  generated: string,
  owner: { provisionedByGroupId?: number; provisionedByProjectId?: number } = {},
): User {
  const p = params(ctx, ACCOUNT_PARAMS);
  try {
    return ctx.model.createUser({
      username: str(p, "username") ?? generated,
      name: str(p, "name") ?? "Service account user",
      email: str(p, "email") ?? `${generated}@noreply.${ctx.model.host}`,
      kind: "service_account",
      ...owner,
    });
  } catch (e) {
    if (e instanceof ModelError) throw badRequest(e.message);
    throw e;
  }
}

function updateAccount(ctx: ApiContext, account: User): User {
  const p = params(ctx, ACCOUNT_PARAMS);
  try {
    ctx.model.updateUser(account, {
      name: str(p, "name"),
      username: str(p, "username"),
      email: str(p, "email"),
    });
  } catch (e) {
    if (e instanceof ModelError) throw badRequest(e.message);
    throw e;
  }
  return account;
}

function listAccounts(ctx: ApiContext, accounts: User[]) {
  const p = params(ctx, LIST_PARAMS);
  const dir = p.sort === "asc" ? 1 : -1;
  const sorted = [...accounts].sort((a, b) =>
    p.order_by === "username"
      ? a.username.localeCompare(b.username) * dir || (a.id - b.id) * dir
      : (a.id - b.id) * dir,
  );
  return list(ctx, sorted, serviceAccountEntity, p);
}

/**
 * What differs between the two namespaces that own service accounts — a top-level group
 * (`ee/lib/api/group_service_accounts.rb`) and a project (`ee/lib/api/project_service_accounts.rb`,
 * GitLab 18.11+) — which otherwise serve the same routes with the same shapes.
 */
interface AccountOwner {
  /** The route prefix (`/groups/:id`, `/projects/:id`). */
  prefix: string;
  /** The namespace from the route, checked as GitLab's `before` block does (404, then 403). */
  managed(ctx: ApiContext): { id: number };
  /** The username GitLab generates when none is given. */
  username(ownerId: number): string;
  /** The new account's owner fields. */
  provisioned(ownerId: number): { provisionedByGroupId?: number; provisionedByProjectId?: number };
  /** Whether a user is one of this namespace's service accounts. */
  owns(u: User, ownerId: number): boolean;
  /**
   * The answer to a user id that is not one of the namespace's service accounts: the group routes
   * tell a user who is no service account (400) from another group's (404); the project routes look
   * the id up among the project's service accounts (`user_project.service_accounts.find_by_id`), so
   * both are 404.
   */
  notAnAccount(u: User): never;
  /** Rotating a token the account does not have: the group routes' bare `not_found!`, the project's `not_found!('Personal Access Token')`. */
  rotateNotFound: string | undefined;
}

const GROUP_OWNER: AccountOwner = {
  prefix: "/groups/:id",
  managed(ctx) {
    const user = currentUser(ctx);
    const group = findSource(ctx, "group", routeParam(ctx, "id")).entity as Group;
    if (!ctx.model.canAdminGroupServiceAccounts(user, group)) throw forbidden();
    return group;
  },
  username: (id) => `service_account_group_${id}_${randomHex(16)}`,
  provisioned: (id) => ({ provisionedByGroupId: id }),
  owns: (u, id) => u.provisionedByGroupId === id,
  notAnAccount(u) {
    if (u.kind !== "service_account") throw badRequest("User is not of type Service Account");
    throw notFound("User");
  },
  rotateNotFound: undefined,
};

const PROJECT_OWNER: AccountOwner = {
  prefix: "/projects/:id",
  managed(ctx) {
    const user = currentUser(ctx);
    const project = findSource(ctx, "project", routeParam(ctx, "id")).entity as Project;
    // `not_found! unless Feature.enabled?(:allow_projects_to_create_service_accounts, …)`.
    if (ctx.model.settings.allowProjectsToCreateServiceAccounts === false) throw notFound();
    if (!ctx.model.canAdminProjectServiceAccounts(user, project)) throw forbidden();
    return project;
  },
  username: (id) => `service_account_project_${id}_${randomHex(16)}`,
  provisioned: (id) => ({ provisionedByProjectId: id }),
  owns: (u, id) => u.kind === "service_account" && u.provisionedByProjectId === id,
  notAnAccount() {
    throw notFound("User");
  },
  rotateNotFound: "Personal Access Token",
};

/** A service account of this namespace, or GitLab's error for any other user id. */
function ownedAccount(ctx: ApiContext, owner: AccountOwner, ownerId: number, id: number): User {
  const account = ctx.model.user(id);
  if (!account) throw notFound("User");
  if (!ctx.model.isServiceAccount(account) || !owner.owns(account, ownerId)) owner.notAnAccount(account);
  return account;
}

/** The service-account routes a group or a project serves (§4): the accounts and their tokens. */
function namespaceAccountRoutes(owner: AccountOwner): ApiRoute[] {
  const base = `${owner.prefix}/service_accounts`;
  const tokens = `${base}/:user_id/personal_access_tokens`;
  /** The namespace checked, then the account of the route's `user_id`. */
  const account = (ctx: ApiContext, userId: unknown) => {
    const ns = owner.managed(ctx);
    return ownedAccount(ctx, owner, ns.id, userId as number);
  };
  return [
    {
      method: "POST",
      path: base,
      handler(ctx) {
        const ns = owner.managed(ctx);
        return created(
          serviceAccountEntity(createAccount(ctx, owner.username(ns.id), owner.provisioned(ns.id))),
        );
      },
    },
    {
      method: "GET",
      path: base,
      handler(ctx) {
        const ns = owner.managed(ctx);
        return listAccounts(
          ctx,
          ctx.model.state.users.filter((u) => u.kind === "service_account" && owner.owns(u, ns.id)),
        );
      },
    },
    {
      method: "PATCH",
      path: `${base}/:user_id`,
      handler(ctx) {
        const p = params(ctx, [USER_ID]);
        return ok(serviceAccountEntity(updateAccount(ctx, account(ctx, p.user_id))));
      },
    },
    {
      method: "DELETE",
      path: `${base}/:user_id`,
      handler(ctx) {
        const p = params(ctx, [USER_ID, { name: "hard_delete", type: "boolean" }]);
        ctx.model.deleteUser(account(ctx, p.user_id));
        return noContent();
      },
    },
    {
      method: "GET",
      path: tokens,
      handler(ctx) {
        const p = params(ctx, [USER_ID, ...TOKEN_FILTER_PARAMS]);
        const sa = account(ctx, p.user_id);
        const own = ctx.model.state.tokens.filter((t) => t.userId === sa.id);
        return list(ctx, filterTokens(ctx.model, own, p), (t) => tokenWithIpsEntity(ctx.model, t), p);
      },
    },
    {
      method: "POST",
      path: tokens,
      handler(ctx) {
        const p = params(ctx, [USER_ID, ...createParams(PERSONAL_TOKEN_SCOPES)]);
        const sa = account(ctx, p.user_id);
        const made = service(
          () =>
            ctx.model.createPersonalToken(sa, {
              name: str(p, "name"),
              description: str(p, "description") ?? null,
              scopes: strings(p, "scopes") ?? [],
              expiresAt: str(p, "expires_at"),
            }),
          422,
        );
        return created(withToken(tokenEntity(ctx.model, made.token), made.value));
      },
    },
    {
      method: "DELETE",
      path: `${tokens}/:token_id`,
      handler(ctx) {
        const p = params(ctx, [USER_ID, TOKEN_ID]);
        const sa = account(ctx, p.user_id);
        const token = ctx.model.token(p.token_id as number);
        if (!token || token.userId !== sa.id) throw notFound("Personal Access Token");
        ctx.model.revokeToken(token);
        return noContent();
      },
    },
    {
      method: "POST",
      path: `${tokens}/:token_id/rotate`,
      handler(ctx) {
        const p = params(ctx, [USER_ID, TOKEN_ID, { name: "expires_at", type: "date" }]);
        const sa = account(ctx, p.user_id);
        const token = ctx.model.token(p.token_id as number);
        if (!token || token.userId !== sa.id) throw notFound(owner.rotateNotFound);
        const next = service(() => ctx.model.rotateToken(token, str(p, "expires_at")));
        return ok(withToken(tokenEntity(ctx.model, next.token), next.value));
      },
    },
  ];
}

/** An instance service account: neither a group's nor a project's. */
function isInstanceAccount(u: User): boolean {
  return u.kind === "service_account" && u.provisionedByGroupId === null && !u.provisionedByProjectId;
}

function instanceAccount(ctx: ApiContext, id: number): User {
  const account = ctx.model.user(id);
  if (!account) throw notFound("User");
  if (!isInstanceAccount(account)) {
    throw badRequest("User is not of type Service Account");
  }
  return account;
}

export const serviceAccountRoutes: ApiRoute[] = [
  {
    method: "POST",
    path: "/service_accounts",
    handler(ctx) {
      requireAdmin(ctx);
      return created(serviceAccountEntity(createAccount(ctx, `service_account_${randomHex(16)}`)));
    },
  },
  {
    method: "GET",
    path: "/service_accounts",
    handler(ctx) {
      requireAdmin(ctx);
      const accounts = ctx.model.state.users.filter(isInstanceAccount);
      return listAccounts(ctx, accounts);
    },
  },
  {
    method: "PATCH",
    path: "/service_accounts/:user_id",
    handler(ctx) {
      requireAdmin(ctx);
      const p = params(ctx, [USER_ID]);
      return ok(serviceAccountEntity(updateAccount(ctx, instanceAccount(ctx, p.user_id as number))));
    },
  },
  ...namespaceAccountRoutes(GROUP_OWNER),
  ...namespaceAccountRoutes(PROJECT_OWNER),
];
