/**
 * End to end, concurrency. (a) Two `pulumi up` on one stack at once: the backend's lock refuses the
 * second, the first completes, exactly one token per declaration. (b) Two stacks declaring the same
 * token names on the same projects: rotating one (also while lost create responses make it
 * reconcile, listing the other's same-named tokens) and destroying it never touch the other's
 * tokens or deliveries.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PulumiWorkspace, REPO_ROOT, type RunResult } from "../../scripts/pulumi-engine";
import { ACCESS_TOKEN, ok, startE2E, type E2E } from "./helpers";

jest.setTimeout(600_000);

const NAMES = ["k-web", "k-api"];

/** The same token names on the same projects; each stack delivers to its own variables. */
const declarations = (suffix: string) => `
tokens:
  k-web:
    kind: project
    project: acme/web
    scopes: [read_repository]
    deliverTo:
      - { project: acme/web, variable: K_WEB_${suffix} }
  k-api:
    kind: project
    project: acme/api
    scopes: [read_api]
    deliverTo:
      - { project: acme/api, variable: K_API_${suffix} }
`;

let e2e: E2E;

beforeAll(async () => {
  e2e = await startE2E("concurrency", declarations("A"), { now: new Date() });
});

afterAll(async () => {
  await e2e?.close();
});

function upArgs(ws: PulumiWorkspace): string[] {
  return ["up", "--yes", "--skip-preview", "--stack", ws.stack, "--config-file", ws.configFile];
}

/** Active tokens by name (of the names declared here). */
function activeByName(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const t of e2e.sandbox.listTokens()) {
    if (NAMES.includes(t.name) && t.active) counts[t.name] = (counts[t.name] ?? 0) + 1;
  }
  return counts;
}

