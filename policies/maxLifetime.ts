import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { POLICY_MAX_LIFETIME_DAYS } from "../components/gitlab/facts";
import { POLICY_IDS, currentTime, normaliseResource, runPolicy, type NormalisedToken } from "./rules";
import { tokenPolicy } from "./tokenPolicy";

const id = POLICY_IDS.maxLifetime;

const tooLong = (token: NormalisedToken, config: object, now: Date) =>
  runPolicy(id, token, config, now).filter((f) => f.status === "violation" && f.code === "lifetime-too-long");

/**
 * Every token expires, at most `maxLifetimeDays` (default and ceiling 90) after creation. At resource
 * level the inputs are judged (a new token's lifetime counts from today); at stack level, tokens in
 * state whose lifetime only exceeds the limit when counted from their creation date are reported too.
 */
export const maxLifetime: ResourceValidationPolicy & StackValidationPolicy = {
  ...tokenPolicy(id, {
    description: `Checks that every GitLab token expires, at most ${POLICY_MAX_LIFETIME_DAYS} days (or the configured maxLifetimeDays) after it is created.`,
    displayName: "GitLab tokens expire within 90 days",
    severity: "high",
    remediationSteps:
      "Give the token lifetimeDays (gitlab-tokens) or rotationConfiguration.expirationDays (official provider) of at most the limit, or an expiresAt no further ahead.",
  }),
  validateStack: (args, reportViolation) => {
    const config = args.getConfig<object>();
    const now = currentTime();
    for (const resource of args.resources) {
      const token = normaliseResource(resource);
      if (token?.createdAt === undefined) continue;
      // Only what the inputs could not show: a lifetime that is too long counted from creation but
      // not from today (the resource-level check has already reported the rest).
      if (tooLong({ ...token, createdAt: undefined }, config, now).length > 0) continue;
      for (const finding of tooLong(token, config, now)) reportViolation(finding.message, resource.urn);
    }
  },
};
