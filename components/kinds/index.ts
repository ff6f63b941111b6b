/**
 * The credential-kind registry: one descriptor per kind of token (./descriptor.ts says what a
 * descriptor holds). Everything that differs between kinds is asked of the registry — the
 * declarations loader, the components, the providers, the policy adapters, the review, the audit
 * and recover iterate it or call a descriptor instead of switching on the kind.
 * Loadable by the policy pack: no Pulumi, no gitbeaker at run time.
 */
import type { z } from "zod";
import { ADMIN_SCOPES, GITLAB_MAX_LIFETIME_DAYS, TOKEN_KINDS, type TokenKind } from "../gitlab/facts";
import type { KindDescriptor, OfficialResource, TargetField } from "./descriptor";
import { deploy } from "./deploy";
import { group } from "./group";
import { personal } from "./personal";
import { project } from "./project";
import { trigger } from "./trigger";

export type {
  KindDescriptor,
  OfficialResource,
  ResolvedTarget,
  TargetField,
  TargetHints,
  TargetLookup,
  TokenLister,
  TokenTarget,
} from "./descriptor";
export { TOKEN_KINDS, type TokenKind };

/** Every kind's descriptor, by kind. Its keys are exactly TOKEN_KINDS (a missing kind does not compile). */
export const KINDS = { project, group, personal, deploy, trigger } as const satisfies {
  [K in TokenKind]: KindDescriptor<K>;
};

const REGISTRY: { readonly [K in TokenKind]: KindDescriptor<K> } = KINDS;

/** The descriptors, in TOKEN_KINDS order. */
export const KIND_LIST: readonly KindDescriptor[] = TOKEN_KINDS.map((k) => KINDS[k]);

/** The descriptor of a kind. */
export function kindOf<K extends TokenKind>(kind: K): KindDescriptor<K> {
  return REGISTRY[kind];
}

/** Whether a value is one of the kinds (for data read from state or a policy). */
export function isTokenKind(value: unknown): value is TokenKind {
  return (TOKEN_KINDS as readonly unknown[]).includes(value);
}

/** The target field of each kind (`project`, `group`, `user`). */
export type TargetFieldOf<K extends TokenKind> = (typeof KINDS)[K]["targetField"];
/** The fields that may name a kind's target: its `targetField`, then its other ones (deploy: project, group). */
export function targetFieldsOf(d: KindDescriptor): readonly TargetField[] {
  return [d.targetField, ...(d.otherTargetFields ?? [])];
}
/** Every target field, in kind order, each once. */
export const TARGET_FIELDS: readonly TargetField[] = [...new Set(KIND_LIST.flatMap(targetFieldsOf))];
/** The kind whose (first) target field a field is: `project` → project, `group` → group, `user` → personal. */
export function kindOfTarget(field: TargetField): TokenKind {
  const d = KIND_LIST.find((k) => k.targetField === field);
  if (d === undefined) throw new Error(`no token kind has target field ${field}`);
  return d.kind;
}
/** Every kind whose target a field may name (`group` → group and deploy), in kind order. */
export function kindsOfTarget(field: TargetField): TokenKind[] {
  return KIND_LIST.filter((k) => targetFieldsOf(k).includes(field)).map((k) => k.kind);
}
/** The target fields of a kind as messages say them: `"project"`, `"project" or "group"`. */
export function targetFieldsText(d: KindDescriptor, joiner = "or"): string {
  return targetFieldsOf(d)
    .map((f) => JSON.stringify(f))
    .join(` ${joiner} `);
}

/** A value per kind, computed from its descriptor. */
function byKind<T>(f: (d: KindDescriptor) => T): Readonly<Record<TokenKind, T>> {
  // Object.fromEntries cannot know its keys are exactly the kinds: KIND_LIST has one entry per kind.
  return Object.fromEntries(KIND_LIST.map((d) => [d.kind, f(d)])) as Record<TokenKind, T>;
}

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void
  ? I
  : never;
/** Every kind's `fields` shape, merged into one type. */
type MergedFields = UnionToIntersection<(typeof KINDS)[TokenKind]["fields"]>;

/** The kind-specific declaration fields of every kind, merged (each is optional). */
export const KIND_FIELDS: MergedFields = Object.assign({}, ...KIND_LIST.map((d) => d.fields));
/** The kind-specific fields' plain shape: `{ accessLevel?: …; serviceAccount?: … }`. */
export type KindFields = z.infer<z.ZodObject<typeof KIND_FIELDS>>;
/** The names of the kind-specific fields, in kind order. */
export const KIND_FIELD_NAMES = Object.keys(KIND_FIELDS) as (keyof KindFields)[];

/** Whether a kind has a kind-specific field. */
export function hasField(d: KindDescriptor, field: keyof KindFields): boolean {
  return Object.hasOwn(d.fields, field);
}

/**
 * The kind's field a declaration gives instead of `scopes` (personal: `granular`), when it gives
 * it; undefined when the declaration is to have scopes.
 */
