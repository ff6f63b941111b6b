/**
 * End to end under a hostile GitLab: the sandbox fails a share of requests with 5xx, throttles with
 * 429 + Retry-After, and drops responses after committing the change. Repeated `pulumi up` must
 * converge to exactly the declared tokens: no orphans, no duplicates.
 */
import { ok, startE2E, type E2E } from "./helpers";

jest.setTimeout(900_000);

const NAMES = ["f-web", "f-api", "f-group", "f-personal"];
const YAML = `
tokens:
  f-web:
    kind: project
    project: acme/web
    scopes: [read_repository]
    deliverTo:
      - { project: acme/web, variable: F_WEB_TOKEN }
  f-api:
    kind: project
    project: acme/api
    scopes: [read_api]
  f-group:
    kind: group
    group: acme
    scopes: [read_api]
    accessLevel: reporter
    deliverTo:
      - { group: acme, variable: F_GROUP_TOKEN }
  f-personal:
    kind: personal
    user: provisioner
    scopes: [read_api]
`;

let e2e: E2E;

beforeAll(async () => {
  e2e = await startE2E("faults", YAML, { now: new Date() });
});

afterAll(async () => {
  await e2e?.close();
});

function activeByName(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const t of e2e.sandbox.listTokens()) {
    if (NAMES.includes(t.name) && t.active) counts[t.name] = (counts[t.name] ?? 0) + 1;
  }
  return counts;
}

it("repeated up converges to exactly the declared tokens despite 5xx, 429 and lost responses", async () => {
  e2e.sandbox.setFaults({
    seed: 7,
    error: [
      { status: 500, rate: 0.15 },
      { status: 502, rate: 0.1 },
    ],
    rateLimit: { rate: 0.15, retryAfterSeconds: 1 },
    // Every second create is committed and then its response dropped.
    lostResponse: { method: "POST", everyNth: 2 },
  });

  const attempts: number[] = [];
  let converged = false;
  for (let i = 1; i <= 8 && !converged; i++) {
    const r = await e2e.run(() => e2e.ws.up([], e2e.clockEnv()));
    attempts.push(r.code);
    converged = r.code === 0;
  }
  expect(converged).toBe(true);
  const faulted = e2e.sandbox.counters().total;
  const byRoute = e2e.sandbox.counters().byRoute;

  // The faults did happen, and nothing extra is left behind.
  e2e.sandbox.clearFaults();
  expect(faulted).toBeGreaterThan(20);
  // Lost creates were reconciled: the tokens they made were found and revoked.
  const revokes = Object.entries(byRoute)
    .filter(([route]) => /^DELETE .*(access_tokens|personal_access_tokens)/.test(route))
    .reduce((n, [, c]) => n + c, 0);
  expect(revokes).toBeGreaterThanOrEqual(1);
  expect(attempts.at(-1)).toBe(0);
  expect(activeByName()).toEqual({ "f-web": 1, "f-api": 1, "f-group": 1, "f-personal": 1 });

  // State and GitLab agree: the tokens in state are the active ones, and delivered.
  const state = await e2e.tokensInState();
  expect(state).toHaveLength(4);
  for (const r of state) {
    const value = r.outputs?.token as string;
    expect(e2e.sandbox.tokenStatus(value)).toBe("active");
  }
  const web = state.find((r) => r.outputs?.key === "f-web")!;
  expect(e2e.sandbox.variableValue("project", "acme/web", "F_WEB_TOKEN")).toBe(web.outputs?.token);

  // A clean run after the storm: nothing to do.
  e2e.sandbox.resetCounters();
  expect(ok(await e2e.run(() => e2e.ws.up([], e2e.clockEnv()))).stdout).toMatch(/unchanged/);
  expect(e2e.sandbox.counters().total).toBe(0);

  // And destroy, also under faults, converges to nothing active.
  e2e.sandbox.setFaults({
    seed: 11,
    error: { status: 503, rate: 0.2 },
    lostResponse: { method: "DELETE", rate: 0.3 },
  });
  let destroyed = false;
  for (let i = 1; i <= 8 && !destroyed; i++) {
    destroyed = (await e2e.run(() => e2e.ws.destroy([], e2e.clockEnv()))).code === 0;
  }
  e2e.sandbox.clearFaults();
  expect(destroyed).toBe(true);
  expect(activeByName()).toEqual({});
});
