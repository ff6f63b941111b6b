/**
 * `gitlab-token-max-lifetime`: every token expires, at most `maxLifetimeDays` (≤ 90) after its
 * creation — or after today, for a token that does not exist yet.
 */
import { POLICY_MAX_LIFETIME_DAYS, addDays, dateStart } from "../../components/gitlab/facts";
import { officialExpires, officialRotates } from "../../components/kinds";
import { describeLifetime, lifetimeOf, unjudged, violation, type Check, type Rule } from "./check";
import type { MaxLifetimeConfig } from "./config";
import {
  FIELD_NAMES,
  describeToken,
  isLive,
  liveFix,
  officialCannotExpire,
  type NormalisedToken,
} from "./token";

export const checkMaxLifetime: Rule<MaxLifetimeConfig> = (token, config, now) => {
  const max = Math.min(config.maxLifetimeDays, POLICY_MAX_LIFETIME_DAYS);
  const names = FIELD_NAMES[token.family];
  const who = describeToken(token);
  const lifetime = lifetimeOf(token, now);

  if (lifetime.state === "unknown") return [unjudged(token, "the lifetime", lifetime.field)];
  if (lifetime.state === "none") {
    return [
      violation(
        "no-expiry",
        names.lifetimeDays,
        `${who} has no expiry${isLive(token) ? " (expires_at is null)" : ""}; tokens must expire within ${max} days of creation. ${expiryFix(token, max)}.`,
      ),
    ];
  }

  const checks: Check[] = [];
  const field = lifetime.basis === "declared" ? names.lifetimeDays : names.expiresAt;
  // A live token is judged only while active: one still active on or after its expiry is one
  // GitLab does not expire (gitlab-tokens enforces the declared lifetime, on refresh).
  if (
    isLive(token) &&
    token.expiresAt !== undefined &&
    now.getTime() >= dateStart(token.expiresAt).getTime()
  ) {
    checks.push(
      violation(
        "past-lifetime",
        names.expiresAt,
        `${who} is still active after its declared lifetime ended (${token.expiresAt}): GitLab does not expire it, and no refresh has deleted it since. Run \`pulumi up --refresh --run-program\` to delete and replace it.`,
      ),
    );
  }
  if (lifetime.days < 1 && lifetime.basis !== "created") {
    const what =
      lifetime.basis === "declared"
        ? `has ${names.lifetimeDays}: ${lifetime.days}`
        : `expires on ${lifetime.expiresAt}, which is not after today (${lifetime.from}); a token stops working at 00:00 UTC on its expiry date`;
    checks.push(
      violation(
        "expiry-not-in-future",
        field,
        `${who} ${what}, so it would be expired from the start. ${expiryFix(token, max, lifetime.from)}.`,
      ),
    );
  } else if (lifetime.days > max) {
    const fix =
      lifetime.basis === "declared"
        ? `Set ${names.lifetimeDays} to ${max} or less`
        : lifetime.basis === "today"
          ? expiryFix(token, max, lifetime.from)
          : isLive(token)
            ? expiryFix(token, max)
            : `Replace it: ${lowerFirst(expiryFix(token, max))}`;
    checks.push(
      violation(
        "lifetime-too-long",
        field,
        `${who} ${describeLifetime(token, lifetime)}; tokens must expire within ${max} days of creation. ${fix}.`,
      ),
    );
  }
  return checks;
};

/** What to write instead: the user's own fields, and the latest allowed date when a start is known. */
function expiryFix(token: NormalisedToken, max: number, from?: string): string {
  if (token.family === "gitlab-provider" && !officialExpires(token.type)) {
    return officialCannotExpire(token, `lifetimeDays: ${max} or less`);
  }
  if (isLive(token)) {
    return liveFix(
      token,
      `set lifetimeDays to ${max} or less`,
      `that expires within ${max} days of its creation`,
    );
  }
  const date = from
    ? `set expiresAt to ${addDays(from, max)} or earlier`
    : `set expiresAt at most ${max} days ahead`;
  if (token.family === "gitlab-tokens") return `Set lifetimeDays to ${max} or less, or ${date}`;
  return officialRotates(token.type)
    ? `Use rotationConfiguration { expirationDays: ${max} or less, rotateBeforeDays }, or ${date}`
    : `${date.charAt(0).toUpperCase()}${date.slice(1)} (a ${token.kind} token has no rotationConfiguration)`;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
