/** Project access tokens: a project bot user's token, with an access level in the project. */
import { ACCESS_LEVEL_NAMES, scopesForKind } from "../gitlab/facts";
import { accessLevelSchema } from "../model";
import type { KindDescriptor } from "./descriptor";

export const project = {
  kind: "project",
  targetField: "project",
  targetLabel: "project",
  fields: { accessLevel: accessLevelSchema.optional() },
  scopes: scopesForKind("project"),
  accessLevels: ACCESS_LEVEL_NAMES,
  componentType: "gitlab-tokens:index:ProjectAccessToken",
  official: {
    type: "gitlab:index/projectAccessToken:ProjectAccessToken",
    targetProp: "project",
    targetIsUser: false,
  },
  resolve: (gl, target) => gl.resolveProject(target),
  create: (gl, targetId, params) => gl.createResourceToken("project", targetId, params),
  get: (gl, targetId, tokenId) => gl.getResourceToken("project", targetId, tokenId),
  list: (gl, targetId, search) => gl.listResourceTokens("project", targetId, search),
  revoke: (gl, targetId, tokenId) => gl.revokeResourceToken("project", targetId, tokenId),
} as const satisfies KindDescriptor<"project", "project">;
