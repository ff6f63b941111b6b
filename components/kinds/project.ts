/** Project access tokens: a project bot user's token, with an access level in the project. */
import { resourceTokenKind } from "./resource-token";

export const project = resourceTokenKind({
  kind: "project",
  componentType: "gitlab-tokens:index:ProjectAccessToken",
  officialType: "gitlab:index/projectAccessToken:ProjectAccessToken",
  resolve: (gl, target) => gl.resolveProject(target),
});
