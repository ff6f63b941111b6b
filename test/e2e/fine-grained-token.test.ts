/**
 * End to end with the real `pulumi` binary: a fine-grained personal access token (`granular:`, GitLab
 * 19.6's `granular_scopes` on `POST /users/:id/personal_access_tokens`) for a service account, with
 * an administrator's credential. `up` makes it with the permissions declared and no legacy scopes,
 * the groups and projects looked up by path; a change of permissions replaces it create-before-delete;
 * `rotateWhenChanged` rotates it with the same permissions; a bad declaration stops before any API
 * call with the file, line, token and field; a GitLab that does not make fine-grained tokens gets a
 * message that says so and is left with nothing; no token value reaches the CLI's output or the state.
 */
import { expectNoSecrets, ok, startE2E, tokenValues, type E2E } from "./helpers";

jest.setTimeout(600_000);

const declarations = (permissions: string, reason = "initial") => `
tokens:
  release-bot:
    kind: personal
    user: provisioner
    serviceAccount: true
    granular:
      - access: selected_memberships
        projects: [acme/web]
        groups: [acme]
        permissions: [${permissions}]
      - access: user
        permissions: [create_chat_completion]
    lifetimeDays: 30
    justification: "publishes releases of acme/web"
    rotateWhenChanged: { reason: "${reason}" }
    deliverTo:
      - project: acme/web
        variable: RELEASE_TOKEN
`;

const CREATE = "POST /api/v4/users/:user_id/personal_access_tokens";

