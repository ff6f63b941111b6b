/**
 * Pipeline trigger tokens (`kind: trigger`): a project's token that only starts pipelines
 * (`POST /projects/:id/trigger/pipeline`). GitLab's API (lib/api/ci/triggers.rb,
 * lib/api/entities/trigger.rb, app/models/ci/trigger.rb, doc/api/pipeline_triggers.md):
 * `GET/POST /projects/:id/triggers`, `GET/PUT/DELETE /projects/:id/triggers/:trigger_id`, for a
 * Maintainer of the project.
 *
 * What differs from the other kinds, all stated here:
 * - no scopes, no access level, no name: the `description` (required by GitLab) is the token's only
 *   text, and carries the creation marker;
 * - `expires_at` exists since GitLab 17.x (G#417111, G!146912), must be before today + 365 days,
 *   and an older GitLab ignores it — the provider then enforces the declared lifetime itself
 *   (components/providers/access-token-impl.ts);
 * - a trigger is deleted, not revoked; the value (`glptt-` + 40 hex) is shown in full only to the
 *   user who made it, so only the provisioning credential's user reads it back.
 */
import { TRIGGER_MAX_LIFETIME_DAYS } from "../gitlab/facts";
import type { KindDescriptor } from "./descriptor";

export const trigger = {
  kind: "trigger",
  targetField: "project",
  targetLabel: "project",
  fields: {},
  scopes: undefined,
  named: false,
  // Its user is its owner, the provisioning credential's user: the same through rotations.
  userPerToken: false,
  maxLifetimeDays: TRIGGER_MAX_LIFETIME_DAYS,
  accessLevels: undefined,
  componentType: "gitlab-tokens:index:PipelineTriggerToken",
  official: {
    type: "gitlab:index/pipelineTrigger:PipelineTrigger",
    targetProp: "project",
    targetIsUser: false,
    // The official provider's gitlab_pipeline_trigger has project and description only (no expiry).
    canExpire: false,
  },
  resolve: (gl, target) => gl.resolveProject(target),
  create: (gl, target, params) =>
    gl.createTriggerToken(target.id, { description: params.description ?? "", expiresAt: params.expiresAt }),
  get: (gl, target, tokenId) => gl.getTriggerToken(target.id, tokenId),
  // GitLab's trigger list has no search: every trigger of the project.
  list: (gl, target) => gl.listTriggerTokens(target.id),
  revoke: (gl, target, tokenId) => gl.deleteTriggerToken(target.id, tokenId),
} as const satisfies KindDescriptor<"trigger", "project">;
