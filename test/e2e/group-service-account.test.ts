/**
 * End to end with the real `pulumi` binary: a group service account's personal token managed with
 * the credential of an Owner of the group who is not an administrator (gitlab.com's case) — create,
 * an unchanged up with zero API calls, rotation by rotateWhenChanged (create-before-delete, the
 * variable redelivered), destroy. The sandbox refuses the administrator's route to that credential,
 * and no call reaches it: every token call goes through the group's routes.
 */
import { DEFAULT_SEED } from "../../sandbox";
import { adminPersonalTokenCalls, expectNoSecrets, ok, startE2E, tokenValues, type E2E } from "./helpers";

jest.setTimeout(600_000);

const declarations = (reason: string, group = "") => `
tokens:
  deployer:
    kind: personal
    user: acme-deployer
    serviceAccount: true${group}
    scopes: [read_api]
    lifetimeDays: 30
    rotateWhenChanged: { reason: "${reason}" }
    deliverTo:
      - { project: acme/web, variable: DEPLOYER_TOKEN }
`;

const GROUP_ROUTES = "/groups/:id/service_accounts/:user_id/personal_access_tokens";

describe("a group service account's token with a group Owner's credential (not an administrator)", () => {
  let e2e: E2E;
  let ownerToken: string;
  const secrets = new Set<string>();

  beforeAll(async () => {
    e2e = await startE2E("group-sa", declarations("initial"), {
      now: new Date(),
      seed: {
        ...DEFAULT_SEED,
        users: [
          ...(DEFAULT_SEED.users ?? []),
          { username: "acme-deployer", serviceAccount: true, group: "acme" },
        ],
      },
    });
    // alice owns acme (DEFAULT_SEED) and is not an administrator.
    ownerToken = e2e.sandbox.mintPersonalToken("alice", { name: "provisioning", scopes: ["api"] }).token;
    await e2e.ws.setConfig("gitlab-tokens:token", ownerToken, { secret: true });
    secrets.add(ownerToken);
    secrets.add(e2e.sandbox.adminToken);
  });

  afterAll(async () => {
    await e2e?.close();
  });

  const up = () => e2e.run(() => e2e.ws.up([], e2e.clockEnv()));
  const variable = () => e2e.sandbox.variableValue("project", "acme/web", "DEPLOYER_TOKEN");
  /** Calls to the administrator's routes for personal tokens. */
  const adminCalls = () => adminPersonalTokenCalls(e2e.sandbox);

  let first: string;

  it("the sandbox refuses the administrator's route to this credential", async () => {
    const user = e2e.sandbox.user("acme-deployer")!;
    const r = await fetch(`${e2e.sandbox.url}/api/v4/users/${user.id}/personal_access_tokens`, {
      method: "POST",
      headers: { "PRIVATE-TOKEN": ownerToken, "content-type": "application/json" },
      body: JSON.stringify({ name: "probe", scopes: ["read_api"] }),
    });
    expect(r.status).toBe(403);
    e2e.sandbox.resetCounters();
  });

  it("1. up creates the token through the group's routes and delivers it", async () => {
    const r = ok(await up());
    expect(r.stdout).toMatch(/\+ 4 created/); // stack + component + token + variable
    first = (await tokenValues(e2e)).deployer!;
    secrets.add(first);
    expect(e2e.sandbox.tokenStatus(first)).toBe("active");
    expect(e2e.sandbox.findTokenByValue(first)).toMatchObject({
      name: "deployer",
      userId: e2e.sandbox.user("acme-deployer")!.id,
    });
    expect(variable()).toBe(first);
    const calls = e2e.sandbox.counters().byRoute;
    expect(calls[`POST /api/v4${GROUP_ROUTES}`]).toBe(1);
    expect(adminCalls()).toEqual([]);
    const [state] = await e2e.tokensInState();
    expect(state?.outputs?.serviceAccountGroupId).toBe(e2e.sandbox.groupId("acme"));
    // Who it acts as: the account, read with the Owner's credential — which GitLab shows no e-mail.
    expect(state?.outputs).toMatchObject({
      userId: e2e.sandbox.user("acme-deployer")!.id,
      identityUsername: "acme-deployer",
    });
    expect(state?.outputs).not.toHaveProperty("commitEmail");
    expect(calls["GET /api/v4/users/:id"]).toBe(1);
  });

  it("2. a second up changes nothing and makes zero GitLab API calls", async () => {
    e2e.sandbox.resetCounters();
    const r = ok(await up());
    expect(r.stdout).toMatch(/4 unchanged/);
    expect(e2e.sandbox.counters().total).toBe(0);
  });

  it("3. rotateWhenChanged rotates it create-before-delete, through the group's routes", async () => {
    e2e.sandbox.resetCounters();
    e2e.writeDeclarations(declarations("2026-11 incident"));
    const r = ok(await up());
    expect(r.stdout).toMatch(/deployer.*replaced/);
    const next = (await tokenValues(e2e)).deployer!;
    secrets.add(next);
    expect(next).not.toBe(first);
    expect(e2e.sandbox.tokenStatus(next)).toBe("active");
    expect(e2e.sandbox.tokenStatus(first)).toBe("revoked");
    expect(variable()).toBe(next);
    const calls = e2e.sandbox.counters().byRoute;
    expect(calls[`POST /api/v4${GROUP_ROUTES}`]).toBe(1);
    expect(calls[`DELETE /api/v4${GROUP_ROUTES}/:token_id`]).toBe(1);
    expect(adminCalls()).toEqual([]);
    // A personal token's successor keeps the account's identity (a project token's would not).
    const [state] = await e2e.tokensInState();
    expect(state?.outputs).toMatchObject({
      userId: e2e.sandbox.user("acme-deployer")!.id,
      identityUsername: "acme-deployer",
    });
  });

  it("4. declaring group: changes nothing at GitLab (an update of gitlab-tokens' own metadata)", async () => {
    e2e.sandbox.resetCounters();
    e2e.writeDeclarations(declarations("2026-11 incident", "\n    group: acme"));
    const r = ok(await up());
    expect(r.stdout).not.toMatch(/replaced|created|deleted/);
    expect(e2e.sandbox.counters().total).toBe(0);
  });

  it("5. refresh reads it through the group's list, and destroy revokes it and removes the variable", async () => {
    e2e.sandbox.resetCounters();
    const refresh = ok(await e2e.run(() => e2e.ws.refresh([], e2e.clockEnv())));
    expect(refresh.stdout).not.toMatch(/deleted/);
    expect(e2e.sandbox.counters().byRoute[`GET /api/v4${GROUP_ROUTES}`]).toBe(1);
    ok(await e2e.run(() => e2e.ws.destroy([], e2e.clockEnv())));
    const live = e2e.sandbox.listTokens().filter((t) => t.name === "deployer" && t.active);
    expect(live).toEqual([]);
    expect(variable()).toBeUndefined();
    expect(adminCalls()).toEqual([]);
  });

  it("6. no token value and not the credential appear in the CLI's output or the stack config", () => {
    expect(secrets.size).toBe(4);
    expectNoSecrets(e2e, secrets);
  });
});
