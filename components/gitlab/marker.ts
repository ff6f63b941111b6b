/**
 * The creation marker: every token the access-token provider creates carries, at the end of its
 * GitLab description, the reference of its resource and the nonce of the create call that made it
 * (`[gitlab-tokens:<ref>.<nonce>]`).
 *
 * - The reference is drawn by `check` for a resource that has none and then kept (an unchanged run
 *   changes nothing in state). The engine records it in its pending operation *before* it asks the
 *   provider to create: a killed `pulumi up` leaves the reference in the state file, and
 *   `npm run recover` revokes the tokens that carry it and that the state does not hold (the
 *   token a replacement is replacing carries the same reference and is still in state).
 * - Each create call draws its own nonce: after a lost create response, `create` finds exactly the
 *   tokens that call made (reference and nonce), with no list before the create — never the token
 *   being replaced.
 * The reference is 96 random bits and the nonce 40: they cannot be guessed, so the provider never
 * touches a token it did not make, another stack's included. Tokens made before the nonce carry
 * `[gitlab-tokens:<24 hex>]` (same length) and are still recognised. Pure; no Pulumi or HTTP
 * imports.
 */
import { randomBytes } from "node:crypto";

const PREFIX = "[gitlab-tokens:";
/** A reference drawn before nonces existed: 96 bits in hex. */
const LEGACY_REF = /^[0-9a-f]{24}$/;
/** A reference: 96 bits in base64url. */
const REF = /^[A-Za-z0-9_-]{16}$/;
const NONCE = /^[A-Za-z0-9_-]{7}$/;
const MARKER_PATTERN = /\[gitlab-tokens:(?:([0-9a-f]{24})|([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{7}))\]$/;

/** Characters the marker takes from GitLab's 255-character description (with its leading space). */
export const MARKER_LENGTH = ` ${PREFIX}${"0".repeat(16)}.${"0".repeat(7)}]`.length;

/** A new creation reference, for a resource that has none. */
export function newCreateRef(): string {
  return randomBytes(12).toString("base64url");
}

/** A new nonce, for one create call. */
export function newCreateNonce(): string {
  return randomBytes(5).toString("base64url");
}

/** A reference of either generation (state written before nonces holds 24-hex ones). */
export function isCreateRef(value: unknown): value is string {
  return typeof value === "string" && (REF.test(value) || LEGACY_REF.test(value));
}

/** A reference `check` keeps: the current generation only (a legacy one is replaced, once). */
export function isCurrentCreateRef(value: unknown): value is string {
  return typeof value === "string" && REF.test(value);
}

/** The description GitLab stores: the declared one, then the marker of this create call. */
export function markedDescription(description: string, ref: string, nonce: string): string {
  if (!isCurrentCreateRef(ref)) throw new Error(`not a creation reference: ${JSON.stringify(ref)}`);
  if (!NONCE.test(nonce)) throw new Error(`not a creation nonce: ${JSON.stringify(nonce)}`);
  const marker = `${PREFIX}${ref}.${nonce}]`;
  return description ? `${description} ${marker}` : marker;
}

export interface Marker {
  ref: string;
  /** Undefined on a token made before nonces existed. */
  nonce?: string;
}

/** The marker a GitLab description carries, if any. */
export function markerOf(description: string | null | undefined): Marker | undefined {
  const m = MARKER_PATTERN.exec(description ?? "");
  if (!m) return undefined;
  return m[1] !== undefined ? { ref: m[1] } : { ref: m[2] as string, nonce: m[3] as string };
}

/** The creation reference a GitLab description carries, if any. */
export function createRefOf(description: string | null | undefined): string | undefined {
  return markerOf(description)?.ref;
}

/** The declared description, without the marker. */
export function unmarkedDescription(description: string | null | undefined): string {
  return (description ?? "").replace(MARKER_PATTERN, "").trimEnd();
}
