/**
 * Project and group access tokens (spec §5, §6): list, get, create, revoke, rotate and self-rotate,
 * one implementation parametrised by the kind of resource, as GitLab's `ResourceAccessTokens` is.
 */
import { badRequest, notAllowed, notFound, unauthorized } from "../errors";
import { resourceTokenEntity, withToken } from "../entities";
import type { Source, SourceType, Token } from "../model";
import { type ParamSpec, int, str, strings } from "../params";
import { DEFAULT_TOKEN_ACCESS_LEVEL, RESOURCE_TOKEN_SCOPES, TOKEN_ACCESS_LEVELS } from "../rules";
import {
  type ApiContext,
  type ApiRoute,
  created,
  currentToken,
  currentUser,
  findSource,
  list,
  noContent,
  ok,
  params,
  routeParam,
} from "./api";
import { createParams, service } from "./personal-tokens";
import { TOKEN_FILTER_PARAMS, filterTokens } from "./token-filters";

const TOKEN_ID: ParamSpec = { name: "token_id", type: "integer", required: true };
const EXPIRES_AT: ParamSpec = { name: "expires_at", type: "date" };

function tokenOf(ctx: ApiContext, source: Source, id: number): Token | undefined {
  return ctx.model.resourceTokens(source).find((t) => t.id === id);
}

function routesFor(type: SourceType): ApiRoute[] {
  const prefix = type === "project" ? "/projects/:id" : "/groups/:id";
  const tokenNotFound = () => notFound(`${type} Access Token`);
  const present = (ctx: ApiContext) => (t: Token) => resourceTokenEntity(ctx.model, t);

  return [
    {
      method: "GET",
      path: `${prefix}/access_tokens`,
      handler(ctx) {
        const user = currentUser(ctx);
        const p = params(ctx, TOKEN_FILTER_PARAMS);
        const source = findSource(ctx, type, routeParam(ctx, "id"));
        if (!ctx.model.canAdminSource(user, source)) throw unauthorized();
        return list(ctx, filterTokens(ctx.model, ctx.model.resourceTokens(source), p), present(ctx), p);
      },
    },
    {
      method: "POST",
      path: `${prefix}/access_tokens/self/rotate`,
      scopes: ["self_rotate"],
      handler(ctx) {
        const user = currentUser(ctx);
        const p = params(ctx, [EXPIRES_AT]);
        if (!ctx.model.isBot(user)) throw notAllowed();
        const source = findSource(ctx, type, routeParam(ctx, "id"));
        const token = tokenOf(ctx, source, currentToken(ctx).id);
        if (!token) throw unauthorized();
        const next = service(() => ctx.model.rotateToken(token, str(p, "expires_at")));
        return ok(withToken(resourceTokenEntity(ctx.model, next.token), next.value));
      },
    },
    {
      method: "GET",
      path: `${prefix}/access_tokens/:token_id`,
      handler(ctx) {
        const user = currentUser(ctx);
        const p = params(ctx, [TOKEN_ID]);
        const source = findSource(ctx, type, routeParam(ctx, "id"));
        if (!ctx.model.canAdminSource(user, source)) throw unauthorized();
        const token = tokenOf(ctx, source, p.token_id as number);
        if (!token) throw tokenNotFound();
        return ok(resourceTokenEntity(ctx.model, token));
      },
    },
    {
      method: "POST",
      path: `${prefix}/access_tokens`,
      handler(ctx) {
        const user = currentUser(ctx);
        const p = params(ctx, [
          ...createParams(RESOURCE_TOKEN_SCOPES),
          {
            name: "access_level",
            type: "integer",
            values: TOKEN_ACCESS_LEVELS,
            default: DEFAULT_TOKEN_ACCESS_LEVEL,
          },
        ]);
        const source = findSource(ctx, type, routeParam(ctx, "id"));
        const made = service(() =>
          ctx.model.createResourceToken(user, source, {
            name: str(p, "name"),
            description: str(p, "description") ?? null,
            scopes: strings(p, "scopes") ?? [],
            expiresAt: str(p, "expires_at"),
            accessLevel: int(p, "access_level") ?? DEFAULT_TOKEN_ACCESS_LEVEL,
          }),
        );
        return created(withToken(resourceTokenEntity(ctx.model, made.token), made.value));
      },
    },
    {
      method: "DELETE",
      path: `${prefix}/access_tokens/:token_id`,
      handler(ctx) {
        const user = currentUser(ctx);
        const p = params(ctx, [TOKEN_ID]);
        const source = findSource(ctx, type, routeParam(ctx, "id"));
        const token = tokenOf(ctx, source, p.token_id as number);
        if (!token) throw tokenNotFound();
        if (!ctx.model.canAdminSource(user, source)) {
          const bot = ctx.model.user(token.userId);
          throw badRequest(`${user.name} cannot delete ${bot?.name ?? token.name}`);
        }
        ctx.model.revokeToken(token);
        return noContent();
      },
    },
    {
      method: "POST",
      path: `${prefix}/access_tokens/:token_id/rotate`,
      handler(ctx) {
        const { model } = ctx;
        const user = currentUser(ctx);
        const p = params(ctx, [TOKEN_ID, EXPIRES_AT]);
        const source = findSource(ctx, type, routeParam(ctx, "id"));
        const token = model.canAdminSource(user, source)
          ? tokenOf(ctx, source, p.token_id as number)
          : undefined;
        if (!token) throw user.admin ? notFound() : unauthorized();
        if (!user.admin) {
          const bot = model.user(token.userId);
          if (bot && model.botAccessLevel(bot) > model.accessLevel(user, source)) {
            throw badRequest("Not eligible to rotate token with access level higher than the user");
          }
        }
        const next = service(() => model.rotateToken(token, str(p, "expires_at")));
        return ok(withToken(resourceTokenEntity(model, next.token), next.value));
      },
    },
  ];
}

export const resourceTokenRoutes: ApiRoute[] = [...routesFor("project"), ...routesFor("group")];
