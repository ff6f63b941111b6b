/**
 * Policy ids, configuration and its defaults, and exceptions.
 *
 * Configuration has the shape of a `--policy-pack-config` file: one entry per policy id, either an
 * enforcement level or an object with `enforcementLevel` and the policy's own keys. Each policy reads
 * only its own entry (that is how CrossGuard works), so exceptions and per-token metadata live in the
 * entry of the policy they concern. Every resolver falls back to the exported defaults for a missing
 * or malformed key: test harnesses and the review command do not apply the schema's defaults, and the
 * lifetime ceiling can never be configured above 90 days.
 */
import {
  ACCESS_LEVELS,
  HIGH_RISK_SCOPES,
  POLICY_MAX_LIFETIME_DAYS,
  isValidDate,
  type AccessLevelName,
} from "../../components/gitlab/facts";

export const POLICY_IDS = {
  maxLifetime: "gitlab-token-max-lifetime",
  leastPrivilegeScopes: "gitlab-token-least-privilege-scopes",
  accessLevel: "gitlab-token-access-level",
  rotationWindow: "gitlab-token-rotation-window",
  ownership: "gitlab-token-ownership",
  noHumanPersonalTokens: "gitlab-token-no-human-personal-tokens",
  unjudged: "gitlab-token-unjudged",
} as const;
export type PolicyId = (typeof POLICY_IDS)[keyof typeof POLICY_IDS];

/** The policies that judge tokens (all but the advisory `gitlab-token-unjudged` channel). */
export type RuleId = Exclude<PolicyId, typeof POLICY_IDS.unjudged>;
export const RULE_IDS: readonly RuleId[] = [
  POLICY_IDS.maxLifetime,
  POLICY_IDS.leastPrivilegeScopes,
  POLICY_IDS.accessLevel,
  POLICY_IDS.rotationWindow,
  POLICY_IDS.ownership,
  POLICY_IDS.noHumanPersonalTokens,
];

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** The level each policy has when the configuration does not set one. */
export const DEFAULT_ENFORCEMENT: Record<PolicyId, EnforcementLevel> = {
  [POLICY_IDS.maxLifetime]: "mandatory",
  [POLICY_IDS.leastPrivilegeScopes]: "mandatory",
  [POLICY_IDS.accessLevel]: "mandatory",
  [POLICY_IDS.rotationWindow]: "mandatory",
  [POLICY_IDS.ownership]: "mandatory",
  [POLICY_IDS.noHumanPersonalTokens]: "mandatory",
  [POLICY_IDS.unjudged]: "advisory",
};

/**
 * An allow-list entry: exempts one token from the policy whose configuration holds it, until
 * `expires` (exclusive, like a GitLab token: the exception stops applying at 00:00 UTC that day).
 */
export interface TokenException {
  /** The token's declaration key (this project) or Pulumi resource name (official provider). */
  token: string;
  /** `YYYY-MM-DD`; from that day on the exception no longer applies. */
  expires: string;
  /** Why the exception exists; shown with every finding it suppresses. */
  reason: string;
  /**
   * Policy ids the entry is for. Optional: an entry applies to the policy whose configuration holds
   * it; when listed, that policy must be among them (so one list can be pasted into every policy).
   */
  policies?: string[];
}

export interface InvalidException {
  entry: unknown;
  problem: string;
}

export interface CommonConfig {
  exceptions: TokenException[];
  /** Entries that were dropped because they are malformed (they never exempt anything). */
  invalidExceptions: InvalidException[];
}

export interface MaxLifetimeConfig extends CommonConfig {
  /** At most 90; a larger value is treated as 90. */
  maxLifetimeDays: number;
}

export interface LeastPrivilegeScopesConfig extends CommonConfig {
  /** Scopes forbidden in addition to `sudo`, `admin_mode` and `read_service_ping` (always forbidden). */
  additionalForbiddenScopes: string[];
  /** Scopes allowed only with a written justification. */
  requireJustificationFor: string[];
  /** Shorter justifications count as missing. */
  minJustificationLength: number;
  /** Report a scope that another declared scope already grants (`read_api` beside `api`). */
  reportRedundantScopes: boolean;
  /** Justifications keyed by token (for the official provider's tokens, which have no such field). */
  justifications: Record<string, string>;
}

/** Project and group token levels a configuration may name (Owner is never allowed). */
export type ConfigurableAccessLevel = Exclude<AccessLevelName, "owner">;

export interface AccessLevelConfig extends CommonConfig {
  /** The highest level allowed; Owner is always above it. */
  maxAccessLevel: ConfigurableAccessLevel;
  /** Levels from this one up need a justification. */
  justifyFromAccessLevel: ConfigurableAccessLevel;
  minJustificationLength: number;
  justifications: Record<string, string>;
}

export interface RotationWindowConfig extends CommonConfig {
  /** The least `rotateBeforeDays` that leaves the scheduled `pulumi up` time to rotate. */
  minRotateBeforeDays: number;
}

