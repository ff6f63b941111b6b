/**
 * Service accounts (spec §4): instance service accounts (admins) and group service accounts (admins
 * and Owners of the group), and the personal access tokens of group service accounts. Instance
 * service accounts' tokens go through the ordinary admin endpoints (`/users/:id/personal_access_tokens`).
 */
import { ModelError, badRequest, forbidden, notFound } from "../errors";
import { serviceAccountEntity, tokenEntity, tokenWithIpsEntity, withToken } from "../entities";
import type { Group, User } from "../model";
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
 * the group one prefixes `service_account_group_<id>`): `username` and `email` each default to
 * `Gitlab::Utils::UsernameAndEmailGenerator`'s (`lib/gitlab/utils/username_and_email_generator.rb`),
 * so a given username without an email still gets the generated `<prefix>_<hex>@noreply.<host>`
 * address, never one made from the given username.
 */
function createAccount(ctx: ApiContext, group: Group | null): User {
  const p = params(ctx, ACCOUNT_PARAMS);
  const generated = group
    ? `service_account_group_${group.id}_${randomHex(16)}`
    : `service_account_${randomHex(16)}`;
  try {
    return ctx.model.createUser({
      username: str(p, "username") ?? generated,
      name: str(p, "name") ?? "Service account user",
      email: str(p, "email") ?? `${generated}@noreply.${ctx.model.host}`,
      kind: "service_account",
      provisionedByGroupId: group?.id ?? null,
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

/** The group, checked for `admin_service_accounts`. */
function managedGroup(ctx: ApiContext): Group {
  const user = currentUser(ctx);
  const source = findSource(ctx, "group", routeParam(ctx, "id"));
  const group = source.entity as Group;
  if (!ctx.model.canAdminGroupServiceAccounts(user, group)) throw forbidden();
  return group;
}

/** A service account of this group: 404 when unknown or another group's, 400 when not a service account. */
function groupAccount(ctx: ApiContext, group: Group, id: number): User {
  const account = ctx.model.user(id);
  if (!account) throw notFound("User");
  if (!ctx.model.isServiceAccount(account)) throw badRequest("User is not of type Service Account");
  if (account.provisionedByGroupId !== group.id) throw notFound("User");
  return account;
}

function instanceAccount(ctx: ApiContext, id: number): User {
  const account = ctx.model.user(id);
  if (!account) throw notFound("User");
  if (!ctx.model.isServiceAccount(account) || account.provisionedByGroupId !== null) {
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
      return created(serviceAccountEntity(createAccount(ctx, null)));
    },
  },
  {
    method: "GET",
    path: "/service_accounts",
    handler(ctx) {
      requireAdmin(ctx);
      const accounts = ctx.model.state.users.filter(
        (u) => u.kind === "service_account" && u.provisionedByGroupId === null,
      );
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
  {
    method: "POST",
    path: "/groups/:id/service_accounts",
    handler(ctx) {
      const group = managedGroup(ctx);
      return created(serviceAccountEntity(createAccount(ctx, group)));
    },
  },
  {
    method: "GET",
    path: "/groups/:id/service_accounts",
    handler(ctx) {
      const group = managedGroup(ctx);
      return listAccounts(
        ctx,
        ctx.model.state.users.filter(
          (u) => u.kind === "service_account" && u.provisionedByGroupId === group.id,
        ),
      );
    },
  },
  {
    method: "PATCH",
    path: "/groups/:id/service_accounts/:user_id",
    handler(ctx) {
      const p = params(ctx, [USER_ID]);
      const group = managedGroup(ctx);
      return ok(serviceAccountEntity(updateAccount(ctx, groupAccount(ctx, group, p.user_id as number))));
    },
  },
  {
    method: "DELETE",
    path: "/groups/:id/service_accounts/:user_id",
    handler(ctx) {
      const p = params(ctx, [USER_ID, { name: "hard_delete", type: "boolean" }]);
      const group = managedGroup(ctx);
      ctx.model.deleteUser(groupAccount(ctx, group, p.user_id as number));
      return noContent();
    },
  },
  {
    method: "GET",
    path: "/groups/:id/service_accounts/:user_id/personal_access_tokens",
    handler(ctx) {
      const p = params(ctx, [USER_ID, ...TOKEN_FILTER_PARAMS]);
      const group = managedGroup(ctx);
      const account = groupAccount(ctx, group, p.user_id as number);
      const tokens = ctx.model.state.tokens.filter((t) => t.userId === account.id);
      return list(ctx, filterTokens(ctx.model, tokens, p), (t) => tokenWithIpsEntity(ctx.model, t), p);
    },
  },
  {
    method: "POST",
    path: "/groups/:id/service_accounts/:user_id/personal_access_tokens",
    handler(ctx) {
      const p = params(ctx, [USER_ID, ...createParams(PERSONAL_TOKEN_SCOPES)]);
      const group = managedGroup(ctx);
      const account = groupAccount(ctx, group, p.user_id as number);
      const made = service(
        () =>
          ctx.model.createPersonalToken(account, {
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
    path: "/groups/:id/service_accounts/:user_id/personal_access_tokens/:token_id",
    handler(ctx) {
      const p = params(ctx, [USER_ID, TOKEN_ID]);
      const group = managedGroup(ctx);
      const account = groupAccount(ctx, group, p.user_id as number);
      const token = ctx.model.token(p.token_id as number);
      if (!token || token.userId !== account.id) throw notFound("Personal Access Token");
      ctx.model.revokeToken(token);
      return noContent();
    },
  },
  {
    method: "POST",
    path: "/groups/:id/service_accounts/:user_id/personal_access_tokens/:token_id/rotate",
    handler(ctx) {
      const p = params(ctx, [USER_ID, TOKEN_ID, { name: "expires_at", type: "date" }]);
      const group = managedGroup(ctx);
      const account = groupAccount(ctx, group, p.user_id as number);
      const token = ctx.model.token(p.token_id as number);
      if (!token || token.userId !== account.id) throw notFound();
      const next = service(() => ctx.model.rotateToken(token, str(p, "expires_at")));
      return ok(withToken(tokenEntity(ctx.model, next.token), next.value));
    },
  },
];
