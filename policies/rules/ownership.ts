/**
 * `gitlab-token-ownership`: every token names who is accountable for it (owner) and says what it is
 * for (description), so a reviewer, an auditor or an incident responder knows whom to ask.
 */
import { unjudged, violation, type Check, type Rule } from "./check";
import { POLICY_IDS, type OwnershipConfig } from "./config";
import { describeToken, isUnknown } from "./token";

export const checkOwnership: Rule<OwnershipConfig> = (token, config) => {
  const who = describeToken(token);
  const checks: Check[] = [];
  if (config.requireOwner) {
    const owner =
      token.owner?.trim() || [token.key, ...token.aliases].map((n) => config.owners[n]?.trim()).find(Boolean);
    if (!owner) {
      if (isUnknown(token, "owner")) checks.push(unjudged(token, "the owner", "owner"));
      else {
        const fix =
          token.family === "gitlab-tokens"
            ? "Set owner to the team or person accountable for it"
            : `Add "${token.key}": "<team or person>" under owners in the ${POLICY_IDS.ownership} policy config`;
        checks.push(
          violation(
            "no-owner",
            "owner",
            `${who} has no owner; every token needs a team or person accountable for it. ${fix}.`,
          ),
        );
      }
    }
  }
  if (config.requireDescription && !token.description?.trim()) {
    if (isUnknown(token, "description")) checks.push(unjudged(token, "the description", "description"));
    else {
      checks.push(
        violation(
          "no-description",
          "description",
          `${who} has no description; every token must say what it is for. Set description to what the token does and which job or service uses it.`,
        ),
      );
    }
  }
  return checks;
};
