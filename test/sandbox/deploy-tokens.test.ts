/**
 * Deploy tokens over HTTP (gitlabhq lib/api/deploy_tokens.rb): a project's and a group's
 * create, list (with `active`), get, delete; the administrators' instance list; GitLab's
 * permissions, validation bodies and the default username — and the same routes driven by
 * @gitbeaker/rest's DeployTokens, unchanged.
 */
import { Gitlab } from "@gitbeaker/rest";
import { type Sandbox, startSandbox } from "../../sandbox";
import { Client, ROLES_SEED } from "./helpers";

type Kind = "projects" | "groups";

describe("sandbox deploy tokens", () => {
  let sandbox: Sandbox;
  let api: Client;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: ROLES_SEED, now: "2030-01-15T08:00:00Z", freezeClock: true });
    api = new Client(sandbox.url, sandbox.adminToken);
    for (const u of ["owner", "maint", "dev"]) tokens[u] = sandbox.mintPersonalToken(u).token;
    tokens.root = sandbox.adminToken;
  });
  afterAll(() => sandbox.stop());

  const at = (kind: Kind) => (kind === "projects" ? "/projects/acme%2Fweb" : "/groups/acme");

  it.each<[Kind, string]>([
    ["projects", "maint"],
    ["projects", "root"],
    ["groups", "owner"],
  ])(
    "%s: %s creates a token with GitLab's default username, gets, lists and deletes it",
    async (kind, who) => {
      const opts = { token: tokens[who] };
      const made = await api.post(
        `${at(kind)}/deploy_tokens`,
        { name: "registry", scopes: ["read_registry", "read_repository"], expires_at: "2030-03-01" },
        opts,
      );
      expect(made.status).toBe(201);
      expect(made.body).toEqual({
        id: expect.any(Number),
        name: "registry",
        username: `gitlab+deploy-token-${made.body.id}`,
        expires_at: "2030-03-01T00:00:00.000Z",
        // GitLab's order (AVAILABLE_SCOPES), not the request's.
        scopes: ["read_repository", "read_registry"],
        revoked: false,
        expired: false,
        token: expect.stringMatching(/^gldt-[A-Za-z0-9_-]{20}$/),
      });
      const shown = await api.get(`${at(kind)}/deploy_tokens/${made.body.id}`, opts);
      expect(shown.status).toBe(200);
      expect(shown.body).not.toHaveProperty("token");
      expect(shown.body.username).toBe(made.body.username);
      const listed = await api.get(`${at(kind)}/deploy_tokens`, opts);
      expect(listed.body.map((t: { id: number }) => t.id)).toContain(made.body.id);
      expect((await api.delete(`${at(kind)}/deploy_tokens/${made.body.id}`, opts)).status).toBe(204);
      // DELETE destroys the row: GitLab no longer knows the token.
      const gone = await api.get(`${at(kind)}/deploy_tokens/${made.body.id}`, opts);
      expect(gone.status).toBe(404);
      expect(gone.body).toEqual({ message: "404 Not found" });
      expect((await api.delete(`${at(kind)}/deploy_tokens/${made.body.id}`, opts)).status).toBe(404);
    },
  );

  it("keeps a given username and no expiry when none is sent; scopes may be comma-separated", async () => {
    const made = await api.post(`${at("projects")}/deploy_tokens`, {
      name: "pkg",
      username: "ci+packages.bot_1",
      scopes: "read_package_registry,write_package_registry",
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({
      username: "ci+packages.bot_1",
      expires_at: null,
      scopes: ["read_package_registry", "write_package_registry"],
    });
  });

  it.each<[string, Record<string, unknown>, unknown]>([
    ["a missing name", { scopes: ["read_repository"] }, { error: "name is missing" }],
    ["an API scope", { name: "x", scopes: ["api"] }, { error: "scopes does not have a valid value" }],
    ["no scope", { name: "x", scopes: [] }, { message: "Scopes can't be blank" }],
    [
      "a username with a space",
      { name: "x", scopes: ["read_repository"], username: "ci bot" },
      { message: "Username can contain only letters, digits, '_', '-', '+', and '.'" },
    ],
  ])("refuses %s with GitLab's 400 body, creating nothing", async (_what, body, error) => {
    const before = (await api.get(`${at("projects")}/deploy_tokens`)).body.length;
    const res = await api.post(`${at("projects")}/deploy_tokens`, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(error);
    expect((await api.get(`${at("projects")}/deploy_tokens`)).body).toHaveLength(before);
  });

  it.each<[Kind, string, number]>([
    ["projects", "dev", 403],
    ["groups", "maint", 200],
  ])(
    "%s: %s may not create or delete deploy tokens (403); reading them answers %d",
    async (kind, who, read) => {
      const opts = { token: tokens[who] };
      const res = await api.post(
        `${at(kind)}/deploy_tokens`,
        { name: "x", scopes: ["read_repository"] },
        opts,
      );
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ message: "403 Forbidden" });
      expect((await api.get(`${at(kind)}/deploy_tokens`, opts)).status).toBe(read);
      const existing = await api.post(`${at(kind)}/deploy_tokens`, {
        name: "kept",
        scopes: ["read_registry"],
      });
      expect((await api.delete(`${at(kind)}/deploy_tokens/${existing.body.id}`, opts)).status).toBe(403);
      expect((await api.get(`${at(kind)}/deploy_tokens/${existing.body.id}`, opts)).status).toBe(read);
    },
  );

  it("lists only active tokens with active=true; the instance list is for administrators", async () => {
    const expired = await api.post(`${at("groups")}/deploy_tokens`, {
      name: "old",
      scopes: ["read_registry"],
      expires_at: "2030-01-10",
    });
    expect(expired.body).toMatchObject({ expired: true, revoked: false });
    const active = (await api.get(`${at("groups")}/deploy_tokens?active=true`)).body.map(
      (t: { id: number }) => t.id,
    );
    expect(active).not.toContain(expired.body.id);
    const all = await api.get("/deploy_tokens?per_page=100");
    expect(all.status).toBe(200);
    expect(all.body.map((t: { id: number }) => t.id)).toContain(expired.body.id);
    expect((await api.get("/deploy_tokens", { token: tokens.owner })).status).toBe(403);
  });

  it("works with @gitbeaker/rest's DeployTokens", async () => {
    const gb = new Gitlab({ host: sandbox.url, token: tokens.owner! });
    const made = await gb.DeployTokens.create("gb", ["read_registry"], {
      groupId: "acme",
      expires_at: "2030-02-01",
      username: "gb-user",
    });
    expect(made).toMatchObject({ name: "gb", username: "gb-user", token: expect.stringMatching(/^gldt-/) });
    expect((await gb.DeployTokens.show(made.id, { groupId: "acme" })).username).toBe("gb-user");
    expect((await gb.DeployTokens.all({ groupId: "acme" })).map((t) => t.id)).toContain(made.id);
    await gb.DeployTokens.remove(made.id, { groupId: "acme" });
    expect((await gb.DeployTokens.all({ groupId: "acme" })).map((t) => t.id)).not.toContain(made.id);
  });
});
