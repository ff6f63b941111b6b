/**
 * Policy ids, configuration and its defaults, and exceptions.
 *
 * Configuration has the shape of a `--policy-pack-config` file: one entry per policy id, either an
 * enforcement level or an object with `enforcementLevel` and the policy's own keys. Each policy reads
 * only its own entry (that is how CrossGuard works), so exceptions and per-token metadata live in the
 * entry of the policy they concern. Each policy's zod schema below gives its keys, their defaults,
 * their type and the JSON schema the pack publishes; parsing falls back to the exported defaults for
 * a missing or malformed key (test harnesses and the review command do not apply the published
 * schema), and the lifetime ceiling can never be configured above 90 days.
 */
import { z } from "zod";
import {
  ACCESS_LEVEL_NAMES,
  HIGH_RISK_SCOPES,
  POLICY_MAX_LIFETIME_DAYS,
  isValidDate,
  type AccessLevelName,
} from "../../components/gitlab/facts";

export const POLICY_IDS = {
  maxLifetime: "gitlab-token-max-lifetime",
  leastPrivilegeScopes: "gitlab-token-least-privilege-scopes",
  leastPrivilegePermissions: "gitlab-token-least-privilege-permissions",
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
  POLICY_IDS.leastPrivilegePermissions,
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
  [POLICY_IDS.leastPrivilegePermissions]: "mandatory",
  [POLICY_IDS.accessLevel]: "mandatory",
  [POLICY_IDS.rotationWindow]: "mandatory",
  [POLICY_IDS.ownership]: "mandatory",
  [POLICY_IDS.noHumanPersonalTokens]: "mandatory",
  [POLICY_IDS.unjudged]: "advisory",
};

export const DEFAULT_MAX_LIFETIME_DAYS = POLICY_MAX_LIFETIME_DAYS;
export const DEFAULT_MIN_JUSTIFICATION_LENGTH = 10;
export const DEFAULT_MIN_ROTATE_BEFORE_DAYS = 1;
export const DEFAULT_MAX_ACCESS_LEVEL = "maintainer" satisfies AccessLevelName;
export const DEFAULT_JUSTIFY_FROM_ACCESS_LEVEL = "maintainer" satisfies AccessLevelName;
/** Project and group token levels a configuration may name (Owner is never allowed). */
export const CONFIGURABLE_ACCESS_LEVELS = ACCESS_LEVEL_NAMES.filter(
  (l): l is Exclude<AccessLevelName, "owner"> => l !== "owner",
);
export type ConfigurableAccessLevel = (typeof CONFIGURABLE_ACCESS_LEVELS)[number];

/*
 * One zod schema per policy is the single source of its configuration: the defaults, the
 * validation and its messages, the TypeScript type (z.infer) and the JSON schema the pack publishes
 * (`configSchemaOf`).
 * The published schema is strict (the engine rejects a bad file); parsing is lenient, because test
 * harnesses and the review command apply no schema: a number out of range is brought into it, and
 * any other missing or malformed key takes its default (`.catch`).
 */

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A whole number from `min` to `max`: a finite number is floored and clamped into range. */
const wholeNumber = (fallback: number, min: number, max: number | undefined, description: string) => {
  const range = max === undefined ? z.int().min(min) : z.int().min(min).max(max);
  const clamp = (v: unknown) =>
    typeof v === "number" && Number.isFinite(v) ? Math.min(max ?? Infinity, Math.max(min, Math.floor(v))) : v;
  return z.preprocess(clamp, range.prefault(fallback)).catch(fallback).describe(description);
};

const flag = (description: string) => z.boolean().prefault(true).catch(true).describe(description);

/** A list of scopes: entries that are not text are dropped (numbers are kept as text). */
const scopeList = (fallback: readonly string[], description: string) =>
  z
    .preprocess(
      (v) =>
        Array.isArray(v) ? v.filter((s) => typeof s === "string" || typeof s === "number").map(String) : v,
      z.array(z.string()).prefault(() => [...fallback]),
    )
    .catch(() => [...fallback])
    .describe(description);

/** A map from token (declaration key or resource name) to a text; entries that are not text are dropped. */
const tokenMap = (description: string) =>
  z
    .preprocess(
      (v) =>
        isRecord(v) ? Object.fromEntries(Object.entries(v).filter(([, s]) => typeof s === "string")) : v,
      z.record(z.string(), z.string()).prefault(() => ({})),
    )
    .catch(() => ({}))
    .describe(description);

