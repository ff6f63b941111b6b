/** Fault injection and request counters, programmatic and through /-/sandbox/faults and /counters. */
import { type Sandbox, startSandbox } from "../../sandbox";
import { Client, admin } from "./helpers";

describe("sandbox faults and counters", () => {
  let sandbox: Sandbox;
  let api: Client;

  beforeAll(async () => {
    sandbox = await startSandbox({ now: "2030-01-01T00:00:30Z", freezeClock: true });
    api = new Client(sandbox.url, sandbox.adminToken);
  });
  afterAll(() => sandbox.stop());
  afterEach(() => {
    sandbox.clearFaults();
    sandbox.resetCounters();
  });

  const statuses = async (n: number, path = "/user") => {
    const out: number[] = [];
    for (let i = 0; i < n; i += 1) out.push((await api.get(path)).status);
    return out;
  };

  it("adds latency to matching requests only", async () => {
    sandbox.setFaults({ latency: { ms: 400, path: "/user$" } });
    let t = Date.now();
    await api.get("/user");
    expect(Date.now() - t).toBeGreaterThanOrEqual(395);
    t = Date.now();
    await api.get("/projects");
    expect(Date.now() - t).toBeLessThan(350);
  });

  it("fails every Nth matching request with GitLab's body for the status", async () => {
    sandbox.setFaults({ error: { status: 500, everyNth: 3 } });
    expect(await statuses(6)).toEqual([200, 200, 500, 200, 200, 500]);
    sandbox.setFaults({ error: { status: 503, times: 1 } });
    const res = await api.get("/user");
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ message: "503 Service Unavailable" });
    expect((await api.get("/user")).status).toBe(200);
  });

  it("draws `rate` from a seeded PRNG: the same seed gives the same failures", async () => {
    sandbox.setFaults({ seed: 42, error: { status: 502, rate: 0.5 } });
    const first = await statuses(40);
    sandbox.setFaults({ seed: 42, error: { status: 502, rate: 0.5 } });
    expect(await statuses(40)).toEqual(first);
    const failures = first.filter((s) => s === 502).length;
    expect(failures).toBeGreaterThan(8);
    expect(failures).toBeLessThan(32);
    sandbox.setFaults({ seed: 7, error: { status: 502, rate: 0.5 } });
    expect(await statuses(40)).not.toEqual(first);
  });

  it("targets faults by method and path", async () => {
    sandbox.setFaults({ error: { status: 500, method: "POST", path: "/access_tokens$" } });
    expect((await api.get("/projects/acme%2Fweb/access_tokens")).status).toBe(200);
    const post = await api.post("/projects/acme%2Fweb/access_tokens", { name: "x", scopes: ["api"] });
    expect(post.status).toBe(500);
    expect(post.body).toEqual({ message: "500 Internal Server Error" });
    expect(sandbox.listTokens().filter((t) => t.name === "x")).toHaveLength(0);
  });

  it("rate-limits with a quota: 429, text/plain 'Retry later', RateLimit-* and Retry-After", async () => {
    sandbox.setFaults({ rateLimit: { limit: 2, periodSeconds: 60 } });
    expect(await statuses(2)).toEqual([200, 200]);
    const res = await fetch(`${sandbox.url}/api/v4/user`, {
      headers: { "PRIVATE-TOKEN": sandbox.adminToken },
    });
    expect(res.status).toBe(429);
    expect(res.headers.get("content-type")).toBe("text/plain");
    expect(await res.text()).toBe("Retry later\n");
    expect(res.headers.get("retry-after")).toBe("30");
    expect(res.headers.get("ratelimit-name")).toBe("throttle_authenticated_api");
    expect(res.headers.get("ratelimit-limit")).toBe("2");
    expect(res.headers.get("ratelimit-observed")).toBe("3");
    expect(res.headers.get("ratelimit-remaining")).toBe("0");
    expect(res.headers.get("ratelimit-reset")).toBe(String(Date.parse("2030-01-01T00:01:00Z") / 1000));
    expect(res.headers.get("ratelimit-resettime")).toBe("Tue, 01 Jan 2030 00:01:00 GMT");
    sandbox.advance(30_000);
    try {
      expect(await statuses(1)).toEqual([200]);
    } finally {
      sandbox.advance(-30_000);
    }
  });

  it("rate-limits the next N matching requests in trigger mode", async () => {
    sandbox.setFaults({ rateLimit: { times: 2, retryAfterSeconds: 5 } });
    const res = await api.get("/user");
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(await statuses(2)).toEqual([429, 200]);
  });

  it("loses the response of a committed change: the connection drops, the token exists", async () => {
    sandbox.setFaults({ lostResponse: { method: "POST", path: "/personal_access_tokens$", times: 1 } });
    const user = sandbox.user("alice")?.id;
    await expect(
      api.post(`/users/${user}/personal_access_tokens`, { name: "lost", scopes: ["api"] }),
    ).rejects.toThrow(/fetch failed/);
    expect(sandbox.listTokens().filter((t) => t.name === "lost")).toHaveLength(1);
    const again = await api.post(`/users/${user}/personal_access_tokens`, { name: "lost", scopes: ["api"] });
    expect(again.status).toBe(201);
  });

  it("counts every API request by method and route, including failed and faulted ones", async () => {
    sandbox.setFaults({ error: { status: 500, times: 1 } });
    await api.get("/user");
    await api.get("/user", { token: "glpat-nobody-nobody-nobod" });
    await api.get("/projects/acme%2Fweb/access_tokens");
    await api.get("/projects/1/access_tokens");
    await api.get("/not/a/route");
    await admin(sandbox.url, sandbox.adminToken, "GET", "/clock");
    expect(sandbox.counters()).toEqual({
      total: 5,
      byRoute: {
        "GET (no route)": 1,
        "GET /api/v4/projects/:id/access_tokens": 2,
        "GET /api/v4/user": 2,
      },
    });
    sandbox.resetCounters();
    expect(sandbox.counters()).toEqual({ total: 0, byRoute: {} });
  });

  describe("through the admin endpoints", () => {
    it("sets, reads and clears faults", async () => {
      const set = await admin(sandbox.url, sandbox.adminToken, "PUT", "/faults", {
        error: { status: 500, method: "GET", path: "^/api/v4/user$", everyNth: 2 },
      });
      expect(set.status).toBe(200);
      expect(set.body).toEqual({
        error: { status: 500, method: "GET", path: "^/api/v4/user$", everyNth: 2 },
      });
      expect((await admin(sandbox.url, sandbox.adminToken, "GET", "/faults")).body).toEqual(set.body);
      expect(await statuses(2)).toEqual([200, 500]);
      expect((await admin(sandbox.url, sandbox.adminToken, "DELETE", "/faults")).status).toBe(204);
      expect(await statuses(2)).toEqual([200, 200]);
    });

    it.each([
      ["an unknown kind", { explode: true }],
      ["a bad status", { error: { status: 200 } }],
      ["a bad rate", { error: { status: 500, rate: 2 } }],
      ["a bad path pattern", { lostResponse: { path: "(" } }],
    ])("refuses %s with 400", async (_case, body) => {
      const res = await admin(sandbox.url, sandbox.adminToken, "PUT", "/faults", body);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/invalid fault configuration/);
    });

    it("reads and resets counters", async () => {
      await api.get("/user");
      const read = await admin(sandbox.url, sandbox.adminToken, "GET", "/counters");
      expect(read.body).toEqual({ total: 1, byRoute: { "GET /api/v4/user": 1 } });
      expect((await admin(sandbox.url, sandbox.adminToken, "DELETE", "/counters")).status).toBe(204);
      expect(sandbox.counters().total).toBe(0);
    });
  });

  it("applies faults given at start-up", async () => {
    const other = await startSandbox({ faults: { error: { status: 500, times: 1 } } });
    try {
      const c = new Client(other.url, other.adminToken);
      expect((await c.get("/user")).status).toBe(500);
      expect((await c.get("/user")).status).toBe(200);
    } finally {
      await other.stop();
    }
  });
});
