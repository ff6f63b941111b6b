/**
 * GitLab's offset pagination (spec §1.3): `page` (default 1) and `per_page` (default 20, at most 100,
 * 0 refused), and the headers `X-Per-Page`, `X-Page`, `X-Next-Page`, `X-Prev-Page`, `X-Total`,
 * `X-Total-Pages` and `Link` (prev, next, first, last) on every list.
 */
import type { ParamSpec } from "./params";

export const DEFAULT_PER_PAGE = 20;
export const MAX_PER_PAGE = 100;
/** Above this many records GitLab leaves out `X-Total`, `X-Total-Pages` and `rel="last"`. */
export const MAX_COUNT = 10_000;

export const PAGINATION_PARAMS: readonly ParamSpec[] = [
  { name: "page", type: "integer", default: 1 },
  { name: "per_page", type: "integer", default: DEFAULT_PER_PAGE, exceptValues: [0] },
];

export interface PageOptions {
  /** Declared `page` and `per_page` as the client sent them (after defaults). */
  page: number;
  perPage: number;
  /** Request URL without its query, on the sandbox's own host and port. */
  baseUrl: string;
  /** Every parameter of the request (route, query, body), rebuilt into the links like Grape's `params`. */
  params: Record<string, unknown>;
}

export interface Page<T> {
  items: T[];
  headers: Record<string, string>;
}

/** Rails' `to_query`: keys sorted, arrays as `k[]=v`, hashes as `k[sub]=v`. */
export function toQuery(params: Record<string, unknown>): string {
  const parts: string[] = [];
  const add = (key: string, value: unknown) => {
    if (value === undefined) return;
    if (Array.isArray(value)) {
      for (const v of value) add(`${key}[]`, v);
    } else if (value instanceof Date) {
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(value.toISOString())}`);
    } else if (value !== null && typeof value === "object") {
      for (const k of Object.keys(value).sort()) add(`${key}[${k}]`, (value as Record<string, unknown>)[k]);
    } else {
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(value === null ? "" : String(value))}`);
    }
  };
  for (const key of Object.keys(params).sort()) add(key, params[key]);
  return parts.join("&");
}

export function paginate<T>(all: readonly T[], opts: PageOptions): Page<T> {
  // Kaminari: a negative per_page keeps the default, more than 100 is capped; pages below 1 are page 1.
  const perPage = opts.perPage < 0 ? DEFAULT_PER_PAGE : Math.min(opts.perPage, MAX_PER_PAGE);
  const page = Math.max(1, opts.page);
  const total = all.length;
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  const outOfRange = page > totalPages;
  const next = !outOfRange && page < totalPages ? page + 1 : null;
  const prev = !outOfRange && page > 1 ? page - 1 : null;
  const withoutCounts = total > MAX_COUNT;

  const href = (p: number) =>
    `${opts.baseUrl}?${toQuery({ ...opts.params, page: p, per_page: opts.params.per_page ?? opts.perPage })}`;
  const links: string[] = [];
  if (prev !== null) links.push(`<${href(prev)}>; rel="prev"`);
  if (next !== null) links.push(`<${href(next)}>; rel="next"`);
  links.push(`<${href(1)}>; rel="first"`);
  if (!withoutCounts) links.push(`<${href(totalPages)}>; rel="last"`);

  const headers: Record<string, string> = {
    "x-per-page": String(perPage),
    "x-page": String(page),
    "x-next-page": next === null ? "" : String(next),
    "x-prev-page": prev === null ? "" : String(prev),
    link: links.join(", "),
  };
  if (!withoutCounts) {
    headers["x-total"] = String(total);
    headers["x-total-pages"] = String(totalPages);
  }
  const start = (page - 1) * perPage;
  return { items: all.slice(start, start + perPage), headers };
}
