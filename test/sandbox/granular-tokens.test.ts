/**
 * Fine-grained ("granular") personal access tokens over HTTP: `granular_scopes` on
 * `POST /users/:user_id/personal_access_tokens` (GitLab 19.6+) and `POST /user/personal_access_tokens`
 * (19.2+), Grape's `exactly_one_of :scopes, :granular_scopes`, the scopes built from them
 * (`build_granular_scopes`), CreateGranularService's and GranularScopeService's refusals, the
 * `granular` and `granular_scopes` fields, rotation, the setting that turns them off, and the
 * service-account routes that do not take them.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Sandbox, startSandbox } from "../../sandbox";
import { Client, ROLES_SEED } from "./helpers";

const TODAY = "2030-01-15";

describe("sandbox fine-grained personal access tokens", () => {
  let sandbox: Sandbox;
  let api: Client;
  let ids: Record<string, number>;
  let acme: number;
  let platform: number;
  let other: number;
  let web: number;
  let apiProject: number;

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: ROLES_SEED, now: `${TODAY}T12:00:00Z`, freezeClock: true });
    api = new Client(sandbox.url, sandbox.adminToken);
    ids = Object.fromEntries(
      ["root", "owner", "maint", "dev", "outsider", "gsa"].map((u) => [u, sandbox.user(u)?.id ?? -1]),
    );
    acme = sandbox.groupId("acme") ?? -1;
    platform = sandbox.groupId("acme/platform") ?? -1;
    other = sandbox.groupId("other") ?? -1;
    web = sandbox.projectId("acme/web") ?? -1;
    apiProject = sandbox.projectId("acme/api") ?? -1;
  });
  afterAll(() => sandbox.stop());

  const create = (userId: number | undefined, body: Record<string, unknown>, token?: string) =>
    api.post(`/users/${userId}/personal_access_tokens`, { name: "fine", ...body }, token ? { token } : {});
  const selected = (permissions: string[], ids: { group_ids?: unknown; project_ids?: unknown }) => ({
    access: "selected_memberships",
    permissions,
    ...ids,
  });

  describe("POST /users/:user_id/personal_access_tokens with granular_scopes (admin)", () => {
    it("makes a granular token: scopes [granular], granular true, no granular_scopes in the create response", async () => {
      const res = await create(ids.maint, {
        description: "fine-grained",
        expires_at: "2030-03-01",
        granular_scopes: [selected(["read_job"], { group_ids: [acme, platform], project_ids: [web] })],
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        name: "fine",
        active: true,
        revoked: false,
        expired: false,
        granular: true,
        created_at: "2030-01-15T12:00:00.000Z",
        description: "fine-grained",
        scopes: ["granular"],
        user_id: ids.maint,
        last_used_at: null,
        expires_at: "2030-03-01",
        token: expect.stringMatching(/^glpat-[A-Za-z0-9_-]{20}$/),
      });
      // gitlab-org/gitlab#632314: the create response omits granular_scopes; GET shows them.
      expect(res.body).not.toHaveProperty("granular_scopes");
      const got = await api.get(`/personal_access_tokens/${res.body.id}`);
      expect(got.body).toMatchObject({ granular: true, scopes: ["granular"] });
      // selected_memberships: one scope per group (then per project), each on its namespace.
      expect(got.body.granular_scopes).toEqual([
        { access: "selected_memberships", permissions: ["read_job"], project_id: null, group_id: acme },
        { access: "selected_memberships", permissions: ["read_job"], project_id: null, group_id: platform },
        { access: "selected_memberships", permissions: ["read_job"], project_id: web, group_id: null },
      ]);
      expect(sandbox.findTokenByValue(res.body.token)?.granular).toBe(true);
    });

    it("gives personal_projects the user's namespace (shown as no project, no group) and the others none", async () => {
      const res = await create(ids.dev, {
        granular_scopes: [
          { access: "personal_projects", permissions: ["read_job", "delete_artifact"] },
          // project_ids are used only by selected_memberships.
          { access: "all_memberships", permissions: ["read_job"], project_ids: [apiProject] },
        ],
      });
      expect(res.status).toBe(201);
      expect(res.body.expires_at).toBe("2031-01-15");
      const got = await api.get(`/personal_access_tokens/${res.body.id}`);
      expect(got.body.granular_scopes).toEqual([
        {
          access: "personal_projects",
          permissions: ["read_job", "delete_artifact"],
          project_id: null,
          group_id: null,
        },
        { access: "all_memberships", permissions: ["read_job"], project_id: null, group_id: null },
      ]);
      const instance = await create(ids.root, {
        granular_scopes: [{ access: "instance", permissions: ["read_job"] }],
      });
      expect(instance.status).toBe(201);
    });

    it("takes project_ids and group_ids as comma-separated strings, and counts a repeated id once", async () => {
      const res = await create(ids.maint, {
        granular_scopes: [
          selected(["read_job"], { project_ids: `${apiProject},${web},${web}`, group_ids: String(acme) }),
        ],
      });
      expect(res.status).toBe(201);
      const got = await api.get(`/personal_access_tokens/${res.body.id}`);
      expect(
        got.body.granular_scopes.map((s: { project_id: number; group_id: number }) => [
          s.group_id,
          s.project_id,
        ]),
      ).toEqual([
        [acme, null],
        [null, Math.min(web, apiProject)],
        [null, Math.max(web, apiProject)],
      ]);
    });

    it("checks membership for the token's user, not the administrator", async () => {
      // root is a member of no group; outsider owns `other`.
      const res = await create(ids.outsider, {
        granular_scopes: [selected(["read_job"], { group_ids: [other] })],
      });
      expect(res.status).toBe(201);
      const forRoot = await create(ids.root, {
        granular_scopes: [selected(["read_job"], { group_ids: [other] })],
      });
      expect(forRoot.status).toBe(404);
    });

    it.each([
      [
        "neither scopes nor granular_scopes",
        {},
        { error: "scopes, granular_scopes are missing, exactly one parameter must be provided" },
      ],
      [
        "both scopes and granular_scopes",
        { scopes: ["api"], granular_scopes: [{ access: "user", permissions: ["read_job"] }] },
        { error: "scopes, granular_scopes are mutually exclusive" },
      ],
      [
        "an unknown access",
        { granular_scopes: [{ access: "everything", permissions: ["read_job"] }] },
        { error: "granular_scopes[0][access] does not have a valid value" },
      ],
      [
        "a scope without access or permissions",
        { granular_scopes: [{ access: "user", permissions: ["read_job"] }, {}] },
        { error: "granular_scopes[1][access] is missing, granular_scopes[1][permissions] is missing" },
      ],
      [
        "permissions that are not an array",
        { granular_scopes: [{ access: "user", permissions: "read_job" }] },
        { error: "granular_scopes[0][permissions] is invalid" },
      ],
      [
        "project_ids that are not integers",
        { granular_scopes: [selected(["read_job"], { project_ids: { a: 1 } })] },
        { error: "granular_scopes[0][project_ids] is invalid" },
      ],
      [
        "granular_scopes that is not an array",
        { granular_scopes: "user" },
        { error: "granular_scopes is invalid" },
      ],
    ])("refuses %s (400, Grape)", async (_case, body, error) => {
      const res = await create(ids.dev, body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(error);
    });

    it.each([
      ["no scope at all", [], { message: "At least one granular scope must be provided" }],
      [
        "selected_memberships with no ids",
        [selected(["read_job"], {})],
        { message: "At least one granular scope must be provided" },
      ],
      [
        "selected_memberships naming only ids that do not exist (Group.id_in skips them)",
        [selected(["read_job"], { group_ids: [999_999], project_ids: [999_998] })],
        { message: "At least one granular scope must be provided" },
      ],
      [
        "two scopes without a namespace (user and instance)",
        [
          { access: "user", permissions: ["read_job"] },
          { access: "instance", permissions: ["read_job"] },
        ],
        { message: "The token cannot have multiple instance-level granular scopes" },
      ],
      [
        "a permission GitLab does not know",
        [{ access: "user", permissions: ["read_job", "read_everything"] }],
        { message: "Validation failed: Permissions must be a valid json schema" },
      ],
    ])("refuses %s (400) and stores nothing", async (_case, granular, error) => {
      const before = sandbox.listTokens().length;
      const res = await create(ids.maint, { granular_scopes: granular });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(error);
      expect(sandbox.listTokens().length).toBe(before);
    });

    it("refuses two scopes on one group (400: GranularScopeService#validate_unique_namespace)", async () => {
      const res = await create(ids.maint, {
        granular_scopes: [
          selected(["read_job"], { group_ids: [acme] }),
          selected(["delete_artifact"], { group_ids: [acme] }),
        ],
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        message: "The token cannot have multiple granular scopes for the same namespace",
      });
    });

    it("answers 404 for a project or group the user is not a member of", async () => {
      const before = sandbox.listTokens().length;
      const res = await create(ids.dev, {
        granular_scopes: [selected(["read_job"], { project_ids: [apiProject] })],
      });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ message: "404 Not Found" });
      const group = await create(ids.dev, {
        granular_scopes: [selected(["read_job"], { group_ids: [acme] })],
      });
      expect(group.status).toBe(404);
      expect(sandbox.listTokens().length).toBe(before);
    });

    it("keeps the token's own validations (422), and the administrator-only rule (403)", async () => {
      const blank = await create(ids.dev, {
        name: "",
        granular_scopes: [{ access: "user", permissions: ["read_job"] }],
      });
      expect(blank.status).toBe(422);
      expect(blank.body).toEqual({ message: "Name can't be blank" });
      const { token } = sandbox.mintPersonalToken("maint", { scopes: ["api"] });
      const forbidden = await create(
        ids.dev,
        { granular_scopes: [{ access: "user", permissions: ["read_job"] }] },
        token,
      );
      expect(forbidden.status).toBe(403);
    });
  });

  describe("POST /user/personal_access_tokens with granular_scopes", () => {
    it("makes a granular token for the credential's own user", async () => {
      const { token } = sandbox.mintPersonalToken("dev", { scopes: ["api"] });
      const res = await api.post(
        "/user/personal_access_tokens",
        { name: "mine", granular_scopes: [selected(["read_job"], { project_ids: [web] })] },
        { token },
      );
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        user_id: ids.dev,
        granular: true,
        scopes: ["granular"],
        expires_at: "2031-01-15",
      });
      expect(res.body).not.toHaveProperty("granular_scopes");
      const notMember = await api.post(
        "/user/personal_access_tokens",
        { name: "mine", granular_scopes: [selected(["read_job"], { project_ids: [apiProject] })] },
        { token },
      );
      expect(notMember.status).toBe(404);
    });

    it("still allows only k8s_proxy as a legacy scope, and wants exactly one of the two", async () => {
      const { token } = sandbox.mintPersonalToken("dev", { scopes: ["api"] });
      const legacy = await api.post(
        "/user/personal_access_tokens",
        { name: "k", scopes: ["api"] },
        { token },
      );
      expect(legacy.body).toEqual({ error: "scopes does not have a valid value" });
      const neither = await api.post("/user/personal_access_tokens", { name: "k" }, { token });
      expect(neither.body).toEqual({
        error: "scopes, granular_scopes are missing, exactly one parameter must be provided",
      });
    });
  });

  describe("reading granular tokens", () => {
    let granular: { id: number; token: string };
    let legacyId: number;

    beforeAll(async () => {
      const res = await api.post("/service_accounts", { username: "fine-sa", name: "Fine" });
      const made = await create(res.body.id, {
        name: "fine-grained",
        granular_scopes: [{ access: "user", permissions: ["read_job"] }],
      });
      granular = made.body;
      legacyId = sandbox.mintPersonalToken("fine-sa", { name: "classic", scopes: ["read_api"] }).id;
    });

    it("lists them with granular, scopes [granular] and granular_scopes (the audit's read)", async () => {
      const user = sandbox.user("fine-sa")?.id;
      const res = await api.get(`/personal_access_tokens?user_id=${user}`);
      expect(res.status).toBe(200);
      const byName = Object.fromEntries(res.body.map((t: { name: string }) => [t.name, t]));
      expect(byName["fine-grained"]).toMatchObject({
        granular: true,
        scopes: ["granular"],
        granular_scopes: [{ access: "user", permissions: ["read_job"], project_id: null, group_id: null }],
      });
      // A legacy token says granular: false and has no granular_scopes.
      expect(byName.classic.granular).toBe(false);
      expect(byName.classic).not.toHaveProperty("granular_scopes");
      expect(byName.classic.id).toBe(legacyId);
    });

    it("shows them on GET /personal_access_tokens/self", async () => {
      const res = await api.get("/personal_access_tokens/self", { token: granular.token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: granular.id,
        granular: true,
        granular_scopes: [{ access: "user" }],
      });
    });

    it("keeps them on rotation (rotate by id shows them on the successor)", async () => {
      const res = await api.post(`/personal_access_tokens/${granular.id}/rotate`, {
        expires_at: "2030-06-01",
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        name: "fine-grained",
        granular: true,
        scopes: ["granular"],
        expires_at: "2030-06-01",
        granular_scopes: [{ access: "user", permissions: ["read_job"], project_id: null, group_id: null }],
      });
      expect(res.body.id).not.toBe(granular.id);
      const got = await api.get(`/personal_access_tokens/${res.body.id}`);
      expect(got.body.granular_scopes).toEqual([
        { access: "user", permissions: ["read_job"], project_id: null, group_id: null },
      ]);
      expect(sandbox.tokenStatus(granular.token)).toBe("revoked");
    });

    it("shows granular: false on project and group access tokens", async () => {
      const res = await api.post(`/projects/${web}/access_tokens`, { name: "bot", scopes: ["read_api"] });
      expect(res.body.granular).toBe(false);
    });
  });

  describe("the setting granularPersonalAccessTokens", () => {
    afterEach(() => sandbox.updateSettings({ granularPersonalAccessTokens: true }));

    it("off: a create with granular_scopes answers 404 on both routes; legacy tokens still work", async () => {
      sandbox.updateSettings({ granularPersonalAccessTokens: false });
      const body = { granular_scopes: [{ access: "user", permissions: ["read_job"] }] };
      const admin = await create(ids.dev, body);
      expect(admin.status).toBe(404);
      expect(admin.body).toEqual({ message: "404 Not Found" });
      const { token } = sandbox.mintPersonalToken("dev", { scopes: ["api"] });
      const own = await api.post("/user/personal_access_tokens", { name: "x", ...body }, { token });
      expect(own.status).toBe(404);
      const legacy = await create(ids.dev, { scopes: ["read_api"] });
      expect(legacy.status).toBe(201);
      expect(legacy.body.granular).toBe(false);
    });
  });

  it("keeps a granular token's scopes in the data file across a restart", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sandbox-granular-"));
    const dataFile = path.join(dir, "state.json");
    const adminToken = "glpat-granularadmin00000";
    try {
      const first = await startSandbox({
        dataFile,
        adminToken,
        now: `${TODAY}T12:00:00Z`,
        freezeClock: true,
      });
      const made = await new Client(first.url, adminToken).post(
        `/users/${first.user("alice")?.id}/personal_access_tokens`,
        { name: "kept", granular_scopes: [{ access: "personal_projects", permissions: ["read_job"] }] },
      );
      expect(made.status).toBe(201);
      await first.stop();
      const second = await startSandbox({ dataFile, adminToken });
      try {
        const got = await new Client(second.url, adminToken).get(`/personal_access_tokens/${made.body.id}`);
        expect(got.body).toMatchObject({
          granular: true,
          scopes: ["granular"],
          granular_scopes: [
            { access: "personal_projects", permissions: ["read_job"], project_id: null, group_id: null },
          ],
        });
      } finally {
        await second.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("service-account token routes take legacy scopes only", () => {
    it("drops granular_scopes (not declared): scopes is missing", async () => {
      const body = { name: "sa", granular_scopes: [{ access: "user", permissions: ["read_job"] }] };
      const group = await api.post(
        `/groups/${acme}/service_accounts/${ids.gsa}/personal_access_tokens`,
        body,
      );
      expect(group.status).toBe(400);
      expect(group.body).toEqual({ error: "scopes is missing" });
      const account = await api.post(`/projects/${web}/service_accounts`, { name: "Web SA" });
      const project = await api.post(
        `/projects/${web}/service_accounts/${account.body.id}/personal_access_tokens`,
        body,
      );
      expect(project.status).toBe(400);
      expect(project.body).toEqual({ error: "scopes is missing" });
    });
  });
});
