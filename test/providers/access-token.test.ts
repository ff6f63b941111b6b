/**
 * The access-token provider's lifecycle calls, for each kind of token, over real HTTP against the
 * sandbox; and its pure check/diff rules.
 */
import { startSandbox, type Sandbox } from "../../sandbox";
import { GitLabClient } from "../../components/gitlab/client";
import { addDays, rotationDate } from "../../components/gitlab/facts";
import * as impl from "../../components/providers/access-token-impl";
import type { Connection } from "../../components/providers/runtime-env";
import { MARKER_LENGTH, createRefOf, markerOf, unmarkedDescription } from "../../components/gitlab/marker";
import type { AccessTokenOutputs, AccessTokenProps } from "../../components/types";

const NOW = new Date("2026-11-25T09:00:00Z");
const FAST_RETRY = { baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5_000 };

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
});

function props(over: Partial<AccessTokenProps>): AccessTokenProps {
  return {
    kind: "project",
    key: "web-deploy",
    target: "acme/web",
    name: "web-deploy",
    description: "deploys the web app",
    scopes: ["read_registry", "read_repository"],
    accessLevel: "reporter",
    lifetimeDays: 30,
    rotateBeforeDays: 7,
    rotateWhenChanged: {},
    rotationEpoch: "",
    ...over,
  };
}

const selfStatus = async (token: string) =>
  (await fetch(`${sandbox.url}/api/v4/personal_access_tokens/self`, { headers: { "PRIVATE-TOKEN": token } }))
    .status;

describe.each([
  [
    "project",
    props({}),
    "POST /api/v4/projects/:id/access_tokens",
    "DELETE /api/v4/projects/:id/access_tokens/:token_id",
  ],
  [
    "group",
    props({ kind: "group", key: "sbom", target: "acme", name: "sbom", scopes: ["read_api"] }),
    "POST /api/v4/groups/:id/access_tokens",
    "DELETE /api/v4/groups/:id/access_tokens/:token_id",
  ],
  [
    "personal",
    props({
      kind: "personal",
      key: "inv",
      target: "provisioner",
      name: "inv",
      accessLevel: undefined,
      scopes: ["read_api"],
      serviceAccount: true,
    }),
    "POST /api/v4/users/:user_id/personal_access_tokens",
    "DELETE /api/v4/personal_access_tokens/:id",
  ],
])("%s token lifecycle", (kind, input, createRoute, deleteRoute) => {
  let created: AccessTokenOutputs;
  let id: string;

  it("creates a working token with the expiry computed once, at creation", async () => {
    const checked = impl.check(input, input, NOW);
    expect(checked.failures).toBeUndefined();
    const result = await impl.create(conn, checked.inputs as AccessTokenProps, NOW);
    id = result.id;
    created = result.outs as AccessTokenOutputs;

    expect(id).toMatch(new RegExp(`^${kind}/\\d+/${created.tokenId}$`));
    expect(created.token).toMatch(/^glpat-[A-Za-z0-9_-]{20}$/);
    expect(created.expiresAt).toBe(addDays(NOW, 30));
    expect(created.rotatesAt).toBe(rotationDate(created.expiresAt, 7));
    expect(created.active).toBe(true);
    expect(await selfStatus(created.token)).toBe(200);
    const info = sandbox.findTokenByValue(created.token)!;
    expect(info).toMatchObject({ name: input.name, scopes: [...input.scopes].sort() });
    // The exact URL per kind (a gitbeaker revision once sent group tokens to projects/).
    expect(sandbox.counters().byRoute[createRoute]).toBe(1);
    // Who it acts as: one GET /users/:id, with the administrator's credential (so the commit e-mail).
    expect(sandbox.counters().byRoute["GET /api/v4/users/:id"]).toBe(1);
    const user = sandbox.user(created.userId!)!;
    expect(created.userId).toBe(info.userId);
    expect(created).toMatchObject({ identityUsername: user.username, commitEmail: user.email });
    if (kind === "personal") expect(created.identityUsername).toBe("provisioner");
    else
      expect(created.identityUsername).toMatch(new RegExp(`^${kind}_${created.targetId}_bot_[0-9a-f]{32}$`));
  });

  it("reads it back as it is", async () => {
    sandbox.resetCounters();
    const r = await impl.read(conn, id, created);
    expect(r.id).toBe(id);
    expect(r.props).toMatchObject({ tokenId: created.tokenId, active: true, expiresAt: created.expiresAt });
    // The identity is kept from state: the read of the token is the only call.
    expect(r.props).toMatchObject({
      userId: created.userId,
      identityUsername: created.identityUsername,
      commitEmail: created.commitEmail,
    });
    expect(sandbox.counters().total).toBe(1);
  });

  it("updates its own metadata without calling GitLab", () => {
    sandbox.resetCounters();
    const r = impl.update(created, { ...input, rotateBeforeDays: 3, owner: "team-x" });
    expect(r.outs).toMatchObject({
      rotatesAt: rotationDate(created.expiresAt, 3),
      owner: "team-x",
      token: created.token,
      userId: created.userId,
      identityUsername: created.identityUsername,
      commitEmail: created.commitEmail,
    });
    expect(sandbox.counters().total).toBe(0);
  });

  it("revokes it on delete, and treats an already-gone token as deleted", async () => {
    await impl.remove(conn, created);
    expect(await selfStatus(created.token)).toBe(401);
    expect(sandbox.counters().byRoute[deleteRoute]).toBeGreaterThanOrEqual(1);
    await expect(impl.remove(conn, created)).resolves.toBeUndefined();
  });

  it("reports a revoked token as gone on read, so the next up recreates it", async () => {
    const r = await impl.read(conn, id, created);
    expect(r).toEqual({});
  });
});

