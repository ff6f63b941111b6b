/**
 * `gitlab-token-rotation-window`: rotation is configured, and its window leaves the scheduled
 * `pulumi up` time to rotate: `minRotateBeforeDays <= rotateBeforeDays < lifetime`.
 */
import {
  DEFAULT_LIFETIME_DAYS,
  DEFAULT_ROTATE_BEFORE_DAYS,
  addDays,
  dateStart,
  isoDate,
  rotationDue,
} from "../../components/gitlab/facts";
import {
  describeLifetime,
  lifetimeOf,
  unjudged,
  violation,
  type Check,
  type Lifetime,
  type Rule,
} from "./check";
import type { RotationWindowConfig } from "./config";
import { FIELD_NAMES, describeToken, isLive, isUnknown, officialCannotExpire } from "./token";
import { officialExpires, officialRotates } from "../../components/kinds";

export const checkRotationWindow: Rule<RotationWindowConfig> = (token, config, now) => {
  const names = FIELD_NAMES[token.family];
  const who = describeToken(token);
  const min = config.minRotateBeforeDays;

  // Where the window is set: for a live token, its declaration (tokens.yaml).
  const there = isLive(token) ? ` on '${token.key}' in tokens.yaml` : "";

  if (token.rotation === undefined) {
    if (isUnknown(token, "rotation")) return [unjudged(token, "the rotation window", names.rotation)];
    if (isLive(token)) {
      return [
        violation(
          "rotation-not-configured",
          names.rotation,
          `${who} is not declared in tokens.yaml, so nothing rotates it. Declare it there (rotateBeforeDays of at least ${min}, below its lifetime) so \`pulumi up\` rotates it, or revoke it.`,
        ),
      ];
    }
    const fix =
      token.family === "gitlab-provider" && !officialExpires(token.type)
        ? officialCannotExpire(token, `rotateBeforeDays: ${Math.max(min, DEFAULT_ROTATE_BEFORE_DAYS)}`)
        : token.family === "gitlab-tokens"
          ? `Set rotateBeforeDays to at least ${min} and below the lifetime (the project default is ${DEFAULT_ROTATE_BEFORE_DAYS})`
          : officialRotates(token.type)
            ? `Replace expiresAt with rotationConfiguration { expirationDays: ${DEFAULT_LIFETIME_DAYS}, rotateBeforeDays: ${DEFAULT_ROTATE_BEFORE_DAYS} }`
            : `The official provider cannot rotate a ${token.kind} token (it has no rotationConfiguration); declare it in tokens.yaml (kind: ${token.kind}) so \`pulumi up\` rotates it`;
    return [
      violation(
        "rotation-not-configured",
        names.rotation,
        `${who} has no rotation configured, so \`pulumi up\` never replaces it before it expires. ${fix}.`,
      ),
    ];
  }

  const before = token.rotation.rotateBeforeDays;
  if (before === undefined) {
    if (isUnknown(token, "rotateBeforeDays"))
      return [unjudged(token, "the rotation window", names.rotateBeforeDays)];
    return [
      violation(
        "rotation-not-configured",
        names.rotateBeforeDays,
        `${who} has no ${names.rotateBeforeDays}, so it is never rotated before it expires. Set it${there} to at least ${min} and below the lifetime.`,
      ),
    ];
  }

  const checks: Check[] = [];
  if (before < min) {
    checks.push(
      violation(
        "rotation-window-too-short",
        names.rotateBeforeDays,
        `${who} has ${names.rotateBeforeDays}: ${before}; rotation must start at least ${min} day${min === 1 ? "" : "s"} before expiry so the daily \`pulumi up\` replaces the token while it still works. Set ${names.rotateBeforeDays}${there} to ${min} or more.`,
      ),
    );
  }
  const lifetime = lifetimeOf(token, now);
  if (lifetime.state === "unknown") {
    checks.push(unjudged(token, "whether the rotation window fits the lifetime", lifetime.field));
  } else if (lifetime.state === "known" && lifetime.days >= 1 && dueAtCreation(lifetime, before, now)) {
    const suggestion = Math.max(min, Math.min(DEFAULT_ROTATE_BEFORE_DAYS, Math.floor(lifetime.days / 3)));
    const fix =
      suggestion < lifetime.days
        ? `Set ${names.rotateBeforeDays}${there} below ${lifetime.days} (for example ${suggestion})`
        : `Lengthen the lifetime${there} beyond ${min} day${min === 1 ? "" : "s"}`;
    checks.push(
      violation(
        "rotation-window-not-below-lifetime",
        names.rotateBeforeDays,
        `${who} has ${names.rotateBeforeDays}: ${before} but it ${describeLifetime(token, lifetime)}, so it is due for rotation as soon as it exists and every run replaces it. ${fix}.`,
      ),
    );
  }
  return checks;
};

/**
 * Whether a token of this lifetime is due for rotation the day it is created: facts' `rotationDue`
 * (the one rule `pulumi up` rotates by) asked at the start of the lifetime, about its expiry.
 */
function dueAtCreation(lifetime: Extract<Lifetime, { state: "known" }>, rotateBeforeDays: number, now: Date) {
  const created = lifetime.from ?? isoDate(now);
  return rotationDue(addDays(created, lifetime.days), rotateBeforeDays, dateStart(created));
}
