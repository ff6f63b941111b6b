/**
 * The HTTP server: Fastify with GitLab's conventions — JSON and form bodies, `a[]` arrays, Grape-style
 * errors, `{"error":"404 Not Found"}` for unknown routes — and the sandbox's machinery around the API
 * routes: request counters, fault injection, the clock in the `Date` header, persistence after every
 * change (before the response leaves, so a lost response still means a committed change).
 */
import * as querystring from "node:querystring";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { authenticate } from "./auth";
import { ApiError, routeNotFound } from "./errors";
import { normalizeParams } from "./params";
import { registerAdminRoutes } from "./routes/admin";
import type { ApiContext, ApiResult, ApiRoute } from "./routes/api";
import { deployTokenRoutes } from "./routes/deploy-tokens";
import { directoryRoutes } from "./routes/directory";
import { personalTokenRoutes } from "./routes/personal-tokens";
import { resourceTokenRoutes } from "./routes/resource-tokens";
import { serviceAccountRoutes } from "./routes/service-accounts";
import { triggerRoutes } from "./routes/triggers";
import { variableRoutes } from "./routes/variables";
import type { Runtime } from "./runtime";

export const API_PREFIX = "/api/v4";

export const API_ROUTES: readonly ApiRoute[] = [
  ...personalTokenRoutes,
  ...resourceTokenRoutes,
  ...serviceAccountRoutes,
  ...deployTokenRoutes,
  ...triggerRoutes,
  ...directoryRoutes,
  ...variableRoutes,
];

function send(reply: FastifyReply, result: ApiResult): FastifyReply {
  reply.code(result.status);
  for (const [k, v] of Object.entries(result.headers ?? {})) reply.header(k, v);
  if (result.body === undefined) return reply.send();
  if (typeof result.body === "string") return reply.send(result.body);
  return sendJson(reply, result.body);
}

/** JSON with GitLab's bare `Content-Type: application/json` (a Buffer keeps Fastify from adding a charset). */
function sendJson(reply: FastifyReply, body: unknown): FastifyReply {
  return reply.header("content-type", "application/json").send(Buffer.from(JSON.stringify(body), "utf8"));
}

function isApi(url: string): boolean {
  return url === API_PREFIX || url.startsWith(`${API_PREFIX}/`) || url.startsWith(`${API_PREFIX}?`);
}

function pathOf(url: string): string {
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function buildServer(rt: Runtime): FastifyInstance {
  const app = Fastify({
    logger: false,
    routerOptions: { maxParamLength: 4096 },
    forceCloseConnections: true,
    bodyLimit: 4 * 1024 * 1024,
  });
  const lostResponses = new WeakSet<FastifyRequest>();

  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === "") return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new ApiError(400, { error: "message body does not match declared format" }), undefined);
    }
  });
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
    done(null, { ...querystring.parse(String(body)) });
  });
  app.addContentTypeParser("*", { parseAs: "string" }, (_req, _body, done) => done(null, {}));

  app.addHook("onRequest", async (req, reply) => {
    if (!isApi(req.url)) return undefined;
    const route = req.routeOptions.url;
    rt.counters.count(`${req.method} ${route ?? "(no route)"}`);
    const decision = rt.faults.decide(req.method, pathOf(req.url));
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    if (decision.response) {
      const { status, body, headers } = decision.response;
      reply.code(status).headers(headers);
      if (typeof body === "string") return reply.send(body);
      return sendJson(reply, body);
    }
    if (decision.lostResponse) lostResponses.add(req);
    return undefined;
  });

  app.addHook("onSend", async (req, reply, payload) => {
    reply.header("date", rt.clock.now().toUTCString());
    rt.persist();
    if (lostResponses.has(req)) req.raw.socket?.destroy();
    return payload;
  });

  app.setErrorHandler((error, _req, reply) => {
    if (error instanceof ApiError)
      return send(reply, { status: error.status, body: error.body, headers: error.headers });
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return send(reply, { status, body: { error: error instanceof Error ? error.message : String(error) } });
    }
    process.stderr.write(
      `[sandbox] internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return send(reply, { status: 500, body: { message: "500 Internal Server Error" } });
  });

  app.setNotFoundHandler((_req, reply) => {
    const e = routeNotFound();
    return send(reply, { status: e.status, body: e.body });
  });

  for (const route of API_ROUTES) {
    app.route({
      method: route.method,
      url: `${API_PREFIX}${route.path}`,
      handler: async (req, reply) => {
        const path = pathOf(req.url);
        const body = req.body && typeof req.body === "object" && !Array.isArray(req.body) ? req.body : {};
        const raw = normalizeParams({
          ...normalizeParams(req.query as Record<string, unknown>),
          ...normalizeParams(body as Record<string, unknown>),
          ...(req.params as Record<string, string>),
        });
        const principal = authenticate(
          rt.model,
          { method: req.method, path, headers: req.headers, ip: req.ip },
          raw,
          { required: route.auth !== false, scopes: route.scopes ?? [] },
        );
        const ctx: ApiContext = {
          model: rt.model,
          baseUrl: rt.baseUrl,
          method: req.method,
          path,
          params: raw,
          principal,
          user: principal?.user ?? null,
        };
        return send(reply, await route.handler(ctx));
      },
    });
  }

  registerAdminRoutes(app, rt);
  return app;
}
