/**
 * `gitlab-token-access-level`: no Owner-level project or group tokens; levels from
 * `justifyFromAccessLevel` (Maintainer) up only with a justification; nothing above `maxAccessLevel`.
 * An unset level is judged as GitLab's (and the official provider's) default, Maintainer.
 */
import {
  ACCESS_LEVELS,
  ACCESS_LEVEL_NAMES,
  DEFAULT_ACCESS_LEVEL,
  type AccessLevelName,
} from "../../components/gitlab/facts";
import { justificationField, justificationOf, unjudged, violation, type Rule } from "./check";
import { CONFIGURABLE_ACCESS_LEVELS, POLICY_IDS, type AccessLevelConfig } from "./config";
import { describeToken, isUnknown } from "./token";

export const checkAccessLevel: Rule<AccessLevelConfig> = (token, config) => {
  if (isUnknown(token, "kind")) return [unjudged(token, "the access level", "kind")];
  if (token.kind === "personal") return [];
  if (token.accessLevel === undefined && isUnknown(token, "accessLevel")) {
    return [unjudged(token, "the access level", "accessLevel")];
  }
  const who = describeToken(token);
  const declared = token.accessLevel;
  const levelName = declared ?? DEFAULT_ACCESS_LEVEL;
  if (!(ACCESS_LEVEL_NAMES as string[]).includes(levelName)) {
    return [
      violation(
        "invalid-access-level",
        "accessLevel",
        `${who} has accessLevel ${JSON.stringify(declared)}, which GitLab does not give to tokens. Use one of ${CONFIGURABLE_ACCESS_LEVELS.join(", ")}.`,
      ),
    ];
  }
  const level = levelName as AccessLevelName;
  const defaulted =
    declared === undefined
      ? ` (accessLevel is not set, and ${token.family === "gitlab-provider" ? "the provider" : "GitLab"} defaults to ${DEFAULT_ACCESS_LEVEL})`
      : "";
  const actual = `${who} has ${level} access${defaulted}`;

  if (level === "owner") {
    return [
      violation(
        "owner-access-level",
        "accessLevel",
        `${actual}; Owner-level ${token.kind} tokens are not allowed (they can change members and settings and delete the ${token.kind}). Set accessLevel to ${config.maxAccessLevel} or lower.`,
      ),
    ];
  }
  if (ACCESS_LEVELS[level] > ACCESS_LEVELS[config.maxAccessLevel]) {
    return [
      violation(
        "access-level-too-high",
        "accessLevel",
        `${actual}; the highest level allowed is ${config.maxAccessLevel}. Set accessLevel to ${config.maxAccessLevel} or lower.`,
      ),
    ];
  }
  if (ACCESS_LEVELS[level] < ACCESS_LEVELS[config.justifyFromAccessLevel]) return [];

  const justification = justificationOf(token, config.justifications);
  if (justification.unknown)
    return [unjudged(token, `whether ${level} access is justified`, "justification")];
  const lower = levelBelow(config.justifyFromAccessLevel);
  const where = justificationField(token, POLICY_IDS.accessLevel);
  const orLower = lower ? `, or set accessLevel to ${lower} or lower` : "";
  if (justification.text === undefined) {
    return [
      violation(
        "unjustified-access-level",
        "accessLevel",
        `${actual} without a justification; ${config.justifyFromAccessLevel} and above need one. Add ${where} saying why the token needs ${level}${orLower}.`,
      ),
    ];
  }
  if (justification.text.length < config.minJustificationLength) {
    return [
      violation(
        "unjustified-access-level",
        "accessLevel",
        `${actual} with a justification of ${justification.text.length} characters ("${justification.text}"); write at least ${config.minJustificationLength} in ${where} saying why the token needs ${level}${orLower}.`,
      ),
    ];
  }
  return [];
};

/** The highest level below `level` a token may have, if any. */
function levelBelow(level: AccessLevelName): AccessLevelName | undefined {
  return [...ACCESS_LEVEL_NAMES].reverse().find((l) => ACCESS_LEVELS[l] < ACCESS_LEVELS[level]);
}
