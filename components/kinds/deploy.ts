/**
 * Deploy tokens: a project's or a group's token for Git reads and the container, package and
 * virtual registries, with a username (gitlabhq app/models/deploy_token.rb, lib/api/deploy_tokens.rb,
 * lib/api/entities/deploy_token.rb):
 * - `POST/GET /projects/:id/deploy_tokens`, `GET/DELETE /projects/:id/deploy_tokens/:token_id`
 *   (Maintainer of the project), the same under `/groups/:id` (Owner of the group). No rotate
 *   endpoint: a rotation is the provider's create-before-delete, as for every kind.
 * - Scopes: `DeployToken::AVAILABLE_SCOPES` (../gitlab/facts DEPLOY_SCOPES); no access level.
 * - `username` is optional: GitLab's default is `gitlab+deploy-token-<id>`; it may hold letters,
 *   digits, `_`, `-`, `+` and `.` (at most 255). The username is an output and may be delivered.
 * - `expires_at` is optional in GitLab (a token without one never expires); the provider always
 *   sends one (the lifetime), and the policy pack and the audit hold tokens without one as findings.
 * - GitLab keeps no description, creator-visible user or creation time for a deploy token: the
 *   creation marker rides at the end of the name (`registry-pull [gitlab-tokens:<ref>.<nonce>]`),
 *   and the operations below give GitLab's answer back as a token whose `name` is without it and
 *   whose `description` is the marker. DELETE destroys the token (GitLab keeps no revoked record).
 * The target is a project (`project:`) or a group (`group:`); the field used is kept in state.
 */
import { z } from "zod";
import type { GitLabClient, GitLabDeployToken, GitLabToken, ResourceKind } from "../gitlab/client";
import { scopesForKind } from "../gitlab/facts";
import { markerOf, unmarkedDescription } from "../gitlab/marker";
import type { KindDescriptor, TokenTarget } from "./descriptor";

/** `DeployToken` validates `username` so (`can contain only letters, digits, '_', '-', '+', and '.'`). */
const USERNAME_PATTERN = /^[a-zA-Z0-9.+_-]+$/;

/** Whose deploy tokens: the project's unless the target was named by `group`. */
const owner = (t: TokenTarget): ResourceKind => (t.field === "group" ? "group" : "project");

/** GitLab's deploy token as the operations give every kind's token: the marker moved to `description`. */
function asToken(t: GitLabDeployToken): GitLabToken {
  const marked = markerOf(t.name) !== undefined;
  return {
    id: t.id,
    name: marked ? unmarkedDescription(t.name) : t.name,
    description: marked ? t.name.slice(unmarkedDescription(t.name).length).trim() : null,
    username: t.username,
    scopes: t.scopes,
    // GitLab's DateTime (00:00 UTC of the date the provider sent), as the date every kind has.
    expires_at: t.expires_at === null ? null : t.expires_at.slice(0, 10),
    revoked: t.revoked,
    active: !t.revoked && !t.expired,
    ...(t.token === undefined ? {} : { token: t.token }),
  };
}

export const deploy = {
  kind: "deploy",
  targetField: "project",
  otherTargetFields: ["group"],
  targetLabel: "project or group",
  markerInName: true,
  tokenTable: "deploy_tokens",
  // No user at all: who it acts as is its username, the same through rotations when declared.
  userPerToken: false,
  fields: {
    /** The username that goes with the token. Default - GitLab's `gitlab+deploy-token-<id>`. */
    username: z
      .string()
      .max(255)
      .regex(
        USERNAME_PATTERN,
        "use letters, digits, '_', '-', '+' and '.' (GitLab's rule for a deploy token's username)",
      )
      .optional(),
  },
  scopes: scopesForKind("deploy"),
  accessLevels: undefined,
  componentType: "gitlab-tokens:index:DeployToken",
  // The official provider's deploy tokens have `expiresAt` only: it cannot rotate them.
  official: {
    type: "gitlab:index/projectDeployToken:ProjectDeployToken",
    targetProp: "project",
    targetIsUser: false,
    rotationConfiguration: false,
  },
  officialVariants: [
    {
      type: "gitlab:index/groupDeployToken:GroupDeployToken",
      targetProp: "group",
      targetIsUser: false,
      rotationConfiguration: false,
    },
  ],
  async resolve(gl, target, hints = {}) {
    const field = hints.field === "group" ? "group" : "project";
    const found = field === "group" ? await gl.resolveGroup(target) : await gl.resolveProject(target);
    return { ...found, field };
  },
  async create(gl: GitLabClient, t, params) {
    // The marker (the only description a deploy token's create gets) goes at the end of the name.
    const name = params.description ? `${params.name} ${params.description}` : params.name;
    const made = await gl.createDeployToken(owner(t), t.id, {
      name,
      scopes: params.scopes,
      expiresAt: params.expiresAt,
      ...(params.username ? { username: params.username } : {}),
    });
    return asToken(made);
  },
  async get(gl, t, tokenId) {
    const found = await gl.getDeployToken(owner(t), t.id, tokenId);
    return found && asToken(found);
  },
  async list(gl, t, search) {
    // GitLab's deploy-token lists have no search: the name is matched here, as a search would.
    const all = (await gl.listDeployTokens(owner(t), t.id)).map(asToken);
    return search === undefined
      ? all
      : all.filter((x) => x.name.toLowerCase().includes(search.toLowerCase()));
  },
  revoke: (gl, t, tokenId) => gl.revokeDeployToken(owner(t), t.id, tokenId),
} as const satisfies KindDescriptor<"deploy", "project">;
