import { POLICY_IDS } from "./rules";
import { tokenPolicy } from "./tokenPolicy";

/**
 * Fine-grained personal access tokens: the instance and all_memberships boundaries and every write
 * permission only with a justification; no permission outside GitLab's catalogue.
 */
export const leastPrivilegePermissions = tokenPolicy(POLICY_IDS.leastPrivilegePermissions, {
  description:
    "Checks that fine-grained GitLab personal access tokens carry only the permissions they need: the instance and all_memberships access boundaries and every write permission only with a justification; no permission outside GitLab's catalogue.",
  displayName: "GitLab fine-grained tokens have least-privilege permissions",
  severity: "high",
  remediationSteps:
    "Use access selected_memberships on the projects and groups the token works on instead of all_memberships or instance; keep only read_* permissions for a token that only reads; justify each remaining write permission and broad access.",
});
