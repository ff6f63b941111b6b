/**
 * Adapters: map a resource's properties — this project's access-token dynamic resource, or the
 * official provider's project, group and personal token resources — onto a NormalisedToken.
 *
 * They read properties defensively. At preview, a value that depends on another resource's output is
 * a Pulumi unknown: `@pulumi/policy` hands the policy a proxy that throws `UnknownValueError` when
 * such a property is read, and the raw value is a sentinel string. Both are recorded in
 * `token.unknown` and never throw, so rules judge what is known and say what they could not judge.
 * Absent (`undefined` or `null`) values are simply absent.
 */
import { TOKEN_KINDS, isTokenKind, kindOf, officialResourceOf } from "../../components/kinds";
import { ACCESS_TOKEN_TYPE } from "../../components/types";
import type { GranularScopeEntry, NormalisedToken, TokenField } from "./token";

/** A resource as a policy sees it: inputs in `validateResource`, outputs in `validateStack`. */
export interface ResourceLike {
  /** Pulumi type, e.g. `pulumi-nodejs:dynamic/gitlab-tokens:AccessToken`. */
  type: string;
  /** Pulumi resource name. */
  name: string;
  urn?: string;
  props: Record<string, unknown>;
}

/** The sentinels the Pulumi engine sends for values not known until apply (`@pulumi/policy` proxy.js). */
export const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
  "030794c1-ac77-496b-92df-f27374a8bd58", // asset
  "e48ece36-62e2-4504-bad9-02848725956a", // archive
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

/** Whether a Pulumi type is one of the token resources the rules judge. */
export function isTokenType(type: string): boolean {
  return type === ACCESS_TOKEN_TYPE || officialResourceOf(type) !== undefined;
}

type Read = { state: "known"; value: unknown } | { state: "absent" } | { state: "unknown" };

function isUnknownValueError(e: unknown): boolean {
  return (
    e instanceof Error &&
    (e.constructor.name === "UnknownValueError" || /can't be known during preview/.test(e.message))
  );
}

/** Reads `obj[key]`, telling a Pulumi unknown apart from an absent value. */
function read(obj: unknown, key: string | number): Read {
  if (obj === null || typeof obj !== "object") return { state: "absent" };
  let value: unknown;
  try {
    value = (obj as Record<string | number, unknown>)[key];
  } catch (e) {
    if (isUnknownValueError(e)) return { state: "unknown" };
    throw e;
  }
  if (value === undefined || value === null) return { state: "absent" };
  if (typeof value === "string" && UNKNOWN_SENTINELS.has(value)) return { state: "unknown" };
  return { state: "known", value };
}

/** Typed, unknown-aware reads that record every unknown field once. */
class PropsReader {
  readonly unknown: TokenField[] = [];

  constructor(private readonly props: unknown) {}

  mark(field: TokenField): void {
    if (!this.unknown.includes(field)) this.unknown.push(field);
  }

  raw(key: string, field: TokenField, from: unknown = this.props): unknown {
    const r = read(from, key);
    if (r.state === "unknown") this.mark(field);
    return r.state === "known" ? r.value : undefined;
  }

  string(key: string, field: TokenField, from?: unknown): string | undefined {
    const v = this.raw(key, field, from);
    if (typeof v === "string") return v;
    if (typeof v === "number" && Number.isFinite(v)) return String(v);
    return undefined;
  }

  number(key: string, field: TokenField, from?: unknown): number | undefined {
    const v = this.raw(key, field, from);
    if (typeof v === "number" && Number.isFinite(v)) return v;
    if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return Number(v.trim());
    return undefined;
  }

  boolean(key: string, field: TokenField, from?: unknown): boolean | undefined {
    const v = this.raw(key, field, from);
    return typeof v === "boolean" ? v : undefined;
  }

  /**
   * A fine-grained token's granular scopes (`granular: [{ access, permissions, projects?, groups? }]`):
   * absent when not declared; an unknown list, element or value inside marks `granular` and keeps what
   * is known (an element whose access is not known is left out: the rule says it could not judge).
   */
  granular(key: string): { declared: boolean; scopes: GranularScopeEntry[] } {
    const list = this.raw(key, "granular");
    if (list === undefined) return { declared: this.unknown.includes("granular"), scopes: [] };
    if (!Array.isArray(list)) return { declared: true, scopes: [] };
    const texts = (from: unknown, k: string): string[] | undefined => {
      const v = this.raw(k, "granular", from);
      if (!Array.isArray(v)) return undefined;
      const out: string[] = [];
      for (let i = 0; i < v.length; i++) {
        const r = read(v, i);
        if (r.state === "unknown") this.mark("granular");
        else if (r.state === "known" && (typeof r.value === "string" || typeof r.value === "number"))
          out.push(String(r.value));
      }
      return out;
    };
    const scopes: GranularScopeEntry[] = [];
    for (let i = 0; i < list.length; i++) {
      const r = read(list, i);
      if (r.state === "unknown") this.mark("granular");
      if (r.state !== "known" || typeof r.value !== "object") continue;
      const access = this.string("access", "granular", r.value);
      if (access === undefined) continue;
      const projects = texts(r.value, "projects");
      const groups = texts(r.value, "groups");
      scopes.push({
        access,
        permissions: texts(r.value, "permissions") ?? [],
        ...(projects !== undefined ? { projects } : {}),
        ...(groups !== undefined ? { groups } : {}),
      });
    }
    return { declared: true, scopes };
  }

  /** The known string elements of a list; an unknown list or element marks the field. */
  strings(key: string, field: TokenField): string[] {
    const list = this.raw(key, field);
    if (!Array.isArray(list)) return [];
    const out: string[] = [];
    for (let i = 0; i < list.length; i++) {
      const r = read(list, i);
      if (r.state === "unknown") this.mark(field);
      else if (r.state === "known" && typeof r.value === "string" && !out.includes(r.value))
        out.push(r.value);
    }
    return out;
  }
}

/** A calendar date `YYYY-MM-DD` from a date or timestamp string (GitLab and the provider use both). */
function dateOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(value.trim());
  return m?.[1];
}

