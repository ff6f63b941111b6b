/** Users, groups, projects and members: what clients use to resolve names to ids. */
import { type Sandbox, startSandbox } from "../../sandbox";
import { Client, ROLES_SEED } from "./helpers";

describe("sandbox users, groups, projects", () => {
  let sandbox: Sandbox;
  let api: Client;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: ROLES_SEED });
    api = new Client(sandbox.url, sandbox.adminToken);
    for (const u of ["dev", "outsider"]) tokens[u] = sandbox.mintPersonalToken(u).token;
  });
  afterAll(() => sandbox.stop());

  it("GET /user shows the current user, with is_admin for admins", async () => {
    const me = await api.get("/user");
    expect(me.body).toMatchObject({
      username: "root",
      name: "Administrator",
      is_admin: true,
      bot: false,
      state: "active",
    });
    const dev = await api.get("/user", { token: tokens.dev });
    expect(dev.body).toMatchObject({ username: "dev", email: "dev@example.com" });
    expect(dev.body.is_admin).toBeUndefined();
  });

  it("GET /users?username= finds a user; /users/:id shows one; unknown → 404", async () => {
    const found = await api.get("/users?username=DEV", { token: tokens.outsider });
    expect(found.body).toHaveLength(1);
    expect(found.body[0].username).toBe("dev");
    const one = await api.get(`/users/${found.body[0].id}`, { token: tokens.outsider });
    expect(one.body).toMatchObject({ id: found.body[0].id, username: "dev" });
    expect(one.body.email).toBeUndefined();
    const missing = await api.get("/users/99999");
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ message: "404 User Not Found" });
    expect((await api.get("/users/abc")).body).toEqual({ error: "id is invalid" });
  });

  it("resolves projects and groups by id or URL-encoded full path", async () => {
    const byPath = await api.get("/projects/acme%2Fweb");
    expect(byPath.body).toMatchObject({
      name: "Web",
      path: "web",
      path_with_namespace: "acme/web",
      name_with_namespace: "ACME / Web",
      namespace: { full_path: "acme", kind: "group" },
      web_url: `${sandbox.url}/acme/web`,
    });
    const byId = await api.get(`/projects/${byPath.body.id}`);
    expect(byId.body.path_with_namespace).toBe("acme/web");
    const sub = await api.get("/groups/acme%2Fplatform");
    expect(sub.body).toMatchObject({
      full_path: "acme/platform",
      full_name: "ACME / Platform",
      parent_id: sandbox.groupId("acme"),
    });
  });

  it.each([
    ["/projects/acme%2Fnope", "404 Project Not Found"],
    ["/projects/99999", "404 Project Not Found"],
    ["/groups/nope", "404 Group Not Found"],
  ])("GET %s → 404", async (path, message) => {
    const res = await api.get(path);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ message });
  });

  it("hides private projects and groups from non-members (404), shows them to members", async () => {
    expect((await api.get("/projects/acme%2Fweb", { token: tokens.outsider })).status).toBe(404);
    expect((await api.get("/groups/acme", { token: tokens.outsider })).status).toBe(404);
    expect((await api.get("/projects/acme%2Fweb", { token: tokens.dev })).status).toBe(200);
    expect((await api.get("/groups/acme", { token: tokens.dev })).status).toBe(200);
    expect((await api.get("/projects/acme%2Fapi", { token: tokens.dev })).status).toBe(404);
    const projects = await api.get("/projects", { token: tokens.dev });
    expect(projects.body.map((p: { path_with_namespace: string }) => p.path_with_namespace)).toEqual([
      "acme/web",
    ]);
    const anonymous = await api.get("/projects", { token: null });
    expect(anonymous.body).toEqual([]);
  });

  it("lists groups and projects for an admin with search and ordering", async () => {
    const groups = await api.get("/groups");
    expect(groups.body.map((g: { full_path: string }) => g.full_path)).toEqual([
      "acme",
      "other",
      "acme/platform",
    ]);
    const top = await api.get("/groups?top_level_only=true&order_by=path&sort=desc");
    expect(top.body.map((g: { full_path: string }) => g.full_path)).toEqual(["other", "acme"]);
    const search = await api.get("/projects?search=too");
    expect(search.body.map((p: { path_with_namespace: string }) => p.path_with_namespace)).toEqual([
      "other/tool",
    ]);
  });

  it("shows direct and inherited members with their access levels", async () => {
    const direct = await api.get("/projects/acme%2Fweb/members");
    expect(
      direct.body.map((m: { username: string; access_level: number }) => [m.username, m.access_level]),
    ).toEqual([["dev", 30]]);
    const all = await api.get("/projects/acme%2Fweb/members/all");
    expect(
      all.body.map((m: { username: string; access_level: number }) => [m.username, m.access_level]),
    ).toEqual([
      ["owner", 50],
      ["maint", 40],
      ["dev", 30],
    ]);
    const maint = sandbox.user("maint")?.id;
    expect((await api.get(`/projects/acme%2Fweb/members/all/${maint}`)).body.access_level).toBe(40);
    const none = await api.get(`/projects/acme%2Fweb/members/${maint}`);
    expect(none.status).toBe(404);
    expect(none.body).toEqual({ message: "404 Member Not Found" });
  });
});
