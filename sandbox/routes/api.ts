/**
 * The small framework every GitLab route of the sandbox is written in: a route declares its method,
 * path, whether it needs a token and which scopes it accepts beyond `api`/`read_api`; its handler gets
 * the merged parameters and the authenticated user, and returns a status and body (or throws an
 * `ApiError`).
 */
import type { EndpointScopes, Principal } from "../auth";
import { forbidden, notFound, unauthorized } from "../errors";
import type { Model, Source, SourceType, Token, User } from "../model";
import { PAGINATION_PARAMS, paginate } from "../pagination";
import { type ParamSpec, type RawParams, declared } from "../params";

export interface ApiContext {
  model: Model;
  /** The sandbox's URL, e.g. http://127.0.0.1:1234 (for `web_url` and `Link`). */
  baseUrl: string;
  method: string;
  /** URL path without the query. */
  path: string;
  /** Query, body and path parameters merged (path wins), `a[]` and `a[b]` folded. */
  params: RawParams;
  principal: Principal | null;
  /** The current user (the token's owner, or the `Sudo` target). */
  user: User | null;
}

export interface ApiResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface ApiRoute {
  method: HttpMethod;
  /** Path after `/api/v4`, Fastify syntax (`/projects/:id/access_tokens`). */
  path: string;
  /** Whether a token is needed. Default true. */
  auth?: boolean;
  /** Scopes accepted besides `api` (and `read_api` on GET). Default none. */
  scopes?: EndpointScopes;
  handler: (ctx: ApiContext) => ApiResult | Promise<ApiResult>;
}

export const ok = (body: unknown): ApiResult => ({ status: 200, body });
export const created = (body: unknown): ApiResult => ({ status: 201, body });
export const noContent = (): ApiResult => ({ status: 204 });

/** The authenticated user (routes with `auth: false` call this where GitLab needs one). */
export function currentUser(ctx: ApiContext): User {
  if (!ctx.user) throw unauthorized();
  return ctx.user;
}

export function currentToken(ctx: ApiContext): Token {
  if (!ctx.principal) throw unauthorized();
  return ctx.principal.token;
}

/** `authenticated_as_admin!`. */
export function requireAdmin(ctx: ApiContext): User {
  const user = currentUser(ctx);
  if (!user.admin) throw forbidden();
  return user;
}

/** Grape's declared params for this request. */
export function params(ctx: ApiContext, specs: readonly ParamSpec[]): Record<string, unknown> {
  return declared(ctx.params, specs);
}

const TOKEN_PARAMS = new Set(["private_token", "access_token", "bearer_token"]);

/** A paginated list: headers per spec §1.3, items presented by `present`. */
export function list<T>(
  ctx: ApiContext,
  items: readonly T[],
  present: (item: T) => unknown,
  declaredParams?: Record<string, unknown>,
): ApiResult {
  const p = declaredParams ?? declared(ctx.params, PAGINATION_PARAMS);
  const linkParams = Object.fromEntries(Object.entries(ctx.params).filter(([k]) => !TOKEN_PARAMS.has(k)));
  const page = paginate(items, {
    page: (p.page as number | undefined) ?? 1,
    perPage: (p.per_page as number | undefined) ?? 20,
    baseUrl: `${ctx.baseUrl}${ctx.path}`,
    params: { ...linkParams, per_page: p.per_page ?? 20 },
  });
  return { status: 200, body: page.items.map(present), headers: page.headers };
}

/** `find_project!` / `find_group!`: by id or full path, 404 when unknown or not visible to the user. */
export function findSource(ctx: ApiContext, type: SourceType, id: string): Source {
  const { model } = ctx;
  if (type === "project") {
    const entity = model.findProject(id);
    const source: Source | undefined = entity ? { type, entity } : undefined;
    if (!source || !model.canRead(ctx.user, source)) throw notFound("Project");
    return source;
  }
  const entity = model.findGroup(id);
  const source: Source | undefined = entity ? { type, entity } : undefined;
  if (!source || !model.canRead(ctx.user, source)) throw notFound("Group");
  return source;
}

export function routeParam(ctx: ApiContext, name: string): string {
  const v = ctx.params[name];
  return typeof v === "string" ? v : String(v ?? "");
}
