/**
 * Personal access tokens (spec §2, §3): list with filters, get, `self`, revoke, rotate, admin create
 * for a user, and `POST /user/personal_access_tokens` (legacy: only `k8s_proxy`). Both creates take
 * legacy `scopes` or fine-grained `granular_scopes`, exactly one (granular-scopes.ts).
 */
import { ModelError, badRequest, notFound, recordNotFound, unauthorized, unprocessable } from "../errors";
import { tokenEntity, tokenWithIpsEntity, withGranularScopes, withToken } from "../entities";
import type { Model, Token, User } from "../model";
import { type ParamSpec, str, strings } from "../params";
import { PERSONAL_TOKEN_SCOPES, USER_SELF_TOKEN_SCOPES } from "../rules";
import {
  type ApiContext,
  type ApiRoute,
  created,
  currentToken,
  currentUser,
  list,
  noContent,
  ok,
  params,
  requireAdmin,
} from "./api";
import { createGranularToken, createRequest } from "./granular-scopes";
import { TOKEN_FILTER_PARAMS, filterTokens } from "./token-filters";

const ID_PARAM: ParamSpec = { name: "id", type: "integer", required: true };
const EXPIRES_AT: ParamSpec = { name: "expires_at", type: "date" };

/** `params :create_personal_access_token_params` (the scopes are declared by `createRequest`). */
const CREATE_TOKEN_PARAMS: ParamSpec[] = [
  { name: "name", type: "string", required: true },
  { name: "description", type: "string" },
  EXPIRES_AT,
];

/** A token as the lists and gets show it (`with_granular_scopes: true`). */
function listedToken(model: Model, t: Token): Record<string, unknown> {
  return withGranularScopes(tokenWithIpsEntity(model, t), t);
}

export function createParams(scopes: readonly string[]): ParamSpec[] {
  return [
    { name: "name", type: "string", required: true },
    { name: "description", type: "string" },
    { name: "scopes", type: "string[]", required: true, values: scopes, commaSeparated: true },
    EXPIRES_AT,
  ];
}

/** Run a token service; a model error becomes `400 Bad request - <message>`. */
export function service<T>(fn: () => T, status: 400 | 422 = 400): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ModelError) throw status === 400 ? badRequest(e.message) : unprocessable(e.message);
    throw e;
  }
}

/** `rotate_personal_access_token`: the token's owner or an admin. */
function mayManage(user: User, t: Token): boolean {
  return user.admin || t.userId === user.id;
}

/** A token the current user may see; non-admins get 401 whether it is missing or not theirs. */
function findOwnToken(ctx: ApiContext, model: Model, id: number): Token {
  const user = currentUser(ctx);
  const t = model.token(id);
  if (t && mayManage(user, t)) return t;
  throw user.admin ? notFound() : unauthorized();
}

