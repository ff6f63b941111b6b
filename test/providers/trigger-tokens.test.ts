/**
 * Pipeline trigger tokens through the access-token provider, over real HTTP against the sandbox
 * (`/projects/:id/triggers`, lib/api/ci/triggers.rb): on a GitLab with trigger expiry (17.x+), where
 * `expires_at` is GitLab's, and on one without it, where the provider enforces the declared lifetime
 * itself — rotation before it as for every token, and a refresh on or after it deletes the token.
 * Also: check's refusals, lost-response reconciliation (a trigger has no name: its marker alone tells
 * it apart) and recover.
 */
import { startSandbox, type Sandbox } from "../../sandbox";
import { GitLabClient } from "../../components/gitlab/client";
import { addDays } from "../../components/gitlab/facts";
import { markerOf } from "../../components/gitlab/marker";
import { triggerToken } from "../../components/gitlab/gitbeaker-types";
import type { PipelineTriggerTokenSchema } from "@gitbeaker/rest";
import * as impl from "../../components/providers/access-token-impl";
import type { Connection } from "../../components/providers/runtime-env";
import { ACCESS_TOKEN_TYPE, type AccessTokenOutputs, type AccessTokenProps } from "../../components/types";
import { recover, type ExportedStack } from "../../commands/recover";

const NOW = new Date("2026-11-25T09:00:00Z");
const FAST_RETRY = { baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5_000 };
const CREATE = "POST /api/v4/projects/:id/triggers";
const LIST = "GET /api/v4/projects/:id/triggers";
const GET = "GET /api/v4/projects/:id/triggers/:trigger_id";
const DELETE = "DELETE /api/v4/projects/:id/triggers/:trigger_id";

let sandbox: Sandbox;
let conn: Connection;

beforeAll(async () => {
  sandbox = await startSandbox({ now: NOW, freezeClock: true });
  conn = { baseUrl: sandbox.url, token: sandbox.adminToken, retry: FAST_RETRY };
});
afterAll(async () => {
  await sandbox?.stop();
});
beforeEach(() => {
  sandbox.clearFaults();
  sandbox.resetCounters();
  sandbox.setNow(NOW);
  sandbox.updateSettings({ triggerTokenExpiration: true });
});

function raw(over: Partial<AccessTokenProps> = {}): AccessTokenProps {
  return {
    kind: "trigger",
    key: "nightly",
    target: "acme/web",
    name: "nightly",
    description: "Starts the nightly pipeline",
    scopes: [],
    lifetimeDays: 30,
    rotateBeforeDays: 7,
    rotateWhenChanged: {},
    rotationEpoch: "",
    ...over,
  };
}
const props = (over: Partial<AccessTokenProps> = {}) => impl.check({}, raw(over), NOW).inputs!;

describe("check", () => {
  it.each([
    [
      "scopes",
      { scopes: ["read_api"] },
      "a trigger token has no scopes in GitLab (scopes apply to project, group, personal and deploy tokens); remove scopes",
    ],
    ["lifetimeDays", { lifetimeDays: 365 }, "lifetimeDays is 365; GitLab allows a trigger token at most 364"],
    [
      "accessLevel",
      { accessLevel: "maintainer" as const },
      "accessLevel applies to project and group tokens only; remove it from this trigger token",
    ],
  ])("refuses %s", (property, over, reason) => {
    expect(impl.check({}, raw(over), NOW).failures).toEqual([{ property, reason }]);
  });

  it("takes the key registered as name (GitLab gives a trigger none) and no scopes", () => {
    expect(impl.check({}, raw(), NOW).failures).toBeUndefined();
  });
});

