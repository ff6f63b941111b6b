/**
 * The one error type of the GitLab client layer. Its message says what went wrong and what to fix —
 * a refused credential, a missing scope, a missing role, an unreachable GitLab — and otherwise names
 * the method, the path and the status and quotes GitLab's own message. It never carries headers,
 * request bodies or any token.
 */
export class GitLabApiError extends Error {
  readonly method: string;
  /** Path relative to `/api/v4`, e.g. `projects/acme%2Fweb/access_tokens`. No query string. */
  readonly path: string;
  /** HTTP status, or 0 when no response arrived (connection refused or dropped, timeout). */
  readonly status: number;
  /** GitLab's message (`message` or `error_description` of the body), or the network failure's description. */
  readonly gitlabMessage: string;
  /** Seconds GitLab asked the client to wait (429 `Retry-After`). */
  readonly retryAfterSeconds?: number;
  /** GitLab's OAuth-style error code (`insufficient_scope`, `invalid_token`), when it sent one. */
  readonly errorCode?: string;
  /** For `insufficient_scope`: the scopes GitLab said the call accepts. */
  readonly requiredScopes?: readonly string[];
  /** GitLab's URL as configured (no `/api/v4`), for messages about reaching it. */
  readonly baseUrl?: string;
  /** True when the request never left this machine (connection refused, host not found). */
  readonly notSent: boolean;

  constructor(args: {
    method: string;
    path: string;
    status: number;
    gitlabMessage: string;
    retryAfterSeconds?: number;
    errorCode?: string;
    requiredScopes?: readonly string[];
    baseUrl?: string;
    notSent?: boolean;
  }) {
    super(describe(args));
    this.name = "GitLabApiError";
    this.method = args.method;
    this.path = args.path;
    this.status = args.status;
    this.gitlabMessage = args.gitlabMessage;
    this.retryAfterSeconds = args.retryAfterSeconds;
    this.errorCode = args.errorCode;
    this.requiredScopes = args.requiredScopes;
    this.baseUrl = args.baseUrl;
    this.notSent = args.notSent ?? false;
  }

  /** True when GitLab may or may not have carried out the request (no response, or a 5xx). */
  get outcomeUnknown(): boolean {
    return (this.status === 0 && !this.notSent) || this.status >= 500;
  }

  static is(e: unknown): e is GitLabApiError {
    return e instanceof Error && e.name === "GitLabApiError";
  }
}

/** Where the provisioning credential is set (the same words in every message that asks to fix it). */
const SET_CREDENTIAL = "set gitlab-tokens:token or GITLAB_TOKEN";

/**
 * The message: one line, naming what to fix. Credential and reachability problems leave out the
 * path, so the same cause reads the same for every resource that hit it.
 */
