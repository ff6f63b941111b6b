/**
 * End to end with the real `pulumi` binary: a pipeline trigger token (`kind: trigger`) through its
 * whole lifecycle, on a GitLab with trigger expiry (17.x+: GitLab's `expires_at`) and on one without
 * it (the sandbox's `triggerTokenExpiration: false`: the provider enforces the declared lifetime).
 * Create and delivery, an unchanged up with zero API calls, rotation by lifetime and by
 * rotateWhenChanged (create-before-delete: the variable always holds a working trigger), a refresh
 * after the declared expiry (without GitLab's expiry, the refresh deletes the still-working token),
 * the next up recreating it, destroy, and no secret in any output.
 */
import * as fs from "node:fs";
import { addDays, daysBetween } from "../../components/gitlab/facts";
import { ok, startE2E, tokenValues, type E2E } from "./helpers";

jest.setTimeout(600_000);

const declarations = (reason: string) => `
tokens:
  nightly:
    kind: trigger
    project: acme/web
    description: Starts the nightly pipeline
    owner: team-web
    lifetimeDays: 30
    rotateBeforeDays: 7
    rotateWhenChanged: { reason: "${reason}" }
    deliverTo:
      - { project: acme/api, variable: WEB_PIPELINE_TRIGGER }
`;

const CREATE = "POST /api/v4/projects/:id/triggers";
const DELETE = "DELETE /api/v4/projects/:id/triggers/:trigger_id";
const DAY_MS = 86_400_000;

