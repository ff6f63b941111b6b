/**
 * The thin layer between CrossGuard and the pure rules: turn a policy's arguments into a normalised
 * token, run one rule on it, report its violations. Shared config-schema pieces live here too.
 */
import type {
  PolicyConfigSchema,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  Severity,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { currentTime, normaliseResource, runPolicy, type NormalisedToken, type RuleId } from "./rules";

/** The normalised token of the resource being validated, or undefined for any other resource. */
export function tokenFromArgs(
  args: Pick<ResourceValidationArgs, "type" | "name" | "urn" | "props">,
): NormalisedToken | undefined {
  return normaliseResource({ type: args.type, name: args.name, urn: args.urn, props: args.props });
}

export interface TokenPolicyMeta {
  description: string;
  displayName: string;
  severity: Severity;
  remediationSteps: string;
  configSchema: PolicyConfigSchema;
}

/**
 * A mandatory resource policy that runs rule `id` on every GitLab token resource (this project's and
 * the official provider's) and reports its violations. What it cannot judge (values unknown until
 * apply) it leaves to the advisory `gitlab-token-unjudged` policy.
 */
export function tokenPolicy(id: RuleId, meta: TokenPolicyMeta): ResourceValidationPolicy {
  return {
    name: id,
    enforcementLevel: "mandatory",
    ...meta,
    validateResource: (args, reportViolation) => {
      const token = tokenFromArgs(args);
      if (token === undefined) return args.notApplicable("not a GitLab access token");
      for (const finding of runPolicy(id, token, args.getConfig<object>(), currentTime())) {
        if (finding.status === "violation") reportViolation(finding.message);
      }
    },
  };
}

/** `exceptions`: the allow-list every rule policy accepts. */
export const exceptionsSchema: PolicyConfigJSONSchema = {
  type: "array",
  description:
    "Tokens exempt from this policy until a date: { token: <declaration key or resource name>, expires: YYYY-MM-DD (exclusive), reason, policies?: [policy ids] }. Expired entries no longer apply.",
  items: {
    type: "object",
    properties: {
      token: { type: "string", minLength: 1 },
      expires: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" },
      reason: { type: "string", minLength: 1 },
      policies: { type: "array", items: { type: "string" } },
    },
    required: ["token", "expires", "reason"],
    additionalProperties: false,
  },
  default: [],
};

/** A map from token (declaration key or resource name) to a text, e.g. justifications or owners. */
export function tokenMapSchema(description: string): PolicyConfigJSONSchema {
  return { type: "object", description, additionalProperties: { type: "string" }, default: {} };
}
