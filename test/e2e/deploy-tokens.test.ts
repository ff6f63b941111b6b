/**
 * End to end with the real `pulumi` binary: deploy tokens (`kind: deploy`) of a project and of a
 * group, each delivering its token and its username — create, an unchanged up with zero API calls,
 * refresh, rotation by lifetime and by rotateWhenChanged (create-before-delete: the successor made
 * and delivered before the old token is deleted), a create whose response was lost (reconciled
 * through the creation marker GitLab keeps at the end of the name), destroy; no value or credential
 * in the CLI's output, the config or the state files.
 */
import * as fs from "node:fs";
import { ok, startE2E, tokenValues, type E2E } from "./helpers";

jest.setTimeout(900_000);

const declarations = (reason: string) => `
tokens:
  registry:
    kind: deploy
    project: acme/web
    username: ci-registry
    scopes: [read_registry, read_repository]
    lifetimeDays: 30
    rotateBeforeDays: 7
    rotateWhenChanged: { reason: "${reason}" }
    deliverTo:
      - { project: acme/web, variable: REGISTRY_PASSWORD }
      - { project: acme/web, variable: REGISTRY_USER, value: username }
  packages:
    kind: deploy
    group: acme
    scopes: [read_package_registry]
    lifetimeDays: 30
    rotateBeforeDays: 7
    deliverTo:
      - { group: acme, variable: PACKAGES_TOKEN }
      - { group: acme, variable: PACKAGES_USER, value: username }
`;

const PROJECT_ROUTE = "/api/v4/projects/:id/deploy_tokens";
const GROUP_ROUTE = "/api/v4/groups/:id/deploy_tokens";

