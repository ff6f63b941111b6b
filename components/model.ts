/**
 * The token model: the zod schemas of a token declaration's fields, which every other shape of a
 * token derives from (`z.infer`), and the mapped types that lift a plain shape to Pulumi Inputs.
 * The kind-specific fields live with their kind (./kinds); this module holds what every kind shares.
 * Pure: zod only at run time (the policy pack and the review load it); Pulumi is a type import.
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ACCESS_LEVEL_NAMES, type AccessLevelName } from "./gitlab/facts";

/** A project, group or user as written: a full path / username, or a numeric id. */
export const targetSchema = z.union([z.string().min(1), z.number().int().positive()]);

/** One of GitLab's access levels by name (`guest` … `owner`). */
export const accessLevelSchema = z.enum(ACCESS_LEVEL_NAMES as [AccessLevelName, ...AccessLevelName[]]);

/** GitLab's rule for a CI/CD variable key. */
export const VARIABLE_KEY_PATTERN = /^[A-Za-z0-9_]{1,255}$/;

/** How a delivered CI/CD variable is written unless a delivery says otherwise. */
export const CI_VARIABLE_DEFAULTS = {
  protected: true,
  masked: true,
  hidden: true,
  raw: true,
  environmentScope: "*",
} as const;

/** What a delivery writes into its variable: the token (a secret), or its username (deploy tokens). */
export const DELIVERED_VALUES = ["token", "username"] as const;
export type DeliveredValue = (typeof DELIVERED_VALUES)[number];

/**
 * How a variable receiving a deploy token's username is written unless the delivery says otherwise:
 * a username is not a secret (GitLab shows it in the UI and in logs of `docker login`), so it is
 * neither masked nor hidden — jobs can print it; protected like the token it goes with.
 */
export const USERNAME_VARIABLE_DEFAULTS = { ...CI_VARIABLE_DEFAULTS, masked: false, hidden: false } as const;

/** The flags of a delivered variable: the delivery's, else the defaults for the value it receives. */
export function variableFlags(
  v: {
    protected?: boolean;
    masked?: boolean;
    hidden?: boolean;
    raw?: boolean;
    environmentScope?: string;
  },
  receives: DeliveredValue = "token",
): { protected: boolean; masked: boolean; hidden: boolean; raw: boolean; environmentScope: string } {
  const defaults = receives === "username" ? USERNAME_VARIABLE_DEFAULTS : CI_VARIABLE_DEFAULTS;
  return {
    protected: v.protected ?? defaults.protected,
    masked: v.masked ?? defaults.masked,
    hidden: v.hidden ?? defaults.hidden,
    raw: v.raw ?? defaults.raw,
    environmentScope: v.environmentScope ?? defaults.environmentScope,
  };
}

/** A `deliverTo` entry: the CI/CD variable that receives the token value. */
export const deliverySchema = z.strictObject({
  project: targetSchema.optional(),
  group: targetSchema.optional(),
  variable: z.string().regex(VARIABLE_KEY_PATTERN, "use letters, digits and _ (at most 255)"),
  protected: z.boolean().optional(),
  masked: z.boolean().optional(),
  hidden: z.boolean().optional(),
  raw: z.boolean().optional(),
  environmentScope: z.string().min(1).optional(),
  description: z.string().optional(),
  /** What the variable receives: `token` (default) or, for a deploy token, its `username`. */
  value: z.enum(DELIVERED_VALUES).optional(),
});
export type Delivery = z.infer<typeof deliverySchema>;

/** The declaration fields every kind of token has (besides `kind`, its target and `deliverTo`). */
export const commonTokenFields = {
  name: z.string().min(1).optional(),
  /**
   * Required for the kinds that have scopes (the loader and `check` say so), refused for those that
   * have none (a pipeline trigger token): the kind's descriptor decides.
   */
  scopes: z.array(z.string()).optional(),
  lifetimeDays: z.number().int().optional(),
  expiresAt: z.string().optional(),
  rotateBeforeDays: z.number().int().optional(),
  rotateWhenChanged: z.record(z.string(), z.string()).optional(),
  description: z.string().optional(),
  owner: z.string().optional(),
  justification: z.string().optional(),
  /**
   * A token made by hand that this declaration takes over (adoption): its id, or its name on the
   * same target. Once the declared token is made and delivered, that token is revoked.
   */
  replaces: z
    .union([
      z
        .number()
        .int()
        .positive("a token id is a whole number above 0; give the id or the name of the token it takes over"),
      z.string().min(1),
    ])
    .optional(),
};
export type CommonTokenFields = z.infer<z.ZodObject<typeof commonTokenFields>>;

/** A plain value's Pulumi Input form: lists and maps take Inputs inside too. */
export type InputOf<T> = [T] extends [readonly (infer E)[]]
  ? pulumi.Input<InputOf<E>[]>
  : [T] extends [object]
    ? pulumi.Input<{ [K in keyof T]: InputOf<Exclude<T[K], undefined>> }>
    : pulumi.Input<T>;

/** A plain shape with every field Input-typed (optional fields stay optional). */
export type Inputs<T> = { [K in keyof T]: InputOf<Exclude<T[K], undefined>> };
