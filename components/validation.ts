/**
 * GitLab's own rules for a token declaration, checked before any API call. Used by the components
 * (constructor), the access-token provider (`check`) and the declarations loader, so the three give
 * the same answer in the same words. Pure: no I/O, no Pulumi imports.
 */
import {
  ACCESS_LEVEL_NAMES,
  GITLAB_MAX_LIFETIME_DAYS,
  MAX_DESCRIPTION_LENGTH,
  TOKEN_KINDS,
  addDays,
  daysBetween,
  isValidDate,
  isoDate,
  type TokenKind,
} from "./gitlab/facts";
import {
  hasScopes,
  isNamed,
  kindOf,
  kindsWith,
  kindsWithScopes,
  maxLifetimeDaysOf,
  scopesElsewhereHint,
  type TargetField,
} from "./kinds";
import { MARKER_LENGTH } from "./gitlab/marker";

/** The longest description a declaration may give: GitLab's limit less the creation marker. */
const MAX_DECLARED_DESCRIPTION = MAX_DESCRIPTION_LENGTH - MARKER_LENGTH;
/** GitLab's limit on a token's name. */
const MAX_NAME_LENGTH = 255;

export interface Failure {
  /** Property path as the user wrote it, e.g. `scopes[1]` or `lifetimeDays`. */
  property: string;
  /** What is wrong and what to change. */
  reason: string;
}

/** The fields validate() looks at; every one may be absent (unknown or not given). */
export interface TokenSpec {
  kind?: unknown;
  target?: unknown;
  /** The field that names the target, where a kind has several (deploy: project or group). */
  targetField?: TargetField;
  name?: unknown;
  description?: unknown;
  scopes?: unknown;
  /**
   * The kind's field given instead of scopes (personal: `granular`, a fine-grained token): scopes
   * are then refused rather than required (GitLab takes exactly one).
   */
  scopesInstead?: string;
  accessLevel?: unknown;
  lifetimeDays?: unknown;
  expiresAt?: unknown;
  rotateBeforeDays?: unknown;
  rotateWhenChanged?: unknown;
  /** A token made by hand that this one takes over: its id, or its name. */
  replaces?: unknown;
}

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

/**
 * Every way `spec` breaks GitLab's rules. Fields that are `undefined` are not judged (they may be
 * unknown until apply); `now` decides what "in the past" means.
 */