function describe(a: {
  method: string;
  path: string;
  status: number;
  gitlabMessage: string;
  errorCode?: string;
  requiredScopes?: readonly string[];
  baseUrl?: string;
  notSent?: boolean;
}): string {
  const call = `GitLab ${a.method} ${a.path}`;
  if (a.status === 0) {
    if (a.notSent && a.baseUrl) {
      return `cannot reach GitLab at ${a.baseUrl} (${a.gitlabMessage}); check gitlab-tokens:baseUrl or GITLAB_BASE_URL`;
    }
    const where = a.baseUrl ? ` from GitLab at ${a.baseUrl}` : "";
    return `${call}: no response${where}: ${a.gitlabMessage}`;
  }
  if (a.status === 401) {
    const why = /expired/i.test(a.gitlabMessage)
      ? "it has expired"
      : /revoked/i.test(a.gitlabMessage)
        ? "it was revoked"
        : "it is wrong, expired or revoked";
    return `GitLab refused the provisioning credential (401): ${why}; ${SET_CREDENTIAL} to a valid token with api scope`;
  }
  if (a.status === 403 && a.errorCode === "insufficient_scope") {
    const scopes = a.requiredScopes?.length ? a.requiredScopes : ["api"];
    const lacks =
      scopes.length === 1 ? `the ${scopes[0]} scope` : `a scope this call needs (${scopes.join(" or ")})`;
    return `GitLab refused the provisioning credential (403 insufficient_scope): it lacks ${lacks}; ${SET_CREDENTIAL} to a token with api scope`;
  }
  if (a.status === 403 || (a.status === 400 && /permission|could not provision/i.test(a.gitlabMessage))) {
    return (
      `${call}: HTTP ${a.status}: ${a.gitlabMessage}; the provisioning credential's user lacks the role for this: ` +
      "it must be Maintainer or Owner of the project or group (Owner for Owner-level tokens; an administrator for personal tokens, " +
      "or an Owner of a group service account's top-level group, a Maintainer or Owner of a project service account's project)"
    );
  }
  if (
    a.status === 404 &&
    a.gitlabMessage.trim() === "404 Not Found" &&
    PROJECT_SERVICE_ACCOUNTS.test(a.path)
  ) {
    return (
      `${call}: HTTP 404: ${a.gitlabMessage}; this GitLab has no project service-account routes: they need ` +
      "GitLab 18.11 or newer and, on some versions, the feature flag allow_projects_to_create_service_accounts " +
      "(ee/lib/api/project_service_accounts.rb)"
    );
  }
  if (
    a.status === 404 &&
    a.method === "POST" &&
    a.gitlabMessage.trim() === "404 Not Found" &&
    PERSONAL_TOKEN_CREATE.test(a.path)
  ) {
    // A missing user is `404 User Not Found`; a bare 404 on this route is a fine-grained token
    // GitLab does not make here (gitlab-org/gitlab!260958).
    return (
      `${call}: HTTP 404: ${a.gitlabMessage}; this GitLab does not create fine-grained (granular:) tokens ` +
      "for a user through this route: it needs GitLab 19.6 or newer with fine-grained personal access " +
      "tokens enabled (feature flag granular_personal_access_tokens) — or declare scopes instead of granular"
    );
  }
  const owner = SERVICE_ACCOUNT_TOKENS.exec(a.path)?.[1];
  if (a.status === 404 && a.gitlabMessage.trim() === "404 User Not Found" && owner !== undefined) {
    const ns = owner === "groups" ? "group" : "project";
    return (
      `${call}: HTTP 404: ${a.gitlabMessage}; the user is not a service account of this ${ns}: ` +
      "name the group (group:) or project (project:) that owns it"
    );
  }
  return `${call}: HTTP ${a.status}: ${a.gitlabMessage}`;
}

/** A service account's token route of a group or project (§4); group 1 is `groups` or `projects`. */
const SERVICE_ACCOUNT_TOKENS =
  /^(groups|projects)\/[^/]+\/service_accounts\/[^/]+\/personal_access_tokens(\/|$)/;

/** The administrator's create route for a user's personal access tokens. */
const PERSONAL_TOKEN_CREATE = /^users\/[^/]+\/personal_access_tokens$/;

/** A path under `/projects/:id/service_accounts` (GitLab 18.11+; behind a feature flag on some versions). */
const PROJECT_SERVICE_ACCOUNTS = /^projects\/[^/]+\/service_accounts(\/|$)/;

/** Whether an error is GitLab's 404 for the thing asked about. */
/**
 * The last expiry date GitLab would accept, from its refusal of a later one: `Expiration date must
 * be before YYYY-MM-DD` (a personal, project or group token past the instance's maximum lifetime,
 * `PersonalAccessToken#expires_at_before_instance_max_expiry_date`; GitLab #548819) or `Expires at
 * must be before YYYY-MM-DD` (a pipeline trigger token). "Before" is taken at its word: the day
 * before that date. Undefined for any other error.
 */
export function expiryCapOf(e: unknown): string | undefined {
  if (!GitLabApiError.is(e) || (e.status !== 400 && e.status !== 422)) return undefined;
  const m = /(?:Expiration date|Expires at) must be before (\d{4}-\d{2}-\d{2})/.exec(e.gitlabMessage);
  if (m === null) return undefined;
  const day = new Date(`${m[1]}T00:00:00.000Z`);
  return new Date(day.getTime() - 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
}

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
