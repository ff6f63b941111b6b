import { POLICY_IDS } from "./rules";
import { tokenPolicy } from "./tokenPolicy";

/** Personal access tokens only for service accounts, never for people. */
export const noHumanPersonalTokens = tokenPolicy(POLICY_IDS.noHumanPersonalTokens, {
  description:
    "Checks that personal access tokens belong to service accounts, not people: automation must not act as a person.",
  displayName: "No personal tokens of people for automation",
  severity: "high",
  remediationSteps:
    "Issue the token to a service account (serviceAccount: true, or its user id in serviceAccounts), or use a project or group token.",
});