describe("a fine-grained personal access token (granular:)", () => {
  let e2e: E2E;
  const secrets = new Set<string>();

  beforeAll(async () => {
    e2e = await startE2E("fine-grained", declarations("read_job, create_release"), { now: new Date() });
    secrets.add(e2e.sandbox.adminToken);
  });

  afterAll(async () => {
    await e2e?.close();
  });

  const up = () => e2e.run(() => e2e.ws.up([], e2e.clockEnv()));
  const token = async () => {
    const value = (await tokenValues(e2e))["release-bot"]!;
    secrets.add(value);
    return { value, info: e2e.sandbox.findTokenByValue(value)! };
  };
  let firstId: number;

  it("1. up makes it with the declared boundaries and permissions, no legacy scopes, and delivers it", async () => {
    e2e.sandbox.resetCounters();
    ok(await up());
    const { value, info } = await token();
    firstId = info.id;
    expect(info).toMatchObject({ granular: true, scopes: ["granular"], revoked: false, active: true });
    expect(info.userId).toBe(e2e.sandbox.user("provisioner")!.id);
    // The group and project were looked up by path: GitLab holds one scope per namespace.
    expect(info.granularScopes).toEqual([
      {
        access: "selected_memberships",
        permissions: ["read_job", "create_release"],
        namespace: { type: "group", id: e2e.sandbox.groupId("acme") },
      },
      {
        access: "selected_memberships",
        permissions: ["read_job", "create_release"],
        namespace: { type: "project", id: e2e.sandbox.projectId("acme/web") },
      },
      { access: "user", permissions: ["create_chat_completion"], namespace: null },
    ]);
    expect(e2e.sandbox.counters().byRoute[CREATE]).toBe(1);
    expect(e2e.sandbox.variableValue("project", "acme/web", "RELEASE_TOKEN")).toBe(value);

    // The state keeps the declaration as written, and no legacy scopes.
    const [r] = await e2e.tokensInState();
    expect(r!.outputs).toMatchObject({ scopes: [], granular: expect.any(Array) });
    expect(JSON.stringify(r!.outputs!.granular)).toContain('"projects":["acme/web"]');
  });

  it("2. an unchanged program makes no call; a change of permissions replaces the token, create-before-delete", async () => {
    e2e.sandbox.resetCounters();
    const same = ok(await e2e.run(() => e2e.ws.preview([], e2e.clockEnv())));
    expect(same.stdout).not.toMatch(/replace/);
    expect(e2e.sandbox.counters().total).toBe(0);

    e2e.writeDeclarations(declarations("read_job, create_release, update_release"));
    const routes: string[] = [];
    const stop = e2e.sandbox.onApiRequest((_n, route) => routes.push(route));
    const r = ok(await up());
    stop();
    expect(r.stdout).toMatch(/release-bot.*replaced/);
    const { value, info } = await token();
    expect(info.id).not.toBe(firstId);
    expect(info.granularScopes![0]!.permissions).toEqual(["read_job", "create_release", "update_release"]);
    const old = e2e.sandbox.listTokens().find((t) => t.id === firstId)!;
    expect(old.revoked).toBe(true);
    // The successor was made before the predecessor was revoked.
    expect(routes.indexOf(CREATE)).toBeGreaterThanOrEqual(0);
    expect(routes.indexOf(CREATE)).toBeLessThan(routes.indexOf("DELETE /api/v4/personal_access_tokens/:id"));
    expect(e2e.sandbox.variableValue("project", "acme/web", "RELEASE_TOKEN")).toBe(value);
    firstId = info.id;
  });

  it("3. rotateWhenChanged rotates it with the same boundaries and permissions", async () => {
    e2e.writeDeclarations(declarations("read_job, create_release, update_release", "2026-12 incident"));
    const r = ok(await up());
    expect(r.stdout).toMatch(/release-bot.*replaced/);
    const { info } = await token();
    expect(info.id).not.toBe(firstId);
    expect(info.granular).toBe(true);
    expect(info.granularScopes!.map((s) => [s.access, s.permissions])).toEqual([
      ["selected_memberships", ["read_job", "create_release", "update_release"]],
      ["selected_memberships", ["read_job", "create_release", "update_release"]],
      ["user", ["create_chat_completion"]],
    ]);
    firstId = info.id;
  });

  it("4. a permission GitLab does not have stops the run before any API call, naming file, line, token and field", async () => {
    e2e.writeDeclarations(declarations("read_job, create_releases"));
    e2e.sandbox.resetCounters();
    const r = await e2e.run(() => e2e.ws.preview([], e2e.clockEnv()));
    expect(r.code).not.toBe(0);
    const output = r.stdout + r.stderr;
    expect(output).toMatch(
      /tokens\.yaml:11: token "release-bot", field "granular\[0\]\.permissions\[1\]": permission "create_releases" is not in GitLab 19\.6's catalogue of fine-grained permissions; did you mean create_release\?/,
    );
    expect(e2e.sandbox.counters().total).toBe(0);
  });

  it("5. a GitLab that does not make fine-grained tokens: the message says so, the old token lives on", async () => {
    e2e.writeDeclarations(declarations("read_job, create_release"));
    e2e.sandbox.updateSettings({ granularPersonalAccessTokens: false });
    try {
      const r = await up();
      expect(r.code).not.toBe(0);
      expect(r.stdout + r.stderr).toMatch(
        /this GitLab does not create fine-grained \(granular:\) tokens for a user through this route: it needs GitLab 19\.6 or newer/,
      );
    } finally {
      e2e.sandbox.updateSettings({ granularPersonalAccessTokens: true });
    }
    const { info } = await token();
    expect(info.id).toBe(firstId);
    expect(info.revoked).toBe(false);
    // No fine-grained token was left behind by the failed replacement.
    expect(e2e.sandbox.listTokens().filter((t) => t.granular && !t.revoked)).toHaveLength(1);
  });

  it("6. destroy revokes it; no token value and not the credential appear in the CLI's output or the state", async () => {
    ok(await e2e.run(() => e2e.ws.destroy([], e2e.clockEnv())));
    expect(e2e.sandbox.listTokens().filter((t) => t.granular && !t.revoked)).toHaveLength(0);
    expect(secrets.size).toBe(4); // the credential and three token values
    expectNoSecrets(e2e, secrets);
  });
});