export interface OwnershipConfig extends CommonConfig {
  requireOwner: boolean;
  requireDescription: boolean;
  /** Owners keyed by token (for the official provider's tokens, which have no such field). */
  owners: Record<string, string>;
}

export interface NoHumanPersonalTokensConfig extends CommonConfig {
  /**
   * Users known to be service accounts: GitLab user ids (official provider's `userId`) or usernames /
   * ids as declared in `user:` (this project).
   */
  serviceAccounts: string[];
}

export interface RuleConfigs {
  "gitlab-token-max-lifetime": MaxLifetimeConfig;
  "gitlab-token-least-privilege-scopes": LeastPrivilegeScopesConfig;
  "gitlab-token-access-level": AccessLevelConfig;
  "gitlab-token-rotation-window": RotationWindowConfig;
  "gitlab-token-ownership": OwnershipConfig;
  "gitlab-token-no-human-personal-tokens": NoHumanPersonalTokensConfig;
}

export const DEFAULT_MAX_LIFETIME_DAYS = POLICY_MAX_LIFETIME_DAYS;
export const DEFAULT_MIN_JUSTIFICATION_LENGTH = 10;
export const DEFAULT_MIN_ROTATE_BEFORE_DAYS = 1;
export const DEFAULT_MAX_ACCESS_LEVEL: ConfigurableAccessLevel = "maintainer";
export const DEFAULT_JUSTIFY_FROM_ACCESS_LEVEL: ConfigurableAccessLevel = "maintainer";
export const CONFIGURABLE_ACCESS_LEVELS = (Object.keys(ACCESS_LEVELS) as AccessLevelName[]).filter(
  (l): l is ConfigurableAccessLevel => l !== "owner",
);

const common = (): CommonConfig => ({ exceptions: [], invalidExceptions: [] });

/** Every policy's defaults (the values the schemas advertise). */
export const DEFAULTS: { [Id in RuleId]: RuleConfigs[Id] } = {
  "gitlab-token-max-lifetime": { ...common(), maxLifetimeDays: DEFAULT_MAX_LIFETIME_DAYS },
  "gitlab-token-least-privilege-scopes": {
    ...common(),
    additionalForbiddenScopes: [],
    requireJustificationFor: [...HIGH_RISK_SCOPES],
    minJustificationLength: DEFAULT_MIN_JUSTIFICATION_LENGTH,
    reportRedundantScopes: true,
    justifications: {},
  },
  "gitlab-token-access-level": {
    ...common(),
    maxAccessLevel: DEFAULT_MAX_ACCESS_LEVEL,
    justifyFromAccessLevel: DEFAULT_JUSTIFY_FROM_ACCESS_LEVEL,
    minJustificationLength: DEFAULT_MIN_JUSTIFICATION_LENGTH,
    justifications: {},
  },
  "gitlab-token-rotation-window": { ...common(), minRotateBeforeDays: DEFAULT_MIN_ROTATE_BEFORE_DAYS },
  "gitlab-token-ownership": { ...common(), requireOwner: true, requireDescription: true, owners: {} },
  "gitlab-token-no-human-personal-tokens": { ...common(), serviceAccounts: [] },
};

type Raw = Record<string, unknown>;

const isRecord = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

function int(raw: Raw, key: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = raw[key];
  if (typeof v !== "number" || !Number.isFinite(v)) return fallback;
  return Math.min(max, Math.max(min, Math.floor(v)));
}

function bool(raw: Raw, key: string, fallback: boolean): boolean {
  const v = raw[key];
  return typeof v === "boolean" ? v : fallback;
}

function strings(raw: Raw, key: string, fallback: readonly string[]): string[] {
  const v = raw[key];
  if (!Array.isArray(v)) return [...fallback];
  return v.filter((s): s is string | number => typeof s === "string" || typeof s === "number").map(String);
}

function stringMap(raw: Raw, key: string): Record<string, string> {
  const v = raw[key];
  const out: Record<string, string> = {};
  if (!isRecord(v)) return out;
  for (const [k, s] of Object.entries(v)) if (typeof s === "string") out[k] = s;
  return out;
}

function level(raw: Raw, key: string, fallback: ConfigurableAccessLevel): ConfigurableAccessLevel {
  const v = raw[key];
  return typeof v === "string" && (CONFIGURABLE_ACCESS_LEVELS as string[]).includes(v)
    ? (v as ConfigurableAccessLevel)
    : fallback;
}

