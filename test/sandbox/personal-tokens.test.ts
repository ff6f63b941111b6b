/**
 * Personal access tokens over HTTP (spec §2, §3, §8, §9): list and filters, get, self, revoke,
 * rotate, admin create for a user, POST /user/personal_access_tokens.
 */
import { type Sandbox, startSandbox } from "../../sandbox";
import { Client, ROLES_SEED } from "./helpers";

const TODAY = "2030-01-15";

describe("sandbox personal access tokens", () => {
  let sandbox: Sandbox;
  let api: Client;
  let ids: Record<string, number>;

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: ROLES_SEED, now: `${TODAY}T12:00:00Z`, freezeClock: true });
    api = new Client(sandbox.url, sandbox.adminToken);
    ids = Object.fromEntries(["root", "dev", "maint", "sa"].map((u) => [u, sandbox.user(u)?.id ?? -1]));
  });
  afterAll(() => sandbox.stop());

  const mint = (
    username: string,
    opts: { name?: string; scopes?: string[]; expiresAt?: string | null } = {},
  ) => sandbox.mintPersonalToken(username, opts);

  describe("POST /users/:user_id/personal_access_tokens (admin)", () => {
    it("creates a token for the user and shows its value once", async () => {
      const res = await api.post(`/users/${ids.dev}/personal_access_tokens`, {
        name: "deploy",
        scopes: ["read_api", "read_repository"],
        description: "for deploys",
        expires_at: "2030-03-01",
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        name: "deploy",
        active: true,
        revoked: false,
        expired: false,
        granular: false,
        created_at: "2030-01-15T12:00:00.000Z",
        description: "for deploys",
        scopes: ["read_api", "read_repository"],
        user_id: ids.dev,
        last_used_at: null,
        expires_at: "2030-03-01",
        token: expect.stringMatching(/^glpat-[A-Za-z0-9_-]{20}$/),
      });
      const again = await api.get(`/personal_access_tokens/${res.body.id}`);
      expect(again.body.token).toBeUndefined();
      expect(sandbox.tokenStatus(res.body.token)).toBe("active");
    });

    it("defaults the expiry to today + 365 days and accepts exactly that date", async () => {
      const res = await api.post(`/users/${ids.dev}/personal_access_tokens`, { name: "d", scopes: ["api"] });
      expect(res.body.expires_at).toBe("2031-01-15");
      const max = await api.post(`/users/${ids.dev}/personal_access_tokens`, {
        name: "m",
        scopes: ["api"],
        expires_at: "2031-01-15",
      });
      expect(max.status).toBe(201);
    });

    it("accepts form-encoded bodies with scopes[] and comma-separated scopes", async () => {
      const a = await api.request("POST", `/users/${ids.dev}/personal_access_tokens`, {
        form: { name: "f", "scopes[]": ["api", "read_user"] },
      });
      expect(a.status).toBe(201);
      expect(a.body.scopes).toEqual(["api", "read_user"]);
      const b = await api.request("POST", `/users/${ids.dev}/personal_access_tokens`, {
        form: { name: "f", scopes: "read_api,read_repository" },
      });
      expect(b.body.scopes).toEqual(["read_api", "read_repository"]);
    });

    it("accepts parameters in the query string, as GitLab does", async () => {
      const res = await api.request(
        "POST",
        `/users/${ids.dev}/personal_access_tokens?name=q&scopes[]=read_api&expires_at=2030-02-02`,
      );
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ name: "q", scopes: ["read_api"], expires_at: "2030-02-02" });
    });

    it("creates a token that works", async () => {
      const res = await api.post(`/users/${ids.dev}/personal_access_tokens`, { name: "w", scopes: ["api"] });
      const me = await api.get("/user", { token: res.body.token });
      expect(me.body.username).toBe("dev");
    });

    it("lets a token already expire when created with a date of today (no lower bound)", async () => {
      const res = await api.post(`/users/${ids.dev}/personal_access_tokens`, {
        name: "t",
        scopes: ["api"],
        expires_at: TODAY,
      });
      expect(res.status).toBe(201);
      expect(res.body.active).toBe(false);
      expect(sandbox.tokenStatus(res.body.token)).toBe("expired");
    });

    it.each([
      ["name missing", { scopes: ["api"] }, 400, { error: "name is missing" }],
      // exactly_one_of :scopes, :granular_scopes (GitLab 19.6+ on this route).
      [
        "scopes missing",
        { name: "x" },
        400,
        { error: "scopes, granular_scopes are missing, exactly one parameter must be provided" },
      ],
      [
        "both missing",
        {},
        400,
        {
          error:
            "name is missing, scopes, granular_scopes are missing, exactly one parameter must be provided",
        },
      ],
      [
        "an unknown scope",
        { name: "x", scopes: ["api", "root"] },
        400,
        { error: "scopes does not have a valid value" },
      ],
      [
        "an OAuth-only scope",
        { name: "x", scopes: ["openid"] },
        400,
        { error: "scopes does not have a valid value" },
      ],
      [
        "a bad date",
        { name: "x", scopes: ["api"], expires_at: "2030-02-30" },
        400,
        { error: "expires_at is invalid" },
      ],
      [
        "a lifetime over 365 days",
        { name: "x", scopes: ["api"], expires_at: "2031-01-16" },
        422,
        { message: "Expiration date must be before 2031-01-15" },
      ],
      [
        "sudo for a non-admin",
        { name: "x", scopes: ["api", "sudo"] },
        422,
        { message: "Sudo can only be enabled for administrators" },
      ],
      [
        "a description over 255 characters",
        { name: "x", scopes: ["api"], description: "d".repeat(256) },
        422,
        { message: "Description is too long (maximum is 255 characters)" },
      ],
      ["an empty name", { name: "", scopes: ["api"] }, 422, { message: "Name can't be blank" }],
      ["empty scopes", { name: "x", scopes: [] }, 422, { message: "Scopes can't be blank" }],
    ])("refuses %s", async (_case, body, status, error) => {
      const res = await api.post(`/users/${ids.dev}/personal_access_tokens`, body);
      expect(res.status).toBe(status);
      expect(res.body).toEqual(error);
    });

    it("accepts admin_mode and read_service_ping for a non-admin target (no model check; spec §15.5)", async () => {
      const res = await api.post(`/users/${ids.dev}/personal_access_tokens`, {
        name: "adm",
        scopes: ["admin_mode", "read_service_ping"],
      });
      expect(res.status).toBe(201);
    });

    it("allows sudo for an admin target", async () => {
      const res = await api.post(`/users/${ids.root}/personal_access_tokens`, {
        name: "s",
        scopes: ["sudo"],
      });
      expect(res.status).toBe(201);
    });

    it("answers 403 to a non-admin and 404 for an unknown user", async () => {
      const { token } = mint("maint");
      const forbidden = await api.post(
        `/users/${ids.dev}/personal_access_tokens`,
        { name: "x", scopes: ["api"] },
        { token },
      );
      expect(forbidden.status).toBe(403);
      expect(forbidden.body).toEqual({ message: "403 Forbidden" });
      const missing = await api.post("/users/9999/personal_access_tokens", { name: "x", scopes: ["api"] });
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ message: "404 User Not Found" });
    });
  });

  describe("POST /user/personal_access_tokens", () => {
    it("creates a k8s_proxy token for the current user, expiring tomorrow by default", async () => {
      const { token } = mint("dev");
      const res = await api.post(
        "/user/personal_access_tokens",
        { name: "k8s", scopes: ["k8s_proxy"] },
        { token },
      );
      expect(res.status).toBe(201);
      expect(res.body.user_id).toBe(ids.dev);
      expect(res.body.expires_at).toBe("2030-01-16");
    });

    it.each([[["api"]], [["self_rotate"]], [["k8s_proxy", "read_api"]]])(
      "refuses scopes %j",
      async (scopes) => {
        const { token } = mint("dev");
        const res = await api.post("/user/personal_access_tokens", { name: "k8s", scopes }, { token });
        expect(res.status).toBe(400);
        expect(res.body).toEqual({ error: "scopes does not have a valid value" });
      },
    );
  });

  describe("GET /personal_access_tokens", () => {
    it("shows a non-admin only their own tokens", async () => {
      const { token } = mint("maint", { name: "mine" });
      mint("dev", { name: "theirs" });
      const res = await api.get("/personal_access_tokens?per_page=100", { token });
      expect(res.status).toBe(200);
      expect(res.body.length).toBeGreaterThan(0);
      expect(res.body.every((t: { user_id: number }) => t.user_id === ids.maint)).toBe(true);
      expect(res.body[0]).toHaveProperty("last_used_ips");
    });

    it("shows an admin every token, or one user's with user_id", async () => {
      const all = await api.get("/personal_access_tokens?per_page=100");
      const users = new Set(all.body.map((t: { user_id: number }) => t.user_id));
      expect(users.size).toBeGreaterThan(1);
      const one = await api.get(`/personal_access_tokens?user_id=${ids.dev}&per_page=100`);
      expect(one.body.every((t: { user_id: number }) => t.user_id === ids.dev)).toBe(true);
    });

    it.each([
      [
        "a non-admin asking for another user's tokens",
        "maint",
        `user_id=DEV`,
        401,
        { message: "401 Unauthorized" },
      ],
      ["an admin asking for an unknown user", "root", "user_id=9999", 404, { message: "404 Not Found" }],
      ["an admin passing an empty user_id", "root", "user_id=", 404, { message: "404 Not Found" }],
      ["a bad state", "root", "state=sleeping", 400, { error: "state does not have a valid value" }],
      ["a bad sort", "root", "sort=size_asc", 400, { error: "sort does not have a valid value" }],
      ["a bad revoked", "root", "revoked=maybe", 400, { error: "revoked is invalid" }],
      ["a bad created_after", "root", "created_after=yesterday", 400, { error: "created_after is invalid" }],
      ["a bad expires_before", "root", "expires_before=soon", 400, { error: "expires_before is invalid" }],
      ["a non-numeric user_id", "root", "user_id=dev", 400, { error: "user_id is invalid" }],
    ])("refuses %s", async (_case, who, query, status, error) => {
      const token = who === "root" ? sandbox.adminToken : mint(who).token;
      const res = await api.get(`/personal_access_tokens?${query.replace("DEV", String(ids.dev))}`, {
        token,
      });
      expect(res.status).toBe(status);
      expect(res.body).toEqual(error);
    });

    describe("filters", () => {
      let user: number;
      let names: (query: string) => Promise<string[]>;
      beforeAll(async () => {
        const res = await api.post("/service_accounts", { username: "filters-sa", name: "Filters" });
        user = res.body.id;
        const make = (name: string, expiresAt: string | null) =>
          sandbox.mintPersonalToken("filters-sa", { name, expiresAt, scopes: ["read_api"] });
        make("alpha-build", "2030-06-01");
        make("beta-deploy", "2030-02-01");
        const revoked = make("gamma-build", "2030-12-31");
        make("delta", "2030-01-15"); // expires today: inactive
        make("epsilon", null);
        await api.delete(`/personal_access_tokens/${revoked.id}`);
        sandbox.advance(60_000);
        make("zeta-late", "2030-03-01");
        sandbox.advance(-60_000);
        names = async (query: string) => {
          const r = await api.get(`/personal_access_tokens?user_id=${user}&per_page=100&${query}`);
          expect(r.status).toBe(200);
          return r.body.map((t: { name: string }) => t.name);
        };
      });

      it.each([
        ["", ["alpha-build", "beta-deploy", "gamma-build", "delta", "epsilon", "zeta-late"]],
        ["state=active", ["alpha-build", "beta-deploy", "epsilon", "zeta-late"]],
        ["state=inactive", ["gamma-build", "delta"]],
        ["revoked=true", ["gamma-build"]],
        ["revoked=false", ["alpha-build", "beta-deploy", "delta", "epsilon", "zeta-late"]],
        ["search=build", ["alpha-build", "gamma-build"]],
        ["search=DELTA", ["delta"]],
        ["search=de", []],
        ["expires_before=2030-03-01", ["beta-deploy", "delta"]],
        ["expires_after=2030-03-01", ["alpha-build", "gamma-build", "zeta-late"]],
        ["created_after=2030-01-15T12:00:30Z", ["zeta-late"]],
        [
          "created_before=2030-01-15T12:00:00Z",
          ["alpha-build", "beta-deploy", "gamma-build", "delta", "epsilon"],
        ],
        ["sort=name_asc", ["alpha-build", "beta-deploy", "delta", "epsilon", "gamma-build", "zeta-late"]],
        ["sort=name_desc", ["zeta-late", "gamma-build", "epsilon", "delta", "beta-deploy", "alpha-build"]],
        ["sort=expires_asc", ["delta", "beta-deploy", "zeta-late", "alpha-build", "gamma-build", "epsilon"]],
        ["sort=expires_desc", ["epsilon", "gamma-build", "alpha-build", "zeta-late", "beta-deploy", "delta"]],
        ["sort=created_desc", ["zeta-late", "epsilon", "delta", "gamma-build", "beta-deploy", "alpha-build"]],
      ])("%s", async (query, expected) => {
        expect(await names(query)).toEqual(expected);
      });

      it("filters and sorts by last use", async () => {
        const { token } = sandbox.mintPersonalToken("filters-sa", { name: "used", scopes: ["api"] });
        await api.get("/user", { token });
        expect(await names("last_used_after=2030-01-15T00:00:00Z")).toEqual(["used"]);
        expect(await names("last_used_before=2030-01-14T00:00:00Z")).toEqual([]);
        expect((await names("sort=last_used_desc"))[0]).toBe("zeta-late"); // NULLS FIRST, then id desc
        expect((await names("sort=last_used_asc"))[0]).toBe("used");
      });
    });
  });

  describe("GET /personal_access_tokens/:id and /self", () => {
    it("shows the owner their token, with last_used_ips", async () => {
      const { id, token } = mint("maint", { name: "own" });
      const res = await api.get(`/personal_access_tokens/${id}`, { token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id, name: "own", user_id: ids.maint, last_used_ips: ["127.0.0.1"] });
    });

    it.each([
      ["a non-admin, another user's token", "maint", "other", 401, { message: "401 Unauthorized" }],
      ["a non-admin, a missing token", "maint", "missing", 401, { message: "401 Unauthorized" }],
      ["an admin, a missing token", "root", "missing", 404, { message: "404 Not Found" }],
      ["anyone, a non-numeric id", "root", "abc", 400, { error: "id is invalid" }],
    ])("refuses %s", async (_case, who, which, status, error) => {
      const token = who === "root" ? sandbox.adminToken : mint(who).token;
      const id = which === "other" ? mint("dev").id : which === "missing" ? 999_999 : "abc";
      const res = await api.get(`/personal_access_tokens/${id}`, { token });
      expect(res.status).toBe(status);
      expect(res.body).toEqual(error);
    });

    it("GET /self shows the token used", async () => {
      const { id, token } = mint("dev", { scopes: ["read_registry"] });
      const res = await api.get("/personal_access_tokens/self", { token });
      expect(res.body.id).toBe(id);
    });

    it("DELETE /self revokes the token used, with any scope", async () => {
      const { token } = mint("dev", { scopes: ["read_registry"] });
      expect((await api.delete("/personal_access_tokens/self", { token })).status).toBe(204);
      expect(sandbox.tokenStatus(token)).toBe("revoked");
    });
  });

  describe("DELETE /personal_access_tokens/:id", () => {
    it("revokes the owner's token (and again: still 204)", async () => {
      const { id, token } = mint("dev");
      const own = mint("dev").token;
      expect((await api.delete(`/personal_access_tokens/${id}`, { token: own })).status).toBe(204);
      expect((await api.delete(`/personal_access_tokens/${id}`, { token: own })).status).toBe(204);
      const after = await api.get(`/personal_access_tokens/${id}`);
      expect(after.body).toMatchObject({ revoked: true, active: false });
      expect(sandbox.tokenStatus(token)).toBe("revoked");
    });

    it.each([
      ["a missing token", "missing", 404, { message: "404 Not found" }],
      ["another user's token", "other", 400, { message: "400 Bad request - Not permitted to revoke" }],
    ])("refuses %s", async (_case, which, status, error) => {
      const token = mint("maint").token;
      const id = which === "missing" ? 999_999 : mint("dev").id;
      const res = await api.delete(`/personal_access_tokens/${id}`, { token });
      expect(res.status).toBe(status);
      expect(res.body).toEqual(error);
    });
  });

  describe("rotation", () => {
    it("revokes the old token and returns a new one (new id and value, +7 days by default)", async () => {
      const { id, token } = mint("dev", { name: "rot", scopes: ["api", "read_user"] });
      const res = await api.post(`/personal_access_tokens/${id}/rotate`, undefined, { token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        name: "rot",
        scopes: ["api", "read_user"],
        user_id: ids.dev,
        expires_at: "2030-01-22",
        active: true,
      });
      expect(res.body.id).not.toBe(id);
      expect(res.body.token).not.toBe(token);
      expect(sandbox.tokenStatus(token)).toBe("revoked");
      expect(sandbox.findTokenByValue(res.body.token)?.previousTokenId).toBe(id);
    });

    it("takes expires_at", async () => {
      const { id } = mint("dev");
      const res = await api.post(`/personal_access_tokens/${id}/rotate`, { expires_at: "2030-04-01" });
      expect(res.body.expires_at).toBe("2030-04-01");
    });

    it("rotates an expired (not revoked) token by id", async () => {
      const { id } = mint("dev", { expiresAt: "2030-01-01" });
      const res = await api.post(`/personal_access_tokens/${id}/rotate`, {});
      expect(res.status).toBe(200);
      expect(res.body.active).toBe(true);
    });

    it.each([
      ["a revoked token", "revoked", {}, "root", 400, { message: "400 Bad request - Token already revoked" }],
      [
        "a date beyond the maximum",
        "fresh",
        { expires_at: "2031-02-01" },
        "root",
        400,
        { message: "400 Bad request - Expiration date must be before 2031-01-15" },
      ],
      ["a bad date", "fresh", { expires_at: "tomorrow" }, "root", 400, { error: "expires_at is invalid" }],
      ["another user's token (non-admin)", "fresh", {}, "maint", 401, { message: "401 Unauthorized" }],
      ["a missing token (non-admin)", "missing", {}, "maint", 401, { message: "401 Unauthorized" }],
      ["a missing token (admin)", "missing", {}, "root", 404, { message: "404 Not Found" }],
    ])("refuses %s", async (_case, which, body, who, status, error) => {
      const target = mint("dev");
      if (which === "revoked") await api.delete(`/personal_access_tokens/${target.id}`);
      const id = which === "missing" ? 999_999 : target.id;
      const token = who === "root" ? sandbox.adminToken : mint(who).token;
      const res = await api.post(`/personal_access_tokens/${id}/rotate`, body, { token });
      expect(res.status).toBe(status);
      expect(res.body).toEqual(error);
      if (which === "fresh") expect(sandbox.tokenStatus(target.token)).toBe("active");
    });

    it("does not revoke the family when a revoked token is rotated by id with another credential", async () => {
      const { id } = mint("dev");
      const next = await api.post(`/personal_access_tokens/${id}/rotate`, {});
      const again = await api.post(`/personal_access_tokens/${id}/rotate`, {});
      expect(again.body).toEqual({ message: "400 Bad request - Token already revoked" });
      expect(sandbox.tokenStatus(next.body.token)).toBe("active");
    });

    it("self-rotates with POST /personal_access_tokens/self/rotate", async () => {
      const { token } = mint("dev", { scopes: ["api"] });
      const res = await api.post(
        "/personal_access_tokens/self/rotate",
        { expires_at: "2030-02-01" },
        { token },
      );
      expect(res.status).toBe(200);
      expect(res.body.expires_at).toBe("2030-02-01");
      expect(sandbox.tokenStatus(token)).toBe("revoked");
      expect(sandbox.tokenStatus(res.body.token)).toBe("active");
    });
  });

  describe("service-account expiry settings", () => {
    afterEach(() => sandbox.updateSettings({ serviceAccessTokensExpirationEnforced: true }));

    it("lets a service account token live without expiry when expiry is not enforced", async () => {
      sandbox.updateSettings({ serviceAccessTokensExpirationEnforced: false });
      const res = await api.post(`/users/${ids.sa}/personal_access_tokens`, {
        name: "forever",
        scopes: ["api"],
      });
      expect(res.body.expires_at).toBeNull();
      const far = await api.post(`/users/${ids.sa}/personal_access_tokens`, {
        name: "far",
        scopes: ["api"],
        expires_at: "2040-01-01",
      });
      expect(far.status).toBe(201);
      const rotated = await api.post(`/personal_access_tokens/${res.body.id}/rotate`, {});
      expect(rotated.body.expires_at).toBeNull();
    });

    it("enforces expiry on service account tokens by default", async () => {
      const res = await api.post(`/users/${ids.sa}/personal_access_tokens`, { name: "sa", scopes: ["api"] });
      expect(res.body.expires_at).toBe("2031-01-15");
    });
  });
});