async function lockHeld(ws: PulumiWorkspace): Promise<void> {
  const locks = path.join(ws.stateDir, ".pulumi", "locks");
  for (let i = 0; i < 600; i++) {
    const held =
      fs.existsSync(locks) &&
      fs.readdirSync(locks, { recursive: true }).some((f) => /\.json$/.test(String(f)));
    if (held) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the first pulumi up never took the stack's lock");
}

describe("(a) two pulumi up on one stack at once", () => {
  it("the second is refused by the lock, the first completes, one token per declaration", async () => {
    const env = e2e.clockEnv();
    const first = e2e.ws.start(upArgs(e2e.ws), { env });
    await lockHeld(e2e.ws);
    const second = await e2e.ws.start(upArgs(e2e.ws), { env }).done;
    const firstResult = await first.done;
    e2e.transcript.push(firstResult.stdout, firstResult.stderr, second.stdout, second.stderr);

    ok(firstResult);
    expect(second.code).not.toBe(0);
    const refusal = `${second.stdout}\n${second.stderr}`;
    expect(refusal).toMatch(/the stack is currently locked by 1 lock\(s\)/);
    expect(refusal).toMatch(/pulumi cancel/);
    expect(refusal).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

    expect(activeByName()).toEqual({ "k-web": 1, "k-api": 1 });
    const state = await e2e.tokensInState();
    expect(state).toHaveLength(2);
    for (const r of state) expect(e2e.sandbox.tokenStatus(r.outputs?.token as string)).toBe("active");
    expect(e2e.sandbox.variableValue("project", "acme/web", "K_WEB_A")).toBe(
      state.find((r) => r.outputs?.key === "k-web")?.outputs?.token,
    );
  });
});

describe("(b) two stacks, same token names on the same projects", () => {
  let b: PulumiWorkspace;
  let bValues: Record<string, string> = {};

  /** Token values in stack B's state (decrypted). */
  async function valuesOf(ws: PulumiWorkspace): Promise<Record<string, string>> {
    const r = await ws.runOk(["stack", "export", "--show-secrets", "--stack", ws.stack]);
    const values: Record<string, string> = {};
    const walk = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === "object") {
        const o = v as Record<string, unknown>;
        if (typeof o.plaintext === "string" && "4dabf18193072939515e22adb298388d" in o) {
          return JSON.parse(o.plaintext) as unknown;
        }
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x)]));
      }
      return v;
    };
    const d = walk(JSON.parse(r.stdout)) as {
      deployment: { resources?: { type: string; outputs?: Record<string, unknown> }[] };
    };
    for (const res of d.deployment.resources ?? []) {
      if (res.type === ACCESS_TOKEN) values[res.outputs?.key as string] = res.outputs?.token as string;
    }
    return values;
  }

  /** B's tokens are active and B's variables hold them. */
  function expectBIntact(): void {
    expect(e2e.sandbox.tokenStatus(bValues["k-web"]!)).toBe("active");
    expect(e2e.sandbox.tokenStatus(bValues["k-api"]!)).toBe("active");
    expect(e2e.sandbox.variableValue("project", "acme/web", "K_WEB_B")).toBe(bValues["k-web"]);
    expect(e2e.sandbox.variableValue("project", "acme/api", "K_API_B")).toBe(bValues["k-api"]);
  }

  const upA = (): Promise<RunResult> => e2e.run(() => e2e.ws.up([], e2e.clockEnv()));

  beforeAll(async () => {
    b = PulumiWorkspace.create({ projectDir: REPO_ROOT, stack: "e2e-concurrency-b" });
    const file = path.join(b.root, "tokens.yaml");
    fs.writeFileSync(file, declarations("B"));
    await b.stackInit();
    await b.setConfig("gitlab-tokens:declarations", file);
    await b.setConfig("gitlab-tokens:baseUrl", e2e.sandbox.url);
    await b.setConfig("gitlab-tokens:token", e2e.sandbox.adminToken, { secret: true });
  });

  afterAll(() => {
    b?.remove();
  });

  it("up B next to A: two active tokens of each name, one per stack", async () => {
    ok(await e2e.run(() => b.up([], e2e.clockEnv())));
    bValues = await valuesOf(b);
    expect(activeByName()).toEqual({ "k-web": 2, "k-api": 2 });
    expectBIntact();
  });

  it("rotating A (rotationEpoch) leaves B's tokens and deliveries alone", async () => {
    const before = await valuesOf(e2e.ws);
    await e2e.ws.setConfig("gitlab-tokens:rotationEpoch", "1");
    const r = ok(await upA());
    expect(r.stdout).toMatch(/2 replaced/);
    const after = await valuesOf(e2e.ws);
    for (const k of NAMES) {
      expect(after[k]).not.toBe(before[k]);
      expect(e2e.sandbox.tokenStatus(before[k]!)).toBe("revoked");
      expect(e2e.sandbox.tokenStatus(after[k]!)).toBe("active");
    }
    expect(activeByName()).toEqual({ "k-web": 2, "k-api": 2 });
    expectBIntact();
  });

  it("rotating A while every second token create loses its response: A reconciles, B's same-named tokens are never revoked", async () => {
    e2e.sandbox.setFaults({ lostResponse: { method: "POST", path: "/access_tokens$", everyNth: 2 } });
    e2e.sandbox.resetCounters();
    await e2e.ws.setConfig("gitlab-tokens:rotationEpoch", "2");
    let converged = false;
    for (let i = 0; i < 4 && !converged; i++) {
      converged = (await upA()).code === 0;
      expectBIntact();
    }
    const byRoute = e2e.sandbox.counters().byRoute;
    e2e.sandbox.clearFaults();
    expect(converged).toBe(true);
    // Lost responses happened and were reconciled (the tokens they made were listed and revoked).
    const routes = Object.entries(byRoute);
    const count = (re: RegExp) => routes.filter(([k]) => re.test(k)).reduce((n, [, c]) => n + c, 0);
    expect(count(/^POST .*access_tokens/)).toBeGreaterThanOrEqual(3);
    expect(count(/^GET .*access_tokens/)).toBeGreaterThanOrEqual(1);
    expect(activeByName()).toEqual({ "k-web": 2, "k-api": 2 });
    const a = await valuesOf(e2e.ws);
    for (const k of NAMES) expect(e2e.sandbox.tokenStatus(a[k]!)).toBe("active");
    expect(e2e.sandbox.variableValue("project", "acme/web", "K_WEB_A")).toBe(a["k-web"]);
    expectBIntact();
  });

  it("destroying A leaves B's tokens and deliveries alone", async () => {
    ok(await e2e.run(() => e2e.ws.destroy([], e2e.clockEnv())));
    expect(activeByName()).toEqual({ "k-web": 1, "k-api": 1 });
    expectBIntact();
    ok(await e2e.run(() => b.destroy([], e2e.clockEnv())));
    expect(activeByName()).toEqual({});
  });
});
