/**
 * The fine-grained permissions GitLab lets a personal access token's `granular_scopes` name (the
 * `granular_scope_permissions` JSON schema: every assignable permission, gitlabhq
 * config/authz/permission_groups/assignable_permissions). The sandbox's own copy, as it repeats
 * GitLab's rules on purpose (docs/architecture.md): names only — GitLab checks a name, not whether
 * it applies at the scope's boundary.
 */
export const ASSIGNABLE_PERMISSIONS: ReadonlySet<string> = new Set(["read_job", "delete_artifact"]);
