/**
 * `gitlab-token-no-human-personal-tokens`: personal access tokens only for service accounts. A
 * person's token acts as that person, with all their access, and outlives their role; automation uses
 * a service account's token or a project or group token.
 */
import { kindOf } from "../../components/kinds";
import { unjudged, violation, type Rule } from "./check";
import { POLICY_IDS, type NoHumanPersonalTokensConfig } from "./config";
import { describeToken, isUnknown } from "./token";

export const checkNoHumanPersonalTokens: Rule<NoHumanPersonalTokensConfig> = (token, config) => {
  if (isUnknown(token, "kind")) return [unjudged(token, "whether this is a person's token", "kind")];
  // Only tokens issued to a user can be a person's.
  if (kindOf(token.kind).targetField !== "user") return [];
  const who = describeToken(token);
  const listed = (user: string | undefined) => user !== undefined && config.serviceAccounts.includes(user);
  const alternative = "or use a project or group token";

  if (token.family === "gitlab-tokens") {
    if (token.serviceAccount === true || listed(token.target)) return [];
    if (
      isUnknown(token, "serviceAccount") ||
      (isUnknown(token, "target") && token.serviceAccount === undefined)
    ) {
      return [unjudged(token, "whether the user is a service account", "serviceAccount")];
    }
    const user = token.target !== undefined ? `user '${token.target}'` : "a user";
    return [
      violation(
        "human-personal-token",
        "serviceAccount",
        `${who} belongs to ${user}, which is not declared a service account; automation must not use a person's token. Issue it to a service account and set serviceAccount: true, ${alternative}.`,
      ),
    ];
  }

  if (token.family === "gitlab-api") {
    if (token.serviceAccount === true || listed(token.target) || listed(token.userId)) return [];
    const user =
      token.target !== undefined ? `user '${token.target}'` : `user ${token.userId ?? "(unknown)"}`;
    const gitlabSays =
      token.serviceAccount === false
        ? "which GitLab shows as a person (not a bot or service account)"
        : "which GitLab does not show as a service account";
    const fix = token.managed
      ? `Point '${token.key}' in tokens.yaml at a service account (user, serviceAccount: true), ${alternative}; the next \`pulumi up\` replaces the token`
      : `Revoke it and give the automation a service account's token, ${alternative}, best declared in tokens.yaml; if the user is a service account GitLab does not mark, list it in serviceAccounts in the ${POLICY_IDS.noHumanPersonalTokens} policy config`;
    return [
      violation(
        "human-personal-token",
        "user_id",
        `${who} belongs to ${user}, ${gitlabSays}; automation must not use a person's token. ${fix}.`,
      ),
    ];
  }

  // The official provider's service-account token types are a service account's by definition.
  if (token.serviceAccount === true) return [];
  if (token.userId === undefined) {
    if (isUnknown(token, "userId"))
      return [unjudged(token, "whether the user is a service account", "userId")];
    return [];
  }
  if (listed(token.userId)) return [];
  return [
    violation(
      "human-personal-token",
      "userId",
      `${who} belongs to user ${token.userId}, which is not listed in serviceAccounts in the ${POLICY_IDS.noHumanPersonalTokens} policy config; automation must not use a person's token. Issue it to a service account and list that account's user id there, ${alternative}.`,
    ),
  ];
};
