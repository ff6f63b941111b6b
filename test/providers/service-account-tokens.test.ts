/**
 * Personal tokens of a group or project service account through its namespace's routes
 * (`/groups/:id/service_accounts/:user_id/personal_access_tokens`,
 * `/projects/:id/service_accounts/:user_id/personal_access_tokens`, reference §4), over real HTTP
 * against the sandbox: with a credential that is an Owner of the group and not an administrator
 * (the route is chosen by itself), with `group:` declared, with `project:` declared and a project
 * Maintainer's credential, lost-response reconciliation on those routes, recover, and the errors
 * when no route can work.
 */
import { DEFAULT_SEED, startSandbox, type Sandbox } from "../../sandbox";
import { GitLabClient } from "../../components/gitlab/client";
import { addDays } from "../../components/gitlab/facts";
import { markerOf } from "../../components/gitlab/marker";
import * as impl from "../../components/providers/access-token-impl";
import type { Connection } from "../../components/providers/runtime-env";
import type { AccessTokenOutputs, AccessTokenProps } from "../../components/types";
import { recover, type ExportedStack } from "../../commands/recover";
import { ACCESS_TOKEN_TYPE } from "../../components/types";

const NOW = new Date("2026-11-25T09:00:00Z");
const FAST_RETRY = { baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5_000 };

const GROUP_CREATE = "POST /api/v4/groups/:id/service_accounts/:user_id/personal_access_tokens";
const GROUP_LIST = "GET /api/v4/groups/:id/service_accounts/:user_id/personal_access_tokens";
const GROUP_DELETE = "DELETE /api/v4/groups/:id/service_accounts/:user_id/personal_access_tokens/:token_id";
const ADMIN_CREATE = "POST /api/v4/users/:user_id/personal_access_tokens";
const PROJECT_CREATE = "POST /api/v4/projects/:id/service_accounts/:user_id/personal_access_tokens";
const PROJECT_LIST = "GET /api/v4/projects/:id/service_accounts/:user_id/personal_access_tokens";
const PROJECT_DELETE =
  "DELETE /api/v4/projects/:id/service_accounts/:user_id/personal_access_tokens/:token_id";

let sandbox: Sandbox;
/** alice: an Owner of acme, not an administrator. */
let owner: Connection;
let admin: Connection;
/** mara: a Maintainer of the projects acme/web and acme/api only (no group role, not an administrator). */
let maintainer: Connection;
/** A value of each credential, for the search of error messages. */
const credentials: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({
    now: NOW,
    freezeClock: true,
    seed: {
      ...DEFAULT_SEED,
      users: [
        ...(DEFAULT_SEED.users ?? []),
        { username: "acme-deployer", serviceAccount: true, group: "acme" },
        { username: "beta-bot", serviceAccount: true, group: "beta" },
        { username: "mara", name: "Mara Maintainer" },
        { username: "web-ci", serviceAccount: true, project: "acme/web" },
      ],
      groups: [...(DEFAULT_SEED.groups ?? []), { path: "beta", name: "Beta" }],
      projects: (DEFAULT_SEED.projects ?? []).map((p) =>
        p.path === "acme/web" || p.path === "acme/api" ? { ...p, members: { mara: "maintainer" } } : p,
      ),
    },
  });
  const mara = sandbox.mintPersonalToken("mara", { name: "maintainer-credential", scopes: ["api"] });
  maintainer = { baseUrl: sandbox.url, token: mara.token, retry: FAST_RETRY };
  credentials.push(mara.token);
  const alice = sandbox.mintPersonalToken("alice", { name: "owner-credential", scopes: ["api"] });
  owner = { baseUrl: sandbox.url, token: alice.token, retry: FAST_RETRY };
  admin = { baseUrl: sandbox.url, token: sandbox.adminToken, retry: FAST_RETRY };
  credentials.push(alice.token, sandbox.adminToken);
});

afterAll(async () => {
  await sandbox?.stop();
});

beforeEach(() => {
  sandbox.clearFaults();
  sandbox.resetCounters();
});

