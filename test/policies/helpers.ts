/**
 * Builders for the policy tests: realistic resource properties for both token families, CrossGuard
 * argument objects shaped like `@pulumi/policy`'s (ResourceValidationArgs / StackValidationArgs),
 * and Pulumi unknowns as the real policy runtime presents them.
 */
import type {
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "../../policies/node_modules/@pulumi/policy";
import { ACCESS_TOKEN_TYPE, OFFICIAL_TYPES } from "../../components/types";
import type { AccessTokenProps } from "../../components/types";
import type { TokenKind } from "../../components/gitlab/facts";
import { normaliseResource, type NormalisedToken } from "../../policies/rules";

/** The fixed "now" of every test: 2026-09-03, 12:00 UTC. */
export const NOW = new Date("2026-09-03T12:00:00Z");

// The real proxy and sentinels of @pulumi/policy 1.21.0 (internal, so not in its type declarations).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxyModule = require("../../policies/node_modules/@pulumi/policy/proxy") as {
  unknownCheckingProxy<T extends object>(o: T): T;
  unknownStringValue: string;
  unknownNumberValue: string;
  unknownArrayValue: string;
  unknownObjectValue: string;
};
export const UNKNOWN = {
  string: proxyModule.unknownStringValue,
  number: proxyModule.unknownNumberValue,
  array: proxyModule.unknownArrayValue,
  object: proxyModule.unknownObjectValue,
};
/** Wraps props the way the policy runtime does: reading an unknown value throws UnknownValueError. */
export const withUnknownProxy = <T extends object>(props: T): T => proxyModule.unknownCheckingProxy(props);

/** A compliant token of this project: the dynamic resource's props. */
export function oursProps(
  overrides: Partial<Record<keyof AccessTokenProps, unknown>> = {},
): Record<string, unknown> {
  const base: AccessTokenProps = {
    kind: "project",
    key: "web-deploy",
    target: "acme/web",
    name: "web-deploy",
    description: "Pulls images for the web deploy job",
    scopes: ["read_registry", "read_repository"],
    accessLevel: "reporter",
    lifetimeDays: 60,
    rotateBeforeDays: 7,
    rotateWhenChanged: {},
    rotationEpoch: "",
    owner: "team-web",
  };
  const props: Record<string, unknown> = { ...base, ...overrides };
  for (const k of Object.keys(props)) if (props[k] === undefined) delete props[k];
  return props;
}

/** A compliant token of the official provider, by kind. */
export function officialProps(
  kind: TokenKind,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  if (kind === "trigger") {
    // The official gitlab_pipeline_trigger: a project and a description, nothing else.
    return { project: "acme/web", description: "Starts the nightly pipeline", ...overrides };
  }
  const target =
    kind === "project" ? { project: "acme/web" } : kind === "group" ? { group: "acme" } : { userId: 42 };
  const props: Record<string, unknown> = {
    ...target,
    name: "ci-reader",
    description: "Reads the API for the release notes job",
    scopes: ["read_api"],
    ...(kind === "personal" ? {} : { accessLevel: "reporter" }),
    rotationConfiguration: { expirationDays: 60, rotateBeforeDays: 7 },
    ...overrides,
  };
  for (const k of Object.keys(props)) if (props[k] === undefined) delete props[k];
  return props;
}

export const OURS_TYPE = ACCESS_TOKEN_TYPE;
export const officialType = (kind: TokenKind) => OFFICIAL_TYPES[kind];

/** Normalises props of this project's token resource (resource name `<key>-token`). */
export function ours(overrides: Partial<Record<keyof AccessTokenProps, unknown>> = {}): NormalisedToken {
  const props = oursProps(overrides);
  return normaliseResource({ type: OURS_TYPE, name: `${String(props.key)}-token`, props }) as NormalisedToken;
}

/** Normalises props of an official provider token resource named `name`. */
export function official(
  kind: TokenKind,
  overrides: Record<string, unknown> = {},
  name = "ci-reader",
): NormalisedToken {
  return normaliseResource({
    type: officialType(kind),
    name,
    props: officialProps(kind, overrides),
  }) as NormalisedToken;
}

const urnOf = (type: string, name: string) => `urn:pulumi:dev::gitlab-tokens::${type}::${name}`;

/** Thrown by the fake `notApplicable`, as the real runtime throws its NotApplicableError. */
export class NotApplicable extends Error {}

/** A `ResourceValidationArgs` as the policy runtime builds it (props behind the unknown proxy). */
export function resourceArgs(
  type: string,
  name: string,
  props: Record<string, unknown>,
  config: object = {},
): ResourceValidationArgs {
  const proxied = withUnknownProxy(props);
  return {
    type,
    name,
    urn: urnOf(type, name),
    props: proxied,
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: type === OURS_TYPE ? ["token"] : [],
    },
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
}

/** A `StackValidationArgs` over resources given as [type, name, outputs]. */
export function stackArgs(
  resources: [type: string, name: string, props: Record<string, unknown>][],
  config: object = {},
): StackValidationArgs {
  const policyResources: PolicyResource[] = resources.map(([type, name, props]) => ({
    type,
    name,
    urn: urnOf(type, name),
    props: withUnknownProxy(props),
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    dependencies: [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  }));
  return {
    resources: policyResources,
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
}

export interface Reported {
  message: string;
  urn?: string;
}

/** Runs a policy's validateResource and returns what it reported. */
export async function validate(
  policy: ResourceValidationPolicy,
  args: ResourceValidationArgs,
): Promise<string[]> {
  const reported: string[] = [];
  const report: ReportViolation = (message) => {
    reported.push(message);
  };
  const validations = Array.isArray(policy.validateResource)
    ? policy.validateResource
    : [policy.validateResource];
  for (const v of validations) if (v) await v(args, report);
  return reported;
}

/** Runs a policy's validateStack and returns what it reported. */
export async function validateStack(
  policy: StackValidationPolicy,
  args: StackValidationArgs,
): Promise<Reported[]> {
  const reported: Reported[] = [];
  await policy.validateStack(args, (message, urn) => {
    reported.push({ message, ...(urn ? { urn } : {}) });
  });
  return reported;
}
