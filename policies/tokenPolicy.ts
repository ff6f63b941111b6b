/**
 * The thin layer between CrossGuard and the pure rules: turn a policy's arguments into a normalised
 * token, run one rule on it, report its violations; publish the rule's zod configuration schema as
 * CrossGuard's `configSchema`.
 */
import type {
  PolicyConfigSchema,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  Severity,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import {
  configSchemaOf,
  currentTime,
  normaliseResource,
  runPolicy,
  type NormalisedToken,
  type RuleId,
} from "./rules";

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
}

/** Rule `id`'s configuration schema (policies/rules/config.ts) in CrossGuard's shape. */
export function policyConfigSchema(id: RuleId): PolicyConfigSchema {
  const properties: Record<string, PolicyConfigJSONSchema> = {};
  for (const [key, schema] of Object.entries(configSchemaOf(id).properties)) {
    // zod's draft-04 output uses only keywords PolicyConfigJSONSchema has.
    properties[key] = schema as PolicyConfigJSONSchema;
  }
  return { properties };
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
    configSchema: policyConfigSchema(id),
    validateResource: (args, reportViolation) => {
      const token = tokenFromArgs(args);
      if (token === undefined) return args.notApplicable("not a GitLab access token");
      for (const finding of runPolicy(id, token, args.getConfig<object>(), currentTime())) {
        if (finding.status === "violation") reportViolation(finding.message);
      }
    },
  };
}