export function scopesStandIn(d: KindDescriptor, values: Record<string, unknown>): string | undefined {
  return d.scopesInstead !== undefined && values[d.scopesInstead] !== undefined ? d.scopesInstead : undefined;
}

/** Of `values`, the kind-specific fields this kind has (the others are left out). */
export function ownFields(d: KindDescriptor, values: KindFields): KindFields {
  const out: KindFields = {};
  const copy = <F extends keyof KindFields>(f: F) => {
    if (hasField(d, f)) out[f] = values[f];
  };
  KIND_FIELD_NAMES.forEach(copy);
  return out;
}

/** Kinds as a message lists them: `personal`, `project and group`, `project, group and personal`. */
function sayKinds(kinds: readonly string[]): string {
  return kinds.length <= 1 ? (kinds[0] ?? "no") : `${kinds.slice(0, -1).join(", ")} and ${kinds.at(-1)}`;
}

/** The kinds that have a field, as a message says it: `project and group`. */
export function kindsWith(field: keyof KindFields): string {
  return sayKinds(KIND_LIST.filter((d) => hasField(d, field)).map((d) => d.kind));
}

/** Whether a kind's tokens carry scopes (a pipeline trigger token has none). */
export function hasScopes(d: KindDescriptor): d is KindDescriptor & { scopes: readonly string[] } {
  return d.scopes !== undefined;
}

/** Whether GitLab gives a kind's tokens a name (a pipeline trigger token has only a description). */
export function isNamed(d: KindDescriptor): boolean {
  return d.named !== false;
}

/** The longest lifetime GitLab allows a kind, in days. */
export function maxLifetimeDaysOf(d: KindDescriptor): number {
  return d.maxLifetimeDays ?? GITLAB_MAX_LIFETIME_DAYS;
}

/** The kinds that have scopes, as a message says it: `project, group and personal`. */
export function kindsWithScopes(): string {
  return sayKinds(KIND_LIST.filter(hasScopes).map((d) => d.kind));
}

/** Component resource types (`ComponentResource` type tokens), by kind. */
export const COMPONENT_TYPES = byKind((d) => d.componentType);

/** The official `@pulumi/gitlab` provider's (first) token resource type (Terraform-bridged), by kind. */
export const OFFICIAL_TYPES = byKind((d) => d.official.type);

/** Every official token resource type of a kind: its primary one, then its variants. */
function officialsOf(d: KindDescriptor): readonly OfficialResource[] {
  return [d.official, ...(d.officialVariants ?? [])];
}

/** Every official provider token resource type the registry knows (each kind's, with its variants). */
export const ALL_OFFICIAL_TYPES: readonly string[] = KIND_LIST.flatMap((d) =>
  officialsOf(d).map((o) => o.type),
);

/** An official provider's token resource type: its kind and how it is read, or undefined for any other type. */
export function officialResourceOf(
  type: string,
): { kind: TokenKind; official: OfficialResource } | undefined {
  for (const d of KIND_LIST) {
    const official = officialsOf(d).find((o) => o.type === type);
    if (official !== undefined) return { kind: d.kind, official };
  }
  return undefined;
}

/** Whether two kinds' token ids are ids of one GitLab table (so the same number is the same token). */
export function sameTokenIds(a: TokenKind, b: TokenKind): boolean {
  return REGISTRY[a].tokenTable === REGISTRY[b].tokenTable;
}

/** Whether GitLab keeps a description for a kind's tokens (deploy tokens have none). */
export function hasDescription(d: KindDescriptor): boolean {
  return d.markerInName !== true;
}

/** Whether an official provider's resource type can rotate its token (`rotationConfiguration`); false for deploy tokens. */
export function officialRotates(type: string): boolean {
  return officialResourceOf(type)?.official.rotationConfiguration !== false;
}

/** Whether an official provider's resource type can give its token an expiry at all; false for `PipelineTrigger`. */
export function officialExpires(type: string): boolean {
  return officialResourceOf(type)?.official.canExpire !== false;
}

/** The kind of an official provider's token resource type, or undefined for any other type. */
export function kindOfOfficialType(type: string): TokenKind | undefined {
  return officialResourceOf(type)?.kind;
}

/**
 * For scopes a kind does not have but another one does (read_user on a project token), which kinds
 * have them, as messages say it: ` (read_user exists only on personal tokens)`; "" when none.
 * Administrator scopes are left out: no declaration may use them anyway.
 */
export function scopesElsewhereHint(scopes: readonly string[]): string {
  for (const s of scopes) {
    if ((ADMIN_SCOPES as readonly string[]).includes(s)) continue;
    const kinds = KIND_LIST.filter((d) => d.scopes?.includes(s)).map((d) => d.kind);
    if (kinds.length > 0) return ` (${s} exists only on ${sayKinds(kinds)} tokens)`;
  }
  return "";
}