describe("deploy tokens of a project and a group, token and username delivered", () => {
  let e2e: E2E;
  const secrets = new Set<string>();

  beforeAll(async () => {
    e2e = await startE2E("deploy", declarations("initial"), { now: "2026-12-01T09:00:00Z" });
    secrets.add(e2e.sandbox.adminToken);
  });

  afterAll(async () => {
    await e2e?.close();
  });

  const up = () => e2e.run(() => e2e.ws.up([], e2e.clockEnv()));
  const projectVar = (key: string) => e2e.sandbox.variableValue("project", "acme/web", key);
  const groupVar = (key: string) => e2e.sandbox.variableValue("group", "acme", key);
  /** The variable as GitLab's API shows it (its flags). */
  const variableFlags = async (path: string) => {
    const r = await fetch(`${e2e.sandbox.url}/api/v4/${path}`, {
      headers: { "PRIVATE-TOKEN": e2e.sandbox.adminToken },
    });
    return (await r.json()) as { masked: boolean; hidden: boolean; protected: boolean };
  };
  const values = async () => {
    const v = await tokenValues(e2e);
    for (const value of Object.values(v)) secrets.add(value);
    return v;
  };

  let first: Record<string, string>;

  it("1. up creates both tokens and delivers each token and its username", async () => {
    const r = ok(await up());
    // stack + 2 components + 2 tokens + 4 variables
    expect(r.stdout).toMatch(/\+ 9 created/);
    first = await values();
    const registry = e2e.sandbox.findDeployTokenByValue(first.registry!);
    const packages = e2e.sandbox.findDeployTokenByValue(first.packages!);
    expect(registry).toMatchObject({
      sourceType: "project",
      sourceId: e2e.sandbox.projectId("acme/web"),
      username: "ci-registry",
      scopes: ["read_repository", "read_registry"],
      active: true,
    });
    // GitLab keeps no description: the creation marker rides at the end of the name.
    expect(registry?.name).toMatch(/^registry \[gitlab-tokens:[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{7}\]$/);
    expect(packages).toMatchObject({ sourceType: "group", sourceId: e2e.sandbox.groupId("acme") });
    expect(packages?.username).toBe(`gitlab+deploy-token-${packages?.id}`);
    expect(registry?.expiresAt?.slice(0, 10)).toBe("2026-12-31");

    expect(projectVar("REGISTRY_PASSWORD")).toBe(first.registry);
    expect(projectVar("REGISTRY_USER")).toBe("ci-registry");
    expect(groupVar("PACKAGES_TOKEN")).toBe(first.packages);
    expect(groupVar("PACKAGES_USER")).toBe(packages?.username);
    // The token's variable is masked and hidden; the username's is neither (it is not a secret).
    expect(await variableFlags("projects/acme%2Fweb/variables/REGISTRY_USER")).toMatchObject({
      masked: false,
      hidden: false,
      protected: true,
    });
    expect(await variableFlags("projects/acme%2Fweb/variables/REGISTRY_PASSWORD")).toMatchObject({
      hidden: true,
      protected: true,
    });

    const state = Object.fromEntries((await e2e.tokensInState()).map((s) => [s.outputs?.key, s.outputs]));
    expect(state.registry).toMatchObject({
      kind: "deploy",
      targetField: "project",
      identityUsername: "ci-registry",
    });
    expect(state.packages).toMatchObject({ kind: "deploy", targetField: "group", expiresAt: "2026-12-31" });
    expect(state.packages?.userId).toBeUndefined();
  });

  it("2. a second up changes nothing and makes zero GitLab API calls", async () => {
    e2e.sandbox.resetCounters();
    const r = ok(await up());
    expect(r.stdout).toMatch(/9 unchanged/);
    expect(e2e.sandbox.counters().total).toBe(0);
  });

  it("3. refresh reads each token through its own project's or group's route and changes nothing", async () => {
    e2e.sandbox.resetCounters();
    const r = ok(await e2e.run(() => e2e.ws.refresh([], e2e.clockEnv())));
    expect(r.stdout).not.toMatch(/deleted|updated/);
    const calls = e2e.sandbox.counters().byRoute;
    expect(calls[`GET ${PROJECT_ROUTE}/:token_id`]).toBe(1);
    expect(calls[`GET ${GROUP_ROUTE}/:token_id`]).toBe(1);
  });

  it("4. on the rotation day, up rotates both create-before-delete and redelivers token and username", async () => {
    e2e.sandbox.advanceDays(24); // 2026-12-25: 7 days before 2026-12-31
    const order: string[] = [];
    const stop = e2e.sandbox.onApiRequest((_n, route) => {
      if (/deploy_tokens|variables/.test(route) && !route.startsWith("GET ")) order.push(route);
    });
    const r = ok(await up());
    stop();
    expect(r.stdout).toMatch(/registry.*replaced/);
    expect(r.stdout).toMatch(/packages.*replaced/);
    const next = await values();
    expect(next.registry).not.toBe(first.registry);
    // DELETE destroys a deploy token: GitLab no longer knows the old values.
    expect(e2e.sandbox.findDeployTokenByValue(first.registry!)).toBeUndefined();
    expect(e2e.sandbox.findDeployTokenByValue(first.packages!)).toBeUndefined();
    expect(e2e.sandbox.findDeployTokenByValue(next.registry!)?.expiresAt?.slice(0, 10)).toBe("2027-01-24");
    expect(projectVar("REGISTRY_PASSWORD")).toBe(next.registry);
    expect(projectVar("REGISTRY_USER")).toBe("ci-registry");
    const packages = e2e.sandbox.findDeployTokenByValue(next.packages!);
    // A new token has a new id, so GitLab's default username changes — and is redelivered.
    expect(groupVar("PACKAGES_USER")).toBe(packages?.username);
    expect(groupVar("PACKAGES_TOKEN")).toBe(next.packages);
    // Per token: its successor is created and its variables updated before the old one is deleted.
    for (const route of [PROJECT_ROUTE, GROUP_ROUTE]) {
      const created = order.indexOf(`POST ${route}`);
      const deleted = order.indexOf(`DELETE ${route}/:token_id`);
      expect(created).toBeGreaterThanOrEqual(0);
      expect(deleted).toBeGreaterThan(created);
    }
    const lastVariableWrite = Math.max(
      ...order.map((o, i) => (/variables/.test(o) ? i : -1)).filter((i) => i >= 0),
    );
    expect(lastVariableWrite).toBeLessThan(order.lastIndexOf(`DELETE ${GROUP_ROUTE}/:token_id`));
    first = next;
  });

  it("5. rotateWhenChanged replaces only that token, even when GitLab's create response is lost", async () => {
    e2e.sandbox.resetCounters();
    e2e.sandbox.setFaults({ lostResponse: { method: "POST", path: "/deploy_tokens$", times: 1 } });
    e2e.writeDeclarations(declarations("2026-12 incident"));
    const r = ok(await up());
    e2e.sandbox.clearFaults();
    expect(r.stdout).toMatch(/registry.*replaced/);
    expect(r.stdout).not.toMatch(/packages.*replaced/);
    const next = await values();
    expect(next.registry).not.toBe(first.registry);
    expect(next.packages).toBe(first.packages);
    expect(projectVar("REGISTRY_PASSWORD")).toBe(next.registry);
    // The lost create made a token; it was found by its marker and deleted: one live registry token.
    expect(e2e.sandbox.counters().byRoute[`POST ${PROJECT_ROUTE}`]).toBe(2);
    const live = e2e.sandbox.listDeployTokens().filter((t) => t.name.startsWith("registry "));
    expect(live.map((t) => t.id)).toEqual([e2e.sandbox.findDeployTokenByValue(next.registry!)!.id]);
  });

  it("6. destroy deletes both tokens and every variable", async () => {
    ok(await e2e.run(() => e2e.ws.destroy([], e2e.clockEnv())));
    expect(e2e.sandbox.listDeployTokens()).toEqual([]);
    for (const key of ["REGISTRY_PASSWORD", "REGISTRY_USER"]) expect(projectVar(key)).toBeUndefined();
    for (const key of ["PACKAGES_TOKEN", "PACKAGES_USER"]) expect(groupVar(key)).toBeUndefined();
  });

  it("7. no token value and not the credential appear in the CLI's output, the config or the state files", () => {
    expect(secrets.size).toBe(6);
    const places = {
      "the CLI's stdout and stderr": e2e.transcript.join("\n"),
      "the stack config file": fs.readFileSync(e2e.ws.configFile, "utf8"),
      "the state files": e2e.ws.readStateFiles(),
    };
    for (const [where, text] of Object.entries(places)) {
      for (const secret of secrets) {
        if (text.includes(secret)) throw new Error(`a secret (${secret.slice(0, 5)}…) appears in ${where}`);
      }
    }
  });
});
