/**
 * The creation marker: every token the access-token provider creates carries, at the end of its
 * GitLab description, a random reference made for that one create (`[gitlab-tokens:<ref>]`).
 *
 * - `check` draws a fresh reference into the inputs, so the engine records it in its pending
 *   operation *before* it asks the provider to create: a killed `pulumi up` leaves the reference in
 *   the state file, and `npm run recover` revokes exactly the tokens that carry it.
 * - After a lost create response, `create` finds the tokens it made by the same reference, with no
 *   list before the create.
 * The reference is 96 random bits: it cannot be guessed, so the provider never touches a token it
 * did not make, another stack's included. Pure; no Pulumi or HTTP imports.
 */
import { randomBytes } from "node:crypto";

const PREFIX = "[gitlab-tokens:";
const REF_PATTERN = /^[0-9a-f]{24}$/;
const MARKER_PATTERN = /\[gitlab-tokens:([0-9a-f]{24})\]$/;

/** Characters the marker takes from GitLab's 255-character description (with its leading space). */
export const MARKER_LENGTH = ` ${PREFIX}${"0".repeat(24)}]`.length;

/** A new creation reference. */
export function newCreateRef(): string {
  return randomBytes(12).toString("hex");
}

export function isCreateRef(value: unknown): value is string {
  return typeof value === "string" && REF_PATTERN.test(value);
}

/** The description GitLab stores: the declared one, then the marker. */
export function markedDescription(description: string, ref: string): string {
  if (!isCreateRef(ref)) throw new Error(`not a creation reference: ${JSON.stringify(ref)}`);
  const marker = `${PREFIX}${ref}]`;
  return description ? `${description} ${marker}` : marker;
}

/** The creation reference a GitLab description carries, if any. */
export function createRefOf(description: string | null | undefined): string | undefined {
  return MARKER_PATTERN.exec(description ?? "")?.[1];
}

/** The declared description, without the marker. */
export function unmarkedDescription(description: string | null | undefined): string {
  return (description ?? "").replace(MARKER_PATTERN, "").trimEnd();
}