describe.each([
  ["with GitLab's trigger expiry", true],
  ["on a GitLab without trigger expiry (the provider enforces the lifetime)", false],
])("a pipeline trigger token %s", (_mode, gitlabExpiry) => {
  let e2e: E2E;
  const secrets = new Set<string>();
  /** During the rotations: the variable's value and its status at every API request. */
  const observed: { value: string; status: string }[] = [];
  let watching = false;

  beforeAll(async () => {
    e2e = await startE2E(`trigger-${gitlabExpiry ? "expiry" : "no-expiry"}`, declarations("initial"), {
      now: "2026-12-01T09:00:00Z",
    });
    e2e.sandbox.updateSettings({ triggerTokenExpiration: gitlabExpiry });
    secrets.add(e2e.sandbox.adminToken);
    e2e.sandbox.onApiRequest(() => {
      const value = e2e.sandbox.variableValue("project", "acme/api", "WEB_PIPELINE_TRIGGER");
      if (watching && value !== undefined) observed.push({ value, status: e2e.sandbox.triggerStatus(value) });
    });
  });

  afterAll(async () => {
    await e2e?.close();
  });

  const up = () => e2e.run(() => e2e.ws.up([], e2e.clockEnv()));
  const variable = () => e2e.sandbox.variableValue("project", "acme/api", "WEB_PIPELINE_TRIGGER");
  const current = async () => {
    const v = (await tokenValues(e2e)).nightly!;
    secrets.add(v);
    return v;
  };

  let first: string;

  it("1. up creates the trigger with the declared lifetime and delivers it", async () => {
    e2e.sandbox.resetCounters();
    const r = ok(await up());
    expect(r.stdout).toMatch(/\+ 4 created/); // stack + component + token + variable
    first = await current();
    expect(first).toMatch(/^glptt-[0-9a-f]{40}$/);
    expect(e2e.sandbox.triggerStatus(first)).toBe("active");
    expect(variable()).toBe(first);
    expect(e2e.sandbox.counters().byRoute[CREATE]).toBe(1);
    const [state] = await e2e.tokensInState();
    expect(state?.type).toBe("pulumi-nodejs:dynamic/gitlab-tokens:AccessToken");
    expect(state?.outputs).toMatchObject({
      kind: "trigger",
      scopes: [],
      expiresAt: "2026-12-31",
      rotatesAt: "2026-12-24",
    });
    expect(state?.outputs?.expiryEnforcedByProvider).toBe(gitlabExpiry ? undefined : true);
    const trigger = e2e.sandbox.listTriggers().find((t) => t.id === state?.outputs?.tokenId)!;
    expect(trigger.expiresAt).toBe(gitlabExpiry ? "2026-12-31T00:00:00.000Z" : null);
    const components = (await e2e.ws.resourcesRevealed()).filter(
      (x) => x.type === "gitlab-tokens:index:PipelineTriggerToken",
    );
    expect(components).toHaveLength(1);
  });

  it("2. a second up changes nothing and makes zero GitLab API calls", async () => {
    e2e.sandbox.resetCounters();
    const r = ok(await up());
    expect(r.stdout).toMatch(/4 unchanged/);
    expect(e2e.sandbox.counters().total).toBe(0);
  });

  it("3. on its rotation day, up replaces it create-before-delete and redelivers", async () => {
    e2e.sandbox.setNow("2026-12-24T06:00:00Z");
    e2e.sandbox.resetCounters();
    watching = true;
    const r = ok(await up());
    expect(r.stdout).toMatch(/nightly.*replaced/);
    const next = await current();
    expect(next).not.toBe(first);
    expect(e2e.sandbox.triggerStatus(next)).toBe("active");
    expect(e2e.sandbox.triggerStatus(first)).toBe("unknown"); // deleted
    expect(variable()).toBe(next);
    const calls = e2e.sandbox.counters().byRoute;
    expect([calls[CREATE], calls[DELETE]]).toEqual([1, 1]);
    const [state] = await e2e.tokensInState();
    expect(state?.outputs).toMatchObject({ expiresAt: "2027-01-23" });
    first = next;
  });

  it("4. rotateWhenChanged rotates it", async () => {
    e2e.writeDeclarations(declarations("2026-12 incident"));
    const r = ok(await up());
    watching = false;
    expect(r.stdout).toMatch(/nightly.*replaced/);
    const next = await current();
    expect(e2e.sandbox.triggerStatus(first)).toBe("unknown");
    expect(e2e.sandbox.triggerStatus(next)).toBe("active");
    expect(variable()).toBe(next);
    first = next;
  });

  it("5. the variable held a working trigger at every API call of the rotations", () => {
    expect(observed.length).toBeGreaterThan(0);
    expect(observed.filter((o) => o.status !== "active")).toEqual([]);
    expect(new Set(observed.map((o) => o.value)).size).toBe(3); // the first and its two successors
  });

  it("6. a refresh after the declared expiry leaves no live token; the next up recreates and redelivers", async () => {
    const [state] = await e2e.tokensInState();
    const expiresAt = state?.outputs?.expiresAt as string;
    // No up ran in between (a missed schedule): the token is now past its lifetime.
    e2e.sandbox.setNow(new Date(Date.parse(`${expiresAt}T00:00:00Z`) + DAY_MS / 2));
    expect(e2e.sandbox.triggerStatus(first)).toBe(gitlabExpiry ? "expired" : "active");
    e2e.sandbox.resetCounters();
    const refresh = ok(await e2e.run(() => e2e.ws.refresh([], e2e.clockEnv())));
    expect(refresh.stdout).toMatch(/deleted/);
    // GitLab's expiry leaves the expired trigger in place (it cannot start pipelines); without
    // it the provider deleted it: in neither case does a usable token outlive its lifetime.
    expect(e2e.sandbox.triggerStatus(first)).toBe(gitlabExpiry ? "expired" : "unknown");
    expect(e2e.sandbox.counters().byRoute[DELETE]).toBe(gitlabExpiry ? undefined : 1);
    const r = ok(await up());
    expect(r.stdout).toMatch(/created/);
    const next = await current();
    expect(e2e.sandbox.triggerStatus(next)).toBe("active");
    expect(variable()).toBe(next);
    const [after] = await e2e.tokensInState();
    expect(daysBetween(e2e.sandbox.now(), after?.outputs?.expiresAt as string)).toBe(30);
    expect(after?.outputs?.expiresAt).toBe(addDays(e2e.sandbox.now(), 30));
    first = next;
  });

  it("7. destroy deletes the trigger and the variable", async () => {
    ok(await e2e.run(() => e2e.ws.destroy([], e2e.clockEnv())));
    expect(e2e.sandbox.triggerStatus(first)).toBe("unknown");
    expect(variable()).toBeUndefined();
    const live = e2e.sandbox.listTriggers().filter((t) => !t.expired);
    expect(live).toEqual([]);
  });

  it("8. no trigger value and not the credential appear in the CLI's output, the config or the state files", () => {
    expect(secrets.size).toBeGreaterThanOrEqual(5);
    const places = {
      "the CLI's stdout and stderr": e2e.transcript.join("\n"),
      "the stack config file": fs.readFileSync(e2e.ws.configFile, "utf8"),
      "the state files": e2e.ws.readStateFiles(),
    };
    for (const [where, text] of Object.entries(places)) {
      for (const secret of secrets) {
        if (text.includes(secret)) throw new Error(`a secret (${secret.slice(0, 8)}…) appears in ${where}`);
      }
    }
  });
});
