/** Group access tokens: a group bot user's token, with an access level in the group; creating one needs an Owner of the group. */
import { resourceTokenKind } from "./resource-token";

export const group = resourceTokenKind({
  kind: "group",
  componentType: "gitlab-tokens:index:GroupAccessToken",
  officialType: "gitlab:index/groupAccessToken:GroupAccessToken",
  resolve: (gl, target) => gl.resolveGroup(target),
});