describe("read of an expired token", () => {
  it("reports it as gone once GitLab's clock passes 00:00 UTC of the expiry date", async () => {
    const c = await impl.create(conn, props({ name: "short", lifetimeDays: 2, rotateBeforeDays: 1 }), NOW);
    const outs = c.outs as AccessTokenOutputs;
    sandbox.setNow(`${outs.expiresAt}T00:00:00Z`);
    try {
      expect(await impl.read(conn, c.id, outs)).toEqual({});
    } finally {
      sandbox.setNow(NOW);
    }
  });
});

describe("a create whose response is lost", () => {
  it("finds and revokes the token it made, retries, and leaves exactly one active token", async () => {
    sandbox.setFaults({ lostResponse: { method: "POST", path: "/access_tokens$", times: 1 } });
    const c = await impl.create(conn, props({ name: "lost-once" }), NOW);
    const outs = c.outs as AccessTokenOutputs;
    const same = sandbox.listTokens().filter((t) => t.name === "lost-once");
    expect(same).toHaveLength(2);
    expect(same.filter((t) => t.active)).toEqual([expect.objectContaining({ id: outs.tokenId })]);
    expect(await selfStatus(outs.token)).toBe(200);
  });

  it("never touches the token being replaced, though it carries the same reference", async () => {
    const first = impl.check({}, props({ name: "rotating" }), NOW).inputs!;
    const old = await impl.create(conn, first, NOW);
    // The replacement's check keeps the resource's reference; only the create call's nonce differs.
    const again = impl.check(first, props({ name: "rotating", rotationEpoch: "incident" }), NOW).inputs!;
    expect(again.createRef).toBe(first.createRef);
    sandbox.setFaults({ lostResponse: { method: "POST", path: "/access_tokens$", times: 2 } });
    const fresh = await impl.create(conn, again, NOW);
    const active = sandbox.listTokens().filter((t) => t.name === "rotating" && t.active);
    expect(active.map((t) => t.id).sort()).toEqual(
      [(old.outs as AccessTokenOutputs).tokenId, (fresh.outs as AccessTokenOutputs).tokenId].sort(),
    );
    // The two lost attempts' tokens: same reference and nonce as the surviving one, all revoked.
    const made = sandbox.listTokens().filter((t) => t.name === "rotating");
    expect(made).toHaveLength(4);
    const nonceOf = (id: number) => markerOf(made.find((t) => t.id === id)?.description)?.nonce;
    const freshNonce = nonceOf((fresh.outs as AccessTokenOutputs).tokenId);
    expect(freshNonce).not.toBe(nonceOf((old.outs as AccessTokenOutputs).tokenId));
    expect(made.filter((t) => !t.active).every((t) => markerOf(t.description)?.nonce === freshNonce)).toBe(
      true,
    );
  });

  it("never touches a same-named token another stack (or a person) made meanwhile", async () => {
    // The other party's token appears between our lost POST and our reconciliation: a
    // "did not exist before" rule would take it for ours; the creation reference does not.
    sandbox.setFaults({
      lostResponse: { method: "POST", path: "/access_tokens$", times: 1 },
      latency: { method: "GET", path: "/access_tokens$", ms: 300 },
    });
    const gl = new GitLabClient({ baseUrl: sandbox.url, token: sandbox.adminToken, retry: FAST_RETRY });
    const mine = impl.create(conn, impl.check(props({}), props({ name: "shared-name" }), NOW).inputs!, NOW);
    while ((sandbox.counters().byRoute["POST /api/v4/projects/:id/access_tokens"] ?? 0) < 1) {
      await new Promise((r) => setTimeout(r, 5));
    }
    const theirs = await gl.createResourceToken("project", sandbox.projectId("acme/web")!, {
      name: "shared-name",
      scopes: ["read_api"],
      expiresAt: addDays(NOW, 10),
      description: "made by another stack [gitlab-tokens:0123456789abcdef01234567]",
    });
    const outs = (await mine).outs as AccessTokenOutputs;
    const active = sandbox.listTokens().filter((t) => t.name === "shared-name" && t.active);
    expect(active.map((t) => t.id).sort()).toEqual([theirs.id, outs.tokenId].sort());
  });

  it("gives up after three unanswered attempts, with nothing left active", async () => {
    sandbox.setFaults({ lostResponse: { method: "POST", path: "/access_tokens$" } });
    await expect(impl.create(conn, props({ name: "never" }), NOW)).rejects.toThrow(
      /failed 3 times without an answer from GitLab .*any token those attempts made was found and revoked/,
    );
    expect(sandbox.listTokens().filter((t) => t.name === "never" && t.active)).toEqual([]);
  });
});