function props(over: Partial<AccessTokenProps> = {}): AccessTokenProps {
  return impl.check(
    {},
    {
      kind: "personal",
      key: "deployer",
      target: "acme-deployer",
      name: "deployer",
      description: "deploys",
      scopes: ["read_api"],
      lifetimeDays: 30,
      rotateBeforeDays: 7,
      rotateWhenChanged: {},
      rotationEpoch: "",
      ...over,
    },
    NOW,
  ).inputs!;
}

const selfStatus = async (token: string) =>
  (await fetch(`${sandbox.url}/api/v4/personal_access_tokens/self`, { headers: { "PRIVATE-TOKEN": token } }))
    .status;

describe("with an Owner's credential (not an administrator)", () => {
  it("is refused the administrator's route by GitLab (the sandbox)", async () => {
    const r = await fetch(
      `${sandbox.url}/api/v4/users/${sandbox.user("acme-deployer")!.id}/personal_access_tokens`,
      {
        method: "POST",
        headers: { "PRIVATE-TOKEN": owner.token, "content-type": "application/json" },
        body: JSON.stringify({ name: "x", scopes: ["read_api"], expires_at: addDays(NOW, 5) }),
      },
    );
    expect(r.status).toBe(403);
  });

  let created: AccessTokenOutputs;
  let id: string;

  it("creates the token through the group's route by itself, and keeps the route in state", async () => {
    const r = await impl.create(owner, props(), NOW);
    id = r.id;
    created = r.outs as AccessTokenOutputs;
    expect(created.serviceAccountGroupId).toBe(sandbox.groupId("acme"));
    expect(created.targetId).toBe(sandbox.user("acme-deployer")!.id);
    expect(id).toBe(`personal/${created.targetId}/${created.tokenId}`);
    expect(await selfStatus(created.token)).toBe(200);
    expect(sandbox.findTokenByValue(created.token)).toMatchObject({ name: "deployer", scopes: ["read_api"] });
    const calls = sandbox.counters().byRoute;
    expect(calls[GROUP_CREATE]).toBe(1);
    expect(calls[ADMIN_CREATE]).toBeUndefined();
    // Which group: the credential's owned top-level groups and their service accounts.
    expect(calls["GET /api/v4/user"]).toBe(1);
    expect(calls["GET /api/v4/groups/:id/service_accounts"]).toBeGreaterThanOrEqual(1);
  });

  it("reads it back through the group's list (refresh)", async () => {
    sandbox.resetCounters();
    const r = await impl.read(owner, id, created);
    expect(r.props).toMatchObject({ tokenId: created.tokenId, active: true, expiresAt: created.expiresAt });
    expect(sandbox.counters().byRoute).toEqual({ [GROUP_LIST]: 1 });
  });

  it("revokes it through the group's route, treats a gone token as revoked, and reads it as gone", async () => {
    sandbox.resetCounters();
    await impl.remove(owner, created);
    expect(await selfStatus(created.token)).toBe(401);
    expect(sandbox.counters().byRoute[GROUP_DELETE]).toBe(1);
    await expect(impl.remove(owner, created)).resolves.toBeUndefined();
    expect(await impl.read(owner, id, created)).toEqual({});
  });

  it("reconciles a lost create on the group's route: one active token, the lost one revoked", async () => {
    sandbox.setFaults({
      lostResponse: { method: "POST", path: "/service_accounts/\\d+/personal_access_tokens$", times: 1 },
    });
    const r = await impl.create(owner, props({ key: "lost", name: "lost" }), NOW);
    const outs = r.outs as AccessTokenOutputs;
    const made = sandbox.listTokens().filter((t) => t.name === "lost");
    expect(made).toHaveLength(2);
    expect(made.filter((t) => t.active).map((t) => t.id)).toEqual([outs.tokenId]);
    expect(markerOf(made.find((t) => !t.active)?.description)?.ref).toBe(outs.createRef);
    expect(sandbox.counters().byRoute[GROUP_CREATE]).toBe(2);
    expect(sandbox.counters().byRoute[GROUP_DELETE]).toBe(1);
    await impl.remove(owner, outs);
  });

  it("recover revokes what an interrupted create made, through the group's route", async () => {
    const inputs = props({ key: "killed", name: "killed" });
    // The create the engine recorded as pending, which GitLab carried out.
    const gl = new GitLabClient({ baseUrl: sandbox.url, token: owner.token!, retry: FAST_RETRY });
    const group = sandbox.groupId("acme")!;
    const user = sandbox.user("acme-deployer")!.id;
    const made = await gl.createServiceAccountToken({ type: "group", id: group }, user, {
      name: "killed",
      scopes: ["read_api"],
      expiresAt: addDays(NOW, 30),
      description: `deploys [gitlab-tokens:${inputs.createRef}.abc_123]`,
    });
    const state: ExportedStack = {
      version: 3,
      deployment: {
        resources: [],
        pending_operations: [
          {
            type: "creating",
            resource: {
              urn: "urn:pulumi:s::p::gitlab-tokens:index:PersonalAccessToken$pulumi-nodejs:dynamic/gitlab-tokens:AccessToken::killed",
              type: ACCESS_TOKEN_TYPE,
              inputs: inputs as unknown as Record<string, unknown>,
            },
          },
        ],
      },
    } as unknown as ExportedStack;
    sandbox.resetCounters();
    const r = await recover(state, async () => gl);
    expect(r.creates).toEqual([expect.objectContaining({ name: "killed", revoked: [made.id] })]);
    expect(await selfStatus(made.token!)).toBe(401);
    expect(sandbox.counters().byRoute[GROUP_DELETE]).toBe(1);
    expect(sandbox.counters().byRoute["DELETE /api/v4/personal_access_tokens/:id"]).toBeUndefined();
  });

  it("refuses a service account of a group the credential does not own, naming the token and the field", async () => {
    const p = props({ key: "beta-reader", target: "beta-bot" });
    const err = await impl.create(owner, p, NOW).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(
      /^personal token "beta-reader", field "group": the credential is not an administrator's, and beta-bot is not a service account of any top-level group it owns; declare group: /,
    );
    for (const c of credentials) expect(err?.message).not.toContain(c);
    expect(sandbox.listTokens().filter((t) => t.name === "deployer" && t.active)).toEqual([]);
  });

  it("with group: declared, goes straight to that group's routes (no search among owned groups)", async () => {
    const r = await impl.create(owner, props({ key: "named", name: "named", group: "acme" }), NOW);
    const outs = r.outs as AccessTokenOutputs;
    expect(outs.serviceAccountGroupId).toBe(sandbox.groupId("acme"));
    const calls = sandbox.counters().byRoute;
    expect(calls["GET /api/v4/groups/:id/service_accounts"]).toBeUndefined();
    expect(calls["GET /api/v4/user"]).toBeUndefined();
    expect(calls[GROUP_CREATE]).toBe(1);
    await impl.remove(owner, outs);
  });
});

