/** Seeds: the default one, files in YAML and JSON, known token values, settings, and clear errors. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type SeedFile, startSandbox } from "../../sandbox";
import { Client } from "./helpers";

describe("sandbox seed", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sandbox-seed-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("seeds an admin, a regular user, group acme with acme/web and acme/api, and an instance service account", async () => {
    const sandbox = await startSandbox();
    try {
      const api = new Client(sandbox.url, sandbox.adminToken);
      expect(sandbox.user("root")).toMatchObject({ admin: true, kind: "human" });
      expect(sandbox.user("alice")).toMatchObject({ admin: false, kind: "human" });
      const sas = await api.get("/service_accounts");
      expect(sas.body.map((u: { username: string }) => u.username)).toEqual(["provisioner"]);
      const projects = await api.get("/groups/acme");
      expect(projects.body.full_path).toBe("acme");
      expect((await api.get("/projects/acme%2Fweb")).status).toBe(200);
      expect((await api.get("/projects/acme%2Fapi")).status).toBe(200);
      const members = await api.get("/groups/acme/members");
      expect(
        members.body.map((m: { username: string; access_level: number }) => [m.username, m.access_level]),
      ).toEqual([
        ["alice", 50],
        ["provisioner", 40],
      ]);
      expect(sandbox.listTokens().map((t) => [t.name, t.scopes, t.expiresAt])).toEqual([
        ["sandbox-admin", ["api"], null],
      ]);
    } finally {
      await sandbox.stop();
    }
  });

  it("reads a YAML seed with known token values, bots, variables and settings", async () => {
    const file = path.join(dir, "seed.yaml");
    fs.writeFileSync(
      file,
      `
settings:
  maxPersonalAccessTokenLifetimeDays: 30
users:
  - username: admin
    admin: true
    tokens:
      - { name: demo, value: glpat-demoadminvalue0000, scopes: [api], expiresAt: null }
  - username: gsa
    serviceAccount: true
    group: corp
  - username: psa
    project: corp/site
groups:
  - path: corp
    variables:
      - { key: GROUP_VAR, value: hidden-value-123, hidden: true }
projects:
  - path: corp/site
    visibility: internal
    accessTokens:
      - { name: deploy, value: glpat-deploybotvalue0000, scopes: [read_api], accessLevel: reporter, expiresAt: 2099-12-31 }
    variables:
      - { key: PLAIN, value: "1", environmentScope: production }
`,
    );
    const sandbox = await startSandbox({ seed: file, now: "2030-01-01T00:00:00Z" });
    try {
      const api = new Client(sandbox.url, "glpat-demoadminvalue0000");
      expect((await api.get("/user")).body.username).toBe("admin");
      const bot = await api.get("/projects/corp%2Fsite/access_tokens");
      expect(bot.body).toMatchObject([{ name: "deploy", access_level: 20, expires_at: "2099-12-31" }]);
      const asBot = await api.get("/projects/corp%2Fsite", { token: "glpat-deploybotvalue0000" });
      expect(asBot.body.visibility).toBe("internal");
      expect((await api.get("/groups/corp/variables/GROUP_VAR")).body).toMatchObject({
        value: null,
        hidden: true,
        masked: true,
      });
      expect((await api.get("/projects/corp%2Fsite/variables/PLAIN")).body.environment_scope).toBe(
        "production",
      );
      const gsa = await api.get("/groups/corp/service_accounts");
      expect(gsa.body.map((u: { username: string }) => u.username)).toEqual(["gsa"]);
      const psa = await api.get("/projects/corp%2Fsite/service_accounts");
      expect(psa.body.map((u: { username: string }) => u.username)).toEqual(["psa"]);
      expect((await api.get("/service_accounts")).body).toEqual([]);
      const tooLong = await api.post(`/users/${sandbox.user("gsa")?.id}/personal_access_tokens`, {
        name: "x",
        scopes: ["api"],
        expires_at: "2030-02-01",
      });
      expect(tooLong.body).toEqual({ message: "Expiration date must be before 2030-01-31" });
    } finally {
      await sandbox.stop();
    }
  });

  it("reads a JSON seed", async () => {
    const file = path.join(dir, "seed.json");
    const seed: SeedFile = {
      users: [{ username: "j", admin: true }],
      groups: [{ path: "g" }],
      projects: [{ path: "g/p" }],
    };
    fs.writeFileSync(file, JSON.stringify(seed));
    const sandbox = await startSandbox({ seed: file, adminToken: "glpat-jsonseedadmin00000" });
    try {
      expect(sandbox.adminToken).toBe("glpat-jsonseedadmin00000");
      expect(sandbox.projectId("g/p")).toBe(1);
    } finally {
      await sandbox.stop();
    }
  });

  it("accepts the seed example documented in sandbox/README.md", async () => {
    const readme = fs.readFileSync(path.join(__dirname, "../../sandbox/README.md"), "utf8");
    const example = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const file = path.join(dir, "readme-seed.yaml");
    fs.writeFileSync(file, example ?? "");
    const sandbox = await startSandbox({ seed: file, now: "2030-01-01T00:00:00Z" });
    try {
      const api = new Client(sandbox.url, "glpat-demo0000000000000000");
      expect((await api.get("/projects/acme%2Fweb/access_tokens")).body[0]).toMatchObject({
        name: "deploy",
        access_level: 20,
      });
      expect((await api.get("/groups/acme/variables/REGISTRY")).body.value).toBe("registry.example.com");
      expect((await api.get("/groups/acme/service_accounts")).body[0].username).toBe("acme-ci");
    } finally {
      await sandbox.stop();
    }
  });

  it.each<[string, unknown, RegExp]>([
    ["an unknown key", { users: [{ username: "a", admin: true, role: "x" }] }, /users\.0: Unrecognized key/],
    [
      "a member not in users",
      { users: [{ username: "a", admin: true }], groups: [{ path: "g", members: { b: 40 } }] },
      /member b is not in the seed's users/,
    ],
    [
      "a project without its group",
      { users: [{ username: "a", admin: true }], projects: [{ path: "g/p" }] },
      /group g is not in the seed/,
    ],
    [
      "a bad access level",
      { users: [{ username: "a", admin: true }], groups: [{ path: "g", members: { a: "boss" } }] },
      /groups\.0\.members\.a/,
    ],
    [
      "a bad date",
      {
        users: [{ username: "a", admin: true, tokens: [{ name: "t", scopes: ["api"], expiresAt: "soon" }] }],
      },
      /expected a date/,
    ],
    ["no admin", { users: [{ username: "a" }] }, /no admin user/],
    [
      "a duplicate username",
      { users: [{ username: "a", admin: true }, { username: "A" }] },
      /Username has already been taken/,
    ],
  ])("refuses %s", async (_case, seed, message) => {
    await expect(startSandbox({ seed: seed as SeedFile })).rejects.toThrow(message);
  });
});
