/**
 * The HTTP layer under @gitbeaker/rest: one place for timeouts, retries and error shaping.
 *
 * gitbeaker's default handler retries 429 and 502 for every method (POST included, which can
 * duplicate a token) with sub-millisecond backoff and ignores `Retry-After`. This handler:
 * - retries 429 for every method, first waiting what `Retry-After` asks, capped at `maxDelayMs`
 *   (GitLab throttles before the request reaches the application, so nothing was done), then the
 *   backoff below;
 * - retries 5xx and dropped connections only for idempotent methods (GET, HEAD, PUT, DELETE), with
 *   exponential backoff and full jitter (a wait drawn evenly between 0 and the backoff), both
 *   exponential-backoff's;
 * - retries a connection that could not be made (refused, host not found: nothing was sent, so
 *   any method) only `connectAttempts` times, briefly: a GitLab that refuses connections is
 *   down or misconfigured, and six backed-off attempts per call would only delay the error;
 * - never retries a POST whose outcome is unknown: it throws a GitLabApiError whose
 *   `outcomeUnknown` is true, and the caller reconciles (see providers/access-token-impl.ts);
 * - throws GitLabApiError, whose message has no headers, body or token in it.
 */
import { createRequesterFn, type RequestHandlerFn, type RequesterType } from "@gitbeaker/requester-utils";
import type { ResourceOptions } from "@gitbeaker/requester-utils";
import { backOff } from "exponential-backoff";
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
  /**
   * Attempts in all when the connection cannot be made (refused, host not found): the request was
   * never sent, so every method may retry, but only a few times (backoff as above).
   */
  connectAttempts?: number;
  /** The wait for a 429's `Retry-After`; injected in tests. The backoff is exponential-backoff's own timer. */
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 250,
  maxDelayMs: 20_000,
  timeoutMs: 30_000,
  connectAttempts: 3,
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

/** What an error response says: GitLab's message, and its OAuth-style error code and scopes. */
async function gitlabAnswer(
  response: Response,
): Promise<{ message: string; errorCode?: string; requiredScopes?: string[] }> {
  let text = "";
  try {
    text = await response.text();
  } catch {
    return { message: response.statusText || "unreadable response body" };
  }
  let message = text.trim();
  let errorCode: string | undefined;
  let requiredScopes: string[] | undefined;
  if ((response.headers.get("content-type") ?? "").includes("json")) {
    try {
      const body = JSON.parse(text) as Record<string, unknown>;
      const m = body.message ?? body.error_description ?? body.error;
      message = typeof m === "string" ? m : JSON.stringify(m);
      if (typeof body.error === "string" && /^[a-z_]{1,64}$/.test(body.error)) errorCode = body.error;
      if (typeof body.scope === "string") {
        requiredScopes = body.scope.split(/\s+/).filter((x) => /^[a-z_]{1,64}$/.test(x));
      }
    } catch {
      // not JSON after all: keep the text
    }
  }
  if (message.length > 500) message = `${message.slice(0, 500)}…`;
  return { message: redactTokens(message || response.statusText || "no message"), errorCode, requiredScopes };
}

/** Causes of a failed fetch that mean no connection was made: the request never left. */
const NOT_SENT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

function networkFailure(e: unknown): { message: string; notSent: boolean } {
  // Duck-typed, not `instanceof Error`: fetch's errors may come from another realm (Jest's).
  if (e && typeof e === "object") {
    const err = e as { name?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
    if (err.name === "TimeoutError" || err.name === "AbortError") {
      return { message: "request timed out", notSent: false };
    }
    const code = typeof err.cause?.code === "string" ? err.cause.code : undefined;
    const text = code ?? err.cause?.message ?? err.message;
    return {
      message: typeof text === "string" ? redactTokens(text) : "network error",
      notSent: code !== undefined && NOT_SENT.has(code),
    };
  }
  return { message: "network error", notSent: false };
}

/** GitLab's URL as configured: the request's URL up to `/api/v4`, without credentials or query. */
function baseUrlOf(url: URL): string {
  const i = url.pathname.indexOf("/api/v4/");
  return `${url.origin}${i >= 0 ? url.pathname.slice(0, i) : ""}`;
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
 * Why an attempt failed, as the retry decision sees it: a connection that was never made, one that
 * dropped (the request may have been sent), or an HTTP error status.
 */
class FailedAttempt {
  constructor(
    readonly error: GitLabApiError,
    readonly cause: "not-sent" | "dropped" | "status",
    /** The wait a 429's `Retry-After` asks for, in milliseconds. */
    readonly retryAfterMs?: number,
  ) {}
}

/**
 * A gitbeaker request handler implementing the policy above. `beforeRequest` runs before every
 * attempt and may throw to stop it (the providers refuse to call GitLab once their engine is gone).
 *
 * The attempts, their count and the backoff between them (`baseDelayMs` doubling up to
 * `maxDelayMs`, full jitter) are exponential-backoff's; this module only says which failures may be
 * retried, and waits what a 429's `Retry-After` asks (with `policy.sleep`) before the library's
 * backoff.
 */
export function createRequestHandler(
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  beforeRequest: () => void = () => undefined,
): RequestHandlerFn {
  const sleep = policy.sleep ?? realSleep;

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

    const attempt = async () => {
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
        const failure = networkFailure(e);
        const err = new GitLabApiError({
          method,
          path,
          status: 0,
          gitlabMessage: failure.message,
          baseUrl: baseUrlOf(url),
          notSent: failure.notSent,
        });
        throw new FailedAttempt(err, failure.notSent ? "not-sent" : "dropped");
      }

      if (response.ok) {
        const headers = Object.fromEntries(response.headers.entries());
        return { body: await parseBody(response, asStream === true), headers, status: response.status };
      }

      const retryAfter = retryAfterSeconds(response.headers.get("retry-after"));
      const answer = await gitlabAnswer(response);
      const err = new GitLabApiError({
        method,
        path,
        status: response.status,
        gitlabMessage: answer.message,
        errorCode: answer.errorCode,
        requiredScopes: answer.requiredScopes,
        retryAfterSeconds: retryAfter,
        baseUrl: baseUrlOf(url),
      });
      throw new FailedAttempt(
        err,
        "status",
        response.status === 429 && retryAfter !== undefined ? retryAfter * 1000 : undefined,
      );
    };

    /** Whether to try again after `attempts` attempts, the last of which failed with `e`. */
    const retry = async (e: unknown, attempts: number): Promise<boolean> => {
      if (!(e instanceof FailedAttempt)) return false; // beforeRequest refused, or a bug: never retried
      switch (e.cause) {
        case "not-sent":
          return attempts < (policy.connectAttempts ?? policy.maxAttempts);
        case "dropped":
          return IDEMPOTENT.has(method);
      }
      const status = e.error.status;
      if (status >= 500) return IDEMPOTENT.has(method);
      if (status !== 429) return false;
      if (e.retryAfterMs !== undefined && attempts < policy.maxAttempts) {
        await sleep(Math.min(policy.maxDelayMs, e.retryAfterMs));
      }
      return true;
    };

    try {
      return await backOff(attempt, {
        numOfAttempts: policy.maxAttempts,
        startingDelay: policy.baseDelayMs,
        timeMultiple: 2,
        maxDelay: policy.maxDelayMs,
        jitter: "full",
        retry,
      });
    } catch (e) {
      throw e instanceof FailedAttempt ? e.error : e;
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
