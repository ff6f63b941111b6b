/** The sandbox's own admin API: settings, state dump, token status, and its authentication. */
import { type Sandbox, startSandbox } from "../../sandbox";
import { Client, admin } from "./helpers";

describe("sandbox admin endpoints", () => {
  let sandbox: Sandbox;
  let api: Client;

  beforeAll(async () => {
    sandbox = await startSandbox({ now: "2030-01-15T00:00:00Z", freezeClock: true });
    api = new Client(sandbox.url, sandbox.adminToken);
  });
  afterAll(() => sandbox.stop());

  it("reads and changes instance settings, which the API then follows", async () => {
    const read = await admin(sandbox.url, sandbox.adminToken, "GET", "/settings");
    expect(read.body).toEqual({
      requirePersonalAccessTokenExpiry: true,
      maxPersonalAccessTokenLifetimeDays: 365,
      serviceAccessTokensExpirationEnforced: true,
      allowProjectsToCreateServiceAccounts: true,
      triggerTokenExpiration: true,
      granularPersonalAccessTokens: true,
    });
    const patched = await admin(sandbox.url, sandbox.adminToken, "PATCH", "/settings", {
      maxPersonalAccessTokenLifetimeDays: 90,
    });
    expect(patched.body.maxPersonalAccessTokenLifetimeDays).toBe(90);
    try {
      const res = await api.post(`/users/${sandbox.user("alice")?.id}/personal_access_tokens`, {
        name: "x",
        scopes: ["api"],
      });
      expect(res.body.expires_at).toBe("2030-04-15");
    } finally {
      sandbox.updateSettings({ maxPersonalAccessTokenLifetimeDays: 365 });
    }
    const bad = await admin(sandbox.url, sandbox.adminToken, "PATCH", "/settings", {
      maxPersonalAccessTokenLifetimeDays: 0,
    });
    expect(bad.status).toBe(400);
  });

  it("dumps the state without token digests", async () => {
    const res = await admin(sandbox.url, sandbox.adminToken, "GET", "/state");
    expect(res.status).toBe(200);
    expect(res.body.now).toBe("2030-01-15T00:00:00.000Z");
    expect(res.body.users.map((u: { username: string }) => u.username)).toEqual([
      "root",
      "alice",
      "provisioner",
    ]);
    expect(res.body.projects).toHaveLength(2);
    expect(res.body.tokens.length).toBeGreaterThan(0);
    expect(res.text).not.toContain("digest");
    expect(res.text).not.toContain(sandbox.adminToken);
  });

  it("tells whether a token value works", async () => {
    const { id, token } = sandbox.mintPersonalToken("alice", { expiresAt: "2030-02-01" });
    const status = (t: string) =>
      admin(sandbox.url, sandbox.adminToken, "POST", "/token-status", { token: t });
    expect((await status(token)).body).toMatchObject({
      status: "active",
      id,
      user_id: sandbox.user("alice")?.id,
    });
    await api.delete(`/personal_access_tokens/${id}`);
    expect((await status(token)).body.status).toBe("revoked");
    sandbox.advanceDays(30);
    expect((await status(token)).body.status).toBe("expired");
    expect((await status("glpat-neverissued0000000")).body).toEqual({ status: "unknown" });
    expect((await admin(sandbox.url, sandbox.adminToken, "POST", "/token-status", {})).status).toBe(400);
  });

  it("accepts the admin token as a Bearer token and refuses anything else", async () => {
    const bearer = await fetch(`${sandbox.url}/-/sandbox/clock`, {
      headers: { Authorization: `Bearer ${sandbox.adminToken}` },
    });
    expect(bearer.status).toBe(200);
    const none = await fetch(`${sandbox.url}/-/sandbox/state`);
    expect(none.status).toBe(401);
    const { token } = sandbox.mintPersonalToken("alice");
    expect((await admin(sandbox.url, token, "GET", "/counters")).status).toBe(401);
  });
});
