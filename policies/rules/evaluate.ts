/**
 * The whole rule set over a list of tokens: the entry point for the merge-request review and the
 * audit, and (one policy at a time, through `runPolicy`) for the policy pack. Pure: `now` is passed
 * in, nothing is read from the environment.
 */
import { dateStart } from "../../components/gitlab/facts";
import { checkAccessLevel } from "./accessLevel";
import type { Check, Rule } from "./check";
import {
  RULE_IDS,
  DEFAULT_ENFORCEMENT,
  POLICY_IDS,
  enforcementLevelOf,
  policyConfigOf,
  resolveConfig,
  type EnforcementLevel,
  type PackConfig,
  type PolicyId,
  type RuleConfigs,
  type RuleId,
  type TokenException,
} from "./config";
import { checkLeastPrivilegePermissions } from "./leastPrivilegePermissions";
import { checkLeastPrivilegeScopes } from "./leastPrivilegeScopes";
import { checkMaxLifetime } from "./maxLifetime";
import { checkNoHumanPersonalTokens } from "./noHumanPersonalTokens";
import { checkOwnership } from "./ownership";
import { checkRotationWindow } from "./rotationWindow";
import { describeToken, type NormalisedToken } from "./token";

/**
 * - `violation`: the token breaks the policy (its severity is the policy's enforcement level).
 * - `unjudged`: part of the token could not be judged (a value unknown until apply).
 * - `exempted`: the token breaks the policy, but an active exception allows it.
 * - `exception-expired`: an exception for the token has expired and no longer applies.
 * - `exception-invalid`: a malformed exception in the configuration; it exempts nothing.
 */
export type FindingStatus = "violation" | "unjudged" | "exempted" | "exception-expired" | "exception-invalid";

export interface Finding {
  /** The policy the finding belongs to. */
  policy: PolicyId;
  status: FindingStatus;
  /** `mandatory` fails a preview; `advisory` only warns. Everything but a violation is advisory. */
  severity: "mandatory" | "advisory";
  /** Stable id of the kind of finding, e.g. `lifetime-too-long`, `unknown-value`, `exempted`. */
  code: string;
  /** The token's key (declaration key or resource name); for `exception-invalid`, the entry's token or "". */
  tokenKey: string;
  /** Pulumi type of the token's resource, when the finding is about a token. */
  tokenType?: string;
  /** The property the finding is about, as the user spells it. */
  field?: string;
  /** States the limit, the actual value and what to change; never a token value. */
  message: string;
}

/** The rule behind each policy id. */
export const RULES: { [Id in RuleId]: Rule<RuleConfigs[Id]> } = {
  "gitlab-token-max-lifetime": checkMaxLifetime,
  "gitlab-token-least-privilege-scopes": checkLeastPrivilegeScopes,
  "gitlab-token-least-privilege-permissions": checkLeastPrivilegePermissions,
  "gitlab-token-access-level": checkAccessLevel,
  "gitlab-token-rotation-window": checkRotationWindow,
  "gitlab-token-ownership": checkOwnership,
  "gitlab-token-no-human-personal-tokens": checkNoHumanPersonalTokens,
};

/** Whether an exception names this token and applies to this policy. */
export function exceptionMatches(exception: TokenException, token: NormalisedToken, policy: RuleId): boolean {
  const names = [token.key, ...token.aliases];
  return (
    names.includes(exception.token) &&
    (exception.policies === undefined || exception.policies.includes(policy))
  );
}

/** An exception applies until 00:00 UTC on its `expires` date, like a GitLab token. */
export function exceptionActive(exception: TokenException, now: Date): boolean {
  return now.getTime() < dateStart(exception.expires).getTime();
}

/**
 * One policy over one token: the rule's checks, with the policy's exceptions applied. `rawConfig` is
 * the policy's own configuration (`args.getConfig()`); missing keys take the exported defaults.
 */
export function runPolicy(
  policy: RuleId,
  token: NormalisedToken,
  rawConfig: unknown,
  now: Date,
  level: EnforcementLevel = DEFAULT_ENFORCEMENT[policy],
): Finding[] {
  const config = resolveConfig(policy, rawConfig);
  const rule = RULES[policy] as Rule<typeof config>;
  return applyExceptions(policy, token, rule(token, config, now), config.exceptions, now, level);
}

function applyExceptions(
  policy: RuleId,
  token: NormalisedToken,
  checks: Check[],
  exceptions: readonly TokenException[],
  now: Date,
  level: EnforcementLevel,
): Finding[] {
  const who = describeToken(token);
  const base = { policy, tokenKey: token.key, tokenType: token.type };
  const matching = exceptions.filter((e) => exceptionMatches(e, token, policy));
  const active = matching
    .filter((e) => exceptionActive(e, now))
    .sort((a, b) => b.expires.localeCompare(a.expires));
  const expired = matching.filter((e) => !exceptionActive(e, now));
  const violations = checks.filter((c) => c.status === "violation");

  const exception = active[0];
  if (exception !== undefined) {
    // An active exception covers everything this policy says about the token.
    if (violations.length === 0) return [];
    return [
      {
        ...base,
        status: "exempted",
        severity: "advisory",
        code: "exempted",
        message: `${who} is exempt from ${policy} until ${exception.expires} (${exception.reason}); without the exception: ${violations.map((v) => v.message).join(" ")}`,
      },
    ];
  }

  const lapsed = expired[0];
  const lapsedNote = lapsed ? ` (The exception for '${lapsed.token}' expired on ${lapsed.expires}.)` : "";
  const findings: Finding[] = checks.map((c) => ({
    ...base,
    status: c.status,
    severity: c.status === "violation" && level !== "advisory" ? "mandatory" : "advisory",
    code: c.code,
    ...(c.field ? { field: c.field } : {}),
    message: c.status === "violation" ? `${c.message}${lapsedNote}` : c.message,
  }));
  for (const e of expired) {
    findings.push({
      ...base,
      status: "exception-expired",
      severity: "advisory",
      code: "exception-expired",
      message: `the exception for ${who} in the ${policy} policy config expired on ${e.expires} and no longer applies (reason: ${e.reason}); ${violations.length > 0 ? "fix the token, or renew the exception with a later expires date" : "remove it"}.`,
    });
  }
  return findings;
}

/**
 * Every policy over every token. `config` has the shape of a `--policy-pack-config` file (the same
 * file the pack is run with); disabled policies are skipped, and `unjudged` findings are dropped when
 * `gitlab-token-unjudged` is disabled.
 */
export function evaluate(
  tokens: readonly NormalisedToken[],
  config: PackConfig = {},
  now: Date = new Date(),
): Finding[] {
  const findings: Finding[] = [];
  const unjudgedOff = enforcementLevelOf(config, POLICY_IDS.unjudged) === "disabled";
  for (const policy of RULE_IDS) {
    const level = enforcementLevelOf(config, policy);
    if (level === "disabled") continue;
    const raw = policyConfigOf(config, policy);
    for (const token of tokens) {
      for (const f of runPolicy(policy, token, raw, now, level)) {
        if (!(unjudgedOff && f.status === "unjudged")) findings.push(f);
      }
    }
    for (const invalid of resolveConfig(policy, raw).invalidExceptions) {
      const entry = invalid.entry as { token?: unknown } | undefined;
      findings.push({
        policy,
        status: "exception-invalid",
        severity: "advisory",
        code: "exception-invalid",
        tokenKey: typeof entry?.token === "string" ? entry.token : "",
        message: `${policy} policy config: ${invalid.problem}; the entry exempts nothing.`,
      });
    }
  }
  return findings;
}