describe("on a GitLab with trigger expiry", () => {
  let outs: AccessTokenOutputs;
  let id: string;

  it("creates the trigger with GitLab's expires_at and the marker in its description", async () => {
    const r = await impl.create(conn, props(), NOW);
    id = r.id;
    outs = r.outs as AccessTokenOutputs;
    expect(outs.token).toMatch(/^glptt-[0-9a-f]{40}$/);
    expect(outs).toMatchObject({ expiresAt: addDays(NOW, 30), rotatesAt: addDays(NOW, 23), active: true });
    expect(outs.expiryEnforcedByProvider).toBeUndefined();
    expect(id).toBe(`trigger/${sandbox.projectId("acme/web")}/${outs.tokenId}`);
    const stored = sandbox.listTriggers().find((t) => t.id === outs.tokenId)!;
    expect(stored.expiresAt).toBe(`${addDays(NOW, 30)}T00:00:00.000Z`);
    expect(stored.description).toMatch(/^Starts the nightly pipeline \[gitlab-tokens:[\w-]{16}\.[\w-]{7}\]$/);
    expect(markerOf(stored.description)?.ref).toBe(outs.createRef);
    expect(sandbox.counters().byRoute[CREATE]).toBe(1);
    expect(sandbox.triggerStatus(outs.token)).toBe("active");
  });

  it("reads it back (refresh), and plans a rotation from rotatesAt on", async () => {
    sandbox.resetCounters();
    expect((await impl.read(conn, id, outs, NOW)).props).toMatchObject({
      tokenId: outs.tokenId,
      active: true,
    });
    expect(sandbox.counters().byRoute).toEqual({ [GET]: 1 });
    expect(impl.diff(outs, props(), NOW).replaces).toEqual([]);
    expect(impl.diff(outs, props(), new Date(`${outs.rotatesAt}T00:00:00Z`)).replaces).toEqual(["expiresAt"]);
  });

  it("reads a trigger GitLab expired as gone (GitLab still lists it), without deleting it", async () => {
    const later = new Date(`${outs.expiresAt}T00:00:00Z`);
    sandbox.setNow(later);
    sandbox.resetCounters();
    expect(sandbox.triggerStatus(outs.token)).toBe("expired");
    expect(await impl.read(conn, id, outs, later)).toEqual({});
    expect(sandbox.counters().byRoute[DELETE]).toBeUndefined();
  });

  it("deletes it (and a trigger already gone counts as deleted), and reads it as gone", async () => {
    await impl.remove(conn, outs);
    expect(sandbox.triggerStatus(outs.token)).toBe("unknown");
    await expect(impl.remove(conn, outs)).resolves.toBeUndefined();
    expect(await impl.read(conn, id, outs, NOW)).toEqual({});
  });
});

describe("on a GitLab without trigger expiry (the provider enforces the lifetime)", () => {
  let outs: AccessTokenOutputs;
  let id: string;

  it("creates the trigger, finds GitLab ignored expires_at, and records that it enforces it itself", async () => {
    sandbox.updateSettings({ triggerTokenExpiration: false });
    const r = await impl.create(conn, props(), NOW);
    id = r.id;
    outs = r.outs as AccessTokenOutputs;
    expect(outs).toMatchObject({
      expiresAt: addDays(NOW, 30),
      rotatesAt: addDays(NOW, 23),
      expiryEnforcedByProvider: true,
    });
    expect(sandbox.listTriggers().find((t) => t.id === outs.tokenId)?.expiresAt).toBeNull();
  });

  it("rotates it before the declared expiry exactly as other kinds (diff)", () => {
    sandbox.updateSettings({ triggerTokenExpiration: false });
    expect(impl.diff(outs, props(), new Date(`${addDays(outs.rotatesAt, -1)}T23:59:59Z`)).replaces).toEqual(
      [],
    );
    expect(impl.diff(outs, props(), new Date(`${outs.rotatesAt}T00:00:00Z`)).replaces).toEqual(["expiresAt"]);
  });

  it("keeps it on a refresh before the declared expiry", async () => {
    sandbox.updateSettings({ triggerTokenExpiration: false });
    const before = new Date(`${addDays(outs.expiresAt, -1)}T23:59:59Z`);
    sandbox.setNow(before);
    expect((await impl.read(conn, id, outs, before)).props).toMatchObject({ expiresAt: outs.expiresAt });
    expect(sandbox.triggerStatus(outs.token)).toBe("active");
  });

  it("deletes it on a refresh on or after the declared expiry (GitLab would keep it working), and reports it gone", async () => {
    sandbox.updateSettings({ triggerTokenExpiration: false });
    const at = new Date(`${outs.expiresAt}T00:00:00Z`);
    sandbox.setNow(at);
    expect(sandbox.triggerStatus(outs.token)).toBe("active");
    sandbox.resetCounters();
    expect(await impl.read(conn, id, outs, at)).toEqual({});
    expect(sandbox.triggerStatus(outs.token)).toBe("unknown");
    expect(sandbox.counters().byRoute).toEqual({ [GET]: 1, [DELETE]: 1 });
  });

  it("replaces a token past its enforced expiry even with a fixed date (diff)", async () => {
    sandbox.updateSettings({ triggerTokenExpiration: false });
    const fixed = props({ lifetimeDays: undefined, fixedExpiresAt: addDays(NOW, 10) });
    const made = (await impl.create(conn, fixed, NOW)).outs as AccessTokenOutputs;
    expect(made.expiryEnforcedByProvider).toBe(true);
    expect(impl.diff(made, fixed, new Date(`${addDays(NOW, 9)}T12:00:00Z`)).replaces).toEqual([]);
    expect(impl.diff(made, fixed, new Date(`${addDays(NOW, 10)}T00:00:00Z`)).replaces).toEqual(["expiresAt"]);
    await impl.remove(conn, made);
  });
});

