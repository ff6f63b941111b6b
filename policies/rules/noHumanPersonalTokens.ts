/**
 * `gitlab-token-no-human-personal-tokens`: personal access tokens only for service accounts. A
 * person's token acts as that person, with all their access, and outlives their role; automation uses
 * a service account's token or a project or group token.
 */
import { unjudged, violation, type Rule } from "./check";
import { POLICY_IDS, type NoHumanPersonalTokensConfig } from "./config";
import { describeToken, isUnknown } from "./token";

export const checkNoHumanPersonalTokens: Rule<NoHumanPersonalTokensConfig> = (token, config) => {
  if (isUnknown(token, "kind")) return [unjudged(token, "whether this is a person's token", "kind")];
  if (token.kind !== "personal") return [];
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