/** Splits a configured `exceptions` value into usable entries and malformed ones. */
export function parseExceptions(value: unknown): Pick<CommonConfig, "exceptions" | "invalidExceptions"> {
  const exceptions: TokenException[] = [];
  const invalidExceptions: InvalidException[] = [];
  if (value === undefined) return { exceptions, invalidExceptions };
  if (!Array.isArray(value)) {
    return { exceptions, invalidExceptions: [{ entry: value, problem: "exceptions must be a list" }] };
  }
  for (const entry of value) {
    if (!isRecord(entry)) {
      invalidExceptions.push({ entry, problem: "an exception must be an object { token, expires, reason }" });
      continue;
    }
    const { token, expires, reason, policies } = entry;
    const problem =
      typeof token !== "string" || token.trim() === ""
        ? "token is missing; name the token's declaration key or resource name"
        : typeof expires !== "string" || !isValidDate(expires)
          ? `expires is ${JSON.stringify(expires)}; give a date as YYYY-MM-DD`
          : typeof reason !== "string" || reason.trim() === ""
            ? "reason is missing; say why the token needs the exception"
            : policies !== undefined &&
                !(Array.isArray(policies) && policies.every((p) => typeof p === "string"))
              ? "policies must be a list of policy ids"
              : undefined;
    if (problem) {
      invalidExceptions.push({ entry, problem: `exception ${JSON.stringify(entry)}: ${problem}` });
      continue;
    }
    exceptions.push({
      token: token as string,
      expires: expires as string,
      reason: reason as string,
      ...(policies ? { policies: policies as string[] } : {}),
    });
  }
  return { exceptions, invalidExceptions };
}

/**
 * A policy's configuration with every missing or malformed key set to its default. `raw` is what
 * `args.getConfig()` returns (or a policy's entry of a `--policy-pack-config` file).
 */
export function resolveConfig<Id extends RuleId>(id: Id, raw: unknown): RuleConfigs[Id] {
  const r: Raw = isRecord(raw) ? raw : {};
  const base = parseExceptions(r.exceptions);
  const resolved: { [K in RuleId]: () => RuleConfigs[K] } = {
    "gitlab-token-max-lifetime": () => ({
      ...base,
      // Never above the organisation's ceiling, whatever the configuration says.
      maxLifetimeDays: int(r, "maxLifetimeDays", DEFAULT_MAX_LIFETIME_DAYS, 1, POLICY_MAX_LIFETIME_DAYS),
    }),
    "gitlab-token-least-privilege-scopes": () => {
      const d = DEFAULTS["gitlab-token-least-privilege-scopes"];
      return {
        ...base,
        additionalForbiddenScopes: strings(r, "additionalForbiddenScopes", d.additionalForbiddenScopes),
        requireJustificationFor: strings(r, "requireJustificationFor", d.requireJustificationFor),
        minJustificationLength: int(r, "minJustificationLength", d.minJustificationLength, 1),
        reportRedundantScopes: bool(r, "reportRedundantScopes", d.reportRedundantScopes),
        justifications: stringMap(r, "justifications"),
      };
    },
    "gitlab-token-access-level": () => ({
      ...base,
      maxAccessLevel: level(r, "maxAccessLevel", DEFAULT_MAX_ACCESS_LEVEL),
      justifyFromAccessLevel: level(r, "justifyFromAccessLevel", DEFAULT_JUSTIFY_FROM_ACCESS_LEVEL),
      minJustificationLength: int(r, "minJustificationLength", DEFAULT_MIN_JUSTIFICATION_LENGTH, 1),
      justifications: stringMap(r, "justifications"),
    }),
    "gitlab-token-rotation-window": () => ({
      ...base,
      minRotateBeforeDays: int(r, "minRotateBeforeDays", DEFAULT_MIN_ROTATE_BEFORE_DAYS, 1),
    }),
    "gitlab-token-ownership": () => ({
      ...base,
      requireOwner: bool(r, "requireOwner", true),
      requireDescription: bool(r, "requireDescription", true),
      owners: stringMap(r, "owners"),
    }),
    "gitlab-token-no-human-personal-tokens": () => ({
      ...base,
      serviceAccounts: strings(r, "serviceAccounts", []),
    }),
  };
  return resolved[id]();
}

/**
 * A pack configuration as in a `--policy-pack-config` JSON file: `{ "<policy id>": "mandatory" }` or
 * `{ "<policy id>": { "enforcementLevel": "advisory", ...keys } }`; `all` sets every policy's level.
 */
export type PackConfig = Record<string, unknown>;

/** A policy's level in a pack configuration (per-policy entry, else `all`, else its default). */
export function enforcementLevelOf(config: PackConfig | undefined, id: PolicyId): EnforcementLevel {
  const levelIn = (entry: unknown): EnforcementLevel | undefined => {
    const v = isRecord(entry) ? entry.enforcementLevel : entry;
    return ENFORCEMENT_LEVELS.find((l) => l === v);
  };
  return levelIn(config?.[id]) ?? levelIn(config?.all) ?? DEFAULT_ENFORCEMENT[id];
}

/** A policy's own keys in a pack configuration (what `args.getConfig()` returns for it). */
export function policyConfigOf(config: PackConfig | undefined, id: PolicyId): Raw {
  const entry = config?.[id];
  if (!isRecord(entry)) return {};
  const { enforcementLevel: _level, ...rest } = entry;
  return rest;
}
