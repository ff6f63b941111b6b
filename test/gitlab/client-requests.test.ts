/**
 * The exact HTTP requests GitLabClient sends — method, URL (path and query) and JSON body, byte for
 * byte — for every public method, against the sandbox. The client is a typed facade over
 * @gitbeaker/rest whose option types differ from GitLab's API in places (see
 * components/gitlab/gitbeaker-types.ts); this test pins what goes over the wire so that typing the
 * calls can never change a request.
 *
 * A recording proxy on a loopback port sits between the client and the sandbox and keeps each request
 * as sent; the sandbox's `onApiRequest` confirms the route each one reached.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { GitLabClient, type VariableParams } from "../../components/gitlab/client";
import { startSandbox, type Sandbox } from "../../sandbox";

interface Recorded {
  method: string;
  url: string;
  body?: string;
}

const FAST_RETRY = { baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5_000 };

/** The body as the client must send it: `JSON.stringify` keeps the key order written here. */
const json = (value: unknown) => JSON.stringify(value);

let sandbox: Sandbox;
let proxy: http.Server;
let gl: GitLabClient;
let recorded: Recorded[] = [];
let routes: string[] = [];

async function startProxy(target: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const method = req.method ?? "GET";
      recorded.push({ method, url: req.url ?? "", ...(text ? { body: text } : {}) });
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) {
        if (typeof v === "string" && k !== "host" && k !== "content-length") headers.set(k, v);
      }
      fetch(`${target}${req.url ?? ""}`, { method, headers, body: text || undefined })
        .then(async (upstream) => {
          const out = Buffer.from(await upstream.arrayBuffer());
          const copied: Record<string, string> = {};
          upstream.headers.forEach((v, k) => {
            if (k !== "content-length" && k !== "transfer-encoding" && k !== "content-encoding")
              copied[k] = v;
          });
          res.writeHead(upstream.status, copied);
          res.end(out);
        })
        .catch((e: unknown) => {
          res.writeHead(502);
          res.end(String(e));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

beforeAll(async () => {
  sandbox = await startSandbox({ now: "2030-01-15T09:00:00Z", freezeClock: true });
  proxy = await startProxy(sandbox.url);
  const port = (proxy.address() as AddressInfo).port;
  gl = new GitLabClient({
    baseUrl: `http://127.0.0.1:${port}/`,
    token: sandbox.adminToken,
    retry: FAST_RETRY,
  });
  sandbox.onApiRequest((_n, route) => routes.push(route));
});
afterAll(async () => {
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
  await sandbox.stop();
});
beforeEach(() => {
  recorded = [];
  routes = [];
});

/** Runs `call` and returns what it sent, after checking the sandbox saw as many API requests. */
async function sent(call: () => Promise<unknown>): Promise<Recorded[]> {
  recorded = [];
  routes = [];
  await call();
  expect(routes).toHaveLength(recorded.length);
  return recorded;
}

const SECRET: VariableParams = {
  value: "s3cret-value-1234",
  protected: true,
  masked: true,
  hidden: false,
  raw: true,
  environmentScope: "*",
};

describe("GitLabClient's requests, as sent", () => {
  it("resolves projects, groups and users by path, by id and by numeric string", async () => {
    const web = sandbox.projectId("acme/web") ?? 0;
    const acme = sandbox.groupId("acme") ?? 0;
    const prov = sandbox.user("provisioner")?.id ?? 0;
    expect(await sent(() => gl.resolveProject("acme/web"))).toEqual([
      { method: "GET", url: "/api/v4/projects/acme%2Fweb" },
    ]);
    expect(await sent(() => gl.resolveProject(web))).toEqual([
      { method: "GET", url: `/api/v4/projects/${web}` },
    ]);
    expect(await sent(() => gl.resolveProject(String(web)))).toEqual([
      { method: "GET", url: `/api/v4/projects/${web}` },
    ]);
    expect(await sent(() => gl.resolveGroup("acme"))).toEqual([
      { method: "GET", url: "/api/v4/groups/acme" },
    ]);
    expect(await sent(() => gl.resolveGroup(acme))).toEqual([
      { method: "GET", url: `/api/v4/groups/${acme}` },
    ]);
    expect(await sent(() => gl.resolveUser("provisioner"))).toEqual([
      { method: "GET", url: "/api/v4/users?username=provisioner" },
    ]);
    expect(await sent(() => gl.resolveUser(prov))).toEqual([{ method: "GET", url: `/api/v4/users/${prov}` }]);
    expect(await sent(() => gl.resolveUser(String(prov)))).toEqual([
      { method: "GET", url: `/api/v4/users/${prov}` },
    ]);
    // The sandbox, like GitLab's /users list, sends no `user_type`: "not known" stays undefined.
    expect(await gl.resolveUser("provisioner")).toMatchObject({ id: prov, username: "provisioner" });
  });

  it.each([
    ["project", "projects", () => sandbox.projectId("acme/web") ?? 0],
    ["group", "groups", () => sandbox.groupId("acme") ?? 0],
  ] as const)("%s access tokens: create, list, get, revoke", async (kind, source, idOf) => {
    const id = idOf();
    let tokenId = 0;
    expect(
      await sent(async () => {
        const t = await gl.createResourceToken(kind, id, {
          name: `${kind}-pinned`,
          scopes: ["read_api", "self_rotate", "k8s_proxy"],
          expiresAt: "2030-03-01",
          description: "pinned by the request test",
          accessLevel: 15,
        });
        tokenId = t.id;
        expect(t).toMatchObject({ name: `${kind}-pinned`, access_level: 15, expires_at: "2030-03-01" });
        expect(typeof t.token).toBe("string");
      }),
    ).toEqual([
      {
        method: "POST",
        url: `/api/v4/${source}/${id}/access_tokens`,
        body: json({
          name: `${kind}-pinned`,
          scopes: ["read_api", "self_rotate", "k8s_proxy"],
          expires_at: "2030-03-01",
          access_level: 15,
          description: "pinned by the request test",
        }),
      },
    ]);
    expect(
      await sent(() =>
        gl.createResourceToken(kind, id, { name: "plain", scopes: ["read_api"], expiresAt: "2030-03-01" }),
      ),
    ).toEqual([
      {
        method: "POST",
        url: `/api/v4/${source}/${id}/access_tokens`,
        body: json({ name: "plain", scopes: ["read_api"], expires_at: "2030-03-01" }),
      },
    ]);
    expect(await sent(() => gl.listResourceTokens(kind, id, `${kind}-pinned`))).toEqual([
      { method: "GET", url: `/api/v4/${source}/${id}/access_tokens?search=${kind}-pinned` },
    ]);
    expect(await sent(() => gl.listResourceTokens(kind, id))).toEqual([
      { method: "GET", url: `/api/v4/${source}/${id}/access_tokens` },
    ]);
    expect(await sent(() => gl.getResourceToken(kind, id, tokenId))).toEqual([
      { method: "GET", url: `/api/v4/${source}/${id}/access_tokens/${tokenId}` },
    ]);
    expect(await sent(() => gl.revokeResourceToken(kind, id, tokenId))).toEqual([
      { method: "DELETE", url: `/api/v4/${source}/${id}/access_tokens/${tokenId}`, body: "{}" },
    ]);
    expect(await gl.getResourceToken(kind, id, 999_999)).toBeUndefined();
  });

  it.each([
    ["group", "groups", () => sandbox.groupId("acme") ?? 0],
    ["project", "projects", () => sandbox.projectId("acme/web") ?? 0],
  ] as const)(
    "a %s service account's personal tokens: create, list, get (through the list), revoke",
    async (type, source, idOf) => {
      const id = idOf();
      const made = await fetch(`${sandbox.url}/api/v4/${source}/${id}/service_accounts`, {
        method: "POST",
        headers: { "PRIVATE-TOKEN": sandbox.adminToken, "content-type": "application/json" },
        body: JSON.stringify({ username: `${type}-pinned-bot` }),
      });
      const user = ((await made.json()) as { id: number }).id;
      const owner = { type, id };
      const base = `/api/v4/${source}/${id}/service_accounts/${user}/personal_access_tokens`;
      let tokenId = 0;
      expect(
        await sent(async () => {
          const t = await gl.createServiceAccountToken(owner, user, {
            name: `${type}-sa-pinned`,
            scopes: ["read_api", "self_rotate"],
            expiresAt: "2030-03-01",
            description: "pinned",
          });
          tokenId = t.id;
          expect(t).toMatchObject({ name: `${type}-sa-pinned`, user_id: user, expires_at: "2030-03-01" });
        }),
      ).toEqual([
        {
          method: "POST",
          url: base,
          body: json({
            name: `${type}-sa-pinned`,
            scopes: ["read_api", "self_rotate"],
            expires_at: "2030-03-01",
            description: "pinned",
          }),
        },
      ]);
      expect(
        await sent(() =>
          gl.createServiceAccountToken(owner, user, {
            name: "plain",
            scopes: ["api"],
            expiresAt: "2030-03-01",
          }),
        ),
      ).toEqual([
        {
          method: "POST",
          url: base,
          body: json({ name: "plain", scopes: ["api"], expires_at: "2030-03-01" }),
        },
      ]);
      expect(await sent(() => gl.listServiceAccountTokens(owner, user, `${type}-sa-pinned`))).toEqual([
        { method: "GET", url: `${base}?search=${type}-sa-pinned&per_page=100&page=1` },
      ]);
      expect(await sent(() => gl.getServiceAccountToken(owner, user, tokenId))).toEqual([
        { method: "GET", url: `${base}?per_page=100&page=1` },
      ]);
      expect(await sent(() => gl.revokeServiceAccountToken(owner, user, tokenId))).toEqual([
        { method: "DELETE", url: `${base}/${tokenId}` },
      ]);
      // Gone: GitLab names what it did not find (`404 Personal Access Token Not Found`).
      await expect(gl.revokeServiceAccountToken(owner, user, 999_999)).resolves.toBeUndefined();
      expect(await gl.getServiceAccountToken({ type, id: 999_999 }, user, tokenId)).toBeUndefined();
    },
  );

  it("finds a group service account's group among the credential's owned top-level groups", async () => {
    const made = await fetch(`${sandbox.url}/api/v4/groups/acme/service_accounts`, {
      method: "POST",
      headers: { "PRIVATE-TOKEN": sandbox.adminToken, "content-type": "application/json" },
      body: JSON.stringify({ username: "owned-search-bot" }),
    });
    const user = ((await made.json()) as { id: number }).id;
    const acme = sandbox.groupId("acme") ?? 0;
    // alice owns acme (an administrator owns no group by that).
    const asOwner = new GitLabClient({
      baseUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/`,
      token: sandbox.mintPersonalToken("alice", { name: "owner", scopes: ["api"] }).token,
      retry: FAST_RETRY,
    });
    const calls = await sent(async () => {
      expect(await asOwner.serviceAccountGroupOf(user)).toEqual({ id: acme, path: "acme" });
    });
    expect(calls[0]).toEqual({
      method: "GET",
      url: "/api/v4/groups?min_access_level=50&top_level_only=true",
    });
    expect(calls.slice(1)).toContainEqual({
      method: "GET",
      url: `/api/v4/groups/${acme}/service_accounts?per_page=100&page=1`,
    });
  });

  it("personal access tokens: create, list, get, revoke", async () => {
    const prov = sandbox.user("provisioner")?.id ?? 0;
    let tokenId = 0;
    expect(
      await sent(async () => {
        const t = await gl.createPersonalToken(prov, {
          name: "pat-pinned",
          scopes: ["read_api", "self_rotate"],
          expiresAt: "2030-03-01",
          description: "pinned",
        });
        tokenId = t.id;
        expect(t).toMatchObject({ name: "pat-pinned", user_id: prov, expires_at: "2030-03-01" });
      }),
    ).toEqual([
      {
        method: "POST",
        url: `/api/v4/users/${prov}/personal_access_tokens`,
        body: json({
          name: "pat-pinned",
          scopes: ["read_api", "self_rotate"],
          expires_at: "2030-03-01",
          description: "pinned",
        }),
      },
    ]);
    expect(
      await sent(() =>
        gl.createPersonalToken(prov, { name: "pat-plain", scopes: ["api"], expiresAt: "2030-03-01" }),
      ),
    ).toEqual([
      {
        method: "POST",
        url: `/api/v4/users/${prov}/personal_access_tokens`,
        body: json({ name: "pat-plain", scopes: ["api"], expires_at: "2030-03-01" }),
      },
    ]);
    expect(await sent(() => gl.listPersonalTokens(prov, "pat-pinned"))).toEqual([
      { method: "GET", url: `/api/v4/personal_access_tokens?user_id=${prov}&search=pat-pinned` },
    ]);
    expect(await sent(() => gl.listPersonalTokens(prov))).toEqual([
      { method: "GET", url: `/api/v4/personal_access_tokens?user_id=${prov}` },
    ]);
    expect(await sent(() => gl.getPersonalToken(tokenId))).toEqual([
      { method: "GET", url: `/api/v4/personal_access_tokens/${tokenId}` },
    ]);
    expect(await sent(() => gl.revokePersonalToken(tokenId))).toEqual([
      { method: "DELETE", url: `/api/v4/personal_access_tokens/${tokenId}`, body: "{}" },
    ]);
    expect(await gl.getPersonalToken(999_999)).toBeUndefined();
  });

  it.each([
    ["project", "projects", "acme/web", "acme%2Fweb"],
    ["group", "groups", "acme", "acme"],
  ] as const)("%s CI/CD variables: create, get, update, delete", async (kind, source, target, encoded) => {
    const base = `/api/v4/${source}/${encoded}/variables`;
    expect(
      await sent(() =>
        gl.createVariable(kind, target, "PINNED", { ...SECRET, description: "pinned variable" }),
      ),
    ).toEqual([
      {
        method: "POST",
        url: base,
        body: json({
          key: "PINNED",
          value: SECRET.value,
          protected: true,
          raw: true,
          environment_scope: "*",
          variable_type: "env_var",
          masked: true,
          description: "pinned variable",
        }),
      },
    ]);
    const hidden = { ...SECRET, hidden: true, environmentScope: "production" };
    expect(await sent(() => gl.createVariable(kind, target, "PINNED", hidden))).toEqual([
      {
        method: "POST",
        url: base,
        body: json({
          key: "PINNED",
          value: SECRET.value,
          protected: true,
          raw: true,
          environment_scope: "production",
          variable_type: "env_var",
          masked_and_hidden: true,
        }),
      },
    ]);
    expect(await sent(() => gl.getVariable(kind, target, "PINNED", "*"))).toEqual([
      { method: "GET", url: `${base}/PINNED?filter%5Benvironment_scope%5D=%2A` },
    ]);
    expect(
      await sent(() => gl.updateVariable(kind, target, "PINNED", { ...SECRET, value: "rotated-value-5678" })),
    ).toEqual([
      {
        method: "PUT",
        url: `${base}/PINNED`,
        body: json({
          value: "rotated-value-5678",
          protected: true,
          raw: true,
          environment_scope: "*",
          filter: { environment_scope: "*" },
          masked: true,
        }),
      },
    ]);
    expect(
      await sent(() =>
        gl.updateVariable(kind, target, "PINNED", {
          ...hidden,
          value: "rotated-value-9012",
          description: "",
        }),
      ),
    ).toEqual([
      {
        method: "PUT",
        url: `${base}/PINNED`,
        body: json({
          value: "rotated-value-9012",
          protected: true,
          raw: true,
          environment_scope: "production",
          filter: { environment_scope: "production" },
          description: "",
        }),
      },
    ]);
    expect(await sent(() => gl.deleteVariable(kind, target, "PINNED", "production"))).toEqual([
      { method: "DELETE", url: `${base}/PINNED?filter%5Benvironment_scope%5D=production`, body: "{}" },
    ]);
    expect(await gl.getVariable(kind, target, "PINNED", "production")).toBeUndefined();
    expect(await sent(() => gl.deleteVariable(kind, target, "PINNED", "*"))).toEqual([
      { method: "DELETE", url: `${base}/PINNED?filter%5Benvironment_scope%5D=%2A`, body: "{}" },
    ]);
    expect(await gl.getVariable(kind, target, "PINNED", "*")).toBeUndefined();
  });
});
