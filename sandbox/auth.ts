/**
 * Authentication as GitLab does it for personal, project and group access tokens (spec §1.1, §9):
 * the token from `private_token`, `PRIVATE-TOKEN`, `Authorization: Bearer` or `access_token`; unknown
 * → 401; expired checked before revoked (OAuth-style 401 bodies); a revoked token used on a rotate
 * path revokes its whole family (reuse detection); then the endpoint's scopes; then `Sudo`.
 */
import type { IncomingHttpHeaders } from "node:http";
import {
  TOKEN_EXPIRED,
  TOKEN_REVOKED,
  forbidden,
  insufficientScope,
  invalidToken,
  notFound,
  unauthorized,
} from "./errors";
import type { Model, Token, User } from "./model";
import type { RawParams } from "./params";
import { REUSE_DETECTION_PATH } from "./rules";

/** Scopes an endpoint accepts besides `api` (and `read_api` on GET/HEAD); "any" accepts every scope. */
export type EndpointScopes = readonly string[] | "any";

export interface Principal {
  user: User;
  token: Token;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function param(params: RawParams, name: string): string | undefined {
  const v = params[name];
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** The token string a request carries, in GitLab's order of precedence. */
export function extractToken(headers: IncomingHttpHeaders, params: RawParams): string | undefined {
  const fromParam = param(params, "private_token");
  if (fromParam) return fromParam;
  const fromHeader = header(headers, "private-token");
  if (fromHeader) return fromHeader;
  const authorization = header(headers, "authorization");
  const bearer = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
  if (bearer) return bearer;
  return param(params, "access_token") ?? param(params, "bearer_token");
}

/** The scopes an endpoint registers for this method, in the order GitLab names them in a 403. */
export function allowedScopes(method: string, extra: EndpointScopes): string[] {
  const read = method === "GET" || method === "HEAD";
  const scopes = ["api", ...(read ? ["read_api"] : [])];
  if (extra !== "any") for (const s of extra) if (!scopes.includes(s)) scopes.push(s);
  return scopes;
}

/**
 * Authenticate a request. Returns `null` for an anonymous request when `required` is false; throws
 * GitLab's error otherwise. A successful use records `last_used_at` and the client IP.
 */
export function authenticate(
  model: Model,
  req: { method: string; path: string; headers: IncomingHttpHeaders; ip?: string },
  params: RawParams,
  opts: { required: boolean; scopes: EndpointScopes },
): Principal | null {
  const value = extractToken(req.headers, params);
  if (value === undefined) {
    if (opts.required) throw unauthorized();
    return null;
  }
  const token = model.tokenByValue(value);
  const owner = token ? model.user(token.userId) : undefined;
  if (!token || !owner || owner.state !== "active") throw unauthorized();
  if (model.isExpired(token)) throw invalidToken(TOKEN_EXPIRED);
  if (token.revoked) {
    if (REUSE_DETECTION_PATH.test(req.path)) model.revokeTokenFamily(token);
    throw invalidToken(TOKEN_REVOKED);
  }
  if (opts.scopes !== "any") {
    const allowed = allowedScopes(req.method, opts.scopes);
    if (!token.scopes.some((s) => allowed.includes(s))) throw insufficientScope(allowed);
  }
  model.recordUse(token, req.ip);
  const sudo = header(req.headers, "sudo") ?? param(params, "sudo");
  if (sudo === undefined) return { user: owner, token };
  if (!owner.admin) throw forbidden("Must be admin to use sudo");
  if (!token.scopes.includes("sudo")) throw insufficientScope(["sudo"]);
  const target = /^\d+$/.test(sudo) ? model.user(Number(sudo)) : model.userByUsername(sudo);
  if (!target) throw notFound(`User with ID or username '${sudo}'`);
  return { user: target, token };
}
