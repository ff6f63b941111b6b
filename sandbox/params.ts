/**
 * Request parameters the way Grape sees them: query string, body (JSON or form) and path merged;
 * `scopes[]=a&scopes[]=b` and `filter[environment_scope]=x` folded into arrays and hashes; then
 * declared parameters coerced and validated with Grape's own messages ("name is missing",
 * "scopes does not have a valid value", "expires_at is invalid", "per_page has a value not allowed").
 */
import { paramErrors } from "./errors";

export type RawParams = Record<string, unknown>;

export type ParamType = "string" | "integer" | "boolean" | "date" | "datetime" | "string[]" | "hash";

export interface ParamSpec {
  name: string;
  type: ParamType;
  required?: boolean;
  /** Allowed values (every element, for arrays). */
  values?: readonly (string | number)[];
  /** Values refused with "has a value not allowed". */
  exceptValues?: readonly (string | number)[];
  default?: unknown;
  /** `string[]` also accepts "a,b" (GitLab's `CommaSeparatedToArray`). */
  commaSeparated?: boolean;
}

/** Fold `a[]` keys into arrays and `a[b]` keys into hashes. */
export function normalizeParams(input: Record<string, unknown> | undefined | null): RawParams {
  const out: RawParams = {};
  if (!input || typeof input !== "object") return out;
  for (const [key, value] of Object.entries(input)) {
    const arrayKey = /^(.+)\[\]$/.exec(key);
    const hashKey = /^([^[\]]+)\[([^[\]]+)\]$/.exec(key);
    if (arrayKey?.[1]) {
      out[arrayKey[1]] = Array.isArray(value) ? value : [value];
    } else if (hashKey?.[1] && hashKey[2]) {
      const existing = out[hashKey[1]];
      const hash = existing && typeof existing === "object" && !Array.isArray(existing) ? existing : {};
      (hash as Record<string, unknown>)[hashKey[2]] = value;
      out[hashKey[1]] = hash;
    } else {
      out[key] = value;
    }
  }
  return out;
}

const TRUE_VALUES = new Set(["1", "on", "t", "true", "y", "yes"]);
const FALSE_VALUES = new Set(["0", "off", "f", "false", "n", "no"]);

/** Grape's `Boolean` coercion; `undefined` when the value is not a boolean. */
export function coerceBoolean(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (value === 1) return true;
  if (value === 0) return false;
  if (typeof value === "string") {
    const v = value.toLowerCase();
    if (TRUE_VALUES.has(v)) return true;
    if (FALSE_VALUES.has(v)) return false;
  }
  return undefined;
}

/** ActiveRecord's boolean cast (used where GitLab declares a flag as a String and lets the model cast it). */
export function castActiveRecordBoolean(value: unknown): boolean | null {
  if (value === null || value === undefined || value === "") return null;
  if (value === false || value === 0) return false;
  if (typeof value === "string" && ["0", "f", "false", "off"].includes(value.toLowerCase())) return false;
  return true;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_PREFIX = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]|$)/;

/** A Grape `Date`: `YYYY-MM-DD` (a full ISO time is cut to its date). `undefined` when invalid. */
export function parseDate(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const m = DATE_ONLY.exec(value) ?? DATE_PREFIX.exec(value);
  if (!m) return undefined;
  const date = `${m[1]}-${m[2]}-${m[3]}`;
  const t = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== date) return undefined;
  if (value.length > 10 && Number.isNaN(Date.parse(value))) return undefined;
  return date;
}

/** A Grape `DateTime`, ISO 8601. */
export function parseDateTime(value: unknown): Date | undefined {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}/.test(value)) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t);
}

type Coerced = { ok: true; value: unknown } | { ok: false };

