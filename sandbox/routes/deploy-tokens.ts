/**
 * Deploy tokens (gitlabhq lib/api/deploy_tokens.rb, lib/api/entities/deploy_token.rb,
 * app/models/deploy_token.rb, app/services/concerns/deploy_token_methods.rb): a project's and a group's
 * `GET/POST /:id/deploy_tokens`, `GET/DELETE /:id/deploy_tokens/:token_id`, and the administrators'
 * `GET /deploy_tokens`. One implementation parametrised by the kind of resource, as GitLab's is.
 *
 * - Permissions (app/policies/project_policy.rb, group_policy.rb): `read/create/destroy_deploy_token`
 *   — a project's Maintainers; a group's Maintainers read (`read_deploy_token`), its Owners create
 *   and delete; otherwise `authorize!` answers `403 Forbidden`.
 * - Create: Grape validates `name` and `scopes` (`DeployToken::AVAILABLE_SCOPES`, comma-separated
 *   or an array) → `400 {"error":"… is missing"}` / `{"error":"scopes does not have a valid value"}`;
 *   the model's errors → `render_api_error!(message, 400)` = `400 {"message":"Scopes can't be blank"}`
 *   (no "Bad request" prefix). `expires_at` is optional (no expiry when absent); 201 with
 *   `DeployTokenWithToken` (the value, `gldt-…`, once).
 * - `GET :token_id` and `DELETE` use `deploy_tokens.find`: an unknown id is ActiveRecord's
 *   `404 {"message":"404 Not found"}`. DELETE destroys the row (`DestroyService`): GitLab forgets the
 *   token, a later GET is a 404. There is no rotate endpoint.
 * - Lists are paginated and take `active` (true: not revoked and not expired).
 */
import { ApiError, ModelError, forbidden, recordNotFound } from "../errors";
import { deployTokenEntity, withToken } from "../entities";
import type { DeployToken, Source, SourceType } from "../model";
import { PAGINATION_PARAMS } from "../pagination";
import { type ParamSpec, bool, str, strings, time } from "../params";
import { DEPLOY_TOKEN_SCOPES } from "../rules";
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

/** The create services' failure: `render_api_error!(message, 400)` — `{"message":"…"}`, no prefix. */
function service<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ModelError) throw new ApiError(400, { message: e.message });
    throw e;
  }
}

const TOKEN_ID: ParamSpec = { name: "token_id", type: "integer", required: true };
const LIST_PARAMS: readonly ParamSpec[] = [...PAGINATION_PARAMS, { name: "active", type: "boolean" }];
const CREATE_PARAMS: readonly ParamSpec[] = [
  { name: "name", type: "string", required: true },
  { name: "scopes", type: "string[]", required: true, values: DEPLOY_TOKEN_SCOPES, commaSeparated: true },
  { name: "expires_at", type: "datetime" },
  { name: "username", type: "string" },
];

/** `TokensFinder` with `active: true`: the active ones only. */
function filtered(
  ctx: ApiContext,
  tokens: readonly DeployToken[],
  p: Record<string, unknown>,
): DeployToken[] {
  return bool(p, "active") === true ? tokens.filter((t) => ctx.model.isDeployTokenActive(t)) : [...tokens];
}

/**
 * The project or group, for a user allowed to `read` its deploy tokens (Maintainers) or to
 * `manage` them — create, delete (a project's Maintainers, a group's Owners); `authorize!`: 403.
 */
function source(ctx: ApiContext, type: SourceType, need: "read" | "manage"): Source {
  const user = currentUser(ctx);
  const found = findSource(ctx, type, routeParam(ctx, "id"));
  const allowed =
    need === "read" ? ctx.model.canReadDeployTokens(user, found) : ctx.model.canAdminSource(user, found);
  if (!allowed) throw forbidden();
  return found;
}

function routesFor(type: SourceType): ApiRoute[] {
  const prefix = type === "project" ? "/projects/:id" : "/groups/:id";
  const present = (ctx: ApiContext) => (t: DeployToken) => deployTokenEntity(ctx.model, t);
  const find = (ctx: ApiContext, s: Source, id: number) => {
    const t = ctx.model.deployTokens(s).find((x) => x.id === id);
    if (!t) throw recordNotFound();
    return t;
  };
  return [
    {
      method: "GET",
      path: `${prefix}/deploy_tokens`,
      handler(ctx) {
        const s = source(ctx, type, "read");
        const p = params(ctx, LIST_PARAMS);
        return list(ctx, filtered(ctx, ctx.model.deployTokens(s), p), present(ctx), p);
      },
    },
    {
      method: "POST",
      path: `${prefix}/deploy_tokens`,
      handler(ctx) {
        const user = currentUser(ctx);
        const p = params(ctx, CREATE_PARAMS);
        const s = source(ctx, type, "manage");
        const expires = time(p, "expires_at");
        const made = service(() =>
          ctx.model.createDeployToken(user, s, {
            name: str(p, "name") ?? "",
            username: str(p, "username") ?? null,
            scopes: strings(p, "scopes") ?? [],
            expiresAt: expires ? expires.toISOString() : null,
          }),
        );
        return created(withToken(deployTokenEntity(ctx.model, made.token), made.value));
      },
    },
    {
      method: "GET",
      path: `${prefix}/deploy_tokens/:token_id`,
      handler(ctx) {
        const p = params(ctx, [TOKEN_ID]);
        const s = source(ctx, type, "read");
        return ok(deployTokenEntity(ctx.model, find(ctx, s, p.token_id as number)));
      },
    },
    {
      method: "DELETE",
      path: `${prefix}/deploy_tokens/:token_id`,
      handler(ctx) {
        const p = params(ctx, [TOKEN_ID]);
        const s = source(ctx, type, "manage");
        ctx.model.destroyDeployToken(find(ctx, s, p.token_id as number));
        return noContent();
      },
    },
  ];
}

export const deployTokenRoutes: ApiRoute[] = [
  {
    method: "GET",
    path: "/deploy_tokens",
    handler(ctx) {
      requireAdmin(ctx);
      const p = params(ctx, LIST_PARAMS);
      return list(
        ctx,
        filtered(ctx, ctx.model.deployTokenRows, p),
        (t) => deployTokenEntity(ctx.model, t),
        p,
      );
    },
  },
  ...routesFor("project"),
  ...routesFor("group"),
];
