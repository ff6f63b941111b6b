/**
 * End to end with the real `pulumi` binary: a project service account's personal token (GitLab
 * 18.11+, `ee/lib/api/project_service_accounts.rb`) managed with the credential of a Maintainer of
 * the project who is neither an administrator nor a member of its group. The Maintainer creates the
 * service account (`POST /projects/:id/service_accounts`); `tokens.yaml` names the project
 * (`project:`). Create, an unchanged up with zero API calls, the review of a rotateWhenChanged
 * change, the rotation (create-before-delete, the variable redelivered), the audit with the same
 * credential, refresh, destroy. The sandbox refuses the administrator's and the group's routes to
 * that credential, and no call reaches them: every token call goes through the project's routes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { main as audit } from "../../commands/audit/cli";
import type { Inventory } from "../../commands/audit/inventory";
import { main as review, REPORT_FILE } from "../../commands/review/cli";
import { DEFAULT_SEED } from "../../sandbox";
import { adminPersonalTokenCalls, expectNoSecrets, ok, startE2E, tokenValues, type E2E } from "./helpers";

jest.setTimeout(600_000);

const declarations = (reason: string) => `
tokens:
  web-ci:
    kind: personal
    user: web-ci
    project: acme/web
    serviceAccount: true
    scopes: [read_api]
    lifetimeDays: 30
    owner: team-web
    description: Reads the API for the web release notes
    rotateWhenChanged: { reason: "${reason}" }
    deliverTo:
      - { project: acme/web, variable: WEB_CI_TOKEN }
`;

const PROJECT_ROUTES = "/projects/:id/service_accounts/:user_id/personal_access_tokens";
const GROUP_ROUTES = "/groups/:id/service_accounts/:user_id/personal_access_tokens";

describe("a project service account's token with a project Maintainer's credential (not an administrator)", () => {
  let e2e: E2E;
  let maintainerToken: string;
  const secrets = new Set<string>();
  /** The review's and the audit's reports, for the secret search. */
  const reports: Record<string, string> = {};

  beforeAll(async () => {
    e2e = await startE2E("project-sa", declarations("initial"), {
      now: new Date(),
      seed: {
        ...DEFAULT_SEED,
        users: [...(DEFAULT_SEED.users ?? []), { username: "mara", name: "Mara Maintainer" }],
        // mara maintains acme/web only: no role in the group acme.
        projects: (DEFAULT_SEED.projects ?? []).map((p) =>
          p.path === "acme/web" ? { ...p, members: { mara: "maintainer" } } : p,
        ),
      },
    });
    maintainerToken = e2e.sandbox.mintPersonalToken("mara", { name: "provisioning", scopes: ["api"] }).token;
    await e2e.ws.setConfig("gitlab-tokens:token", maintainerToken, { secret: true });
    secrets.add(maintainerToken);
    secrets.add(e2e.sandbox.adminToken);
  });

  afterAll(async () => {
    await e2e?.close();
  });

  const up = () => e2e.run(() => e2e.ws.up([], e2e.clockEnv()));
  const variable = () => e2e.sandbox.variableValue("project", "acme/web", "WEB_CI_TOKEN");
  const asMaintainer = (method: string, url: string, body?: unknown) =>
    fetch(`${e2e.sandbox.url}/api/v4${url}`, {
      method,
      headers: { "PRIVATE-TOKEN": maintainerToken, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  /** Calls outside the project's service-account routes that a personal token could have gone through. */
  const otherRouteCalls = () => [
    ...adminPersonalTokenCalls(e2e.sandbox),
    ...Object.entries(e2e.sandbox.counters().byRoute).filter(([route]) => route.includes(GROUP_ROUTES)),
  ];

  let first: string;

  it("the Maintainer creates the project's service account; the administrator's and the group's routes refuse this credential", async () => {
    const made = await asMaintainer("POST", "/projects/acme%2Fweb/service_accounts", {
      username: "web-ci",
      name: "Web CI",
    });
    expect(made.status).toBe(201);
    const user = e2e.sandbox.user("web-ci")!;
    for (const url of [
      `/users/${user.id}/personal_access_tokens`,
      `/groups/acme/service_accounts/${user.id}/personal_access_tokens`,
    ]) {
      const r = await asMaintainer("POST", url, { name: "probe", scopes: ["read_api"] });
      expect([url, r.status]).toEqual([url, 403]);
    }
    e2e.sandbox.resetCounters();
  });

  it("1. up creates the token through the project's routes and delivers it", async () => {
    const r = ok(await up());
    expect(r.stdout).toMatch(/\+ 4 created/); // stack + component + token + variable
    first = (await tokenValues(e2e))["web-ci"]!;
    secrets.add(first);
    expect(e2e.sandbox.tokenStatus(first)).toBe("active");
    expect(e2e.sandbox.findTokenByValue(first)).toMatchObject({
      name: "web-ci",
      userId: e2e.sandbox.user("web-ci")!.id,
    });
    expect(variable()).toBe(first);
    expect(e2e.sandbox.counters().byRoute[`POST /api/v4${PROJECT_ROUTES}`]).toBe(1);
    expect(otherRouteCalls()).toEqual([]);
    const [state] = await e2e.tokensInState();
    expect(state?.outputs?.serviceAccountProjectId).toBe(e2e.sandbox.projectId("acme/web"));
    expect(state?.outputs?.serviceAccountGroupId).toBeUndefined();
  });

  it("2. a second up changes nothing and makes zero GitLab API calls", async () => {
    e2e.sandbox.resetCounters();
    const r = ok(await up());
    expect(r.stdout).toMatch(/4 unchanged/);
    expect(e2e.sandbox.counters().total).toBe(0);
  });

  it("3. the review of a rotateWhenChanged change shows the project service account's token rotating", async () => {
    const dir = e2e.ws.root;
    fs.writeFileSync(path.join(dir, "state.json"), (await e2e.ws.exportState()).text);
    const changed = path.join(dir, "tokens.next.yaml");
    fs.writeFileSync(changed, declarations("2026-11 incident"));
    const out: string[] = [];
    const code = review(["--declarations", changed, "--state", "state.json", "--out", "review-out"], {
      cwd: dir,
      env: e2e.clockEnv(),
      stdout: (t) => out.push(t),
      stderr: (t) => out.push(t),
    });
    const report = fs.readFileSync(path.join(dir, "review-out", REPORT_FILE), "utf8");
    reports["the review's report and output"] = `${report}\n${out.join("\n")}`;
    expect([code, out.join("\n")]).toEqual([0, expect.stringMatching(/0 new, 1 rotated/)]);
    expect(report).toMatch(/web-ci[^\n]*personal[^\n]*web-ci/);
    expect(report).toMatch(/rotateWhenChanged/);
  });

  it("4. the rotation runs create-before-delete through the project's routes", async () => {
    e2e.sandbox.resetCounters();
    e2e.writeDeclarations(declarations("2026-11 incident"));
    const r = ok(await up());
    expect(r.stdout).toMatch(/web-ci.*replaced/);
    const next = (await tokenValues(e2e))["web-ci"]!;
    secrets.add(next);
    expect(next).not.toBe(first);
    expect(e2e.sandbox.tokenStatus(next)).toBe("active");
    expect(e2e.sandbox.tokenStatus(first)).toBe("revoked");
    expect(variable()).toBe(next);
    const calls = e2e.sandbox.counters().byRoute;
    expect(calls[`POST /api/v4${PROJECT_ROUTES}`]).toBe(1);
    expect(calls[`DELETE /api/v4${PROJECT_ROUTES}/:token_id`]).toBe(1);
    expect(otherRouteCalls()).toEqual([]);
  });

  it("5. the audit with the same credential lists the token through the project's routes, managed and compliant", async () => {
    e2e.sandbox.resetCounters();
    const dir = e2e.ws.root;
    const out: string[] = [];
    const code = await audit(["--declarations", e2e.declarations, "--out", "audit-out"], {
      cwd: dir,
      env: { ...e2e.clockEnv(), GITLAB_BASE_URL: e2e.sandbox.url, GITLAB_TOKEN: maintainerToken },
      stdout: (t) => out.push(t),
      stderr: (t) => out.push(t),
    });
    const json = fs.readFileSync(path.join(dir, "audit-out", "inventory.json"), "utf8");
    reports["the audit's inventory, report and output"] =
      `${json}\n${fs.readFileSync(path.join(dir, "audit-out", "audit.md"), "utf8")}\n${out.join("\n")}`;
    expect([code, out.join("\n")]).toEqual([0, expect.any(String)]);
    const inventory = JSON.parse(json) as Inventory;
    const webCi = inventory.targets.find((t) => t.kind === "user" && t.name === "web-ci");
    expect(webCi).toEqual({
      kind: "user",
      name: "web-ci",
      id: e2e.sandbox.user("web-ci")!.id,
      from: ["declarations"],
      tokens: 1,
    });
    const tokens = inventory.tokens.filter((t) => t.target === "web-ci");
    expect(tokens.map((t) => [t.key, t.state, t.managed])).toEqual([["web-ci", "active", true]]);
    expect(tokens[0]?.findings.filter((f) => f.status === "violation")).toEqual([]);
    expect(e2e.sandbox.counters().byRoute[`GET /api/v4${PROJECT_ROUTES}`]).toBe(1);
    expect(otherRouteCalls()).toEqual([]);
  });

  it("6. refresh reads it through the project's list, and destroy revokes it and removes the variable", async () => {
    e2e.sandbox.resetCounters();
    const refresh = ok(await e2e.run(() => e2e.ws.refresh([], e2e.clockEnv())));
    expect(refresh.stdout).not.toMatch(/deleted/);
    expect(e2e.sandbox.counters().byRoute[`GET /api/v4${PROJECT_ROUTES}`]).toBe(1);
    ok(await e2e.run(() => e2e.ws.destroy([], e2e.clockEnv())));
    const live = e2e.sandbox.listTokens().filter((t) => t.name === "web-ci" && t.active);
    expect(live).toEqual([]);
    expect(variable()).toBeUndefined();
    expect(otherRouteCalls()).toEqual([]);
  });

  it("7. no token value and not the credential appear in the CLI's output, the config, the state or the reports", () => {
    expect(secrets.size).toBe(4);
    expect(Object.keys(reports)).toHaveLength(2);
    expectNoSecrets(e2e, secrets, reports);
  });
});
