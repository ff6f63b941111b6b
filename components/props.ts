/**
 * How a token's arguments become the properties of its AccessToken resource, defaults included.
 * One function for the components (with Pulumi inputs) and for the review report (with plain
 * declarations), so a report shows exactly what `pulumi up` would register. No Pulumi imports at
 * run time (types only).
 */
import type * as pulumi from "@pulumi/pulumi";
import { DEFAULT_LIFETIME_DAYS, DEFAULT_ROTATE_BEFORE_DAYS, type AccessLevelName } from "./gitlab/facts";
import {
  hasField,
  hasScopes,
  isNamed,
  kindOf,
  ownFields,
  targetFieldsOf,
  type KindFields,
  type TargetField,
  type TokenKind,
} from "./kinds";
import type { TokenDeclaration } from "./declarations";
import type { CommonTokenFields, Inputs } from "./model";
import type { AccessTokenProps } from "./types";

/** The least-privileged level, used when a project or group token does not name one. */
export const COMPONENT_DEFAULT_ACCESS_LEVEL: AccessLevelName = "guest";

/** A token's arguments, plain: the declaration's fields (./model), the kind's own, and two extras. */
export type TokenArgs = CommonTokenFields &
  KindFields & {
    /** The declaration key, for reports. Default - the component name. */
    key?: string;
    /** Stack-wide rotation trigger. Default - config `gitlab-tokens:rotationEpoch`, else "" */
    rotationEpoch?: string;
    /** The field that names the target, for kinds with several (deploy). Default - the kind's first */
    targetField?: TargetField;
  };

/** What tokenProps registers: every AccessTokenProps field but `createRef` (drawn by `check`). */
export type RegisteredTokenProps = Omit<AccessTokenProps, "createRef">;

/**
 * The resource properties for a token named `name` of `kind` on `target`. Values pass through
 * untouched (they may be Pulumi Inputs); only absent ones get defaults, and a field the kind does
 * not have is left out. Plain arguments give plain props (the review); Inputs give Inputs (the
 * components).
 */
export function tokenProps(
  kind: TokenKind,
  name: string,
  target: string,
  args: TokenArgs,
  rotationEpoch: string | undefined,
): RegisteredTokenProps;
export function tokenProps(
  kind: TokenKind,
  name: string,
  target: pulumi.Input<string>,
  args: Inputs<TokenArgs>,
  rotationEpoch: string | undefined,
): Inputs<RegisteredTokenProps>;
export function tokenProps(
  kind: TokenKind,
  name: string,
  target: pulumi.Input<string>,
  args: Inputs<TokenArgs>,
  rotationEpoch: string | undefined,
): Inputs<RegisteredTokenProps> {
  const d = kindOf(kind);
  return {
    kind,
    key: args.key ?? name,
    target,
    name: args.name ?? name,
    description: args.description ?? "",
    // A kind without scopes (a pipeline trigger token) registers none.
    scopes: hasScopes(d) ? (args.scopes ?? []) : [],
    accessLevel: d.accessLevels ? (args.accessLevel ?? COMPONENT_DEFAULT_ACCESS_LEVEL) : undefined,
    lifetimeDays:
      args.expiresAt === undefined ? (args.lifetimeDays ?? DEFAULT_LIFETIME_DAYS) : args.lifetimeDays,
    fixedExpiresAt: args.expiresAt,
    rotateBeforeDays: args.rotateBeforeDays ?? DEFAULT_ROTATE_BEFORE_DAYS,
    rotateWhenChanged: args.rotateWhenChanged ?? {},
    rotationEpoch: args.rotationEpoch ?? rotationEpoch ?? "",
    owner: args.owner,
    justification: args.justification,
    serviceAccount: hasField(d, "serviceAccount") ? args.serviceAccount : undefined,
    group: hasField(d, "group") ? args.group : undefined,
    project: hasField(d, "project") ? args.project : undefined,
    username: hasField(d, "username") ? args.username : undefined,
    granular: hasField(d, "granular") ? args.granular : undefined,
    // Only where several fields may name the target: the other kinds' props stay as they were.
    targetField: targetFieldsOf(d).length > 1 ? (args.targetField ?? d.targetField) : undefined,
  };
}

/** The component arguments for a declaration from tokens.yaml (index.ts and the review use this). */
export function declarationArgs(d: TokenDeclaration): TokenArgs & { key: string } {
  return {
    key: d.key,
    // A kind GitLab gives no name (a trigger token) takes the key as its name: not the user's.
    name: isNamed(kindOf(d.kind)) ? d.name : undefined,
    description: d.description,
    scopes: d.scopes,
    lifetimeDays: d.lifetimeDays,
    expiresAt: d.expiresAt,
    rotateBeforeDays: d.rotateBeforeDays,
    rotateWhenChanged: d.rotateWhenChanged,
    owner: d.owner,
    justification: d.justification,
    ...(d.replaces === undefined ? {} : { replaces: d.replaces }),
    ...(d.targetField === undefined ? {} : { targetField: d.targetField }),
    // Only the fields the kind has (a declaration holds the others as undefined).
    ...ownFields(kindOf(d.kind), d),
  };
}

/** `acme/web:DEPLOY_TOKEN` for each delivery (`acme/web:REGISTRY_USER (username)` for a username), as the program exports it. */
export function deliveryTargets(d: TokenDeclaration): string[] {
  return d.deliverTo.map(
    (t) => `${t.project ?? t.group}:${t.variable}${t.value === "username" ? " (username)" : ""}`,
  );
}