describe("the identity of the token's user", () => {
  it("is read with a credential that is not an administrator's too: the username, no commit e-mail (GitLab shows it to administrators only)", async () => {
    const owner = sandbox.mintPersonalToken("alice", { name: "provisioning", scopes: ["api"] }).token;
    const c = await impl.create({ ...conn, token: owner }, props({ name: "by-owner" }), NOW);
    const outs = c.outs as AccessTokenOutputs;
    expect(outs.identityUsername).toMatch(/^project_\d+_bot_[0-9a-f]{32}$/);
    expect(outs.identityUsername).toBe(sandbox.user(outs.userId!)?.username);
    expect(outs).not.toHaveProperty("commitEmail");
  });

  it("is a new bot user for every project token, so for every rotation", async () => {
    const [a, b] = await Promise.all(
      ["first", "successor"].map((n) => impl.create(conn, props({ name: "rotating", key: n }), NOW)),
    );
    expect(a!.outs.userId).not.toBe(b!.outs.userId);
    expect(a!.outs.identityUsername).not.toBe(b!.outs.identityUsername);
  });

  it("that GitLab does not give at create leaves the token made and recorded; the next refresh fills it, once", async () => {
    sandbox.setFaults({ error: { method: "GET", path: "^/api/v4/users/\\d+$", status: 404 } });
    const c = await impl.create(conn, props({ name: "unseen" }), NOW);
    const outs = c.outs as AccessTokenOutputs;
    expect(outs.token).toMatch(/^glpat-/);
    expect(outs.userId).toBeGreaterThan(0);
    expect(outs.identityUsername).toBeUndefined();
    expect(sandbox.tokenStatus(outs.token)).toBe("active");

    sandbox.clearFaults();
    sandbox.resetCounters();
    const filled = (await impl.read(conn, c.id, outs)).props as AccessTokenOutputs;
    expect(filled.identityUsername).toMatch(/^project_\d+_bot_[0-9a-f]{32}$/);
    expect(filled.commitEmail).toMatch(/@noreply\./);
    expect(sandbox.counters().byRoute["GET /api/v4/users/:id"]).toBe(1);

    sandbox.resetCounters();
    await impl.read(conn, c.id, filled);
    expect(sandbox.counters().byRoute["GET /api/v4/users/:id"]).toBeUndefined();
  });

  it("is kept by an in-place update, which sets no output to undefined (the engine refuses one)", async () => {
    const owner = sandbox.mintPersonalToken("alice", { name: "provisioning-2", scopes: ["api"] }).token;
    const c = await impl.create({ ...conn, token: owner }, props({ name: "kept" }), NOW);
    const outs = c.outs as AccessTokenOutputs;
    expect(outs).not.toHaveProperty("commitEmail");
    const r = impl.update(outs, props({ name: "kept", owner: "team-y" }));
    expect(r.outs).toMatchObject({
      userId: outs.userId,
      identityUsername: outs.identityUsername,
      owner: "team-y",
    });
    expect(Object.entries(r.outs ?? {}).filter(([, v]) => v === undefined)).toEqual([]);
  });

  it("in state written before it (no username, no commitEmail) is filled by a refresh", async () => {
    const c = await impl.create(conn, props({ name: "old-state" }), NOW);
    const { identityUsername, commitEmail, ...old } = c.outs as AccessTokenOutputs;
    const r = await impl.read(conn, c.id, old as AccessTokenOutputs);
    expect(r.props).toMatchObject({ userId: old.userId, identityUsername, commitEmail });
  });
});

