/**
 * The HTTP layer under @gitbeaker/rest: one place for timeouts, retries and error shaping.
 *
 * gitbeaker's default handler retries 429 and 502 for every method (POST included, which can
 * duplicate a token) with sub-millisecond backoff and ignores `Retry-After`. This handler:
 * - retries 429 for every method, waiting what `Retry-After` asks (GitLab throttles before the
 *   request reaches the application, so nothing was done);
 * - retries 5xx and dropped connections only for idempotent methods (GET, HEAD, PUT, DELETE), with
 *   exponential backoff and full jitter;
 * - never retries a POST whose outcome is unknown: it throws a GitLabApiError whose
 *   `outcomeUnknown` is true, and the caller reconciles (see providers/access-token-impl.ts);
 * - throws GitLabApiError, whose message has no headers, body or token in it.
 */
import { createRequesterFn, type RequestHandlerFn, type RequesterType } from "@gitbeaker/requester-utils";
import type { ResourceOptions } from "@gitbeaker/requester-utils";
import { GitLabApiError, redactTokens } from "./errors";

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Backoff before the second attempt; doubles each time (full jitter). */
  baseDelayMs: number;
  /** Ceiling for one backoff, and for one `Retry-After` wait. */
  maxDelayMs: number;
  /** Per-attempt timeout. */
  timeoutMs: number;
  /** Injected in tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Injected in tests (0..1). */
  random?: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 250,
  maxDelayMs: 20_000,
  timeoutMs: 30_000,
};

const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE"]);

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The path below /api/v4, without the query: what errors and logs may show. */
function apiPath(url: URL): string {
  const i = url.pathname.indexOf("/api/v4/");
  return i >= 0 ? url.pathname.slice(i + "/api/v4/".length) : url.pathname;
}

function retryAfterSeconds(value: string | null): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return secs;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

async function gitlabMessage(response: Response): Promise<string> {
  let text = "";
  try {
    text = await response.text();
  } catch {
    return response.statusText || "unreadable response body";
  }
  let message = text.trim();
  if ((response.headers.get("content-type") ?? "").includes("json")) {
    try {
      const body = JSON.parse(text) as Record<string, unknown>;
      const m = body.message ?? body.error_description ?? body.error;
      message = typeof m === "string" ? m : JSON.stringify(m);
    } catch {
      // not JSON after all: keep the text
    }
  }
  if (message.length > 500) message = `${message.slice(0, 500)}…`;
  return redactTokens(message || response.statusText || "no message");
}

function networkMessage(e: unknown): string {
  if (e instanceof Error) {
    if (e.name === "TimeoutError" || e.name === "AbortError") return "request timed out";
    const cause = (e as Error & { cause?: { code?: string; message?: string } }).cause;
    return redactTokens(cause?.code ?? cause?.message ?? e.message);
  }
  return "network error";
}

async function parseBody(response: Response, asStream: boolean): Promise<unknown> {
  if (asStream) return response.body;
  if (response.status === 204) return null;
  const type = response.headers.get("content-type") ?? "";
  if (type.includes("json")) {
    const text = await response.text();
    return text ? (JSON.parse(text) as unknown) : {};
  }
  if (type.startsWith("text/")) return response.text();
  return response.blob();
}

/**
 * A gitbeaker request handler implementing the policy above. `beforeRequest` runs before every
 * attempt and may throw to stop it (the providers refuse to call GitLab once their engine is gone).
 */
export function createRequestHandler(
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  beforeRequest: () => void = () => undefined,
): RequestHandlerFn {
  const sleep = policy.sleep ?? realSleep;
  const random = policy.random ?? Math.random;
  const backoff = (attempt: number) =>
    Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)) * (0.5 + random() / 2);

  return (async (endpoint: string, options?: Record<string, unknown>) => {
    const {
      rateLimiters: _rateLimiters,
      agent: _agent,
      asStream,
      prefixUrl,
      searchParams,
      method: rawMethod,
      ...init
    } = (options ?? {}) as Record<string, unknown>;
    const method = String(rawMethod ?? "GET").toUpperCase();
    const base =
      typeof prefixUrl === "string" ? (prefixUrl.endsWith("/") ? prefixUrl : `${prefixUrl}/`) : undefined;
    const url = new URL(endpoint, base);
    url.search = typeof searchParams === "string" ? searchParams : "";
    const path = apiPath(url);

    for (let attempt = 1; ; attempt++) {
      beforeRequest();
      let response: Response;
      try {
        response = await fetch(
          new Request(url, {
            ...(init as RequestInit),
            method,
            signal: AbortSignal.timeout(policy.timeoutMs),
          }),
        );
      } catch (e) {
        const err = new GitLabApiError({ method, path, status: 0, gitlabMessage: networkMessage(e) });
        if (!IDEMPOTENT.has(method) || attempt >= policy.maxAttempts) throw err;
        await sleep(backoff(attempt));
        continue;
      }

      if (response.ok) {
        const headers = Object.fromEntries(response.headers.entries());
        return { body: await parseBody(response, asStream === true), headers, status: response.status };
      }

      const retryAfter = retryAfterSeconds(response.headers.get("retry-after"));
      const err = new GitLabApiError({
        method,
        path,
        status: response.status,
        gitlabMessage: await gitlabMessage(response),
        retryAfterSeconds: retryAfter,
      });
      const retryable = response.status === 429 || (response.status >= 500 && IDEMPOTENT.has(method));
      if (!retryable || attempt >= policy.maxAttempts) throw err;
      const wait =
        response.status === 429 && retryAfter !== undefined
          ? Math.min(policy.maxDelayMs, retryAfter * 1000)
          : backoff(attempt);
      await sleep(wait);
    }
  }) as RequestHandlerFn;
}

/** A gitbeaker `requesterFn` using createRequestHandler. */
export function createRequester(
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  beforeRequest?: () => void,
): (serviceOptions: ResourceOptions) => RequesterType {
  return createRequesterFn(
    async (_service, requestOptions) => requestOptions,
    createRequestHandler(policy, beforeRequest),
  );
}
