/**
 * Pipeline trigger tokens over HTTP (lib/api/ci/triggers.rb, lib/api/entities/trigger.rb,
 * app/models/ci/trigger.rb, doc/api/pipeline_triggers.md), also through @gitbeaker/rest, on a
 * GitLab with trigger expiry (17.x+) and one without it (`triggerTokenExpiration: false`).
 */
import { Gitlab } from "@gitbeaker/rest";
import { type Sandbox, startSandbox } from "../../sandbox";
import { Client, ROLES_SEED, admin } from "./helpers";

const TRIGGER_VALUE = /^glptt-[0-9a-f]{40}$/;

describe("sandbox pipeline trigger tokens", () => {
  let sandbox: Sandbox;
  let api: Client;
  const as: Record<string, Client> = {};

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: ROLES_SEED, now: "2030-01-15T08:00:00Z", freezeClock: true });
    api = new Client(sandbox.url, sandbox.adminToken);
    for (const u of ["owner", "maint", "dev", "outsider"]) {
      as[u] = api.as(sandbox.mintPersonalToken(u).token);
    }
  });
  afterAll(() => sandbox.stop());
  afterEach(() => sandbox.updateSettings({ triggerTokenExpiration: true }));

  it("creates a trigger with an expiry, shows it in full to its owner and four characters to others", async () => {
    const res = await as.maint!.post("/projects/acme%2Fweb/triggers", {
      description: "deploy",
      expires_at: "2030-03-01",
    });
    expect(res.status).toBe(201);
    const maint = sandbox.user("maint")!;
    expect(res.body).toEqual({
      id: expect.any(Number),
      token: expect.stringMatching(TRIGGER_VALUE),
      description: "deploy",
      created_at: "2030-01-15T08:00:00.000Z",
      updated_at: "2030-01-15T08:00:00.000Z",
      last_used: null,
      expires_at: "2030-03-01T00:00:00.000Z",
      owner: expect.objectContaining({ id: maint.id, username: "maint" }),
    });
    const value = res.body.token as string;
    const mine = await as.maint!.get(`/projects/acme%2Fweb/triggers/${res.body.id}`);
    expect(mine.body.token).toBe(value);
    const theirs = await as.owner!.get(`/projects/acme%2Fweb/triggers/${res.body.id}`);
    expect(theirs.body.token).toBe(value.slice("glptt-".length, "glptt-".length + 4));
    const listed = await as.owner!.get("/projects/acme%2Fweb/triggers");
    expect(listed.status).toBe(200);
    expect(listed.headers.get("x-total")).toBe(String(listed.body.length));
    expect(listed.body.map((t: { id: number }) => t.id)).toContain(res.body.id);
    expect(sandbox.triggerStatus(value)).toBe("active");
  });

  it("expires a trigger at its expires_at (it stays listed), and deletes one with DELETE", async () => {
    const made = await as.maint!.post("/projects/acme%2Fapi/triggers", {
      description: "short",
      expires_at: "2030-01-16T00:00:00Z",
    });
    expect(sandbox.triggerStatus(made.body.token)).toBe("active");
    sandbox.advanceDays(1);
    try {
      expect(sandbox.triggerStatus(made.body.token)).toBe("expired");
      const still = await as.maint!.get(`/projects/acme%2Fapi/triggers/${made.body.id}`);
      expect(still.body.expires_at).toBe("2030-01-16T00:00:00.000Z");
      const del = await as.maint!.delete(`/projects/acme%2Fapi/triggers/${made.body.id}`);
      expect(del.status).toBe(204);
      expect(sandbox.triggerStatus(made.body.token)).toBe("unknown");
      const gone = await as.maint!.get(`/projects/acme%2Fapi/triggers/${made.body.id}`);
      expect([gone.status, gone.body]).toEqual([404, { message: "404 Not found" }]);
    } finally {
      sandbox.advanceDays(-1);
    }
  });

  it("changes the description with PUT (the owner only)", async () => {
    const made = await as.maint!.post("/projects/acme%2Fweb/triggers", { description: "before" });
    expect(made.body.expires_at).toBeNull();
    const res = await as.maint!.put(`/projects/acme%2Fweb/triggers/${made.body.id}`, {
      description: "after",
    });
    expect([res.status, res.body.description]).toEqual([200, "after"]);
    const other = await as.owner!.put(`/projects/acme%2Fweb/triggers/${made.body.id}`, { description: "x" });
    expect([other.status, other.body]).toEqual([
      403,
      { message: "403 Forbidden - The current user is not authorized to update the pipeline trigger token" },
    ]);
  });

  it.each([
    [
      "a Developer listing",
      "dev",
      "GET",
      "/projects/acme%2Fweb/triggers",
      undefined,
      403,
      { message: "403 Forbidden" },
    ],
    [
      "a Developer creating",
      "dev",
      "POST",
      "/projects/acme%2Fweb/triggers",
      { description: "x" },
      403,
      { message: "403 Forbidden" },
    ],
    [
      "an outsider on a private project",
      "outsider",
      "GET",
      "/projects/acme%2Fweb/triggers",
      undefined,
      404,
      { message: "404 Project Not Found" },
    ],
    [
      "no description",
      "maint",
      "POST",
      "/projects/acme%2Fweb/triggers",
      {},
      400,
      { error: "description is missing" },
    ],
    [
      "an expires_at that is not a time",
      "maint",
      "POST",
      "/projects/acme%2Fweb/triggers",
      { description: "x", expires_at: "soon" },
      400,
      { error: "expires_at is invalid" },
    ],
    [
      "an expires_at 365 days away",
      "maint",
      "POST",
      "/projects/acme%2Fweb/triggers",
      { description: "x", expires_at: "2031-01-15" },
      400,
      { message: "400 Bad request - Expires at must be before 2031-01-15" },
    ],
    [
      "an unknown trigger",
      "maint",
      "DELETE",
      "/projects/acme%2Fweb/triggers/999999",
      undefined,
      404,
      { message: "404 Not found" },
    ],
  ])("refuses %s", async (_what, who, method, path, json, status, body) => {
    const before = sandbox.listTriggers().length;
    const res = await as[who]!.request(method, path, json === undefined ? {} : { json });
    expect([res.status, res.body]).toEqual([status, body]);
    expect(sandbox.listTriggers()).toHaveLength(before);
  });

  it("accepts an expires_at 364 days away (GitLab's limit is 'before today + 365 days')", async () => {
    const res = await as.maint!.post("/projects/acme%2Fweb/triggers", {
      description: "x",
      expires_at: "2031-01-14",
    });
    expect(res.status).toBe(201);
  });

  it("as a GitLab without trigger expiry: ignores expires_at (even an invalid one) and never returns it", async () => {
    const set = await admin(sandbox.url, sandbox.adminToken, "PATCH", "/settings", {
      triggerTokenExpiration: false,
    });
    expect(set.body.triggerTokenExpiration).toBe(false);
    const res = await as.maint!.post("/projects/acme%2Fweb/triggers", {
      description: "legacy",
      expires_at: "2030-02-01",
    });
    expect(res.status).toBe(201);
    expect(res.body).not.toHaveProperty("expires_at");
    expect(Object.keys(res.body)).toEqual([
      "id",
      "token",
      "description",
      "created_at",
      "updated_at",
      "last_used",
      "owner",
    ]);
    sandbox.advanceDays(30);
    try {
      expect(sandbox.triggerStatus(res.body.token)).toBe("active");
    } finally {
      sandbox.advanceDays(-30);
    }
    const junk = await as.maint!.post("/projects/acme%2Fweb/triggers", {
      description: "x",
      expires_at: "soon",
    });
    expect(junk.status).toBe(201);
    const listed = await as.maint!.get("/projects/acme%2Fweb/triggers");
    expect(listed.body.every((t: object) => !("expires_at" in t))).toBe(true);
  });

  it("works through @gitbeaker/rest's PipelineTriggerTokens", async () => {
    const gl = new Gitlab({ host: sandbox.url, token: sandbox.mintPersonalToken("maint").token });
    const made = await gl.PipelineTriggerTokens.create("acme/api", "via gitbeaker");
    expect(made.token).toMatch(TRIGGER_VALUE);
    const shown = await gl.PipelineTriggerTokens.show("acme/api", made.id);
    expect(shown.description).toBe("via gitbeaker");
    const edited = await gl.PipelineTriggerTokens.edit("acme/api", made.id, { description: "renamed" });
    expect(edited.description).toBe("renamed");
    const all = await gl.PipelineTriggerTokens.all("acme/api");
    expect(all.map((t) => t.id)).toContain(made.id);
    await gl.PipelineTriggerTokens.remove("acme/api", made.id);
    expect(sandbox.triggerStatus(made.token)).toBe("unknown");
  });
});
