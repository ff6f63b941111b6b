/**
 * `gitlab-token-ownership`: every token names who is accountable for it (owner) and says what it is
 * for (description), so a reviewer, an auditor or an incident responder knows whom to ask.
 */
import { hasDescription, kindOf } from "../../components/kinds";
import { unjudged, violation, type Check, type Rule } from "./check";
import { POLICY_IDS, type OwnershipConfig } from "./config";
import { describeToken, isLive, isUnknown, liveFix, type NormalisedToken } from "./token";

export const checkOwnership: Rule<OwnershipConfig> = (token, config) => {
  const who = describeToken(token);
  const checks: Check[] = [];
  if (config.requireOwner) {
    const owner =
      token.owner?.trim() || [token.key, ...token.aliases].map((n) => config.owners[n]?.trim()).find(Boolean);
    if (!owner) {
      if (isUnknown(token, "owner")) checks.push(unjudged(token, "the owner", "owner"));
      else {
        const fix = ownerFix(token);
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
  // A type with no description property cannot be given one (the official service-account types),
  // nor a kind GitLab keeps no description for (deploy tokens): only their owner is asked for.
  const describable = token.describable !== false && hasDescription(kindOf(token.kind));
  if (config.requireDescription && describable && !token.description?.trim()) {
    if (isUnknown(token, "description")) checks.push(unjudged(token, "the description", "description"));
    else {
      checks.push(
        violation(
          "no-description",
          "description",
          `${who} has no description; every token must say what it is for. ${descriptionFix(token)}.`,
        ),
      );
    }
  }
  return checks;
};

/** Where the owner goes: the token's own field, else the policy configuration (or, live, a declaration). */
function ownerFix(token: NormalisedToken): string {
  const configured = `Add "${token.key}": "<team or person>" under owners in the ${POLICY_IDS.ownership} policy config`;
  switch (token.family) {
    case "gitlab-tokens":
      return "Set owner to the team or person accountable for it";
    case "gitlab-provider":
      return configured;
    case "gitlab-api":
      return token.managed
        ? `On '${token.key}' in tokens.yaml, set owner to the team or person accountable for it`
        : `${configured}, or declare the token in tokens.yaml with an owner`;
  }
}

/** GitLab sets a token's description at creation: a live token gets one only by being replaced. */
function descriptionFix(token: NormalisedToken): string {
  const what = "what the token does and which job or service uses it";
  return isLive(token)
    ? liveFix(token, `set description to ${what}`, `whose description says ${what}`)
    : `Set description to ${what}`;
}
