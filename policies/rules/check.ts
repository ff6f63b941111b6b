/**
 * What a rule returns for one token, and the helpers several rules share: the token's lifetime and
 * its justification. Pure.
 */
import { daysBetween, isoDate } from "../../components/gitlab/facts";
import { FIELD_NAMES, describeToken, isUnknown, type NormalisedToken } from "./token";

/** One result of a rule for one token. */
export interface Check {
  /** `violation`: the token breaks the rule; `unjudged`: the rule could not judge part of it. */
  status: "violation" | "unjudged";
  /** Stable id of the kind of result, e.g. `lifetime-too-long`. */
  code: string;
  /** The property the result is about, as the user spells it (`lifetimeDays`, `rotationConfiguration`). */
  field?: string;
  /** States the limit, the actual value and what to change; never contains a token value. */
  message: string;
}

export type Rule<C> = (token: NormalisedToken, config: C, now: Date) => Check[];

export function violation(code: string, field: string | undefined, message: string): Check {
  return { status: "violation", code, ...(field ? { field } : {}), message };
}

/** A result for a part the rule could not judge because `field` is not known until apply. */
export function unjudged(token: NormalisedToken, what: string, field: string): Check {
  return {
    status: "unjudged",
    code: "unknown-value",
    field,
    message: `could not judge ${what} of ${describeToken(token)}: ${field} is not known until apply`,
  };
}

/**
 * A value GitLab gave that gitlab-tokens does not know — a newer GitLab's scope or role (`mcp`,
 * `granular`, a new access level): reported, and never judged compliant (the policy cannot say
 * what it grants), so it is an `unjudged` finding rather than a violation or a pass.
 */
export function unrecognised(token: NormalisedToken, field: string, values: string, what: string): Check {
  return {
    status: "unjudged",
    code: "unknown-to-gitlab-tokens",
    field,
    message: `${values} ${values.includes(",") ? "are" : "is"} not known to gitlab-tokens, so ${what} of ${describeToken(token)} could not be verified`,
  };
}

/** How long a token lives, and from which facts that was worked out. */
export type Lifetime =
  | {
      state: "known";
      days: number;
      /**
       * `declared`: a lifetime in days (`lifetimeDays`, `rotationConfiguration.expirationDays`);
       * `created`: from the creation time in state to the expiry date; `today`: from today (a new
       * token, or an existing one whose creation time is not at hand) to the expiry date.
       */
      basis: "declared" | "created" | "today";
      /** The date the count starts from (`created`, `today`). */
      from?: string;
      expiresAt?: string;
    }
  | { state: "none" }
  | { state: "unknown"; field: string };

export function lifetimeOf(token: NormalisedToken, now: Date): Lifetime {
  const names = FIELD_NAMES[token.family];
  if (token.lifetimeDays !== undefined) {
    return { state: "known", days: token.lifetimeDays, basis: "declared", expiresAt: token.expiresAt };
  }
  if (isUnknown(token, "lifetimeDays")) return { state: "unknown", field: names.lifetimeDays };
  if (token.expiresAt !== undefined) {
    if (token.createdAt !== undefined) {
      const from = isoDate(new Date(token.createdAt));
      return {
        state: "known",
        days: daysBetween(from, token.expiresAt),
        basis: "created",
        from,
        expiresAt: token.expiresAt,
      };
    }
    const from = isoDate(now);
    return {
      state: "known",
      days: daysBetween(from, token.expiresAt),
      basis: "today",
      from,
      expiresAt: token.expiresAt,
    };
  }
  if (isUnknown(token, "expiresAt")) return { state: "unknown", field: names.expiresAt };
  return { state: "none" };
}

/** `lives 60 days (lifetimeDays: 60)` / `expires on 2027-01-31, 150 days after today (2026-09-03)`. */
export function describeLifetime(token: NormalisedToken, l: Extract<Lifetime, { state: "known" }>): string {
  if (l.basis === "declared")
    return `lives ${l.days} days (${FIELD_NAMES[token.family].lifetimeDays}: ${l.days})`;
  const since = l.basis === "created" ? `its creation on ${l.from}` : `today (${l.from})`;
  return `expires on ${l.expiresAt}, ${l.days} days after ${since}`;
}

/** A token's justification: its own field, else the policy configuration's entry for it. */
export function justificationOf(
  token: NormalisedToken,
  configured: Record<string, string>,
): { text: string | undefined; unknown: boolean } {
  const own = token.justification?.trim();
  if (own) return { text: own, unknown: false };
  for (const name of [token.key, ...token.aliases]) {
    const c = configured[name]?.trim();
    if (c) return { text: c, unknown: false };
  }
  return { text: undefined, unknown: isUnknown(token, "justification") };
}

/**
 * Where a user writes a justification for this token, for messages: the token's own field (a live
 * token's declaration in tokens.yaml when it is managed), else the policy configuration.
 */
export function justificationField(token: NormalisedToken, policyId: string): string {
  if (token.family === "gitlab-tokens") return "justification";
  if (token.family === "gitlab-api" && token.managed) return `justification on '${token.key}' in tokens.yaml`;
  return `justifications["${token.key}"] in the ${policyId} policy config`;
}
