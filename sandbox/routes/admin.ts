/**
 * The sandbox's own admin API under `/-/sandbox/` (a prefix GitLab does not use for its API):
 * the clock, request counters, faults, settings, a state dump and token checks. Authenticated with
 * the sandbox's admin token; not counted and never faulted.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { DAY_MS, toDate } from "../clock";
import { extractToken } from "../auth";
import { digestToken } from "../rules";
import { parseFaultConfig } from "../faults";
import type { Runtime } from "../runtime";

export const ADMIN_PREFIX = "/-/sandbox";

const clockBody = z
  .object({
    now: z.string().optional(),
    advanceMs: z.number().optional(),
    advanceDays: z.number().optional(),
    frozen: z.boolean().optional(),
  })
  .strict();

const settingsBody = z
  .object({
    requirePersonalAccessTokenExpiry: z.boolean().optional(),
    maxPersonalAccessTokenLifetimeDays: z.number().int().positive().optional(),
    serviceAccessTokensExpirationEnforced: z.boolean().optional(),
    allowProjectsToCreateServiceAccounts: z.boolean().optional(),
    triggerTokenExpiration: z.boolean().optional(),
    granularPersonalAccessTokens: z.boolean().optional(),
  })
  .strict();

function badInput(reply: FastifyReply, message: string) {
  return reply
    .code(400)
    .type("application/json")
    .send(JSON.stringify({ error: message }));
}

function zodMessage(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ");
}

export function registerAdminRoutes(app: FastifyInstance, rt: Runtime): void {
  const authorized = (req: FastifyRequest): boolean => {
    const value = extractToken(req.headers, (req.query ?? {}) as Record<string, unknown>);
    return value !== undefined && digestToken(value) === rt.adminTokenDigest;
  };

  app.register(
    async (admin) => {
      admin.addHook("onRequest", async (req, reply) => {
        if (!authorized(req)) {
          return reply
            .code(401)
            .type("application/json")
            .send(JSON.stringify({ message: "401 Unauthorized" }));
        }
        return undefined;
      });

      const clockView = () => ({ now: rt.clock.now().toISOString(), frozen: rt.clock.frozen });

      admin.get("/clock", async () => clockView());
      admin.put("/clock", async (req, reply) => {
        const parsed = clockBody.safeParse(req.body ?? {});
        if (!parsed.success) return badInput(reply, zodMessage(parsed.error));
        const b = parsed.data;
        try {
          if (b.now !== undefined) rt.clock.setNow(toDate(b.now));
        } catch (e) {
          return badInput(reply, (e as Error).message);
        }
        if (b.advanceMs !== undefined) rt.clock.advance(b.advanceMs);
        if (b.advanceDays !== undefined) rt.clock.advance(b.advanceDays * DAY_MS);
        if (b.frozen === true) rt.clock.freeze();
        if (b.frozen === false) rt.clock.unfreeze();
        rt.model.markChanged();
        return clockView();
      });

      admin.get("/counters", async () => rt.counters.snapshot());
      admin.delete("/counters", async (_req, reply) => {
        rt.counters.reset();
        return reply.code(204).send();
      });

      admin.get("/faults", async () => rt.faults.get());
      admin.put("/faults", async (req, reply) => {
        try {
          rt.faults.set(parseFaultConfig(req.body ?? {}));
        } catch (e) {
          return badInput(reply, (e as Error).message);
        }
        return rt.faults.get();
      });
      admin.delete("/faults", async (_req, reply) => {
        rt.faults.clear();
        return reply.code(204).send();
      });

      admin.get("/settings", async () => rt.model.settings);
      admin.patch("/settings", async (req, reply) => {
        const parsed = settingsBody.safeParse(req.body ?? {});
        if (!parsed.success) return badInput(reply, zodMessage(parsed.error));
        for (const [k, v] of Object.entries(parsed.data)) {
          if (v !== undefined) (rt.model.settings as unknown as Record<string, unknown>)[k] = v;
        }
        rt.model.markChanged();
        return rt.model.settings;
      });

      admin.get("/state", async () => rt.snapshot());

      admin.post("/token-status", async (req, reply) => {
        const body = (req.body ?? {}) as { token?: unknown };
        if (typeof body.token !== "string") return badInput(reply, "token: expected a string");
        const t = rt.model.tokenByValue(body.token);
        return {
          status: rt.model.tokenStatus(body.token),
          ...(t
            ? { id: t.id, user_id: t.userId, name: t.name, expires_at: t.expiresAt, revoked: t.revoked }
            : {}),
        };
      });
    },
    { prefix: ADMIN_PREFIX },
  );
}
