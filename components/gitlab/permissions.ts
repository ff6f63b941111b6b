/**
 * GitLab's catalogue of fine-grained permissions for personal access tokens (`granular_scopes`),
 * as GitLab's source defines it: each assignable permission's name (`<action>_<resource>`, the
 * `name:` of config/authz/permission_groups/assignable_permissions/<category>/<resource>/<action>.yml),
 * the resource and category it belongs to, and the boundaries it applies at (the `boundaries:` of
 * that file; the "Access" column of doc/auth/tokens/fine_grained_access_tokens_rest.md).
 * Pure data: no I/O, no imports (the policy pack and the review load it).
 */

/** Where a permission applies: a project, a group, the token's user, or the instance. */
export type PermissionBoundary = "project" | "group" | "user" | "instance";

export interface GranularPermission {
  /** What `granular_scopes[].permissions` takes, e.g. `read_job`. */
  readonly name: string;
  /** The resource, as GitLab's documentation titles it, e.g. `Job Artifact`. */
  readonly resource: string;
  /** The resource's category, e.g. `CI/CD`. */
  readonly category: string;
  /** The boundaries the permission applies at. */
  readonly boundaries: readonly PermissionBoundary[];
}

/** The GitLab version whose catalogue this is. */
export const GRANULAR_CATALOGUE_VERSION = "19.6";

/** Where the catalogue was read. */
export const GRANULAR_CATALOGUE_SOURCE = "gitlabhq config/authz/permission_groups/assignable_permissions";

/** Every assignable permission, by category then resource then name. */
export const GRANULAR_PERMISSIONS: readonly GranularPermission[] = [
  { name: "read_job", resource: "Job", category: "CI/CD", boundaries: ["project"] },
  { name: "delete_artifact", resource: "Artifact", category: "CI/CD", boundaries: ["project"] },
];
