/**
 * The lifecycle suite on the Pulumi CLI's PostgreSQL state backend (`postgres://…`), on a real
 * PostgreSQL server this file starts (scripts/postgres.ts) — a shared backend with locking, as a
 * team's pipelines share one stack. Each stack has a database of its own. Beside the suite: two
 * `pulumi up` at once on one stack (the lock refuses the second, clearly; every token in GitLab is
 * in state), and `npm run recover` (as CI runs it before every `pulumi up`) on that backend.
 */
import * as crypto from "node:crypto";
import {
  REPO_ROOT,
  type PulumiWorkspace,
  type RunResult,
  type StackDeployment,
} from "../../scripts/pulumi-engine";
import { runProcess } from "../../scripts/process";
import { POSTGRES_STATE_TABLE, postgresKey, psqlSync, type PostgresServer } from "../../scripts/postgres";
import { describeLifecycle } from "../helpers/lifecycle-suite";
import { ACCESS_TOKEN, acquirePostgres, ok, releasePostgres, startE2E, type E2E } from "./helpers";

jest.setTimeout(600_000);

let server: PostgresServer;

// One server for the whole file (each stack still gets a database of its own).
beforeAll(async () => {
  server = await acquirePostgres();
});

afterAll(async () => {
  await releasePostgres();
});

describeLifecycle("postgres");

const NAMES = ["pg-web", "pg-api"];

const YAML = `
tokens:
  pg-web:
    kind: project
    project: acme/web
    scopes: [read_repository]
    deliverTo:
      - { project: acme/web, variable: PG_WEB_TOKEN }
  pg-api:
    kind: project
    project: acme/api
    scopes: [read_api]
    deliverTo:
      - { project: acme/api, variable: PG_API_TOKEN }
`;

