/**
 * The adapter for live tokens: a token as GitLab's REST API lists it (project, group or personal)
 * onto a NormalisedToken, so the audit holds the tokens that already live in GitLab against the same
 * rules as the declarations. The input types are structural: `GitLabToken`
 * (components/gitlab/client.ts) and `TokenDeclaration` (components/declarations.ts) fit them, and the
 * policy pack does not load the GitLab client or the YAML loader. The token's value is never read.
 */
import { accessLevelName, addDays, type TokenKind } from "../../components/gitlab/facts";
import { kindOf } from "../../components/kinds";
import type { GranularScopeEntry, NormalisedToken } from "./token";

/** The fields of a listed token the rules need (GitLab's spelling). */
export interface GitLabApiToken {
  id: number;
  name: string;
  description?: string | null;
  scopes: string[];
  /** ISO time; absent on a deploy token (GitLab's entity has none). */
  created_at?: string;
  /** `YYYY-MM-DD`, or null: never expires. */
  expires_at: string | null;
  /** Project and group tokens: the bot user's access level (GitLab's integer). */
  access_level?: number;
  user_id?: number;
  /** Personal tokens, GitLab 19.2+: true for a fine-grained token (then `scopes` is `[granular]`). */
  granular?: boolean;
  /**
   * A fine-grained token's granular scopes, one per namespace (GET and list; not on create):
   * `project_id` / `group_id` are set on a `selected_memberships` scope's namespace, else null.
   */
  granular_scopes?: GitLabApiGranularScope[] | null;
}

/** One of GitLab's `granular_scopes` on a listed fine-grained token. */
export interface GitLabApiGranularScope {
  access: string;
  permissions: string[];
  project_id?: number | null;
  group_id?: number | null;
}

/**
 * GitLab's granular scopes as the rules take them: ids as text, `selected_memberships` scopes with
 * the same permissions put together (GitLab lists one per namespace). Undefined when GitLab listed
 * none (the create response, an older GitLab's list): the permissions are not known.
 */
export function granularFromGitLab(
  scopes: readonly GitLabApiGranularScope[] | null | undefined,
): GranularScopeEntry[] | undefined {
  if (!Array.isArray(scopes)) return undefined;
  const out: GranularScopeEntry[] = [];
  for (const s of scopes) {
    if (s === null || typeof s !== "object" || typeof s.access !== "string") continue;
    const permissions = Array.isArray(s.permissions) ? s.permissions.map(String) : [];
    const project = s.project_id == null ? undefined : String(s.project_id);
    const group = s.group_id == null ? undefined : String(s.group_id);
    const same = out.find(
      (o) =>
        o.access === s.access &&
        o.permissions.length === permissions.length &&
        o.permissions.every((p, i) => p === permissions[i]),
    );
    const target: GranularScopeEntry = same ?? { access: s.access, permissions };
    if (project !== undefined) target.projects = [...(target.projects ?? []), project];
    if (group !== undefined) target.groups = [...(target.groups ?? []), group];
    if (same === undefined) out.push(target);
  }
  return out;
}

/** What a declaration in tokens.yaml adds to a live token it manages. */
export interface GitLabApiDeclaration {
  key: string;
  rotateBeforeDays: number;
  /** The declared lifetime (days from creation) or fixed expiry: the one gitlab-tokens enforces where GitLab has none. */
  lifetimeDays?: number;
  expiresAt?: string;
  owner?: string;
  justification?: string;
  serviceAccount?: boolean;
}

/** Facts about the token's user that GitLab gives separately (personal tokens). */
export interface GitLabApiUserFacts {
  /** GitLab's `bot` on the user: service accounts (and project/group bots) are bots. */
  serviceAccount?: boolean;
}

/** The type findings name for a live token (`Finding.tokenType`), after GitLab's API resources. */
export const LIVE_TOKEN_TYPES: Record<TokenKind, string> = {
  project: "gitlab-api:ProjectAccessToken",
  group: "gitlab-api:GroupAccessToken",
  personal: "gitlab-api:PersonalAccessToken",
  deploy: "gitlab-api:DeployToken",
  trigger: "gitlab-api:PipelineTrigger",
};

/** `project:acme/web:deploy#12`: the identity of a live token no declaration manages. */
export function liveTokenKey(
  kind: TokenKind,
  target: string,
  token: Pick<GitLabApiToken, "id" | "name">,
): string {
  return `${kind}:${target}:${token.name}#${token.id}`;
}

/**
 * A live token, normalised. `target` is the project or group full path, or the username, as the
 * audit resolved it. With a `declaration` the token is managed: its key is the declaration's, and
 * owner, justification and rotation come from the declaration; GitLab's facts (scopes, level, dates,
 * description, whether the user is a service account) always come from GitLab. Lifetime is the days
 * from `created_at` to `expires_at`; a null `expires_at` is a token without expiry.
 */
export function fromGitLabApi(
  token: GitLabApiToken,
  kind: TokenKind,
  target: string,
  declaration?: GitLabApiDeclaration,
  user: GitLabApiUserFacts = {},
): NormalisedToken {
  const liveKey = liveTokenKey(kind, target, token);
  const created =
    token.created_at === undefined || Number.isNaN(new Date(token.created_at).getTime())
      ? undefined
      : token.created_at;
  const d = kindOf(kind);
  const ofUser = d.targetField === "user";
  const level =
    d.accessLevels === undefined || token.access_level === undefined ? undefined : token.access_level;
  const serviceAccount = ofUser ? (user.serviceAccount ?? declaration?.serviceAccount) : undefined;
  const description = token.description?.trim() ? token.description : undefined;
  // A fine-grained token: GitLab says so (`granular: true`), or lists its granular scopes.
  const granular = ofUser ? granularFromGitLab(token.granular_scopes) : undefined;
  const fineGrained = ofUser && (token.granular === true || granular !== undefined);
  // A managed token GitLab gave no expiry (a pipeline trigger token on a GitLab before trigger
  // expiry, which ignored expires_at): the expiry gitlab-tokens enforces, from its declaration.
  const enforced =
    token.expires_at || declaration === undefined
      ? undefined
      : (declaration.expiresAt ??
        (declaration.lifetimeDays !== undefined && created !== undefined
          ? addDays(created.slice(0, 10), declaration.lifetimeDays)
          : undefined));
  return {
    key: declaration?.key ?? liveKey,
    aliases: declaration ? [liveKey] : [],
    family: "gitlab-api",
    type: LIVE_TOKEN_TYPES[kind],
    kind,
    target,
    name: token.name,
    ...(description !== undefined ? { description } : {}),
    scopes: [...new Set(token.scopes)],
    ...(fineGrained ? { fineGrained: true } : {}),
    ...(fineGrained && granular !== undefined ? { granular } : {}),
    ...(level !== undefined ? { accessLevel: accessLevelName(level) ?? String(level) } : {}),
    ...(token.expires_at ? { expiresAt: token.expires_at.slice(0, 10) } : {}),
    ...(enforced !== undefined ? { expiresAt: enforced } : {}),
    ...(created !== undefined ? { createdAt: created } : {}),
    ...(declaration ? { rotation: { rotateBeforeDays: declaration.rotateBeforeDays } } : {}),
    ...(declaration?.owner !== undefined ? { owner: declaration.owner } : {}),
    ...(declaration?.justification !== undefined ? { justification: declaration.justification } : {}),
    ...(serviceAccount !== undefined ? { serviceAccount } : {}),
    ...(ofUser && token.user_id !== undefined ? { userId: String(token.user_id) } : {}),
    managed: declaration !== undefined,
    unknown: [],
  };
}
