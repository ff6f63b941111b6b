import { POLICY_IDS } from "./rules";
import { tokenPolicy } from "./tokenPolicy";

/** An owner and a description on every token. */
export const ownership = tokenPolicy(POLICY_IDS.ownership, {
  description:
    "Checks that every GitLab token names an owner (the team or person accountable for it) and has a description of what it is for.",
  displayName: "GitLab tokens have an owner and a description",
  severity: "medium",
  remediationSteps:
    "Set owner and description on the declaration; for official-provider tokens set description and list the owner under owners in this policy's config.",
});
