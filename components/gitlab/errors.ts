/**
 * The one error type of the GitLab client layer. Its message names the method, the path and the
 * status and quotes GitLab's own message; it never carries headers, request bodies or any token.
 */
export class GitLabApiError extends Error {
  readonly method: string;
  /** Path relative to `/api/v4`, e.g. `projects/acme%2Fweb/access_tokens`. No query string. */
  readonly path: string;
  /** HTTP status, or 0 when no response arrived (connection dropped, timeout). */
  readonly status: number;
  /** GitLab's message (`message` or `error` of the body), or the network failure's description. */
  readonly gitlabMessage: string;
  /** Seconds GitLab asked the client to wait (429 `Retry-After`). */
  readonly retryAfterSeconds?: number;

  constructor(args: {
    method: string;
    path: string;
    status: number;
    gitlabMessage: string;
    retryAfterSeconds?: number;
  }) {
    const what = args.status === 0 ? "no response" : `HTTP ${args.status}`;
    super(`GitLab ${args.method} ${args.path}: ${what}: ${args.gitlabMessage}`);
    this.name = "GitLabApiError";
    this.method = args.method;
    this.path = args.path;
    this.status = args.status;
    this.gitlabMessage = args.gitlabMessage;
    this.retryAfterSeconds = args.retryAfterSeconds;
  }

  /** True when GitLab may or may not have carried out the request (no response, or a 5xx). */
  get outcomeUnknown(): boolean {
    return this.status === 0 || this.status >= 500;
  }

  static is(e: unknown): e is GitLabApiError {
    return e instanceof Error && e.name === "GitLabApiError";
  }
}

/** Whether an error is GitLab's 404 for the thing asked about. */
export function isNotFound(e: unknown): boolean {
  return GitLabApiError.is(e) && e.status === 404;
}

/**
 * Removes anything that looks like a GitLab token from a string, for the rare message that quotes
 * user input back (defence in depth: GitLab's own messages do not contain token values).
 */
export function redactTokens(text: string): string {
  return text.replace(/\b(?:gl[a-z]{1,6}-|glpat-)[A-Za-z0-9_.-]{8,}/g, "[redacted]");
}
