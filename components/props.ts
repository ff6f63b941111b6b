/**
 * How a token's arguments become the properties of its AccessToken resource, defaults included.
 * One function for the components (with Pulumi inputs) and for the review report (with plain
 * declarations), so a report shows exactly what `pulumi up` would register. No Pulumi imports.
 */
import {
  DEFAULT_LIFETIME_DAYS,
  DEFAULT_ROTATE_BEFORE_DAYS,
  type AccessLevelName,
  type TokenKind,
} from "./gitlab/facts";
import type { TokenDeclaration } from "./declarations";
import type { AccessTokenProps } from "./types";

/** The least-privileged level, used when a project or group token does not name one. */
export const COMPONENT_DEFAULT_ACCESS_LEVEL: AccessLevelName = "guest";

/** Token arguments as the components take them (plain values or Pulumi Inputs). */
export interface TokenArgsLike {
  key?: string;
  name?: unknown;
  description?: unknown;
  scopes: unknown;
  accessLevel?: unknown;
  lifetimeDays?: unknown;
  expiresAt?: unknown;
  rotateBeforeDays?: unknown;
  rotateWhenChanged?: unknown;
  rotationEpoch?: unknown;
  owner?: unknown;
  justification?: unknown;
  serviceAccount?: unknown;
}

/**
 * The resource properties for a token named `name` of `kind` on `target`. Values pass through
 * untouched (they may be Pulumi Inputs); only absent ones get defaults. `createRef` is the
 * provider's own (drawn by `check`).
 */
export function tokenProps(
  kind: TokenKind,
  name: string,
  target: unknown,
  args: TokenArgsLike,
  rotationEpoch: unknown,
): Record<Exclude<keyof AccessTokenProps, "createRef">, unknown> {
  return {
    kind,
    key: args.key ?? name,
    target,
    name: args.name ?? name,
    description: args.description ?? "",
    scopes: args.scopes,
    accessLevel: kind === "personal" ? undefined : (args.accessLevel ?? COMPONENT_DEFAULT_ACCESS_LEVEL),
    lifetimeDays:
      args.expiresAt === undefined ? (args.lifetimeDays ?? DEFAULT_LIFETIME_DAYS) : args.lifetimeDays,
    fixedExpiresAt: args.expiresAt,
    rotateBeforeDays: args.rotateBeforeDays ?? DEFAULT_ROTATE_BEFORE_DAYS,
    rotateWhenChanged: args.rotateWhenChanged ?? {},
    rotationEpoch: args.rotationEpoch ?? rotationEpoch ?? "",
    owner: args.owner,
    justification: args.justification,
    serviceAccount: kind === "personal" ? args.serviceAccount : undefined,
  };
}

/** The component arguments for a declaration from tokens.yaml (index.ts and the review use this). */
export function declarationArgs(d: TokenDeclaration): {
  key: string;
  name: string;
  description: string;
  scopes: string[];
  lifetimeDays?: number;
  expiresAt?: string;
  rotateBeforeDays: number;
  rotateWhenChanged: Record<string, string>;
  owner?: string;
  justification?: string;
  accessLevel?: TokenDeclaration["accessLevel"];
  serviceAccount?: boolean;
} {
  return {
    key: d.key,
    name: d.name,
    description: d.description,
    scopes: d.scopes,
    lifetimeDays: d.lifetimeDays,
    expiresAt: d.expiresAt,
    rotateBeforeDays: d.rotateBeforeDays,
    rotateWhenChanged: d.rotateWhenChanged,
    owner: d.owner,
    justification: d.justification,
    ...(d.kind === "personal" ? { serviceAccount: d.serviceAccount } : { accessLevel: d.accessLevel }),
  };
}

/** `acme/web:DEPLOY_TOKEN` for each delivery, as the program exports it. */
export function deliveryTargets(d: TokenDeclaration): string[] {
  return d.deliverTo.map((t) => `${t.project ?? t.group}:${t.variable}`);
}
