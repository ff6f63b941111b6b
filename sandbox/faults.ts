/**
 * Fault injection for the GitLab API routes: added latency, a share of requests failing with a
 * chosen status, rate limiting with GitLab's 429, and lost responses (the change is committed, then
 * the connection drops). Every fault can be aimed at a method and a path pattern, and fires either on
 * a share of requests drawn from a seeded PRNG (`rate`) or on every Nth matching request (`everyNth`),
 * optionally only a few `times` — so tests are reproducible.
 */
import { z } from "zod";

/** Which requests a fault applies to. */
export interface FaultTarget {
  /** HTTP method, e.g. "POST". Default: any. */
  method?: string;
  /** Regular expression tested against the URL path (no query), e.g. "/access_tokens$". Default: any. */
  path?: string;
}

/** When a fault fires among the matching requests. Without `rate` and `everyNth`: on every one. */
export interface FaultTrigger {
  /** Share of matching requests hit, 0..1, drawn from the seeded PRNG. */
  rate?: number;
  /** Hit the Nth, 2Nth, ... matching request instead. */
  everyNth?: number;
  /** Stop after this many hits. Default: no limit. */
  times?: number;
}

export interface LatencyFault extends FaultTarget, FaultTrigger {
  /** Delay before the request is handled, in milliseconds. */
  ms: number;
}

export interface ErrorFault extends FaultTarget, FaultTrigger {
  /** Status to answer with; the body is GitLab's for that status, e.g. {"message":"500 Internal Server Error"}. */
  status: number;
  /** Replace the body's message. */
  message?: string;
}

export interface RateLimitFault extends FaultTarget, FaultTrigger {
  /**
   * Quota mode: at most `limit` matching requests per `periodSeconds` (fixed windows on the sandbox
   * clock, like Rack::Attack); the rest get 429 until the window ends. Without `limit`, the trigger
   * decides which requests get 429.
   */
  limit?: number;
  /** Window length for `limit`. Default 60. */
  periodSeconds?: number;
  /** `Retry-After` in trigger mode. Default 60. */
  retryAfterSeconds?: number;
  /** `RateLimit-Name`. Default "throttle_authenticated_api". */
  name?: string;
}

export type LostResponseFault = FaultTarget & FaultTrigger;

export interface FaultConfig {
  /** Seed of the PRNG behind every `rate`. Default 1. Setting faults restarts the PRNG and the counts. */
  seed?: number;
  /** Shorthand: delay every API request by this many milliseconds. */
  latencyMs?: number;
  latency?: LatencyFault | LatencyFault[];
  error?: ErrorFault | ErrorFault[];
  rateLimit?: RateLimitFault | RateLimitFault[];
  /** The request is handled and its change committed, then the socket is destroyed without a response. */
  lostResponse?: LostResponseFault | LostResponseFault[];
}

const regex = z.string().refine(
  (s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: "not a valid regular expression" },
);
const target = {
  method: z.string().min(1).optional(),
  path: regex.optional(),
};
const trigger = {
  rate: z.number().min(0).max(1).optional(),
  everyNth: z.number().int().positive().optional(),
  times: z.number().int().nonnegative().optional(),
};
const oneOrMany = <T extends z.ZodTypeAny>(s: T) => z.union([s, z.array(s)]).optional();

export const faultConfigSchema = z
  .object({
    seed: z.number().int().optional(),
    latencyMs: z.number().nonnegative().optional(),
    latency: oneOrMany(z.object({ ...target, ...trigger, ms: z.number().nonnegative() }).strict()),
    error: oneOrMany(
      z
        .object({
          ...target,
          ...trigger,
          status: z.number().int().min(400).max(599),
          message: z.string().optional(),
        })
        .strict(),
    ),
    rateLimit: oneOrMany(
      z
        .object({
          ...target,
          ...trigger,
          limit: z.number().int().nonnegative().optional(),
          periodSeconds: z.number().positive().optional(),
          retryAfterSeconds: z.number().int().nonnegative().optional(),
          name: z.string().optional(),
        })
        .strict(),
    ),
    lostResponse: oneOrMany(z.object({ ...target, ...trigger }).strict()),
  })
  .strict();

/** Validate a fault configuration (from the admin endpoint or the CLI); throws with a readable message. */
export function parseFaultConfig(input: unknown): FaultConfig {
  const result = faultConfigSchema.safeParse(input);
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new Error(`invalid fault configuration: ${detail}`);
  }
  return result.data as FaultConfig;
}

/** mulberry32: a small, seedable PRNG (the drills draw their kill points with it too). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What the fault engine decided for one request. */
export interface FaultDecision {
  latencyMs: number;
  /** Answer with this instead of handling the request. */
  response?: { status: number; body: unknown; headers: Record<string, string> };
  /** Handle the request, then drop the connection. */
  lostResponse: boolean;
}

class Rule<T extends FaultTarget & FaultTrigger> {
  private matched = 0;
  private hits = 0;
  private readonly pathRe: RegExp | undefined;

  constructor(readonly spec: T) {
    this.pathRe = spec.path !== undefined ? new RegExp(spec.path) : undefined;
  }