describe("target lookups", () => {
  it("look a project up once per provider process, however many tokens are created on it at once", async () => {
    const made = await Promise.all(
      ["one", "two", "three"].map((n) =>
        impl.create(conn, props({ name: `lookup-${n}`, key: n, target: "acme/api" }), NOW),
      ),
    );
    await impl.create(conn, props({ name: "lookup-four", target: "ACME/api" }), NOW);
    expect(sandbox.counters().byRoute["GET /api/v4/projects/:id"]).toBe(1);
    expect(sandbox.counters().byRoute["POST /api/v4/projects/:id/access_tokens"]).toBe(4);
    expect(new Set(made.map((m) => m.outs.targetId))).toEqual(new Set([sandbox.projectId("acme/api")]));
  });

  it("make no call for a numeric project or group id", async () => {
    const id = String(sandbox.projectId("acme/web"));
    const c = await impl.create(conn, props({ name: "by-id", target: id }), NOW);
    expect(c.outs.targetId).toBe(Number(id));
    // The create, and the bot's identity: no lookup of the project.
    expect(sandbox.counters().byRoute).toEqual({
      "POST /api/v4/projects/:id/access_tokens": 1,
      "GET /api/v4/users/:id": 1,
    });
  });

  it("keep no failed lookup: the next create asks GitLab again", async () => {
    const missing = props({ name: "later", target: "acme/later" });
    await expect(impl.create(conn, missing, NOW)).rejects.toThrow(/404/);
    sandbox.resetCounters();
    await expect(impl.create(conn, missing, NOW)).rejects.toThrow(/404/);
    expect(sandbox.counters().byRoute["GET /api/v4/projects/:id"]).toBe(1);
  });
});

