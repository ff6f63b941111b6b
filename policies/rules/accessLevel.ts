/**
 * `gitlab-token-access-level`: no Owner-level project or group tokens; levels from
 * `justifyFromAccessLevel` (Maintainer) up only with a justification; nothing above `maxAccessLevel`.
 * An unset level is judged as GitLab's (and the official provider's) default, Maintainer.
 */
import {
  ACCESS_LEVELS,
  ACCESS_LEVEL_NAMES,
  DEFAULT_ACCESS_LEVEL,
  KNOWN_ACCESS_LEVEL_VALUES,
  type AccessLevelName,
} from "../../components/gitlab/facts";
import { kindOf } from "../../components/kinds";
import { justificationField, justificationOf, unjudged, unrecognised, violation, type Rule } from "./check";
import { CONFIGURABLE_ACCESS_LEVELS, POLICY_IDS, type AccessLevelConfig } from "./config";
import { FIELD_NAMES, describeToken, isLive, isUnknown, liveFix, type NormalisedToken } from "./token";

export const checkAccessLevel: Rule<AccessLevelConfig> = (token, config) => {
  if (isUnknown(token, "kind")) return [unjudged(token, "the access level", "kind")];
  if (kindOf(token.kind).accessLevels === undefined) return [];
  if (token.accessLevel === undefined && isUnknown(token, "accessLevel")) {
    return [unjudged(token, "the access level", "accessLevel")];
  }
  const who = describeToken(token);
  const field = FIELD_NAMES[token.family].accessLevel;
  const declared = token.accessLevel;
  const levelName = declared ?? DEFAULT_ACCESS_LEVEL;
  if (!(ACCESS_LEVEL_NAMES as string[]).includes(levelName)) {
    // A live token's level is GitLab's fact: a number gitlab-tokens does not know is a newer role.
    if (isLive(token) && /^\d+$/.test(levelName) && !KNOWN_ACCESS_LEVEL_VALUES.includes(Number(levelName))) {
      return [unrecognised(token, field, `access level ${levelName}`, "the access level")];
    }
    const fix = isLive(token)
      ? liveFix(
          token,
          `set accessLevel to one of ${CONFIGURABLE_ACCESS_LEVELS.join(", ")}`,
          `with an access_level of ${levelNumbers(config.maxAccessLevel)}`,
        )
      : `Use one of ${CONFIGURABLE_ACCESS_LEVELS.join(", ")}`;
    const value = isLive(token) ? levelName : JSON.stringify(declared);
    return [
      violation(
        "invalid-access-level",
        field,
        `${who} has ${field} ${value}, which GitLab does not give to tokens. ${fix}.`,
      ),
    ];
  }
  const level = levelName as AccessLevelName;
  const actual = `${who} has ${level} access${levelNote(token, level)}`;
  const lowerTo = (max: AccessLevelName) =>
    isLive(token)
      ? liveFix(token, `set accessLevel to ${max} or lower`, `with access_level ${levelNumbers(max)}`)
      : `Set accessLevel to ${max} or lower`;

  if (level === "owner") {
    return [
      violation(
        "owner-access-level",
        field,
        `${actual}; Owner-level ${token.kind} tokens are not allowed (they can change members and settings and delete the ${token.kind}). ${lowerTo(config.maxAccessLevel)}.`,
      ),
    ];
  }
  if (ACCESS_LEVELS[level] > ACCESS_LEVELS[config.maxAccessLevel]) {
    return [
      violation(
        "access-level-too-high",
        field,
        `${actual}; the highest level allowed is ${config.maxAccessLevel}. ${lowerTo(config.maxAccessLevel)}.`,
      ),
    ];
  }
  if (ACCESS_LEVELS[level] < ACCESS_LEVELS[config.justifyFromAccessLevel]) return [];

  const justification = justificationOf(token, config.justifications);
  if (justification.unknown)
    return [unjudged(token, `whether ${level} access is justified`, "justification")];
  const lower = levelBelow(config.justifyFromAccessLevel);
  const where = justificationField(token, POLICY_IDS.accessLevel);
  const orLower = lower ? `, or ${lowerAlternative(token, lower)}` : "";
  if (justification.text === undefined) {
    return [
      violation(
        "unjustified-access-level",
        field,
        `${actual} without a justification; ${config.justifyFromAccessLevel} and above need one. Add ${where} saying why the token needs ${level}${orLower}.`,
      ),
    ];
  }
  if (justification.text.length < config.minJustificationLength) {
    return [
      violation(
        "unjustified-access-level",
        field,
        `${actual} with a justification of ${justification.text.length} characters ("${justification.text}"); write at least ${config.minJustificationLength} in ${where} saying why the token needs ${level}${orLower}.`,
      ),
    ];
  }
  return [];
};

/**
 * After "has maintainer access": GitLab's number for a live token, or that the level was not set and
 * which default it is judged as.
 */
function levelNote(token: NormalisedToken, level: AccessLevelName): string {
  if (isLive(token)) {
    return token.accessLevel === undefined
      ? " (GitLab's answer has no access_level, so GitLab's default is assumed)"
      : ` (access_level: ${ACCESS_LEVELS[level]})`;
  }
  if (token.accessLevel !== undefined) return "";
  const by = token.family === "gitlab-provider" ? "the provider" : "GitLab";
  return ` (accessLevel is not set, and ${by} defaults to ${DEFAULT_ACCESS_LEVEL})`;
}

/** The other way out of an unjustified level: a lower one, where the user sets it. */
function lowerAlternative(token: NormalisedToken, lower: AccessLevelName): string {
  if (!isLive(token)) return `set accessLevel to ${lower} or lower`;
  return token.managed
    ? `set accessLevel to ${lower} or lower there (the next \`pulumi up\` replaces the token)`
    : `replace it with a token of access_level ${levelNumbers(lower)}`;
}

/** `40 (maintainer) or lower`: GitLab's number and name for a live token's replacement. */
function levelNumbers(max: AccessLevelName): string {
  return `${ACCESS_LEVELS[max]} (${max}) or lower`;
}

/** The highest level below `level` a token may have, if any. */
function levelBelow(level: AccessLevelName): AccessLevelName | undefined {
  return [...ACCESS_LEVEL_NAMES].reverse().find((l) => ACCESS_LEVELS[l] < ACCESS_LEVELS[level]);
}
