import { HIGH_RISK_SCOPES } from "../components/gitlab/facts";
import { DEFAULT_MIN_JUSTIFICATION_LENGTH, POLICY_IDS } from "./rules";
import { exceptionsSchema, tokenMapSchema, tokenPolicy } from "./tokenPolicy";

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
  configSchema: {
    properties: {
      additionalForbiddenScopes: {
        type: "array",
        items: { type: "string" },
        default: [],
        description:
          "Scopes forbidden in addition to sudo, admin_mode and read_service_ping (always forbidden).",
      },
      requireJustificationFor: {
        type: "array",
        items: { type: "string" },
        default: [...HIGH_RISK_SCOPES],
        description: "High-risk scopes: allowed only with a justification.",
      },
      minJustificationLength: {
        type: "integer",
        minimum: 1,
        default: DEFAULT_MIN_JUSTIFICATION_LENGTH,
        description: "A shorter justification counts as missing.",
      },
      reportRedundantScopes: {
        type: "boolean",
        default: true,
        description: "Report a scope that another declared scope already grants (read_api beside api).",
      },
      justifications: tokenMapSchema(
        "Justifications for high-risk scopes, keyed by token (for official-provider tokens, which have no justification field).",
      ),
      exceptions: exceptionsSchema,
    },
  },
});