const accessLevel = (fallback: ConfigurableAccessLevel, description: string) =>
  z.enum(CONFIGURABLE_ACCESS_LEVELS).prefault(fallback).catch(fallback).describe(description);

const MISSING_TOKEN = "token is missing; name the token's declaration key or resource name";
const MISSING_REASON = "reason is missing; say why the token needs the exception";
const NOT_POLICY_LIST = "policies must be a list of policy ids";
const BAD_EXPIRES = {
  error: (issue: { input?: unknown }) =>
    `expires is ${JSON.stringify(issue.input)}; give a date as YYYY-MM-DD`,
};
const notBlank = (s: string) => s.trim() !== "";

/**
 * An allow-list entry: exempts one token from the policy whose configuration holds it, until
 * `expires` (exclusive, like a GitLab token: the exception stops applying at 00:00 UTC that day).
 * Each check's message is the problem `exception-invalid` findings report.
 */
export const tokenExceptionSchema = z
  .object({
    token: z
      .string({ error: MISSING_TOKEN })
      .min(1, MISSING_TOKEN)
      .refine(notBlank, MISSING_TOKEN)
      .describe("The token's declaration key (this project) or Pulumi resource name (official provider)."),
    expires: z
      .string(BAD_EXPIRES)
      .regex(/^\d{4}-\d{2}-\d{2}$/, BAD_EXPIRES)
      .refine(isValidDate, BAD_EXPIRES)
      .describe("YYYY-MM-DD; from that day on the exception no longer applies."),
    reason: z
      .string({ error: MISSING_REASON })
      .min(1, MISSING_REASON)
      .refine(notBlank, MISSING_REASON)
      .describe("Why the exception exists; shown with every finding it suppresses."),
    policies: z
      .array(z.string({ error: NOT_POLICY_LIST }), { error: NOT_POLICY_LIST })
      .optional()
      .describe(
        "Policy ids the entry is for: when given, the policy holding the entry must be among them (so one list can be pasted into every policy).",
      ),
  })
  // The published schema refuses unknown keys; parsing (the review, the audit) ignores them.
  .meta({ additionalProperties: false });
export type TokenException = z.infer<typeof tokenExceptionSchema>;

const exceptionsSchema = z
  .array(tokenExceptionSchema)
  .prefault([])
  .describe(
    "Tokens exempt from this policy until a date: { token: <declaration key or resource name>, expires: YYYY-MM-DD (exclusive), reason, policies?: [policy ids] }. Expired entries no longer apply.",
  );

const minJustificationLength = () =>
  wholeNumber(DEFAULT_MIN_JUSTIFICATION_LENGTH, 1, undefined, "A shorter justification counts as missing.");

/** Each policy's own keys (everything but `exceptions`, which every rule policy shares). */
const SETTINGS = {
  "gitlab-token-max-lifetime": z.object({
    maxLifetimeDays: wholeNumber(
      DEFAULT_MAX_LIFETIME_DAYS,
      1,
      // Never above the organisation's ceiling, whatever the configuration says.
      POLICY_MAX_LIFETIME_DAYS,
      `The longest lifetime allowed, in days; at most ${POLICY_MAX_LIFETIME_DAYS}.`,
    ),
  }),
  "gitlab-token-least-privilege-scopes": z.object({
    additionalForbiddenScopes: scopeList(
      [],
      "Scopes forbidden in addition to sudo, admin_mode and read_service_ping (always forbidden).",
    ),
    requireJustificationFor: scopeList(
      HIGH_RISK_SCOPES,
      "High-risk scopes: allowed only with a justification.",
    ),
    minJustificationLength: minJustificationLength(),
    reportRedundantScopes: flag(
      "Report a scope that another declared scope already grants (read_api beside api).",
    ),
    justifications: tokenMap(
      "Justifications for high-risk scopes, keyed by token (for official-provider tokens, which have no justification field).",
    ),
  }),
  "gitlab-token-least-privilege-permissions": z.object({
    justifyAllMemberships: flag(
      "Require a justification for access all_memberships (every group and project the user is a member of); selected_memberships names them instead. The instance access and write permissions always need one.",
    ),
    minJustificationLength: minJustificationLength(),
    justifications: tokenMap(
      "Justifications for a fine-grained token's instance or all_memberships access and write permissions, keyed by token (for tokens without a justification field).",
    ),
  }),
  "gitlab-token-access-level": z.object({
    maxAccessLevel: accessLevel(
      DEFAULT_MAX_ACCESS_LEVEL,
      "The highest access level allowed (owner is never allowed).",
    ),
    justifyFromAccessLevel: accessLevel(
      DEFAULT_JUSTIFY_FROM_ACCESS_LEVEL,
      "Access levels from this one up need a justification.",
    ),
    minJustificationLength: minJustificationLength(),
    justifications: tokenMap(
      "Justifications for the access level, keyed by token (for official-provider tokens, which have no justification field).",
    ),
  }),
  "gitlab-token-rotation-window": z.object({
    minRotateBeforeDays: wholeNumber(
      DEFAULT_MIN_ROTATE_BEFORE_DAYS,
      1,
      undefined,
      "The least rotateBeforeDays allowed: it leaves the scheduled `pulumi up` time to rotate.",
    ),
  }),
  "gitlab-token-ownership": z.object({
    requireOwner: flag("Require an owner."),
    requireDescription: flag("Require a description."),
    owners: tokenMap("Owners keyed by token (for official-provider tokens, which have no owner field)."),
  }),
  "gitlab-token-no-human-personal-tokens": z.object({
    serviceAccounts: z
      .preprocess(
        (v) => (Array.isArray(v) ? v.filter((s) => typeof s === "string" || typeof s === "number") : v),
        z.array(z.union([z.string(), z.number().transform(String)])).prefault([]),
      )
      .catch(() => [])
      .describe(
        "Users known to be service accounts: GitLab user ids (official provider's userId) or the user as declared (gitlab-tokens).",
      ),
  }),
} satisfies Record<RuleId, z.ZodObject>;

