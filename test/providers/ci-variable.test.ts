/**
 * The CI/CD-variable provider over real HTTP against the sandbox: create (masked, hidden, protected
 * by default), update on rotation, read, delete — for project and group variables.
 */
import { startSandbox, type Sandbox } from "../../sandbox";
import * as impl from "../../components/providers/ci-variable-impl";
import type { CiVariableProps } from "../../components/providers/ci-variable-impl";
import type { Connection } from "../../components/providers/runtime-env";

let sandbox: Sandbox;
let conn: Connection;

beforeAll(async () => {
  sandbox = await startSandbox();
  conn = { baseUrl: sandbox.url, token: sandbox.adminToken, retry: { baseDelayMs: 1, maxDelayMs: 5 } };
});
afterAll(async () => {
  await sandbox?.stop();
});
beforeEach(() => {
  sandbox.clearFaults();
  sandbox.resetCounters();
});

const VALUE_1 = "glpat-AAAAbbbbCCCCddddEEEE";
const VALUE_2 = "glpat-ZZZZyyyyXXXXwwwwVVVV";

async function apiGet(path: string) {
  const r = await fetch(`${sandbox.url}/api/v4/${path}`, {
    headers: { "PRIVATE-TOKEN": sandbox.adminToken },
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

describe.each([
  ["project", "acme/web", "projects/acme%2Fweb"],
  ["group", "acme", "groups/acme"],
] as const)("%s variable", (kind, target, apiPath) => {
  const input = (over: Partial<CiVariableProps> = {}) =>
    impl.check(
      {} as CiVariableProps,
      { kind, target, key: "DEPLOY_TOKEN", value: VALUE_1, ...over } as CiVariableProps,
    ).inputs as CiVariableProps;

  it("is created masked, hidden and protected by default", async () => {
    const r = await impl.create(conn, input());
    expect(r.id).toBe(`${kind}/${target}/DEPLOY_TOKEN/*`);
    const v = await apiGet(`${apiPath}/variables/DEPLOY_TOKEN`);
    expect(v.status).toBe(200);
    expect(v.body).toMatchObject({
      key: "DEPLOY_TOKEN",
      protected: true,
      masked: true,
      hidden: true,
      raw: true,
      value: null,
    });
    expect(sandbox.variableValue(kind, target, "DEPLOY_TOKEN")).toBe(VALUE_1);
  });

  it("gets the new value on update (rotation), in place", async () => {
    const r = await impl.update(conn, input({ value: VALUE_2 }));
    expect(r.outs).toMatchObject({ value: VALUE_2 });
    expect(sandbox.variableValue(kind, target, "DEPLOY_TOKEN")).toBe(VALUE_2);
    expect(Object.keys(sandbox.counters().byRoute)).toEqual([
      `PUT /api/v4/${kind === "project" ? "projects" : "groups"}/:id/variables/:key`,
    ]);
  });

  it("reads back its flags and keeps the value GitLab will not show", async () => {
    const r = await impl.read(conn, "id", input({ value: VALUE_2 }));
    expect(r.props).toMatchObject({ value: VALUE_2, protected: true, masked: true });
  });

  it("overwrites a variable that already exists when created (adopts it)", async () => {
    await impl.create(conn, input({ value: VALUE_1 }));
    expect(sandbox.variableValue(kind, target, "DEPLOY_TOKEN")).toBe(VALUE_1);
  });

  it("is deleted, and deleting again is not an error", async () => {
    await impl.remove(conn, input());
    expect((await apiGet(`${apiPath}/variables/DEPLOY_TOKEN`)).status).toBe(404);
    await expect(impl.remove(conn, input())).resolves.toBeUndefined();
    expect(await impl.read(conn, "id", input())).toEqual({});
  });
});

describe("a create whose response is lost", () => {
  it("ends with the variable holding the value, created once", async () => {
    sandbox.setFaults({ lostResponse: { method: "POST", path: "/variables$", times: 1 } });
    await impl.create(
      conn,
      impl.check(
        {} as CiVariableProps,
        {
          kind: "project",
          target: "acme/api",
          key: "LOST",
          value: VALUE_1,
        } as CiVariableProps,
      ).inputs as CiVariableProps,
    );
    expect(sandbox.variableValue("project", "acme/api", "LOST")).toBe(VALUE_1);
  });

  it("keeps trying while GitLab answers 5xx before creating it, and gives up after three", async () => {
    const inputs = (key: string) =>
      impl.check(
        {} as CiVariableProps,
        {
          kind: "project",
          target: "acme/api",
          key,
          value: VALUE_1,
        } as CiVariableProps,
      ).inputs as CiVariableProps;
    sandbox.setFaults({ error: { status: 502, method: "POST", path: "/variables$", times: 2 } });
    await impl.create(conn, inputs("FLAKY"));
    expect(sandbox.variableValue("project", "acme/api", "FLAKY")).toBe(VALUE_1);
    sandbox.resetCounters();
    sandbox.setFaults({ error: { status: 502, method: "POST", path: "/variables$" } });
    await expect(impl.create(conn, inputs("DOWN"))).rejects.toThrow(/502/);
    expect(sandbox.counters().byRoute["POST /api/v4/projects/:id/variables"]).toBe(3);
    expect(sandbox.variableValue("project", "acme/api", "DOWN")).toBeUndefined();
  });
});

describe("check and diff", () => {
  const base = impl.check(
    {} as CiVariableProps,
    {
      kind: "project",
      target: "acme/web",
      key: "K",
      value: VALUE_1,
    } as CiVariableProps,
  ).inputs as CiVariableProps;

  it("refuses a key GitLab would refuse, naming the field", () => {
    expect(impl.check(base, { ...base, key: "my-token" }).failures).toEqual([
      {
        property: "variable",
        reason: expect.stringContaining('"my-token" is not a valid CI/CD variable key'),
      },
    ]);
  });

  it.each([
    ["a new value is an in-place update", { value: VALUE_2 }, [], false],
    ["protection is an in-place update", { protected: false }, [], false],
    ["another key is a new variable (created first)", { key: "K2" }, ["key"], false],
    ["another project is a new variable", { target: "acme/api" }, ["target"], false],
    ["the hidden flag cannot change in place", { hidden: false }, ["hidden"], true],
  ] as const)("%s", (_what, change, replaces, deleteFirst) => {
    const d = impl.diff(base, { ...base, ...change });
    expect(d.changes).toBe(true);
    expect(d.replaces).toEqual(replaces);
    expect(d.deleteBeforeReplace).toBe(deleteFirst);
  });
});
