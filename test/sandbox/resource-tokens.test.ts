/**
 * Project and group access tokens over HTTP (spec §5, §6): create with the access-level rules, list,
 * get, revoke, rotate, self-rotate — the same table for both kinds where GitLab behaves the same.
 */
import { type Sandbox, startSandbox } from "../../sandbox";
import { Client, ROLES_SEED } from "./helpers";

type Kind = "projects" | "groups";

describe("sandbox project and group access tokens", () => {
  let sandbox: Sandbox;
  let api: Client;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: ROLES_SEED, now: "2030-01-15T08:00:00Z", freezeClock: true });
    api = new Client(sandbox.url, sandbox.adminToken);
    for (const u of ["owner", "maint", "dev", "outsider"]) tokens[u] = sandbox.mintPersonalToken(u).token;
    tokens.root = sandbox.adminToken;
  });
  afterAll(() => sandbox.stop());

  const resource = (kind: Kind) => (kind === "projects" ? "acme%2Fweb" : "acme");
  const create = (kind: Kind, who: string, body: Record<string, unknown>, id = resource(kind)) =>
    api.post(`/${kind}/${id}/access_tokens`, body, { token: tokens[who] });

  describe("create", () => {
    it.each<[Kind, string, number | undefined, number]>([
      ["projects", "owner", 50, 50],
      ["projects", "maint", undefined, 40],
      ["projects", "maint", 30, 30],
      ["projects", "root", 50, 50],
      ["groups", "owner", 50, 50],
      ["groups", "owner", 15, 15],
      ["groups", "root", undefined, 40],
    ])("%s: %s creates a token with access_level %s", async (kind, who, level, expected) => {
      const body: Record<string, unknown> = { name: "ci", scopes: ["read_api", "self_rotate"] };
      if (level !== undefined) body.access_level = level;
      const res = await create(kind, who, body);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        name: "ci",
        scopes: ["read_api", "self_rotate"],
        access_level: expected,
        resource_type: kind === "projects" ? "project" : "group",
        resource_id: kind === "projects" ? sandbox.projectId("acme/web") : sandbox.groupId("acme"),
        expires_at: "2031-01-15",
        active: true,
        revoked: false,
        token: expect.stringMatching(/^glpat-/),
      });
      const bot = await api.get(`/users/${res.body.user_id}`);
      expect(bot.body.username).toMatch(
        new RegExp(`^${kind === "projects" ? "project" : "group"}_\\d+_bot_[0-9a-f]{32}$`),
      );
      expect(bot.body.bot).toBe(true);
      const self = await api.get("/personal_access_tokens/self", { token: res.body.token });
      expect(self.body.id).toBe(res.body.id);
    });

    it("addresses the project by numeric id as well as by path", async () => {
      const res = await create(
        "projects",
        "maint",
        { name: "n", scopes: ["api"] },
        String(sandbox.projectId("acme/web")),
      );
      expect(res.status).toBe(201);
    });

    it.each<[string, Kind, string, Record<string, unknown>, number, unknown]>([
      [
        "a Maintainer asking for an Owner-level project token",
        "projects",
        "maint",
        { access_level: 50 },
        400,
        { message: "400 Bad request - Could not provision owner access to project access token" },
      ],
      [
        "a Developer",
        "projects",
        "dev",
        {},
        400,
        { message: "400 Bad request - User does not have permission to create project access token" },
      ],
      [
        "a Maintainer of the group",
        "groups",
        "maint",
        {},
        400,
        { message: "400 Bad request - User does not have permission to create group access token" },
      ],
      ["a stranger (project)", "projects", "outsider", {}, 404, { message: "404 Project Not Found" }],
      ["a stranger (group)", "groups", "outsider", {}, 404, { message: "404 Group Not Found" }],
      [
        "read_user (not a resource scope)",
        "projects",
        "owner",
        { scopes: ["read_user"] },
        400,
        { error: "scopes does not have a valid value" },
      ],
      [
        "sudo (admin scope)",
        "groups",
        "owner",
        { scopes: ["api", "sudo"] },
        400,
        { error: "scopes does not have a valid value" },
      ],
      [
        "access_level 0",
        "projects",
        "owner",
        { access_level: 0 },
        400,
        { error: "access_level does not have a valid value" },
      ],
      [
        "access_level 60",
        "groups",
        "owner",
        { access_level: 60 },
        400,
        { error: "access_level does not have a valid value" },
      ],
      [
        "a non-numeric access_level",
        "groups",
        "owner",
        { access_level: "owner" },
        400,
        { error: "access_level is invalid" },
      ],
      ["a missing name", "projects", "owner", { name: undefined }, 400, { error: "name is missing" }],
      ["missing scopes", "groups", "owner", { scopes: undefined }, 400, { error: "scopes is missing" }],
      [
        "a bad date",
        "projects",
        "owner",
        { expires_at: "31/01/2030" },
        400,
        { error: "expires_at is invalid" },
      ],
      [
        "a lifetime over 365 days",
        "groups",
        "owner",
        { expires_at: "2031-01-16" },
        400,
        { message: "400 Bad request - Expiration date must be before 2031-01-15" },
      ],
    ])("refuses %s", async (_case, kind, who, extra, status, error) => {
      const before = sandbox.listTokens().length;
      const res = await create(kind, who, { name: "x", scopes: ["api"], ...extra });
      expect(res.status).toBe(status);
      expect(res.body).toEqual(error);
      expect(sandbox.listTokens()).toHaveLength(before);
    });

    it("refuses an empty name with the model's message", async () => {
      const res = await create("projects", "owner", { name: "", scopes: ["api"] });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ message: "400 Bad request - Name can't be blank" });
    });

    it("has no GET .../access_tokens/self: `self` is not an integer token_id (spec §15.11)", async () => {
      const res = await api.get("/projects/acme%2Fweb/access_tokens/self");
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: "token_id is invalid" });
    });

    it("refuses a token minted by a bot", async () => {
      const bot = await create("projects", "owner", { name: "b", scopes: ["api"], access_level: 50 });
      const res = await api.post(
        "/projects/acme%2Fweb/access_tokens",
        { name: "x", scopes: ["api"] },
        { token: bot.body.token },
      );
      expect(res.status).toBe(400);
      expect(res.body.message).toBe(
        "400 Bad request - User does not have permission to create project access token",
      );
    });

    it("gives the bot the token's role: a Guest bot cannot manage variables, a Maintainer bot can", async () => {
      const guest = await create("projects", "owner", { name: "g", scopes: ["api"], access_level: 10 });
      const maint = await create("projects", "owner", { name: "m", scopes: ["api"], access_level: 40 });
      expect((await api.get("/projects/acme%2Fweb/variables", { token: guest.body.token })).status).toBe(403);
      expect((await api.get("/projects/acme%2Fweb/variables", { token: maint.body.token })).status).toBe(200);
      expect((await api.get("/projects/acme%2Fapi", { token: maint.body.token })).status).toBe(404);
    });
  });

  describe.each<Kind>(["projects", "groups"])("%s: list, get, revoke", (kind) => {
    let made: { id: number; token: string };
    beforeAll(async () => {
      const res = await create(kind, "owner", { name: "listed", scopes: ["read_api"], access_level: 20 });
      made = { id: res.body.id, token: res.body.token };
    });

    it("lists the resource's tokens for an admin of it", async () => {
      const res = await api.get(`/${kind}/${resource(kind)}/access_tokens?per_page=100`, {
        token: tokens.owner,
      });
      expect(res.status).toBe(200);
      expect(res.body.find((t: { id: number }) => t.id === made.id)).toMatchObject({
        name: "listed",
        access_level: 20,
        active: true,
      });
      expect(res.body.every((t: { token?: string }) => t.token === undefined)).toBe(true);
      expect(res.headers.get("x-total")).toBe(String(res.body.length));
    });

    it("gets one token", async () => {
      const res = await api.get(`/${kind}/${resource(kind)}/access_tokens/${made.id}`, {
        token: tokens.owner,
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: made.id, access_level: 20 });
    });

    it.each([
      ["a Developer/Maintainer without the right role", "list", 401, { message: "401 Unauthorized" }],
      ["a stranger", "stranger", 404, null],
      ["a token of another resource", "other", 404, null],
      ["an unknown token", "unknown", 404, null],
    ])("GET refuses %s", async (_case, which, status, error) => {
      const who = kind === "projects" ? "dev" : "maint";
      let res;
      if (which === "list") {
        res = await api.get(`/${kind}/${resource(kind)}/access_tokens`, { token: tokens[who] });
      } else if (which === "stranger") {
        res = await api.get(`/${kind}/${resource(kind)}/access_tokens/${made.id}`, {
          token: tokens.outsider,
        });
      } else {
        const other = kind === "projects" ? "acme%2Fapi" : "acme%2Fplatform";
        const id = which === "other" ? made.id : 999_999;
        res = await api.get(`/${kind}/${which === "other" ? other : resource(kind)}/access_tokens/${id}`);
      }
      expect(res.status).toBe(status);
      const thing = kind === "projects" ? "Project" : "Group";
      const expected =
        error ??
        (which === "stranger"
          ? { message: `404 ${thing} Not Found` }
          : { message: `404 ${thing.toLowerCase()} Access Token Not Found` });
      expect(res.body).toEqual(expected);
    });

    it("refuses a revoke by someone without the right role, and an unknown token", async () => {
      const who = kind === "projects" ? "dev" : "maint";
      const name = kind === "projects" ? "Dana Developer" : "Max Maintainer";
      const res = await api.delete(`/${kind}/${resource(kind)}/access_tokens/${made.id}`, {
        token: tokens[who],
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ message: `400 Bad request - ${name} cannot delete listed` });
      const missing = await api.delete(`/${kind}/${resource(kind)}/access_tokens/999999`);
      expect(missing.status).toBe(404);
    });

    it("revokes; the token stays listed as revoked and stops working", async () => {
      const res = await api.delete(`/${kind}/${resource(kind)}/access_tokens/${made.id}`, {
        token: tokens.owner,
      });
      expect(res.status).toBe(204);
      expect(res.text).toBe("");
      const after = await api.get(`/${kind}/${resource(kind)}/access_tokens?state=inactive&per_page=100`);
      expect(after.body.map((t: { id: number }) => t.id)).toContain(made.id);
      expect((await api.get("/user", { token: made.token })).status).toBe(401);
    });
  });

  describe.each<Kind>(["projects", "groups"])("%s: rotation", (kind) => {
    it("rotates by id: new id and value, same name/scopes/level, +7 days, old one revoked", async () => {
      const made = await create(kind, "owner", { name: "rot", scopes: ["api"], access_level: 30 });
      const res = await api.post(
        `/${kind}/${resource(kind)}/access_tokens/${made.body.id}/rotate`,
        undefined,
        {
          token: tokens.owner,
        },
      );
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        name: "rot",
        scopes: ["api"],
        access_level: 30,
        expires_at: "2030-01-22",
      });
      expect(res.body.id).not.toBe(made.body.id);
      expect(res.body.user_id).toBe(made.body.user_id);
      expect(sandbox.tokenStatus(made.body.token)).toBe("revoked");
      expect(sandbox.tokenStatus(res.body.token)).toBe("active");
    });

    it("self-rotates with a self_rotate token of the resource's bot", async () => {
      const made = await create(kind, "owner", { name: "self", scopes: ["self_rotate"] });
      const res = await api.post(
        `/${kind}/${resource(kind)}/access_tokens/self/rotate`,
        { expires_at: "2030-02-15" },
        {
          token: made.body.token,
        },
      );
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: "self", expires_at: "2030-02-15", token: expect.any(String) });
      expect(sandbox.tokenStatus(made.body.token)).toBe("revoked");
    });

    it("refuses self-rotation by a user who is not a bot (405)", async () => {
      const res = await api.post(
        `/${kind}/${resource(kind)}/access_tokens/self/rotate`,
        {},
        { token: tokens.owner },
      );
      expect(res.status).toBe(405);
      expect(res.body).toEqual({ message: "405 Method Not Allowed" });
    });

    it("refuses a revoked token and an unknown one", async () => {
      const made = await create(kind, "owner", { name: "r", scopes: ["api"] });
      await api.delete(`/${kind}/${resource(kind)}/access_tokens/${made.body.id}`);
      const revoked = await api.post(`/${kind}/${resource(kind)}/access_tokens/${made.body.id}/rotate`, {});
      expect(revoked.status).toBe(400);
      expect(revoked.body).toEqual({ message: "400 Bad request - Token already revoked" });
      const unknownAdmin = await api.post(`/${kind}/${resource(kind)}/access_tokens/999999/rotate`, {});
      expect(unknownAdmin.status).toBe(404);
      const unknownOwner = await api.post(
        `/${kind}/${resource(kind)}/access_tokens/999999/rotate`,
        {},
        { token: tokens.owner },
      );
      expect(unknownOwner.status).toBe(401);
    });
  });

  it("refuses a Maintainer rotating an Owner-level project token", async () => {
    const made = await create("projects", "owner", { name: "o", scopes: ["api"], access_level: 50 });
    const res = await api.post(
      `/projects/acme%2Fweb/access_tokens/${made.body.id}/rotate`,
      {},
      { token: tokens.maint },
    );
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      message: "400 Bad request - Not eligible to rotate token with access level higher than the user",
    });
    expect(sandbox.tokenStatus(made.body.token)).toBe("active");
  });

  it("answers 401 to a Developer rotating a project token, and to a group Maintainer rotating a group token", async () => {
    const p = await create("projects", "owner", { name: "p", scopes: ["api"], access_level: 10 });
    const g = await create("groups", "owner", { name: "g", scopes: ["api"], access_level: 10 });
    const r1 = await api.post(
      `/projects/acme%2Fweb/access_tokens/${p.body.id}/rotate`,
      {},
      { token: tokens.dev },
    );
    const r2 = await api.post(`/groups/acme/access_tokens/${g.body.id}/rotate`, {}, { token: tokens.maint });
    expect([r1.status, r2.status]).toEqual([401, 401]);
  });

  it("refuses self-rotation on another resource: 401 when visible, 404 when not", async () => {
    const groupBot = await create("groups", "owner", { name: "gb", scopes: ["api"] });
    const visible = await api.post(
      "/projects/acme%2Fweb/access_tokens/self/rotate",
      {},
      { token: groupBot.body.token },
    );
    expect(visible.status).toBe(401);
    const projectBot = await create("projects", "owner", { name: "pb", scopes: ["api"] });
    const hidden = await api.post(
      "/projects/acme%2Fapi/access_tokens/self/rotate",
      {},
      { token: projectBot.body.token },
    );
    expect(hidden.status).toBe(404);
    expect(hidden.body).toEqual({ message: "404 Project Not Found" });
  });
});
