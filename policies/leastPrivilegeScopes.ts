import { POLICY_IDS } from "./rules";
import { tokenPolicy } from "./tokenPolicy";

/**
 * No administrator scopes; high-risk scopes only with a justification and only when no narrower scope
 * covers the stated need; no redundant scopes; no scopes invalid for the token's kind.
 */
export const leastPrivilegeScopes = tokenPolicy(POLICY_IDS.leastPrivilegeScopes, {
  description:
    "Checks that GitLab tokens carry only the scopes they need: no sudo, admin_mode or read_service_ping; high-risk scopes only with a justification and only when no narrower scope covers the stated need; no redundant scopes; no scopes invalid for the token's kind.",
  displayName: "GitLab tokens have least-privilege scopes",
  severity: "high",
  remediationSteps:
    "Remove forbidden, invalid and redundant scopes; replace broad scopes with narrower ones (read_api instead of api for a read-only token); justify each remaining high-risk scope.",
});