/** A policy's whole configuration schema, as the pack publishes it: its own keys and `exceptions`. */
export function configSchema(id: RuleId): z.ZodObject {
  return SETTINGS[id].extend({ exceptions: exceptionsSchema });
}

/** A policy's configuration schema as JSON schema: one entry per key, with its default and description. */
export function configSchemaOf(id: RuleId): { properties: Record<string, unknown> } {
  const json = z.toJSONSchema(configSchema(id), { io: "input", target: "draft-04" });
  // CrossGuard takes only the keys' schemas: not `$schema`, `type` or `required`.
  return { properties: { ...json.properties } };
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

type Resolved<Id extends RuleId> = z.infer<(typeof SETTINGS)[Id]> & CommonConfig;
export type MaxLifetimeConfig = Resolved<"gitlab-token-max-lifetime">;
export type LeastPrivilegeScopesConfig = Resolved<"gitlab-token-least-privilege-scopes">;
export type LeastPrivilegePermissionsConfig = Resolved<"gitlab-token-least-privilege-permissions">;
export type AccessLevelConfig = Resolved<"gitlab-token-access-level">;
export type RotationWindowConfig = Resolved<"gitlab-token-rotation-window">;
export type OwnershipConfig = Resolved<"gitlab-token-ownership">;
export type NoHumanPersonalTokensConfig = Resolved<"gitlab-token-no-human-personal-tokens">;
export type RuleConfigs = { [Id in RuleId]: Resolved<Id> };

/** Splits a configured `exceptions` value into usable entries and malformed ones. */
export function parseExceptions(value: unknown): CommonConfig {
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
    const parsed = tokenExceptionSchema.safeParse(entry);
    if (parsed.success) {
      exceptions.push(parsed.data);
      continue;
    }
    const problem = parsed.error.issues[0]?.message;
    invalidExceptions.push({ entry, problem: `exception ${JSON.stringify(entry)}: ${problem}` });
  }
  return { exceptions, invalidExceptions };
}

/**
 * A policy's configuration with every missing or malformed key set to its default. `raw` is what
 * `args.getConfig()` returns (or a policy's entry of a `--policy-pack-config` file).
 */
export function resolveConfig<Id extends RuleId>(id: Id, raw: unknown): RuleConfigs[Id] {
  const { exceptions, ...rest } = isRecord(raw) ? raw : {};
  return { ...SETTINGS[id].parse(rest), ...parseExceptions(exceptions) } as RuleConfigs[Id];
}

/** Every policy's defaults (the values the schemas advertise). */
export const DEFAULTS = Object.fromEntries(RULE_IDS.map((id) => [id, resolveConfig(id, {})])) as {
  [Id in RuleId]: RuleConfigs[Id];
};

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
export function policyConfigOf(config: PackConfig | undefined, id: PolicyId): Record<string, unknown> {
  const entry = config?.[id];
  if (!isRecord(entry)) return {};
  const { enforcementLevel: _level, ...rest } = entry;
  return rest;
}
