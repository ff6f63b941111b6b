/**
 * Shared helpers for the sandbox tests: a tiny fetch client and a seed with one user per role.
 */
import type { SeedFile } from "../../sandbox";

export interface Resp {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  text: string;
}

export interface RequestOptions {
  /** Token for PRIVATE-TOKEN; `null` = none. Default: the client's token. */
  token?: string | null;
  json?: unknown;
  form?: Record<string, string | string[]>;
  headers?: Record<string, string>;
}

export class Client {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  as(token: string | undefined): Client {
    return new Client(this.baseUrl, token);
  }

  async request(method: string, path: string, opts: RequestOptions = {}): Promise<Resp> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const token = opts.token === undefined ? this.token : opts.token;
    if (token) headers["PRIVATE-TOKEN"] = token;
    let body: string | undefined;
    if (opts.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(opts.json);
    } else if (opts.form !== undefined) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(opts.form)) {
        for (const item of Array.isArray(v) ? v : [v]) params.append(k, item);
      }
      body = params.toString();
    }
    const res = await fetch(`${this.baseUrl}/api/v4${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = undefined;
    if (text && (res.headers.get("content-type") ?? "").includes("json")) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  get(path: string, opts?: RequestOptions) {
    return this.request("GET", path, opts);
  }
  post(path: string, json?: unknown, opts?: RequestOptions) {
    return this.request("POST", path, { ...opts, json: json ?? opts?.json });
  }
  put(path: string, json?: unknown, opts?: RequestOptions) {
    return this.request("PUT", path, { ...opts, json: json ?? opts?.json });
  }
  patch(path: string, json?: unknown, opts?: RequestOptions) {
    return this.request("PATCH", path, { ...opts, json: json ?? opts?.json });
  }
  delete(path: string, opts?: RequestOptions) {
    return this.request("DELETE", path, opts);
  }
}

/** Admin request to the sandbox's own API under /-/sandbox. */
export async function admin(
  url: string,
  adminToken: string,
  method: string,
  path: string,
  json?: unknown,
): Promise<Resp> {
  const headers: Record<string, string> = { "PRIVATE-TOKEN": adminToken };
  if (json !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${url}/-/sandbox${path}`, {
    method,
    headers,
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined, text };
}

/**
 * One user per role: `owner` owns group acme, `maint` maintains it, `dev` develops acme/web, `outsider`
 * owns group `other` only; `sa` is an instance service account, `gsa` a service account of acme,
 * `osa` one of `other`.
 */
export const ROLES_SEED: SeedFile = {
  users: [
    { username: "root", name: "Administrator", admin: true },
    { username: "owner", name: "Olivia Owner" },
    { username: "maint", name: "Max Maintainer" },
    { username: "dev", name: "Dana Developer" },
    { username: "outsider", name: "Oscar Outsider" },
    { username: "sa", serviceAccount: true, name: "Instance SA" },
    { username: "gsa", serviceAccount: true, group: "acme", name: "Acme SA" },
    { username: "osa", serviceAccount: true, group: "other", name: "Other SA" },
  ],
  groups: [
    { path: "acme", name: "ACME", members: { owner: "owner", maint: "maintainer" } },
    { path: "acme/platform", name: "Platform" },
    { path: "other", name: "Other", members: { outsider: "owner" } },
  ],
  projects: [
    { path: "acme/web", name: "Web", members: { dev: "developer" } },
    { path: "acme/api", name: "API" },
    { path: "other/tool", name: "Tool" },
  ],
};

/** `YYYY-MM-DD`, `days` after the given time (UTC). */
export function dateAfter(now: Date, days: number): string {
  return new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}