/** A timestamp string as given, if it parses. */
function timeOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Number.isNaN(new Date(value).getTime()) ? undefined : value;
}

/**
 * This project's access-token dynamic resource (`AccessTokenProps`; in state also `expiresAt`,
 * `createdAt`). The `token` output is a secret and is never read.
 */
export function fromGitlabTokensProps(resource: ResourceLike): NormalisedToken {
  const r = new PropsReader(resource.props);
  const kindValue = r.string("kind", "kind");
  const kind = isTokenKind(kindValue) ? kindValue : undefined;
  // A kind that is missing or not one of ours cannot be judged by the kind-dependent rules.
  if (kind === undefined) r.mark("kind");
  const key = r.string("key", "key") ?? resource.name;
  const lifetimeDays = r.number("lifetimeDays", "lifetimeDays");
  // The declared fixed expiry, else (in state) the expiry computed at creation.
  const fixed = r.string("fixedExpiresAt", "expiresAt");
  const expiresAt = dateOf(fixed ?? r.string("expiresAt", "expiresAt"));
  const rotateBeforeDays = r.number("rotateBeforeDays", "rotateBeforeDays");
  const rotationUnknown = r.unknown.includes("rotateBeforeDays");
  const granular = r.granular("granular");
  const token: NormalisedToken = {
    key,
    aliases: aliases(resource, key),
    family: "gitlab-tokens",
    type: resource.type,
    urn: resource.urn,
    // Judged as the first kind; `unknown` says the kind-dependent rules could not judge it.
    kind: kind ?? TOKEN_KINDS[0],
    target: r.string("target", "target"),
    name: r.string("name", "name"),
    description: r.string("description", "description"),
    scopes: r.strings("scopes", "scopes"),
    ...(granular.declared ? { fineGrained: true, granular: granular.scopes } : {}),
    accessLevel: r.string("accessLevel", "accessLevel"),
    lifetimeDays,
    expiresAt,
    createdAt: timeOf(r.string("createdAt", "createdAt")),
    rotation: rotateBeforeDays !== undefined || rotationUnknown ? { rotateBeforeDays } : undefined,
    owner: r.string("owner", "owner"),
    justification: r.string("justification", "justification"),
    serviceAccount: r.boolean("serviceAccount", "serviceAccount"),
    unknown: r.unknown,
  };
  return token;
}

/**
 * The official provider's `ProjectAccessToken`, `GroupAccessToken` and `PersonalAccessToken`
 * (`expiresAt`, `scopes`, `accessLevel`, `rotationConfiguration { expirationDays, rotateBeforeDays }`,
 * `description`; `project` / `group` / `userId`), and its service accounts' personal tokens
 * `GroupServiceAccountAccessToken` and `ProjectServiceAccountAccessToken` (`userId` with `group` /
 * `project`; no description), judged as personal tokens of a service account, and its
 * `ProjectDeployToken` and `GroupDeployToken` (`project` / `group`, `name`, `username`, `scopes`,
 * `expiresAt`; no rotation, no description). Returns undefined for any other type.
 */
export function fromOfficialProps(resource: ResourceLike): NormalisedToken | undefined {
  const found = officialResourceOf(resource.type);
  if (found === undefined) return undefined;
  const { kind, official } = found;
  // What differs per kind (access levels) is the kind's; per type (the target's property, whether it
  // names a user, a service account's by definition) the type's.
  const d = kindOf(kind);
  const r = new PropsReader(resource.props);
  const target = r.string(official.targetProp, official.targetIsUser ? "userId" : "target");
  const rc = r.raw("rotationConfiguration", "rotation");
  let rotation: NormalisedToken["rotation"];
  let lifetimeDays: number | undefined;
  if (r.unknown.includes("rotation")) {
    r.mark("lifetimeDays");
    r.mark("rotateBeforeDays");
    rotation = {};
  } else if (rc !== undefined && typeof rc === "object") {
    lifetimeDays = r.number("expirationDays", "lifetimeDays", rc);
    rotation = { rotateBeforeDays: r.number("rotateBeforeDays", "rotateBeforeDays", rc) };
  }
  return {
    key: resource.name,
    aliases: aliases(resource, resource.name),
    family: "gitlab-provider",
    type: resource.type,
    urn: resource.urn,
    kind,
    target,
    name: r.string("name", "name"),
    description: r.string("description", "description"),
    scopes: r.strings("scopes", "scopes"),
    accessLevel: d.accessLevels ? r.string("accessLevel", "accessLevel") : undefined,
    lifetimeDays,
    expiresAt: dateOf(r.string("expiresAt", "expiresAt")),
    createdAt: timeOf(r.string("createdAt", "createdAt")),
    rotation,
    userId: official.targetIsUser ? target : undefined,
    ...(official.serviceAccount ? { serviceAccount: true } : {}),
    ...(official.noDescription ? { describable: false } : {}),
    unknown: r.unknown,
  };
}

/** The normalised token of a resource, or undefined when the resource is not a GitLab token. */
export function normaliseResource(resource: ResourceLike): NormalisedToken | undefined {
  if (resource.type === ACCESS_TOKEN_TYPE) return fromGitlabTokensProps(resource);
  return fromOfficialProps(resource);
}

function aliases(resource: ResourceLike, key: string): string[] {
  return [resource.name, ...(resource.urn ? [resource.urn] : [])].filter((a) => a !== key);
}
