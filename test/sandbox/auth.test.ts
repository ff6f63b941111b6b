/**
 * Authentication and scopes (spec §1.1, §1.2, §9): where tokens come from, unknown/expired/revoked
 * tokens, the scope gate, reuse detection on rotate paths, Sudo, last_used_at.
 */
import { type Sandbox, startSandbox } from "../../sandbox";
import { Client, ROLES_SEED } from "./helpers";

const EXPIRED = {
  error: "invalid_token",
  error_description: "Token is expired. You can either do re-authorization or token refresh.",
};
const REVOKED = {
  error: "invalid_token",
  error_description: "Token was revoked. You have to re-authorize from the user.",
};

describe("sandbox authentication", () => {
  let sandbox: Sandbox;
  let api: Client;

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: ROLES_SEED, now: "2030-01-15T12:00:00Z", freezeClock: true });
    api = new Client(sandbox.url, sandbox.adminToken);
  });
  afterAll(() => sandbox.stop());

  const mint = (scopes: string[], expiresAt?: string | null, username = "maint") =>
    sandbox.mintPersonalToken(username, { scopes, expiresAt });

  describe("where the token comes from", () => {
    it.each([
      [
        "PRIVATE-TOKEN header",
        (t: string) => ({ headers: { "PRIVATE-TOKEN": t } as Record<string, string>, q: "" }),
      ],
      ["Authorization: Bearer", (t: string) => ({ headers: { Authorization: `Bearer ${t}` }, q: "" })],
      ["private_token parameter", (t: string) => ({ headers: {}, q: `?private_token=${t}` })],
      ["access_token parameter", (t: string) => ({ headers: {}, q: `?access_token=${t}` })],
    ])("accepts the %s", async (_name, how) => {
      const { token } = mint(["api"]);
      const { headers, q } = how(token);
      const res = await fetch(`${sandbox.url}/api/v4/user${q}`, { headers });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { username: string }).username).toBe("maint");
    });
  });

  it.each([
    ["no token", undefined],
    ["an unknown token", "glpat-unknownunknownunkno"],
  ])("answers 401 {message: 401 Unauthorized} to %s", async (_name, token) => {
    const res = await api.get("/user", { token: token ?? null });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ message: "401 Unauthorized" });
  });

  it("answers an expired token with the OAuth invalid_token body and WWW-Authenticate", async () => {
    const { token } = mint(["api"], "2030-01-15");
    const res = await api.get("/user", { token });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(EXPIRED);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("www-authenticate")).toBe(
      `Bearer realm="Protected by OAuth 2.0", error="invalid_token", error_description="${EXPIRED.error_description}"`,
    );
  });

  it("answers a revoked token with 'Token was revoked'", async () => {
    const { id, token } = mint(["api"]);
    expect((await api.delete(`/personal_access_tokens/${id}`)).status).toBe(204);
    const res = await api.get("/user", { token });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(REVOKED);
  });

  it("reports a token both expired and revoked as expired (expiry is checked first)", async () => {
    const { id, token } = mint(["api"], "2030-01-10");
    await api.delete(`/personal_access_tokens/${id}`);
    const res = await api.get("/user", { token });
    expect(res.body).toEqual(EXPIRED);
  });

  describe("scopes", () => {
    it.each([
      // [scopes, method, path, status]
      [["api"], "GET", "/projects/acme%2Fweb", 200],
      [["api"], "POST", "/user/personal_access_tokens", 400],
      [["read_api"], "GET", "/projects/acme%2Fweb", 200],
      [["read_api"], "GET", "/personal_access_tokens", 200],
      [["read_user"], "GET", "/user", 200],
      [["read_user"], "GET", "/users?username=dev", 200],
      [["k8s_proxy"], "GET", "/personal_access_tokens/self", 200],
      [["read_repository"], "GET", "/personal_access_tokens/self", 200],
    ])("%j may %s %s", async (scopes, method, path, status) => {
      const { token } = mint(scopes);
      const res = await api.request(method, path, { token, json: method === "POST" ? {} : undefined });
      expect(res.status).toBe(status);
    });

    it.each([
      [["read_api"], "POST", "/user/personal_access_tokens", "api"],
      [["read_api"], "DELETE", "/personal_access_tokens/1", "api"],
      [["read_user"], "GET", "/projects/acme%2Fweb", "api read_api"],
      [["read_repository"], "GET", "/user", "api read_api read_user"],
      [["self_rotate"], "GET", "/personal_access_tokens", "api read_api"],
      [["read_api"], "POST", "/personal_access_tokens/self/rotate", "api self_rotate"],
    ])("%j may not %s %s: 403 insufficient_scope naming %j", async (scopes, method, path, scope) => {
      const { token } = mint(scopes);
      const res = await api.request(method, path, { token, json: method === "POST" ? {} : undefined });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        error: "insufficient_scope",
        error_description: "The request requires higher privileges than provided by the access token.",
        scope,
      });
    });

    it("lets a self_rotate token rotate itself", async () => {
      const { token } = mint(["self_rotate"]);
      const res = await api.post("/personal_access_tokens/self/rotate", {}, { token });
      expect(res.status).toBe(200);
      expect(res.body.scopes).toEqual(["self_rotate"]);
    });
  });

  describe("reuse detection", () => {
    it("revokes the whole family when a revoked token is used to rotate", async () => {
      const { token: first } = mint(["api"]);
      const second = await api.post("/personal_access_tokens/self/rotate", {}, { token: first });
      const third = await api.post("/personal_access_tokens/self/rotate", {}, { token: second.body.token });
      expect(sandbox.tokenStatus(third.body.token)).toBe("active");

      const reuse = await api.post("/personal_access_tokens/self/rotate", {}, { token: first });
      expect(reuse.status).toBe(401);
      expect(reuse.body).toEqual(REVOKED);
      expect(sandbox.tokenStatus(second.body.token)).toBe("revoked");
      expect(sandbox.tokenStatus(third.body.token)).toBe("revoked");
    });

    it("also triggers on resource rotate paths (/:source/:id/access_tokens/:id/rotate)", async () => {
      const { token: first } = mint(["api"], undefined, "root");
      const next = await api.post("/personal_access_tokens/self/rotate", {}, { token: first });
      const res = await api.post("/projects/1/access_tokens/99/rotate", {}, { token: first });
      expect(res.status).toBe(401);
      expect(sandbox.tokenStatus(next.body.token)).toBe("revoked");
    });

    it("does not revoke the family when the revoked token is used elsewhere", async () => {
      const { token: first } = mint(["api"]);
      const next = await api.post("/personal_access_tokens/self/rotate", {}, { token: first });
      const res = await api.get("/user", { token: first });
      expect(res.status).toBe(401);
      expect(sandbox.tokenStatus(next.body.token)).toBe("active");
    });

    it("does not revoke the family when the old token is both revoked and expired", async () => {
      const { id, token: first } = mint(["api"], "2030-01-20");
      const next = await api.post(`/personal_access_tokens/${id}/rotate`, {});
      expect(next.status).toBe(200);
      sandbox.advanceDays(6);
      try {
        const res = await api.post("/personal_access_tokens/self/rotate", {}, { token: first });
        expect(res.body).toEqual(EXPIRED);
        expect(sandbox.findTokenByValue(next.body.token)?.revoked).toBe(false);
      } finally {
        sandbox.advanceDays(-6);
      }
    });
  });

  describe("Sudo", () => {
    it("lets an admin token with the sudo scope act as another user", async () => {
      const { token } = mint(["api", "sudo"], undefined, "root");
      const res = await api.get("/user", { token, headers: { Sudo: "dev" } });
      expect(res.status).toBe(200);
      expect(res.body.username).toBe("dev");
    });

    it("refuses Sudo from a non-admin", async () => {
      const { token } = mint(["api"]);
      const res = await api.get("/user", { token, headers: { Sudo: "dev" } });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ message: "403 Forbidden - Must be admin to use sudo" });
    });

    it("refuses Sudo from an admin token without the sudo scope", async () => {
      const res = await api.get("/user", { headers: { Sudo: "dev" } });
      expect(res.status).toBe(403);
      expect(res.body.error).toBe("insufficient_scope");
      expect(res.body.scope).toBe("sudo");
    });
  });

  it("records last_used_at and the client IP on use", async () => {
    const { id, token } = mint(["api"]);
    expect(sandbox.findTokenByValue(token)?.lastUsedAt).toBeNull();
    await api.get("/user", { token });
    const res = await api.get(`/personal_access_tokens/${id}`);
    expect(res.body.last_used_at).toBe("2030-01-15T12:00:00.000Z");
    expect(res.body.last_used_ips).toEqual(["127.0.0.1"]);
  });

  it("answers a malformed JSON body with Grape's 400", async () => {
    const res = await fetch(`${sandbox.url}/api/v4/user/personal_access_tokens`, {
      method: "POST",
      headers: { "PRIVATE-TOKEN": sandbox.adminToken, "content-type": "application/json" },
      body: "{not json",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "message body does not match declared format" });
  });

  it("answers unknown routes with {error: 404 Not Found}", async () => {
    const res = await api.get("/no/such/route");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: "404 Not Found" });
  });
});
