import { POLICY_IDS } from "./rules";
import { tokenPolicy } from "./tokenPolicy";

/** No Owner-level project or group tokens; Maintainer only with a justification. */
export const accessLevel = tokenPolicy(POLICY_IDS.accessLevel, {
  description:
    "Checks that project and group tokens are never Owner-level, and Maintainer-level only with a justification (an unset level counts as GitLab's default, Maintainer).",
  displayName: "GitLab tokens have no Owner and only justified Maintainer access",
  severity: "high",
  remediationSteps:
    "Set accessLevel to the lowest level the job needs (reporter to read, developer to push); justify maintainer.",
});
