/**
 * Who a token acts as, as GitLab shows it: the bot user a project or group access token gets
 * (`project_<id>_bot_<32 hex>`, `group_<id>_bot_<32 hex>`, e-mail `<username>@noreply.<host>`:
 * `app/services/resource_access_tokens/create_service.rb`), `GET /users/:id` with e-mail fields for
 * administrators only (`UserDetailsWithAdmin`; anyone else gets `Entities::User`, even about
 * themself), and `GET /user` by the token itself (`UserPublic`, with `commit_email`), which needs a
 * scope that reads users (`api`, `read_api`, `read_user`).
 */
import { type Sandbox, startSandbox } from "../../sandbox";
import { Client, ROLES_SEED } from "./helpers";

type Kind = "projects" | "groups";

describe("sandbox: the identity of a token's user", () => {
  let sandbox: Sandbox;
  let api: Client;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: ROLES_SEED });
    api = new Client(sandbox.url, sandbox.adminToken);
    for (const u of ["owner", "dev"]) tokens[u] = sandbox.mintPersonalToken(u).token;
  });
  afterAll(() => sandbox.stop());

  const EMAIL_FIELDS = ["email", "commit_email"];

  it.each<[Kind, string]>([
    ["projects", "acme/web"],
    ["groups", "acme"],
  ])("%s: each token gets a new bot user named like GitLab's, with a noreply e-mail", async (kind, path) => {
    const id = kind === "projects" ? sandbox.projectId(path) : sandbox.groupId(path);
    const prefix = kind === "projects" ? "project" : "group";
    const made = await Promise.all(
      ["one", "two"].map((name) =>
        api.post(
          `/${kind}/${encodeURIComponent(path)}/access_tokens`,
          { name, scopes: ["read_api"] },
          {
            token: tokens.owner,
          },
        ),
      ),
    );
    const [a, b] = made.map((r) => r.body as { user_id: number; token: string });
    expect(a!.user_id).not.toBe(b!.user_id);

    // The Owner who made it (not an administrator): the username, no e-mail field at all.
    const seen = await api.get(`/users/${a!.user_id}`, { token: tokens.owner });
    expect(seen.status).toBe(200);
    const username = seen.body.username as string;
    expect(username).toMatch(new RegExp(`^${prefix}_${id}_bot_[0-9a-f]{32}$`));
    expect(seen.body).toMatchObject({ id: a!.user_id, bot: true, public_email: null });
    for (const f of EMAIL_FIELDS) expect(seen.body).not.toHaveProperty(f);

    // An administrator: the e-mail and the commit e-mail (the primary one, as no other is set).
    const asAdmin = await api.get(`/users/${a!.user_id}`);
    const host = new URL(sandbox.url).hostname;
    expect(asAdmin.body).toMatchObject({
      username,
      email: `${username}@noreply.${host}`,
      commit_email: `${username}@noreply.${host}`,
    });

    // The token itself, through GET /user: UserPublic, its own commit e-mail.
    const self = await api.get("/user", { token: a!.token });
    expect(self.status).toBe(200);
    expect(self.body).toMatchObject({
      id: a!.user_id,
      username,
      commit_email: `${username}@noreply.${host}`,
    });
    expect(self.body).not.toHaveProperty("is_admin");
  });

  it("GET /user needs a scope that reads users: a read_repository token is refused with 403", async () => {
    const r = await api.post(
      "/projects/acme%2Fweb/access_tokens",
      { name: "pull", scopes: ["read_repository"] },
      { token: tokens.owner },
    );
    const self = await api.get("/user", { token: r.body.token as string });
    expect(self.status).toBe(403);
    expect(self.body).toMatchObject({ error: "insufficient_scope" });
  });

  it("GET /users/:id shows no e-mail to a user who is not an administrator, even about themself; GET /user does", async () => {
    const dev = sandbox.user("dev")!;
    const byId = await api.get(`/users/${dev.id}`, { token: tokens.dev });
    expect(byId.body).toMatchObject({ id: dev.id, username: "dev" });
    for (const f of EMAIL_FIELDS) expect(byId.body).not.toHaveProperty(f);
    const self = await api.get("/user", { token: tokens.dev });
    expect(self.body).toMatchObject({
      username: "dev",
      email: "dev@example.com",
      commit_email: "dev@example.com",
    });
  });

  it("a service account keeps its user: its tokens share one identity", async () => {
    const gsa = sandbox.user("gsa")!;
    const group = sandbox.groupId("acme");
    const made = await Promise.all(
      ["a", "b"].map((name) =>
        api.post(
          `/groups/${group}/service_accounts/${gsa.id}/personal_access_tokens`,
          { name, scopes: ["read_api"] },
          { token: tokens.owner },
        ),
      ),
    );
    expect(made.map((r) => r.status)).toEqual([201, 201]);
    expect(made.map((r) => r.body.user_id)).toEqual([gsa.id, gsa.id]);
    const seen = await api.get(`/users/${gsa.id}`, { token: tokens.owner });
    expect(seen.body).toMatchObject({ username: "gsa", bot: true });
  });
});
