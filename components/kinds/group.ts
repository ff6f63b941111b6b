/** Group access tokens: a group bot user's token, with an access level in the group; creating one needs an Owner of the group. */
import { ACCESS_LEVEL_NAMES, scopesForKind } from "../gitlab/facts";
import { accessLevelSchema } from "../model";
import type { KindDescriptor } from "./descriptor";

export const group = {
  kind: "group",
  targetField: "group",
  targetLabel: "group",
  fields: { accessLevel: accessLevelSchema.optional() },
  scopes: scopesForKind("group"),
  accessLevels: ACCESS_LEVEL_NAMES,
  componentType: "gitlab-tokens:index:GroupAccessToken",
  official: {
    type: "gitlab:index/groupAccessToken:GroupAccessToken",
    targetProp: "group",
    targetIsUser: false,
  },
  resolve: (gl, target) => gl.resolveGroup(target),
  create: (gl, targetId, params) => gl.createResourceToken("group", targetId, params),
  get: (gl, targetId, tokenId) => gl.getResourceToken("group", targetId, tokenId),
  list: (gl, targetId, search) => gl.listResourceTokens("group", targetId, search),
  revoke: (gl, targetId, tokenId) => gl.revokeResourceToken("group", targetId, tokenId),
} as const satisfies KindDescriptor<"group", "group">;
