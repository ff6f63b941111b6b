/**
 * The list filters every token list shares (spec §2): `revoked`, `state`, created/last-used/expiry
 * bounds, `search`, `sort`, plus pagination.
 */
import { startOfDay } from "../clock";
import type { Model, Token } from "../model";
import { PAGINATION_PARAMS } from "../pagination";
import type { ParamSpec } from "../params";

export const TOKEN_SORTS = [
  "created_asc",
  "created_desc",
  "expires_asc",
  "expires_desc",
  "last_used_asc",
  "last_used_desc",
  "name_asc",
  "name_desc",
] as const;

export const TOKEN_FILTER_PARAMS: readonly ParamSpec[] = [
  { name: "revoked", type: "boolean" },
  { name: "state", type: "string", values: ["active", "inactive"] },
  { name: "created_before", type: "datetime" },
  { name: "created_after", type: "datetime" },
  { name: "last_used_before", type: "datetime" },
  { name: "last_used_after", type: "datetime" },
  { name: "expires_before", type: "date" },
  { name: "expires_after", type: "date" },
  { name: "search", type: "string" },
  { name: "sort", type: "string", values: TOKEN_SORTS },
  ...PAGINATION_PARAMS,
];

/** GitLab's fuzzy search: a substring for 3+ characters, an exact (case-insensitive) name otherwise. */
function matchesSearch(name: string, query: string): boolean {
  const n = name.toLowerCase();
  const q = query.toLowerCase();
  return q.length >= 3 ? n.includes(q) : n === q;
}

type Key = (t: Token) => number | string | null;

function compare(a: Token, b: Token, key: Key, dir: 1 | -1): number {
  const ka = key(a);
  const kb = key(b);
  if (ka !== kb) {
    // PostgreSQL: NULLS LAST ascending, NULLS FIRST descending.
    if (ka === null) return dir === 1 ? 1 : -1;
    if (kb === null) return dir === 1 ? -1 : 1;
    return (ka < kb ? -1 : 1) * dir;
  }
  return (a.id - b.id) * dir;
}

export function filterTokens(model: Model, tokens: readonly Token[], p: Record<string, unknown>): Token[] {
  let out = [...tokens];
  const time = (v: unknown) => (v instanceof Date ? v.getTime() : undefined);
  if (typeof p.revoked === "boolean") out = out.filter((t) => t.revoked === p.revoked);
  if (p.state === "active") out = out.filter((t) => model.isActive(t));
  if (p.state === "inactive") out = out.filter((t) => !model.isActive(t));
  const createdBefore = time(p.created_before);
  if (createdBefore !== undefined) out = out.filter((t) => Date.parse(t.createdAt) <= createdBefore);
  const createdAfter = time(p.created_after);
  if (createdAfter !== undefined) out = out.filter((t) => Date.parse(t.createdAt) >= createdAfter);
  const usedBefore = time(p.last_used_before);
  if (usedBefore !== undefined) {
    out = out.filter((t) => t.lastUsedAt !== null && Date.parse(t.lastUsedAt) <= usedBefore);
  }
  const usedAfter = time(p.last_used_after);
  if (usedAfter !== undefined) {
    out = out.filter((t) => t.lastUsedAt !== null && Date.parse(t.lastUsedAt) >= usedAfter);
  }
  if (typeof p.expires_before === "string") {
    const bound = startOfDay(p.expires_before);
    out = out.filter((t) => t.expiresAt !== null && startOfDay(t.expiresAt) < bound);
  }
  if (typeof p.expires_after === "string") {
    const bound = startOfDay(p.expires_after);
    out = out.filter((t) => t.expiresAt !== null && startOfDay(t.expiresAt) >= bound);
  }
  if (typeof p.search === "string" && p.search !== "") {
    const q = p.search;
    out = out.filter((t) => matchesSearch(t.name, q));
  }
  const sort = typeof p.sort === "string" ? p.sort : undefined;
  const keys: Record<string, Key> = {
    created: (t) => Date.parse(t.createdAt),
    expires: (t) => t.expiresAt,
    last_used: (t) => (t.lastUsedAt === null ? null : Date.parse(t.lastUsedAt)),
    name: (t) => t.name,
  };
  if (sort) {
    const m = /^(.*)_(asc|desc)$/.exec(sort);
    const key = m?.[1] ? keys[m[1]] : undefined;
    if (key) out.sort((a, b) => compare(a, b, key, m?.[2] === "desc" ? -1 : 1));
  } else {
    out.sort((a, b) => a.id - b.id);
  }
  return out;
}