describe("one stack shared on PostgreSQL", () => {
  let e2e: E2E;

  beforeAll(async () => {
    e2e = await startE2E("pg-shared", YAML, { now: new Date() }, { backend: "postgres" });
  });

  afterAll(async () => {
    await e2e?.close();
  });

  function upArgs(ws: PulumiWorkspace): string[] {
    return ["up", "--yes", "--skip-preview", "--stack", ws.stack, "--config-file", ws.configFile];
  }

  /** Everything the CLI printed must be free of the backend's password and the credential. */
  function expectNoSecret(...texts: string[]): void {
    for (const text of texts) {
      expect(text).not.toContain(server.password);
      expect(text).not.toContain(e2e.sandbox.adminToken);
    }
  }

  /** `npm run recover -- <args>`, as the CI template runs it, with the workspace's environment. */
  function npmRecover(args: string[]): Promise<RunResult> {
    return runProcess("npm", ["run", "-s", "recover", "--", ...args], {
      cwd: REPO_ROOT,
      env: e2e.ws.processEnv(e2e.clockEnv()),
    });
  }

  it("the state lives in the database's pulumi_state table (key, data, updated_at), created by the CLI", () => {
    const columns = psqlSync(
      e2e.ws.backendUrl,
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '${POSTGRES_STATE_TABLE}' ORDER BY ordinal_position;`,
    );
    expect(columns.trim().split("\n")).toEqual([
      "key\ttext",
      "data\tjson",
      "updated_at\ttimestamp with time zone",
    ]);
    // Each key is the file backend's path under the URL's path (here the database's name).
    const db = new URL(e2e.ws.backendUrl).pathname.slice(1);
    const rows = psqlSync(e2e.ws.backendUrl, `SELECT key FROM ${POSTGRES_STATE_TABLE} ORDER BY key;`);
    expect(rows.trim().split("\n")).toContain(`${db}/.pulumi/stacks/gitlab-tokens/${e2e.ws.stack}.json`);
    const keys = e2e.ws.backendObjects().map((o) => o.key);
    expect(keys).toContain(`.pulumi/stacks/gitlab-tokens/${e2e.ws.stack}.json`);
  });

  it("two pulumi up at once: the lock refuses the second with a clear message, the first completes, every token in GitLab is in state", async () => {
    const env = e2e.clockEnv();
    const first = e2e.ws.start(upArgs(e2e.ws), { env });
    let locks: string[] = [];
    for (let i = 0; i < 600 && locks.length === 0; i++) {
      locks = e2e.ws.stackLocks();
      if (locks.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(locks).toHaveLength(1); // the first pulumi up holds the stack's lock, a row of the table
    const second = await e2e.ws.start(upArgs(e2e.ws), { env }).done;
    const firstResult = await first.done;
    e2e.transcript.push(firstResult.stdout, firstResult.stderr, second.stdout, second.stderr);

    ok(firstResult);
    expect(firstResult.stdout).toMatch(/created/);
    expect(second.code).not.toBe(0);
    const refusal = `${second.stdout}\n${second.stderr}`;
    expect(refusal).toMatch(/the stack is currently locked by 1 lock\(s\)/);
    expect(refusal).toMatch(/pulumi cancel/);
    // It names the lock and who holds it, the backend's credentials masked.
    const where = `postgres://****:****@127.0.0.1:${server.port}/`;
    expect(refusal).toContain(`${where}`);
    expect(refusal).toContain(locks[0]!);
    expect(refusal).toMatch(/created by \S+@\S+ \(pid \d+\)/);
    expect(refusal).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expectNoSecret(firstResult.stdout, firstResult.stderr, second.stdout, second.stderr);
    expect(e2e.ws.stackLocks()).toEqual([]); // released by the first

    // Every token in GitLab is in state, and it is the one delivered: none is left unknown.
    const inGitLab = e2e.sandbox
      .listTokens()
      .filter((t) => NAMES.includes(t.name) && t.active)
      .map((t) => t.id)
      .sort();
    const state = await e2e.tokensInState();
    expect(inGitLab).toHaveLength(2);
    expect(state.map((r) => r.outputs?.tokenId as number).sort()).toEqual(inGitLab);
    for (const r of state) expect(e2e.sandbox.tokenStatus(r.outputs?.token as string)).toBe("active");
    expect(e2e.sandbox.variableValue("project", "acme/web", "PG_WEB_TOKEN")).toBe(
      state.find((r) => r.outputs?.key === "pg-web")?.outputs?.token,
    );
  });

  it("npm run recover with nothing pending changes nothing and makes zero GitLab calls", async () => {
    const before = e2e.ws.backendObjects();
    e2e.sandbox.resetCounters();
    const r = await npmRecover(["--stack", e2e.ws.stack]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("recover: no interrupted operation; nothing to do");
    expectNoSecret(r.stdout, r.stderr);
    expect(e2e.sandbox.counters().total).toBe(0);
    expect(e2e.ws.backendObjects()).toEqual(before);
  });

  it("npm run recover --take-over-lock (CI, before every pulumi up) removes a killed job's lock; the next up has nothing to do", async () => {
    // The row a `pulumi up` killed on another runner leaves behind.
    const key = postgresKey(
      e2e.ws.backendUrl,
      `.pulumi/locks/organization/gitlab-tokens/${e2e.ws.stack}/${crypto.randomUUID()}.json`,
    );
    const lock = {
      pid: 4242,
      username: "gitlab-runner",
      hostname: "runner-7",
      timestamp: new Date().toISOString(),
    };
    const data = JSON.stringify({ data: Buffer.from(JSON.stringify(lock)).toString("base64") });
    psqlSync(
      e2e.ws.backendUrl,
      `INSERT INTO ${POSTGRES_STATE_TABLE} (key, data) VALUES ('${key}', '${data}');`,
    );
    const refused = await e2e.run(() => e2e.ws.up([], e2e.clockEnv()));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(
      /currently locked by 1 lock\(s\)[\s\S]*gitlab-runner@runner-7 \(pid 4242\)/,
    );

    e2e.sandbox.resetCounters();
    const r = await npmRecover(["--stack", e2e.ws.stack, "--take-over-lock"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("recover: no interrupted operation; nothing to do");
    expectNoSecret(r.stdout, r.stderr);
    expect(e2e.ws.stackLocks()).toEqual([]);
    const again = ok(await e2e.run(() => e2e.ws.up([], e2e.clockEnv())));
    expect(again.stdout).toMatch(/unchanged/);
    expect(again.stdout).not.toMatch(/created|updated|replaced|deleted/);
    expect(e2e.sandbox.counters().total).toBe(0);
  });

  it("a read-only role (PGUSER/PGPASSWORD beside a URL without credentials, as a merge-request job) exports the state; its pulumi up is refused", async () => {
    const db = new URL(e2e.ws.backendUrl).pathname.slice(1);
    const readerPassword = crypto.randomBytes(18).toString("hex");
    server.admin(
      db,
      `CREATE ROLE state_reader LOGIN PASSWORD '${readerPassword}'; GRANT SELECT ON ${POSTGRES_STATE_TABLE} TO state_reader;`,
    );
    const env = {
      PULUMI_BACKEND_URL: `postgres://127.0.0.1:${server.port}/${db}?sslmode=disable`,
      PGUSER: "state_reader",
      PGPASSWORD: readerPassword,
    };
    const exported = await e2e.run(() => e2e.ws.run(["stack", "export", "--stack", e2e.ws.stack], { env }));
    ok(exported);
    const resources = (JSON.parse(exported.stdout) as StackDeployment).deployment.resources ?? [];
    expect(resources.filter((r) => r.type === ACCESS_TOKEN)).toHaveLength(2);

    const before = e2e.ws.backendObjects();
    const up = await e2e.run(() => e2e.ws.run(upArgs(e2e.ws), { env: { ...env, ...e2e.clockEnv() } }));
    expect(up.code).not.toBe(0);
    expect(`${up.stdout}\n${up.stderr}`).toMatch(/permission denied for table pulumi_state/);
    expect(e2e.ws.backendObjects()).toEqual(before);
    for (const text of [exported.stderr, up.stdout, up.stderr]) expect(text).not.toContain(readerPassword);
  });

  it("destroy on PostgreSQL revokes the tokens; the password never appeared in any output", async () => {
    ok(await e2e.run(() => e2e.ws.destroy([], e2e.clockEnv())));
    expect(e2e.sandbox.listTokens().filter((t) => NAMES.includes(t.name) && t.active)).toEqual([]);
    expectNoSecret(...e2e.transcript);
  });
});