export const personalTokenRoutes: ApiRoute[] = [
  {
    method: "GET",
    path: "/personal_access_tokens",
    handler(ctx) {
      const { model } = ctx;
      const user = currentUser(ctx);
      const p = params(ctx, [{ name: "user_id", type: "integer" }, ...TOKEN_FILTER_PARAMS]);
      let tokens: Token[];
      if (user.admin) {
        if ("user_id" in p) {
          const target = typeof p.user_id === "number" ? model.user(p.user_id) : undefined;
          if (!target) throw notFound();
          tokens = model.state.tokens.filter((t) => t.userId === target.id);
        } else {
          tokens = model.state.tokens;
        }
      } else {
        if ("user_id" in p && p.user_id !== user.id) throw unauthorized();
        tokens = model.state.tokens.filter((t) => t.userId === user.id && !t.impersonation);
      }
      return list(ctx, filterTokens(model, tokens, p), (t) => listedToken(model, t), p);
    },
  },
  {
    method: "GET",
    path: "/personal_access_tokens/self",
    scopes: "any",
    // A granular token's scopes too. The revision of self_information.rb read presents the plain
    // entity (no granular_scopes); newer ones are taken to present it as GET /:id does.
    handler: (ctx) => ok(listedToken(ctx.model, currentToken(ctx))),
  },
  {
    method: "DELETE",
    path: "/personal_access_tokens/self",
    scopes: "any",
    handler(ctx) {
      ctx.model.revokeToken(currentToken(ctx));
      return noContent();
    },
  },
  {
    method: "POST",
    path: "/personal_access_tokens/self/rotate",
    scopes: ["self_rotate"],
    handler(ctx) {
      const p = params(ctx, [EXPIRES_AT]);
      const next = service(() => ctx.model.rotateToken(currentToken(ctx), str(p, "expires_at")));
      // lib/api/personal_access_tokens/self_rotation.rb presents the successor without
      // `with_granular_scopes` (the revision read): no `granular_scopes` here, unlike rotate by id.
      return ok(withToken(tokenEntity(ctx.model, next.token), next.value));
    },
  },
  {
    method: "GET",
    path: "/personal_access_tokens/:id",
    handler(ctx) {
      const p = params(ctx, [ID_PARAM]);
      return ok(listedToken(ctx.model, findOwnToken(ctx, ctx.model, p.id as number)));
    },
  },
  {
    method: "DELETE",
    path: "/personal_access_tokens/:id",
    handler(ctx) {
      const { model } = ctx;
      const user = currentUser(ctx);
      const p = params(ctx, [ID_PARAM]);
      const t = model.token(p.id as number);
      if (!t) throw recordNotFound();
      if (!mayManage(user, t) || (t.impersonation && !user.admin))
        throw badRequest("Not permitted to revoke");
      model.revokeToken(t);
      return noContent();
    },
  },
  {
    method: "POST",
    path: "/personal_access_tokens/:id/rotate",
    handler(ctx) {
      const { model } = ctx;
      const p = params(ctx, [ID_PARAM, EXPIRES_AT]);
      const t = findOwnToken(ctx, model, p.id as number);
      const next = service(() => model.rotateToken(t, str(p, "expires_at")));
      // lib/api/personal_access_tokens.rb presents the successor `with_granular_scopes: true`.
      return ok(withGranularScopes(withToken(tokenEntity(model, next.token), next.value), next.token));
    },
  },
  {
    method: "POST",
    path: "/users/:user_id/personal_access_tokens",
    handler(ctx) {
      const { model } = ctx;
      requireAdmin(ctx);
      const request = createRequest(
        ctx,
        [{ name: "user_id", type: "integer", required: true }, ...CREATE_TOKEN_PARAMS],
        PERSONAL_TOKEN_SCOPES,
      );
      const p = request.values;
      const target = model.user(p.user_id as number);
      if (!target) throw notFound("User");
      // Granular tokens for another user: GitLab 19.6+ (gitlab-org/gitlab!260958).
      if (request.granular)
        return createGranularToken(ctx, target, { ...request, granular: request.granular });
      const made = service(
        () =>
          model.createPersonalToken(target, {
            name: str(p, "name"),
            description: str(p, "description") ?? null,
            scopes: strings(p, "scopes") ?? [],
            expiresAt: str(p, "expires_at"),
          }),
        422,
      );
      return created(withToken(tokenEntity(model, made.token), made.value));
    },
  },
  {
    method: "POST",
    path: "/user/personal_access_tokens",
    handler(ctx) {
      const { model } = ctx;
      const user = currentUser(ctx);
      const request = createRequest(ctx, CREATE_TOKEN_PARAMS, USER_SELF_TOKEN_SCOPES);
      const p = request.values;
      // A granular token for oneself (GitLab 19.2+). Its expiry defaults as the admin route's does
      // (`create_personal_access_token_params`: "the maximum allowable lifetime"); the legacy
      // k8s_proxy token keeps the route's own default of tomorrow.
      if (request.granular) return createGranularToken(ctx, user, { ...request, granular: request.granular });
      const made = service(
        () =>
          model.createPersonalToken(
            user,
            {
              name: str(p, "name"),
              description: str(p, "description") ?? null,
              scopes: strings(p, "scopes") ?? [],
              expiresAt: str(p, "expires_at"),
            },
            "tomorrow",
          ),
        422,
      );
      return created(withToken(tokenEntity(model, made.token), made.value));
    },
  },
];
