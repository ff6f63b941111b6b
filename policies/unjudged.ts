import type { ResourceValidationPolicy } from "@pulumi/policy";
import { POLICY_IDS, RULE_IDS, currentTime, runPolicy } from "./rules";
import { tokenFromArgs } from "./tokenPolicy";

/**
 * The advisory channel for what the mandatory policies could not judge: values unknown until apply
 * (for example an expiry computed by the provider, or scopes that depend on another resource). The
 * mandatory policies stay silent about those parts; this one names them without failing the preview.
 */
export const unjudged: ResourceValidationPolicy = {
  name: POLICY_IDS.unjudged,
  description:
    "Checks that every GitLab token rule could judge the token at preview, and names each part that is not known until apply (advisory: it never fails a preview).",
  displayName: "GitLab token values not known at preview",
  enforcementLevel: "advisory",
  severity: "low",
  remediationSteps:
    "Nothing to fix in the declaration; the listed values are judged at the next preview once they are known, or make them static.",
  validateResource: (args, reportViolation) => {
    const token = tokenFromArgs(args);
    if (token === undefined) return args.notApplicable("not a GitLab access token");
    const now = currentTime();
    for (const policy of RULE_IDS) {
      for (const finding of runPolicy(policy, token, {}, now)) {
        if (finding.status === "unjudged") reportViolation(`${policy}: ${finding.message}`);
      }
    }
  },
};