describe("the creation marker", () => {
  it("ends the GitLab description of every token made, and costs one create call on the happy path", async () => {
    const inputs = impl.check(props({}), props({ name: "marked" }), NOW).inputs!;
    expect(inputs.createRef).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const c = await impl.create(conn, inputs, NOW);
    const outs = c.outs as AccessTokenOutputs;
    const info = sandbox.listTokens().find((t) => t.id === outs.tokenId)!;
    expect(info.description).toMatch(
      /^deploys the web app \[gitlab-tokens:[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{7}\]$/,
    );
    expect(info.description?.length).toBe("deploys the web app".length + MARKER_LENGTH);
    expect(createRefOf(info.description)).toBe(inputs.createRef);
    expect(unmarkedDescription(info.description)).toBe("deploys the web app");
    expect(outs).toMatchObject({ createRef: inputs.createRef, description: "deploys the web app" });
    // resolve the project, create: no list before the create.
    expect(sandbox.counters().byRoute["POST /api/v4/projects/:id/access_tokens"]).toBe(1);
    expect(sandbox.counters().byRoute["GET /api/v4/projects/:id/access_tokens"]).toBeUndefined();
  });

  it("is drawn once per resource and kept by every later check (an unchanged run changes no input), and never makes a difference to diff or update", () => {
    const a = impl.check({}, props({}), NOW).inputs!;
    const b = impl.check(a, props({}), NOW).inputs!;
    expect(b).toEqual(a);
    // A reference from before nonces (24 hex) is replaced, once.
    const legacy = impl.check({ ...a, createRef: "0123456789abcdef01234567" }, props({}), NOW).inputs!;
    expect(legacy.createRef).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(impl.check(legacy, props({}), NOW).inputs!.createRef).toBe(legacy.createRef);
    const outs: AccessTokenOutputs = {
      ...a,
      tokenId: 1,
      token: "glpat-xxxxxxxxxxxxxxxxxxxx",
      expiresAt: addDays(NOW, 30),
      rotatesAt: rotationDate(addDays(NOW, 30), 7),
      active: true,
      createdAt: NOW.toISOString(),
      userId: 9,
      targetId: 3,
    };
    expect(impl.diff(outs, b, NOW)).toMatchObject({ changes: false, replaces: [] });
    expect(impl.update(outs, { ...b, owner: "team-x" }).outs).toMatchObject({ createRef: a.createRef });
  });

  it("is refused on a description that would not leave it room", () => {
    const r = impl.check(props({}), props({ description: "x".repeat(250) }), NOW);
    expect(r.failures).toEqual([
      {
        property: "description",
        reason: `description is 250 characters; at most ${255 - MARKER_LENGTH} (GitLab allows 255; the creation marker takes ${MARKER_LENGTH})`,
      },
    ]);
  });
});

describe("errors", () => {
  it("name the call and GitLab's message, never the credential", async () => {
    const bad = props({ target: "acme/nope" });
    const err = await impl.create(conn, bad, NOW).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe("GitLab GET projects/acme%2Fnope: HTTP 404: 404 Project Not Found");
    expect((err as Error).message).not.toContain(sandbox.adminToken);
  });

  it("say where to put a credential when there is none", async () => {
    await expect(impl.create({ baseUrl: sandbox.url, token: undefined }, props({}), NOW)).rejects.toThrow(
      "no GitLab credential: set it with `pulumi config set --secret gitlab-tokens:token` or the GITLAB_TOKEN environment variable",
    );
  });

  it("surface GitLab's refusal of an Owner-level token by a Maintainer", async () => {
    const maint = sandbox.mintPersonalToken("provisioner", { scopes: ["api"] });
    const asMaintainer = { ...conn, token: maint.token };
    await expect(impl.create(asMaintainer, props({ accessLevel: "owner" }), NOW)).rejects.toThrow(
      /HTTP 400: 400 Bad request - Could not provision owner access to project access token/,
    );
  });
});

describe("retries", () => {
  it("wait out a 429 with Retry-After and then succeed", async () => {
    sandbox.setFaults({ rateLimit: { method: "GET", times: 2, retryAfterSeconds: 0 } });
    const gl = new GitLabClient({ baseUrl: sandbox.url, token: sandbox.adminToken, retry: FAST_RETRY });
    await expect(gl.resolveProject("acme/web")).resolves.toMatchObject({ path: "acme/web" });
    expect(sandbox.counters().total).toBe(3);
  });

  it("retry a GET that failed with 502 or 503", async () => {
    sandbox.setFaults({
      error: [
        { method: "GET", status: 502, times: 1 },
        { method: "GET", status: 503, times: 1 },
      ],
    });
    const gl = new GitLabClient({ baseUrl: sandbox.url, token: sandbox.adminToken, retry: FAST_RETRY });
    await expect(gl.resolveGroup("acme")).resolves.toMatchObject({ path: "acme" });
    expect(sandbox.counters().total).toBe(3);
  });

  it("never retry a POST that failed with 500 (outcome unknown): the provider reconciles instead", async () => {
    sandbox.setFaults({ error: { method: "POST", status: 500, times: 1 } });
    const gl = new GitLabClient({ baseUrl: sandbox.url, token: sandbox.adminToken, retry: FAST_RETRY });
    const err = await gl
      .createResourceToken("project", sandbox.projectId("acme/web")!, {
        name: "x",
        scopes: ["read_api"],
        expiresAt: addDays(NOW, 5),
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 500, outcomeUnknown: true });
    expect(sandbox.counters().byRoute["POST /api/v4/projects/:id/access_tokens"]).toBe(1);
  });
});

describe("check and diff (pure: no API calls)", () => {
  const outs = (over: Partial<AccessTokenOutputs> = {}): AccessTokenOutputs => ({
    ...props({}),
    scopes: ["read_registry", "read_repository"],
    tokenId: 1,
    token: "glpat-xxxxxxxxxxxxxxxxxxxx",
    expiresAt: "2026-12-25",
    rotatesAt: "2026-12-18",
    active: true,
    createdAt: "2026-11-25T09:00:00.000Z",
    userId: 9,
    targetId: 3,
    ...over,
  });

  it("normalises scopes and fills defaults", () => {
    const r = impl.check(
      props({}),
      { ...props({}), scopes: ["read_repository", "read_registry", "read_registry"] },
      NOW,
    );
    expect(r.inputs?.scopes).toEqual(["read_registry", "read_repository"]);
  });

  it("names the property and what to change", () => {
    const r = impl.check(props({}), props({ lifetimeDays: undefined, fixedExpiresAt: "2026-11-01" }), NOW);
    expect(r.failures).toEqual([
      {
        property: "fixedExpiresAt",
        reason: expect.stringContaining("expiresAt is 2026-11-01, which is not after today (2026-11-25)"),
      },
    ]);
  });

  it.each([
    ["nothing changed", {}, NOW, false, []],
    ["scopes widened", { scopes: ["api", "read_registry", "read_repository"] }, NOW, true, ["scopes"]],
    ["access level", { accessLevel: "developer" }, NOW, true, ["accessLevel"]],
    ["description", { description: "new words" }, NOW, true, ["description"]],
    ["rotateWhenChanged", { rotateWhenChanged: { reason: "incident" } }, NOW, true, ["rotateWhenChanged"]],
    ["rotationEpoch", { rotationEpoch: "2" }, NOW, true, ["rotationEpoch"]],
    ["lifetime", { lifetimeDays: 20 }, NOW, true, ["lifetimeDays"]],
    ["only the rotation window", { rotateBeforeDays: 3 }, NOW, true, []],
    ["only the owner", { owner: "team-b" }, NOW, true, []],
    ["the day before rotation is due", {}, new Date("2026-12-17T23:59:59Z"), false, []],
    ["the day rotation is due", {}, new Date("2026-12-18T00:00:00Z"), true, ["expiresAt"]],
  ] as const)("%s", (_what, change, now, changes, replaces) => {
    const d = impl.diff(outs(), { ...props({}), ...change } as AccessTokenProps, now);
    expect(d.changes).toBe(changes);
    expect(d.replaces).toEqual(replaces);
    expect(d.deleteBeforeReplace).toBe(false);
  });

  it("does not rotate a token with a fixed expiry date on time (it would come back the same)", () => {
    const d = impl.diff(
      outs({ lifetimeDays: undefined, fixedExpiresAt: "2026-12-25" }),
      props({ lifetimeDays: undefined, fixedExpiresAt: "2026-12-25" }),
      new Date("2026-12-20T00:00:00Z"),
    );
    expect(d.replaces).toEqual([]);
  });

  it("replaces a token that a refresh found inactive", () => {
    expect(impl.diff(outs({ active: false }), props({}), NOW).replaces).toEqual(["active"]);
  });

  it("replaces a deploy token whose username or owner (project or group) changes; GitLab's username output is not an input", () => {
    const deploy = {
      kind: "deploy",
      accessLevel: undefined,
      targetField: "project",
      username: "ci",
    } as const;
    const stored = outs({ ...deploy, identityUsername: "ci" } as never);
    expect(impl.diff(stored, props(deploy), NOW).changes).toBe(false);
    expect(impl.diff(stored, props({ ...deploy, username: "ci2" }), NOW).replaces).toEqual(["username"]);
    expect(impl.diff(stored, props({ ...deploy, targetField: "group" }), NOW).replaces).toEqual([
      "targetField",
    ]);
    // No declared username: GitLab's default (an output) does not make a difference.
    const byDefault = outs({
      ...deploy,
      username: undefined,
      identityUsername: "gitlab+deploy-token-7",
    } as never);
    expect(impl.diff(byDefault, props({ ...deploy, username: undefined }), NOW).changes).toBe(false);
  });
});

describe("a fine-grained personal token", () => {
  const fg = (granular: AccessTokenProps["granular"], over: Partial<AccessTokenProps> = {}) =>
    props({
      kind: "personal",
      key: "release-bot",
      target: "provisioner",
      name: "release-bot",
      scopes: [],
      accessLevel: undefined,
      granular,
      ...over,
    });
  const GRANULAR = [
    {
      access: "selected_memberships" as const,
      projects: ["acme/web"],
      permissions: ["read_job", "create_release"],
    },
  ];

  it("check takes granular scopes instead of scopes, and refuses both or a permission outside the catalogue", () => {
    expect(impl.check({}, fg(GRANULAR), NOW).failures).toBeUndefined();
    expect(impl.check({}, fg(GRANULAR, { scopes: ["read_api"] }), NOW).failures).toEqual([
      {
        property: "granular",
        reason:
          "give scopes or granular, not both: GitLab takes exactly one (granular makes a fine-grained token); remove one",
      },
    ]);
    expect(
      impl.check({}, fg([{ access: "instance", permissions: ["read_job"] }]), NOW).failures?.[0],
    ).toMatchObject({ property: "granular[0].permissions[0]" });
  });

  it("is made with the project looked up by path, read back, and replaced when its permissions change", async () => {
    const inputs = impl.check({}, fg(GRANULAR), NOW).inputs!;
    const created = await impl.create(conn, inputs, NOW);
    const t = sandbox.findTokenByValue(created.outs.token as string)!;
    expect(t).toMatchObject({ granular: true, scopes: ["granular"] });
    expect(t.granularScopes).toEqual([
      {
        access: "selected_memberships",
        permissions: ["read_job", "create_release"],
        namespace: { type: "project", id: sandbox.projectId("acme/web") },
      },
    ]);
    const read = await impl.read(conn, created.id, created.outs as AccessTokenOutputs, NOW);
    expect(read.props).toMatchObject({ tokenId: t.id, granular: GRANULAR });
    const more = impl.check(inputs, fg([{ ...GRANULAR[0]!, permissions: ["read_job"] }]), NOW).inputs!;
    expect(impl.diff(created.outs as AccessTokenOutputs, more, NOW).replaces).toEqual(["granular"]);
    // The same permissions in another order are the same token.
    const reordered = impl.check(
      inputs,
      fg([{ ...GRANULAR[0]!, permissions: ["create_release", "read_job"] }]),
      NOW,
    ).inputs!;
    expect(impl.diff(created.outs as AccessTokenOutputs, reordered, NOW).replaces).toEqual([]);
    await impl.remove(conn, created.outs as AccessTokenOutputs);
    expect(sandbox.findTokenByValue(created.outs.token as string)!.revoked).toBe(true);
  });
});

describe("an instance whose maximum lifetime is shorter than declared", () => {
  let capped: Sandbox;
  let cappedConn: Connection;
  beforeAll(async () => {
    capped = await startSandbox({ now: NOW, freezeClock: true });
    capped.updateSettings({ maxPersonalAccessTokenLifetimeDays: 20 });
    cappedConn = { baseUrl: capped.url, token: capped.adminToken, retry: FAST_RETRY };
  });
  afterAll(async () => {
    await capped?.stop();
  });

  it("gets the last date GitLab accepts, learnt from its refusal once per process, and says what was asked", async () => {
    const CREATE = "POST /api/v4/projects/:id/access_tokens";
    const first = await impl.create(
      cappedConn,
      impl.check({}, props({ key: "a", name: "a" }), NOW).inputs!,
      NOW,
    );
    // GitLab: "Expiration date must be before <today + 20>" — the day before it is the last taken.
    expect(first.outs).toMatchObject({
      expiresAt: addDays(NOW, 19),
      rotatesAt: rotationDate(addDays(NOW, 19), 7),
      expiryCappedFrom: addDays(NOW, 30),
    });
    expect(capped.findTokenByValue(first.outs.token as string)!.expiresAt).toBe(addDays(NOW, 19));
    expect(capped.counters().byRoute[CREATE]).toBe(2);

    const second = await impl.create(
      cappedConn,
      impl.check({}, props({ key: "b", name: "b" }), NOW).inputs!,
      NOW,
    );
    expect(second.outs).toMatchObject({ expiresAt: addDays(NOW, 19), expiryCappedFrom: addDays(NOW, 30) });
    expect(capped.counters().byRoute[CREATE]).toBe(3);

    // A lifetime within the cap is made as asked, with nothing recorded.
    const short = await impl.create(
      cappedConn,
      impl.check({}, props({ key: "c", name: "c", lifetimeDays: 10, rotateBeforeDays: 3 }), NOW).inputs!,
      NOW,
    );
    expect(short.outs.expiresAt).toBe(addDays(NOW, 10));
    expect(short.outs).not.toHaveProperty("expiryCappedFrom");
  });

  it("passes any other refusal through untouched", async () => {
    const e = impl.create(
      cappedConn,
      impl.check({}, props({ key: "d", name: "d", target: "acme/nowhere" }), NOW).inputs!,
      NOW,
    );
    await expect(e).rejects.toThrow(/404/);
  });
});