  matches(method: string, path: string): boolean {
    if (this.spec.method && this.spec.method.toUpperCase() !== method.toUpperCase()) return false;
    return this.pathRe ? this.pathRe.test(path) : true;
  }

  /** Count a matching request and decide whether the fault fires on it. */
  fires(random: () => number): boolean {
    this.matched += 1;
    if (this.spec.times !== undefined && this.hits >= this.spec.times) return false;
    let hit: boolean;
    if (this.spec.everyNth !== undefined) hit = this.matched % this.spec.everyNth === 0;
    else if (this.spec.rate !== undefined) hit = random() < this.spec.rate;
    else hit = true;
    if (hit) this.hits += 1;
    return hit;
  }
}

const REASONS: Record<number, string> = {
  400: "Bad request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  422: "Unprocessable Entity",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** GitLab's body for an injected status. */
export function errorBody(status: number, message?: string): unknown {
  if (status === 429 && message === undefined) {
    return { message: { error: "This endpoint has been requested too many times. Try again later." } };
  }
  return { message: message ?? `${status} ${REASONS[status] ?? "Error"}` };
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export class FaultEngine {
  private config: FaultConfig = {};
  private random = prng(1);
  private latency: Rule<LatencyFault>[] = [];
  private errors: Rule<ErrorFault>[] = [];
  private rateLimits: Rule<RateLimitFault>[] = [];
  private lost: Rule<LostResponseFault>[] = [];
  /** Quota windows: rule index → window start (ms) and count. */
  private windows = new Map<number, { start: number; count: number }>();

  constructor(private readonly now: () => Date) {}

  set(config: FaultConfig): void {
    const parsed = parseFaultConfig(config);
    this.config = parsed;
    this.random = prng(parsed.seed ?? 1);
    this.latency = list(parsed.latency).map((s) => new Rule(s));
    if (parsed.latencyMs) this.latency.unshift(new Rule<LatencyFault>({ ms: parsed.latencyMs }));
    this.errors = list(parsed.error).map((s) => new Rule(s));
    this.rateLimits = list(parsed.rateLimit).map((s) => new Rule(s));
    this.lost = list(parsed.lostResponse).map((s) => new Rule(s));
    this.windows.clear();
  }

  clear(): void {
    this.set({});
  }

  get(): FaultConfig {
    return this.config;
  }

  decide(method: string, path: string): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0, lostResponse: false };
    for (const rule of this.latency) {
      if (rule.matches(method, path) && rule.fires(this.random)) decision.latencyMs += rule.spec.ms;
    }
    this.rateLimits.forEach((rule, index) => {
      if (decision.response || !rule.matches(method, path)) return;
      const limited = this.rateLimited(rule, index);
      if (limited) decision.response = limited;
    });
    for (const rule of this.errors) {
      if (decision.response) break;
      if (rule.matches(method, path) && rule.fires(this.random)) {
        decision.response = {
          status: rule.spec.status,
          body: errorBody(rule.spec.status, rule.spec.message),
          headers: {},
        };
      }
    }
    if (!decision.response) {
      for (const rule of this.lost) {
        if (rule.matches(method, path) && rule.fires(this.random)) decision.lostResponse = true;
      }
    }
    return decision;
  }

  private rateLimited(rule: Rule<RateLimitFault>, index: number): FaultDecision["response"] {
    const spec = rule.spec;
    const now = this.now().getTime();
    const name = spec.name ?? "throttle_authenticated_api";
    if (spec.limit !== undefined) {
      const periodMs = (spec.periodSeconds ?? 60) * 1000;
      const start = Math.floor(now / periodMs) * periodMs;
      let w = this.windows.get(index);
      if (!w || w.start !== start) {
        w = { start, count: 0 };
        this.windows.set(index, w);
      }
      w.count += 1;
      if (w.count <= spec.limit) return undefined;
      const resetMs = start + periodMs;
      return throttled(name, Math.ceil((spec.limit * 60_000) / periodMs), w.count, resetMs, now);
    }
    if (!rule.fires(this.random)) return undefined;
    const resetMs = now + (spec.retryAfterSeconds ?? 60) * 1000;
    return throttled(name, 0, 0, resetMs, now);
  }
}

/** Rack::Attack's throttled response (spec §1.4): text/plain "Retry later\n" with RateLimit-* headers. */
function throttled(
  name: string,
  limitPerMinute: number,
  observed: number,
  resetMs: number,
  now: number,
): NonNullable<FaultDecision["response"]> {
  const retryAfter = Math.max(0, Math.ceil((resetMs - now) / 1000));
  return {
    status: 429,
    body: "Retry later\n",
    headers: {
      "content-type": "text/plain",
      "ratelimit-name": name,
      "ratelimit-limit": String(limitPerMinute),
      "ratelimit-observed": String(observed),
      "ratelimit-remaining": "0",
      "ratelimit-reset": String(Math.floor(resetMs / 1000)),
      "ratelimit-resettime": new Date(resetMs).toUTCString(),
      "retry-after": String(retryAfter),
    },
  };
}
