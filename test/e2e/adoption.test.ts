/**
 * End to end with the real `pulumi` binary: adopting a token made by hand (`replaces:`). `up` makes
 * the declared token, writes it into the CI/CD variable the hand-made one was in, and only then
 * revokes the hand-made one — found by name on the same target, or by id; the next run makes no
 * call; a token gitlab-tokens manages is never retired this way; no token value reaches the CLI's
 * output or the state.
 */
import { GitLabClient } from "../../components/gitlab/client";
import { addDays } from "../../components/gitlab/facts";
import { expectNoSecrets, ok, startE2E, tokenValues, type E2E } from "./helpers";

jest.setTimeout(600_000);

const declarations = (extra = "") => `
tokens:
  web-ci:
    kind: project
    project: acme/web
    scopes: [read_api]
    accessLevel: reporter
    lifetimeDays: 30
    replaces: legacy-ci
    deliverTo:
      - { project: acme/web, variable: LEGACY_TOKEN }
${extra}`;

/** A second declaration on the same project that takes over token `id`. */
const second = (id: number) => `  web-ci-2:
    kind: project
    project: acme/web
    scopes: [read_api]
    accessLevel: reporter
    lifetimeDays: 30
    replaces: ${id}
`;

const VARIABLE_WRITE = "PUT /api/v4/projects/:id/variables/:key";
const TOKEN_REVOKE = "DELETE /api/v4/projects/:id/access_tokens/:token_id";

describe("adoption: replaces: a token made by hand", () => {
  let e2e: E2E;
  let admin: GitLabClient;
  const secrets = new Set<string>();
  let legacy: { id: number; token: string };

  beforeAll(async () => {
    e2e = await startE2E("adoption", declarations(), { now: new Date() });
    secrets.add(e2e.sandbox.adminToken);
    admin = new GitLabClient({ baseUrl: e2e.sandbox.url, token: e2e.sandbox.adminToken });
    // Made by hand in the UI, long ago, and pasted into a variable.
    const made = await admin.createResourceToken("project", e2e.sandbox.projectId("acme/web")!, {
      name: "legacy-ci",
      scopes: ["read_api"],
      expiresAt: addDays(e2e.sandbox.now(), 300),
      accessLevel: 20,
    });
    legacy = { id: made.id, token: made.token! };
    secrets.add(legacy.token);
    await admin.createVariable("project", "acme/web", "LEGACY_TOKEN", {
      value: legacy.token,
      protected: true,
      masked: true,
      hidden: false,
      raw: true,
      environmentScope: "*",
    });
  });

  afterAll(async () => {
    await e2e?.close();
  });

  const up = () => e2e.run(() => e2e.ws.up([], e2e.clockEnv()));

  it("1. up makes the declared token, delivers it where the old one was, then revokes the old one", async () => {
    const routes: string[] = [];
    const stop = e2e.sandbox.onApiRequest((_n, route) => routes.push(route));
    ok(await up());
    stop();
    const value = (await tokenValues(e2e))["web-ci"]!;
    secrets.add(value);
    expect(e2e.sandbox.variableValue("project", "acme/web", "LEGACY_TOKEN")).toBe(value);
    expect(e2e.sandbox.tokenStatus(value)).toBe("active");
    expect(e2e.sandbox.tokenStatus(legacy.token)).toBe("revoked");
    // The variable held the successor before the old token was revoked.
    expect(routes.indexOf(VARIABLE_WRITE)).toBeGreaterThanOrEqual(0);
    expect(routes.indexOf(VARIABLE_WRITE)).toBeLessThan(routes.indexOf(TOKEN_REVOKE));
    const retirement = (await e2e.ws.resourcesRevealed()).find((r) => r.type.endsWith(":TokenRetirement"))!;
    expect(retirement.outputs).toMatchObject({
      retired: true,
      retiredTokenId: legacy.id,
      retiredName: "legacy-ci",
      replaces: "legacy-ci",
    });
  });

  it("2. the next run plans nothing and calls GitLab zero times", async () => {
    e2e.sandbox.resetCounters();
    const r = ok(await e2e.run(() => e2e.ws.preview([], e2e.clockEnv())));
    expect(r.stdout).not.toMatch(/\+ |~ |\+-/);
    expect(e2e.sandbox.counters().total).toBe(0);
  });

  it("3. a token gitlab-tokens manages is not retired by another declaration: the error says whose it is", async () => {
    const managed = e2e.sandbox.findTokenByValue((await tokenValues(e2e))["web-ci"]!)!;
    e2e.writeDeclarations(declarations(second(managed.id)));
    const r = await up();
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain(
      `project token "web-ci-2": replaces token id ${managed.id} (id ${managed.id}), which gitlab-tokens manages`,
    );
    expect(e2e.sandbox.tokenStatus((await tokenValues(e2e))["web-ci"]!)).toBe("active");
  });

  it("4. replacing a token that is already gone retires nothing and succeeds", async () => {
    e2e.writeDeclarations(declarations(second(legacy.id)));
    ok(await up());
    const retirements = (await e2e.ws.resourcesRevealed()).filter((r) => r.type.endsWith(":TokenRetirement"));
    expect(retirements.map((r) => r.outputs!.retired).sort()).toEqual([false, true]);
    Object.values(await tokenValues(e2e)).forEach((v) => secrets.add(v));
  });

  it("5. destroy revokes the managed tokens; no token value and not the credential appear in the output or the state", async () => {
    ok(await e2e.run(() => e2e.ws.destroy([], e2e.clockEnv())));
    for (const v of secrets)
      if (v !== e2e.sandbox.adminToken) expect(e2e.sandbox.tokenStatus(v)).toBe("revoked");
    expectNoSecrets(e2e, secrets);
  });
});
