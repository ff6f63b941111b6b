/**
 * The GitLab calls the audit makes. Listing goes through the project's `GitLabClient` (retries, error
 * shaping, every page); the one call it lacks — who the credential belongs to — is made here the same
 * way, through gitbeaker with the project's requester.
 */
import { createRefOf, unmarkedDescription } from "../../components/gitlab/marker";
import { Users } from "@gitbeaker/rest";
import type { GitLabClient, GitLabToken } from "../../components/gitlab/client";
import { createRequester, DEFAULT_RETRY_POLICY, type RetryPolicy } from "../../components/gitlab/requester";
import type { GitLabApiGranularScope } from "../../policies/rules";
import type { LiveToken } from "./model";

/** The part of `GitLabClient` the audit uses (tests may hand in another implementation). */
export type AuditGitLab = Pick<
  GitLabClient,
  | "resolveProject"
  | "resolveGroup"
  | "resolveUser"
  | "currentUser"
  | "serviceAccountGroupOf"
  | "listResourceTokens"
  | "listPersonalTokens"
  | "listServiceAccountTokens"
  | "listDeployTokens"
  | "listTriggerTokens"
>;

export interface AuditConnection {
  baseUrl: string;
  /** The credential. Never logged, never part of an error or a report. */
  token: string;
  retry?: Partial<RetryPolicy>;
}

/** The user the credential belongs to (`GET /user`): checks the credential and that GitLab answers. */
export async function credentialUser(conn: AuditConnection): Promise<{ username: string; admin: boolean }> {
  const users = new Users({
    host: conn.baseUrl.replace(/\/+$/, ""),
    token: conn.token,
    queryTimeout: null,
    requesterFn: createRequester({ ...DEFAULT_RETRY_POLICY, ...conn.retry }),
  });
  const me = (await users.showCurrentUser()) as unknown as { username: string; is_admin?: boolean };
  return { username: me.username, admin: me.is_admin === true };
}

/** A listed token reduced to the fields the audit keeps (never its value). */
export function liveToken(t: GitLabToken): LiveToken {
  const raw = t as GitLabToken & {
    last_used_at?: string | null;
    granular?: boolean;
    granular_scopes?: GitLabApiGranularScope[] | null;
  };
  return {
    id: t.id,
    name: t.name,
    // The declared description: the creation marker is gitlab-tokens' own bookkeeping.
    description: t.description == null ? null : unmarkedDescription(t.description) || null,
    createdByGitlabTokens: createRefOf(t.description) !== undefined,
    scopes: [...t.scopes],
    ...(t.created_at === undefined ? {} : { created_at: t.created_at }),
    expires_at: t.expires_at ?? null,
    last_used_at: raw.last_used_at ?? null,
    active: t.active,
    revoked: t.revoked,
    ...(typeof t.access_level === "number" ? { access_level: t.access_level } : {}),
    ...(t.user_id === undefined ? {} : { user_id: t.user_id }),
    ...(t.username === undefined ? {} : { username: t.username }),
    // A fine-grained personal token (GitLab 19.2+): what it may do is in its granular scopes.
    ...(raw.granular === true ? { granular: true } : {}),
    ...(Array.isArray(raw.granular_scopes) ? { granular_scopes: raw.granular_scopes } : {}),
  };
}
