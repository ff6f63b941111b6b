import { POLICY_IDS } from "./rules";
import { tokenPolicy } from "./tokenPolicy";

/** Rotation configured, with a window that leaves time to rotate: `1 <= rotateBeforeDays < lifetime`. */
export const rotationWindow = tokenPolicy(POLICY_IDS.rotationWindow, {
  description:
    "Checks that every GitLab token has rotation configured, with a window that leaves time to rotate: minRotateBeforeDays <= rotateBeforeDays < lifetime.",
  displayName: "GitLab tokens rotate before they expire",
  severity: "medium",
  remediationSteps:
    "Set rotateBeforeDays (gitlab-tokens) or rotationConfiguration { expirationDays, rotateBeforeDays } (official provider), with rotateBeforeDays at least 1 and below the lifetime.",
});