describe("lost responses and recover", () => {
  it("reconciles a lost create: one trigger left, the one whose response was lost deleted", async () => {
    sandbox.setFaults({ lostResponse: { method: "POST", path: "/projects/\\d+/triggers$", times: 1 } });
    const before = sandbox.listTriggers().length;
    const r = await impl.create(conn, props({ key: "lost", name: "lost" }), NOW);
    const outs = r.outs as AccessTokenOutputs;
    expect(sandbox.counters().byRoute[CREATE]).toBe(2);
    expect(sandbox.counters().byRoute[LIST]).toBe(1);
    expect(sandbox.counters().byRoute[DELETE]).toBe(1);
    const now = sandbox.listTriggers();
    expect(now).toHaveLength(before + 1);
    expect(now.find((t) => t.id === outs.tokenId)).toBeDefined();
    await impl.remove(conn, outs);
  });

  it("never touches a trigger it did not make (no marker, or another resource's)", async () => {
    const gl = new GitLabClient({ baseUrl: sandbox.url, token: sandbox.adminToken, retry: FAST_RETRY });
    const project = sandbox.projectId("acme/web")!;
    const foreign = await gl.createTriggerToken(project, {
      description: "someone's",
      expiresAt: addDays(NOW, 9),
    });
    sandbox.setFaults({ lostResponse: { method: "POST", path: "/projects/\\d+/triggers$", times: 1 } });
    const outs = (await impl.create(conn, props({ key: "careful" }), NOW)).outs as AccessTokenOutputs;
    expect(sandbox.triggerStatus(foreign.token!)).toBe("active");
    await impl.remove(conn, outs);
    await gl.deleteTriggerToken(project, foreign.id);
  });

  it("recover deletes the trigger an interrupted create made", async () => {
    const inputs = props({ key: "killed", name: "killed" });
    const gl = new GitLabClient({ baseUrl: sandbox.url, token: sandbox.adminToken, retry: FAST_RETRY });
    const made = await gl.createTriggerToken(sandbox.projectId("acme/web")!, {
      description: `nightly [gitlab-tokens:${inputs.createRef}.abc_123]`,
      expiresAt: addDays(NOW, 30),
    });
    const state = {
      version: 3,
      deployment: {
        resources: [],
        pending_operations: [
          {
            type: "creating",
            resource: {
              urn: "urn:pulumi:s::p::gitlab-tokens:index:PipelineTriggerToken$pulumi-nodejs:dynamic/gitlab-tokens:AccessToken::killed",
              type: ACCESS_TOKEN_TYPE,
              inputs: inputs as unknown as Record<string, unknown>,
            },
          },
        ],
      },
    } as unknown as ExportedStack;
    const r = await recover(state, async () => gl);
    expect(r.creates).toEqual([expect.objectContaining({ name: "killed", revoked: [made.id] })]);
    expect(sandbox.triggerStatus(made.token!)).toBe("unknown");
  });
});

describe("a trigger GitLab shows without an owner", () => {
  it("has no user: no user_id (so no identity lookup that could only fail, at create or at any refresh)", () => {
    const t = triggerToken({
      id: 7,
      token: "glpt",
      description: "nightly",
      created_at: "2030-01-01T00:00:00Z",
      updated_at: "2030-01-01T00:00:00Z",
      last_used: null,
      owner: null,
    } as unknown as PipelineTriggerTokenSchema);
    expect(t).not.toHaveProperty("user_id");
    expect(t).toMatchObject({ id: 7, description: "nightly", active: true, revoked: false });
  });
});
