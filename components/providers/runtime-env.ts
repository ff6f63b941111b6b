/**
 * What the providers read from their surroundings at run time: the GitLab connection (stack config
 * through `configure`, else the environment) and the clock. Pure helpers; no Pulumi imports.
 */
import { GitLabClient } from "../gitlab/client";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../gitlab/requester";
import { CONFIG_NAMESPACE } from "../types";
import { assertEngineAlive, watchEngine } from "./engine-watch";

/** Config namespace of this project (`gitlab-tokens:baseUrl`, `gitlab-tokens:token`, …). */
export { CONFIG_NAMESPACE } from "../types";

export { NOW_ENV, currentTime } from "../clock";

export const DEFAULT_BASE_URL = "https://gitlab.com";

export interface Connection {
  baseUrl: string;
  /** The provisioning credential; undefined when none is configured. */
  token: string | undefined;
  retry?: Partial<RetryPolicy>;
}

/**
 * The connection: `gitlab-tokens:baseUrl` / `gitlab-tokens:token` from the stack config (as the
 * dynamic provider's `configure` receives it), else GITLAB_BASE_URL / GITLAB_TOKEN, else gitlab.com.
 */
export function connectionFrom(
  config: (key: string) => string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Connection {
  const baseUrl = config(`${CONFIG_NAMESPACE}:baseUrl`) || env.GITLAB_BASE_URL || DEFAULT_BASE_URL;
  const token = config(`${CONFIG_NAMESPACE}:token`) || env.GITLAB_TOKEN || undefined;
  return { baseUrl, token, retry: DEFAULT_RETRY_POLICY };
}

/** What a provider's `configure` keeps from the stack config (held only in the provider process). */
export interface ProviderConfig {
  baseUrl?: string;
  token?: string;
}

/** The connection for a configured provider: its stack config, else the environment. */
export function connectionOf(config: ProviderConfig, env: NodeJS.ProcessEnv = process.env): Connection {
  return connectionFrom((k) => (k.endsWith(":token") ? config.token : config.baseUrl), env);
}

/** The error for a missing credential; it names where to put one, never a value. */
export function missingCredential(): Error {
  return new Error(
    `no GitLab credential: set it with \`pulumi config set --secret ${CONFIG_NAMESPACE}:token\` or the GITLAB_TOKEN environment variable`,
  );
}

/** A GitLab client for the connection; a missing credential is an error that says where to set it. */
export function clientFor(conn: Connection): GitLabClient {
  if (!conn.token) throw missingCredential();
  watchEngine();
  return new GitLabClient({
    baseUrl: conn.baseUrl,
    token: conn.token,
    retry: conn.retry,
    beforeRequest: assertEngineAlive,
  });
}