function coerce(spec: ParamSpec, value: unknown): Coerced {
  if (value === null) return { ok: true, value: null };
  // Grape treats a blank string as nil for every type but String.
  if (value === "" && spec.type !== "string" && spec.type !== "string[]") return { ok: true, value: null };
  switch (spec.type) {
    case "string":
      if (typeof value === "string") return { ok: true, value };
      if (typeof value === "number" || typeof value === "boolean") return { ok: true, value: String(value) };
      return { ok: false };
    case "integer":
      if (typeof value === "number" && Number.isInteger(value)) return { ok: true, value };
      if (typeof value === "string" && /^[+-]?\d+$/.test(value.trim())) {
        return { ok: true, value: Number(value.trim()) };
      }
      return { ok: false };
    case "boolean": {
      const b = coerceBoolean(value);
      return b === undefined ? { ok: false } : { ok: true, value: b };
    }
    case "date": {
      const d = parseDate(value);
      return d === undefined ? { ok: false } : { ok: true, value: d };
    }
    case "datetime": {
      const d = parseDateTime(value);
      return d === undefined ? { ok: false } : { ok: true, value: d };
    }
    case "string[]": {
      let list: unknown[];
      if (Array.isArray(value)) list = value;
      else if (typeof value === "string" && spec.commaSeparated) list = value.split(",");
      else return { ok: false };
      if (spec.commaSeparated) {
        list = list.flatMap((v) => (typeof v === "string" ? v.split(",") : [v]));
        list = list.map((v) => (typeof v === "string" ? v.trim() : v)).filter((v) => v !== "");
      }
      if (!list.every((v) => typeof v === "string")) return { ok: false };
      return { ok: true, value: list };
    }
    case "hash":
      if (typeof value === "object" && !Array.isArray(value)) return { ok: true, value };
      return { ok: false };
  }
}

/**
 * Grape's `declared(params, include_missing: false)` plus defaults; throws a 400 with every error,
 * in declaration order.
 */
export function declared(raw: RawParams, specs: readonly ParamSpec[]): Record<string, unknown> {
  const { values, errors } = validateParams(raw, specs);
  if (errors.length > 0) throw paramErrors(errors);
  return values;
}

/**
 * `declared` without the throw: the coerced values and Grape's messages, for routes that add
 * validations of their own (nested parameters, `exactly_one_of`) to the same 400.
 */
export function validateParams(
  raw: RawParams,
  specs: readonly ParamSpec[],
): { values: Record<string, unknown>; errors: string[] } {
  const out: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const spec of specs) {
    if (!(spec.name in raw) || raw[spec.name] === undefined) {
      if (spec.required) errors.push(`${spec.name} is missing`);
      else if (spec.default !== undefined) out[spec.name] = spec.default;
      continue;
    }
    const c = coerce(spec, raw[spec.name]);
    if (!c.ok) {
      errors.push(`${spec.name} is invalid`);
      continue;
    }
    const value = c.value;
    if (value === null) {
      out[spec.name] = spec.default !== undefined ? spec.default : null;
      continue;
    }
    const elements = Array.isArray(value) ? value : [value];
    if (spec.values && !elements.every((v) => spec.values?.includes(v as string | number))) {
      errors.push(`${spec.name} does not have a valid value`);
      continue;
    }
    if (spec.exceptValues && elements.some((v) => spec.exceptValues?.includes(v as string | number))) {
      errors.push(`${spec.name} has a value not allowed`);
      continue;
    }
    out[spec.name] = value;
  }
  return { values: out, errors };
}

/** Shorthands for the declared values. */
export function str(p: Record<string, unknown>, name: string): string | undefined {
  const v = p[name];
  return typeof v === "string" ? v : undefined;
}
export function int(p: Record<string, unknown>, name: string): number | undefined {
  const v = p[name];
  return typeof v === "number" ? v : undefined;
}
export function bool(p: Record<string, unknown>, name: string): boolean | undefined {
  const v = p[name];
  return typeof v === "boolean" ? v : undefined;
}
export function strings(p: Record<string, unknown>, name: string): string[] | undefined {
  const v = p[name];
  return Array.isArray(v) ? (v as string[]) : undefined;
}
export function time(p: Record<string, unknown>, name: string): Date | undefined {
  const v = p[name];
  return v instanceof Date ? v : undefined;
}