describe("a project service account with a project Maintainer's credential (project:)", () => {
  const webProps = (over: Partial<AccessTokenProps> = {}) =>
    props({ key: "web-ci", name: "web-ci", target: "web-ci", project: "acme/web", ...over });
  let created: AccessTokenOutputs;
  let id: string;

  it("creates the token through the project's route and keeps the route in state", async () => {
    const r = await impl.create(maintainer, webProps(), NOW);
    id = r.id;
    created = r.outs as AccessTokenOutputs;
    expect(created.serviceAccountProjectId).toBe(sandbox.projectId("acme/web"));
    expect(created.serviceAccountGroupId).toBeUndefined();
    expect(created.targetId).toBe(sandbox.user("web-ci")!.id);
    expect(id).toBe(`personal/${created.targetId}/${created.tokenId}`);
    // Straight to the named project's routes: no search, no administrator's route; then who the
    // token acts as (GET /users/:id, the identity outputs).
    expect(sandbox.counters().byRoute).toEqual({
      "GET /api/v4/users": 1,
      "GET /api/v4/projects/:id": 1,
      [PROJECT_CREATE]: 1,
      "GET /api/v4/users/:id": 1,
    });
    expect(await selfStatus(created.token)).toBe(200);
    expect(sandbox.findTokenByValue(created.token)).toMatchObject({ name: "web-ci", scopes: ["read_api"] });
  });

  it("reads it back through the project's list (refresh), and revokes it through the project's route", async () => {
    sandbox.resetCounters();
    const r = await impl.read(maintainer, id, created);
    expect(r.props).toMatchObject({ tokenId: created.tokenId, active: true, expiresAt: created.expiresAt });
    expect(sandbox.counters().byRoute).toEqual({ [PROJECT_LIST]: 1 });
    sandbox.resetCounters();
    await impl.remove(maintainer, created);
    expect(sandbox.counters().byRoute).toEqual({ [PROJECT_DELETE]: 1 });
    expect(await selfStatus(created.token)).toBe(401);
    await expect(impl.remove(maintainer, created)).resolves.toBeUndefined();
    expect(await impl.read(maintainer, id, created)).toEqual({});
  });

  it("reconciles a lost create on the project's route: one active token, the lost one revoked", async () => {
    sandbox.setFaults({
      lostResponse: {
        method: "POST",
        path: "/projects/\\d+/service_accounts/\\d+/personal_access_tokens$",
        times: 1,
      },
    });
    const r = await impl.create(maintainer, webProps({ key: "web-lost", name: "web-lost" }), NOW);
    const outs = r.outs as AccessTokenOutputs;
    const made = sandbox.listTokens().filter((t) => t.name === "web-lost");
    expect(made).toHaveLength(2);
    expect(made.filter((t) => t.active).map((t) => t.id)).toEqual([outs.tokenId]);
    expect(sandbox.counters().byRoute[PROJECT_CREATE]).toBe(2);
    expect(sandbox.counters().byRoute[PROJECT_DELETE]).toBe(1);
    await impl.remove(maintainer, outs);
  });

  it("recover revokes what an interrupted create made, through the project's route", async () => {
    const inputs = webProps({ key: "web-killed", name: "web-killed" });
    const gl = new GitLabClient({ baseUrl: sandbox.url, token: maintainer.token!, retry: FAST_RETRY });
    const made = await gl.createServiceAccountToken(
      { type: "project", id: sandbox.projectId("acme/web")! },
      sandbox.user("web-ci")!.id,
      {
        name: "web-killed",
        scopes: ["read_api"],
        expiresAt: addDays(NOW, 30),
        description: `deploys [gitlab-tokens:${inputs.createRef}.abc_123]`,
      },
    );
    const state = {
      version: 3,
      deployment: {
        resources: [],
        pending_operations: [
          {
            type: "creating",
            resource: {
              urn: "urn:pulumi:s::p::gitlab-tokens:index:PersonalAccessToken$pulumi-nodejs:dynamic/gitlab-tokens:AccessToken::web-killed",
              type: ACCESS_TOKEN_TYPE,
              inputs: inputs as unknown as Record<string, unknown>,
            },
          },
        ],
      },
    } as unknown as ExportedStack;
    sandbox.resetCounters();
    const r = await recover(state, async () => gl);
    expect(r.creates).toEqual([expect.objectContaining({ name: "web-killed", revoked: [made.id] })]);
    expect(await selfStatus(made.token!)).toBe(401);
    expect(sandbox.counters().byRoute[PROJECT_DELETE]).toBe(1);
  });

  it("without project:, a non-admin credential gets one error naming the token and the field, asking for project:", async () => {
    const err = await impl.create(maintainer, props({ key: "web-nameless", target: "web-ci" }), NOW).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(
      /^personal token "web-nameless", field "group": the credential is not an administrator's, and web-ci is not a service account of any top-level group it owns; .*project: <the project that owns web-ci>/,
    );
    for (const c of credentials) expect(err?.message).not.toContain(c);
    expect(sandbox.counters().byRoute[PROJECT_CREATE]).toBeUndefined();
  });

  it("project: naming a project that does not own the account: GitLab's 404, explained, and nothing made", async () => {
    const err = await impl
      .create(maintainer, webProps({ key: "web-elsewhere", name: "web-elsewhere", project: "acme/api" }), NOW)
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(err?.message).toMatch(
      /HTTP 404: 404 User Not Found; the user is not a service account of this project: name the group \(group:\) or project \(project:\) that owns it$/,
    );
    for (const c of credentials) expect(err?.message).not.toContain(c);
    expect(sandbox.listTokens().filter((t) => t.name === "web-elsewhere")).toEqual([]);
  });

  it("a GitLab without project service accounts (the feature flag off): the create error says so, and a revoke is not taken for done", async () => {
    const r = await impl.create(maintainer, webProps({ key: "web-flag", name: "web-flag" }), NOW);
    const outs = r.outs as AccessTokenOutputs;
    sandbox.updateSettings({ allowProjectsToCreateServiceAccounts: false });
    try {
      const err = await impl.create(maintainer, webProps({ key: "web-off", name: "web-off" }), NOW).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err?.message).toMatch(
        /projects\/\d+\/service_accounts\/\d+\/personal_access_tokens: HTTP 404: 404 Not Found; this GitLab has no project service-account routes: they need GitLab 18\.11 or newer/,
      );
      // A bare 404 does not mean the token is gone: refresh and destroy fail rather than forget it.
      await expect(impl.read(maintainer, "x", outs)).rejects.toThrow(/HTTP 404: 404 Not Found/);
      await expect(impl.remove(maintainer, outs)).rejects.toThrow(/HTTP 404: 404 Not Found/);
      expect(await selfStatus(outs.token)).toBe(200);
    } finally {
      sandbox.updateSettings({ allowProjectsToCreateServiceAccounts: true });
    }
    await impl.remove(maintainer, outs);
    expect(await selfStatus(outs.token)).toBe(401);
  });

  it("a project Maintainer may not use the administrator's or the group's routes (the sandbox, as GitLab)", async () => {
    const webCi = sandbox.user("web-ci")!.id;
    for (const path of [
      `/users/${webCi}/personal_access_tokens`,
      `/groups/acme/service_accounts/${webCi}/personal_access_tokens`,
    ]) {
      const r = await fetch(`${sandbox.url}/api/v4${path}`, {
        method: "POST",
        headers: { "PRIVATE-TOKEN": maintainer.token!, "content-type": "application/json" },
        body: JSON.stringify({ name: "x", scopes: ["read_api"], expires_at: addDays(NOW, 5) }),
      });
      expect([path, r.status]).toEqual([path, 403]);
    }
  });
});

