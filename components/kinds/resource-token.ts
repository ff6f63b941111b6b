/**
 * What project and group access tokens share: GitLab implements both as one "resource access
 * token" (a bot user of the project or group, with an access level in it, behind the same
 * endpoints under `projects/:id` or `groups/:id`), so their descriptors come from this one template
 * parametrised by the kind.
 */
import { ACCESS_LEVEL_NAMES, scopesForKind } from "../gitlab/facts";
import { accessLevelSchema } from "../model";
import type { KindDescriptor } from "./descriptor";

export function resourceTokenKind<K extends "project" | "group">(spec: {
  kind: K;
  /** The component's type token. */
  componentType: string;
  /** The official @pulumi/gitlab provider's resource type (its target property is named like the kind). */
  officialType: string;
  resolve: KindDescriptor["resolve"];
}) {
  const { kind } = spec;
  return {
    kind,
    targetField: kind,
    targetLabel: kind,
    fields: { accessLevel: accessLevelSchema.optional() },
    scopes: scopesForKind(kind),
    accessLevels: ACCESS_LEVEL_NAMES,
    userPerToken: true,
    componentType: spec.componentType,
    official: { type: spec.officialType, targetProp: kind, targetIsUser: false },
    resolve: spec.resolve,
    create: (gl, target, params) => gl.createResourceToken(kind, target.id, params),
    get: (gl, target, tokenId) => gl.getResourceToken(kind, target.id, tokenId),
    list: (gl, target, search) => gl.listResourceTokens(kind, target.id, search),
    revoke: (gl, target, tokenId) => gl.revokeResourceToken(kind, target.id, tokenId),
  } as const satisfies KindDescriptor<K, K>;
}