export function validateTokenSpec(spec: TokenSpec, now: Date): Failure[] {
  const failures: Failure[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason });

  const kind = spec.kind as TokenKind | undefined;
  if (kind !== undefined && !TOKEN_KINDS.includes(kind)) {
    fail("kind", `kind is ${JSON.stringify(spec.kind)}; use one of ${TOKEN_KINDS.join(", ")}`);
  }
  const knownKind = kind !== undefined && TOKEN_KINDS.includes(kind) ? kind : undefined;

  if (spec.target !== undefined) {
    const field = spec.targetField ?? (knownKind ? kindOf(knownKind).targetField : "target");
    if (!(
      typeof spec.target === "number" ||
      (typeof spec.target === "string" && spec.target.trim() !== "")
    )) {
      fail(field, `${field} is empty; give a full path (e.g. acme/web) or a numeric id`);
    }
  }

  // A kind whose creation marker rides in the name (deploy: GitLab keeps no description) has less of it.
  const markerInName = knownKind !== undefined && kindOf(knownKind).markerInName === true;
  const maxName = markerInName ? MAX_NAME_LENGTH - MARKER_LENGTH : MAX_NAME_LENGTH;
  const named = knownKind === undefined || isNamed(kindOf(knownKind));
  if (spec.name !== undefined && !named) {
    fail(
      "name",
      `a ${knownKind} token has no name in GitLab (its description is its only text); remove name, and say what the token is for in description`,
    );
  } else if (spec.name !== undefined && (typeof spec.name !== "string" || spec.name.trim() === "")) {
    fail("name", "name is empty; give the token a name GitLab will show");
  } else if (typeof spec.name === "string" && spec.name.length > maxName) {
    fail(
      "name",
      markerInName
        ? `name is ${spec.name.length} characters; at most ${maxName} for a ${knownKind} token ` +
            `(GitLab allows ${MAX_NAME_LENGTH}; the creation marker takes ${MARKER_LENGTH}, as GitLab keeps no description for one)`
        : `name is ${spec.name.length} characters; GitLab allows at most ${MAX_NAME_LENGTH}`,
    );
  }

  if (markerInName && typeof spec.description === "string" && spec.description !== "") {
    fail(
      "description",
      `GitLab keeps no description for a ${knownKind} token; remove description (say what the token is for in its name or owner)`,
    );
  } else if (spec.description !== undefined) {
    if (typeof spec.description !== "string") fail("description", "description must be a string");
    else if (spec.description.length > MAX_DECLARED_DESCRIPTION) {
      fail(
        "description",
        `description is ${spec.description.length} characters; at most ${MAX_DECLARED_DESCRIPTION} ` +
          `(GitLab allows ${MAX_DESCRIPTION_LENGTH}; the creation marker takes ${MARKER_LENGTH})`,
      );
    }
  }

  const scoped = knownKind === undefined ? undefined : kindOf(knownKind);
  const givenScopes = spec.scopes !== undefined && !(Array.isArray(spec.scopes) && spec.scopes.length === 0);
  if (spec.scopesInstead !== undefined) {
    if (givenScopes) {
      fail(
        spec.scopesInstead,
        `give scopes or ${spec.scopesInstead}, not both: GitLab takes exactly one ` +
          `(${spec.scopesInstead} makes a fine-grained token); remove one`,
      );
    }
  } else if (scoped !== undefined && !hasScopes(scoped)) {
    // A kind without scopes registers none ([]): only scopes actually given are refused.
    if (givenScopes) {
      fail(
        "scopes",
        `a ${knownKind} token has no scopes in GitLab (scopes apply to ${kindsWithScopes()} tokens); remove scopes`,
      );
    }
  } else if (spec.scopes !== undefined) {
    if (!Array.isArray(spec.scopes) || spec.scopes.length === 0) {
      fail("scopes", "scopes is empty; list at least one scope, e.g. [read_api]");
    } else if (scoped !== undefined && hasScopes(scoped)) {
      const valid = scoped.scopes;
      spec.scopes.forEach((s, i) => {
        if (s === undefined) return;
        if (typeof s !== "string" || !valid.includes(s)) {
          const hint = typeof s === "string" ? scopesElsewhereHint([s]) : "";
          fail(
            `scopes[${i}]`,
            `scope ${JSON.stringify(s)} is not valid for a ${knownKind} token${hint}; valid scopes: ${valid.join(", ")}`,
          );
        }
      });
    }
  }

  if (spec.accessLevel !== undefined) {
    const levels = knownKind ? kindOf(knownKind).accessLevels : ACCESS_LEVEL_NAMES;
    if (levels === undefined) {
      fail(
        "accessLevel",
        `accessLevel applies to ${kindsWith("accessLevel")} tokens only; remove it from this ${knownKind} token`,
      );
    } else if (
      typeof spec.accessLevel !== "string" ||
      !(levels as readonly string[]).includes(spec.accessLevel)
    ) {
      fail(
        "accessLevel",
        `accessLevel is ${JSON.stringify(spec.accessLevel)}; use one of ${levels.join(", ")}`,
      );
    }
  }

  const maxDays = knownKind === undefined ? GITLAB_MAX_LIFETIME_DAYS : maxLifetimeDaysOf(kindOf(knownKind));
  const limitText =
    maxDays === GITLAB_MAX_LIFETIME_DAYS
      ? `GitLab allows at most ${maxDays}`
      : `GitLab allows a ${knownKind} token at most ${maxDays}`;
  let lifetime: number | undefined;
  if (spec.lifetimeDays !== undefined && spec.expiresAt !== undefined) {
    fail("expiresAt", "give either lifetimeDays or expiresAt, not both");
  }
  if (spec.lifetimeDays !== undefined) {
    if (!isInt(spec.lifetimeDays) || spec.lifetimeDays < 1) {
      fail(
        "lifetimeDays",
        `lifetimeDays is ${JSON.stringify(spec.lifetimeDays)}; give a whole number of days, at least 1`,
      );
    } else if (spec.lifetimeDays > maxDays) {
      fail("lifetimeDays", `lifetimeDays is ${spec.lifetimeDays}; ${limitText}`);
    } else {
      lifetime = spec.lifetimeDays;
    }
  }
  if (spec.expiresAt !== undefined) {
    const date = spec.expiresAt instanceof Date ? isoDate(spec.expiresAt) : spec.expiresAt;
    if (typeof date !== "string" || !isValidDate(date)) {
      fail("expiresAt", `expiresAt is ${JSON.stringify(spec.expiresAt)}; write a date as YYYY-MM-DD`);
    } else {
      const days = daysBetween(now, date);
      if (days <= 0) {
        fail(
          "expiresAt",
          `expiresAt is ${date}, which is not after today (${isoDate(now)}); a token stops working at 00:00 UTC on its expiry date — pick a later date`,
        );
      } else if (days > maxDays) {
        fail("expiresAt", `expiresAt is ${date}, ${days} days away; ${limitText} (${addDays(now, maxDays)})`);
      } else {
        lifetime = days;
      }
    }
  }

  if (spec.rotateBeforeDays !== undefined) {
    if (!isInt(spec.rotateBeforeDays) || spec.rotateBeforeDays < 0) {
      fail(
        "rotateBeforeDays",
        `rotateBeforeDays is ${JSON.stringify(spec.rotateBeforeDays)}; give a whole number of days, 0 or more`,
      );
    } else if (
      lifetime !== undefined &&
      spec.lifetimeDays !== undefined &&
      spec.rotateBeforeDays >= lifetime
    ) {
      fail(
        "rotateBeforeDays",
        `rotateBeforeDays is ${spec.rotateBeforeDays} but the lifetime is ${lifetime} days; every run would rotate the token — make it smaller than the lifetime`,
      );
    }
  }

  if (spec.rotateWhenChanged !== undefined) {
    const m = spec.rotateWhenChanged;
    if (typeof m !== "object" || m === null || Array.isArray(m)) {
      fail(
        "rotateWhenChanged",
        "rotateWhenChanged must be a map of strings, e.g. { reason: 2026-11 incident }",
      );
    } else {
      for (const [k, v] of Object.entries(m)) {
        if (v !== undefined && typeof v !== "string") {
          fail(`rotateWhenChanged.${k}`, `rotateWhenChanged.${k} must be a string; quote it`);
        }
      }
    }
  }

  if (spec.replaces !== undefined) {
    const r = spec.replaces;
    if (!(
      (typeof r === "number" && Number.isInteger(r) && r > 0) ||
      (typeof r === "string" && r.trim() !== "")
    )) {
      fail(
        "replaces",
        `replaces is ${JSON.stringify(r)}; give the id (a number) or the name of the token it takes over`,
      );
    } else if (typeof r === "string" && !named) {
      fail(
        "replaces",
        `a ${knownKind} token has no name in GitLab; give replaces the id of the token it takes over`,
      );
    }
  }

  return failures;
}