describe("with an administrator's credential", () => {
  it("keeps the administrator's routes for a service account without group: (as before)", async () => {
    const r = await impl.create(admin, props({ key: "adm", name: "adm" }), NOW);
    const outs = r.outs as AccessTokenOutputs;
    expect(outs.serviceAccountGroupId).toBeUndefined();
    expect(sandbox.counters().byRoute[ADMIN_CREATE]).toBe(1);
    await impl.remove(admin, outs);
    expect(sandbox.counters().byRoute["DELETE /api/v4/personal_access_tokens/:id"]).toBe(1);
  });

  it("uses the group's routes when the declaration names the group", async () => {
    const r = await impl.create(admin, props({ key: "adm-g", name: "adm-g", group: "acme" }), NOW);
    const outs = r.outs as AccessTokenOutputs;
    expect(outs.serviceAccountGroupId).toBe(sandbox.groupId("acme"));
    expect(sandbox.counters().byRoute[GROUP_CREATE]).toBe(1);
    // State written with the group's routes is refreshed and destroyed through them by any credential that may.
    expect((await impl.read(owner, r.id, outs)).props).toMatchObject({ active: true });
    await impl.remove(owner, outs);
    expect(await selfStatus(outs.token)).toBe(401);
  });
});

describe("check and diff", () => {
  it("changing group: updates in place (the token is the same; it keeps its routes)", () => {
    const before = props();
    const olds = {
      ...before,
      tokenId: 1,
      token: "x",
      expiresAt: addDays(NOW, 30),
      rotatesAt: addDays(NOW, 23),
      active: true,
      createdAt: NOW.toISOString(),
      userId: 2,
      targetId: 2,
    } as AccessTokenOutputs;
    const d = impl.diff(olds, props({ group: "acme" }), NOW);
    expect(d).toMatchObject({ changes: true, replaces: [] });
    expect(impl.diff(olds, props({ project: "acme/web" }), NOW)).toMatchObject({
      changes: true,
      replaces: [],
    });
  });

  it("refuses group: and project: together, naming the field", () => {
    const p = { ...props(), group: "acme", project: "acme/web" };
    expect(impl.check({}, p, NOW).failures).toEqual([
      {
        property: "project",
        reason: expect.stringMatching(
          /^a service account belongs to a top-level group or to a project, not both/,
        ),
      },
    ]);
  });
});
