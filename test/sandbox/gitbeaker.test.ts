/**
 * The sandbox driven by a real third-party GitLab client, @gitbeaker/rest, unchanged: it must work
 * against the sandbox exactly as against GitLab — tokens of every kind, pagination, CI/CD variables,
 * errors, and its retry on 429.
 */
import { Gitlab } from "@gitbeaker/rest";
import { type Sandbox, startSandbox } from "../../sandbox";
import { ROLES_SEED } from "./helpers";

type Api = InstanceType<typeof Gitlab<false>>;

/** The HTTP status of a failed gitbeaker call. */
async function statusOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (e) {
    const cause = (e as { cause?: { response?: Response } }).cause;
    if (cause?.response) return cause.response.status;
    throw e;
  }
  throw new Error("expected the call to fail");
}

describe("sandbox with @gitbeaker/rest", () => {
  let sandbox: Sandbox;
  let api: Api;
  let owner: Api;

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: ROLES_SEED, now: "2030-01-15T09:00:00Z", freezeClock: true });
    api = new Gitlab({ host: sandbox.url, token: sandbox.adminToken });
    owner = new Gitlab({ host: sandbox.url, token: sandbox.mintPersonalToken("owner").token });
  });
  afterAll(() => sandbox.stop());

  it("resolves users, projects and groups", async () => {
    expect((await api.Users.showCurrentUser()).username).toBe("root");
    const [dev] = await api.Users.all({ username: "dev" });
    expect(dev?.username).toBe("dev");
    expect((await api.Projects.show("acme/web")).path_with_namespace).toBe("acme/web");
    expect((await api.Groups.show("acme")).full_path).toBe("acme");
  });

  describe("personal access tokens", () => {
    it("creates, shows, lists with pagination, rotates and revokes", async () => {
      const devId = sandbox.user("dev")?.id ?? 0;
      const made = await api.PersonalAccessTokens.create(devId, "gb-pat", ["read_api", "self_rotate"], {
        expiresAt: "2030-06-01",
      });
      expect(made).toMatchObject({ name: "gb-pat", user_id: devId, expires_at: "2030-06-01" });
      const value = (made as unknown as { token: string }).token;
      expect(sandbox.tokenStatus(value)).toBe("active");

      for (let i = 0; i < 11; i += 1)
        await api.Users.createPersonalAccessToken(devId, `bulk-${i}`, ["read_api"]);
      const all = await api.PersonalAccessTokens.all({ userId: devId, perPage: 5 });
      expect(all).toHaveLength(12);
      const firstTwoPages = await api.PersonalAccessTokens.all({ userId: devId, perPage: 5, maxPages: 2 });
      expect(firstTwoPages).toHaveLength(10);
      const expanded = await api.PersonalAccessTokens.all({
        userId: devId,
        perPage: 5,
        page: 3,
        showExpanded: true,
      });
      expect(expanded.data).toHaveLength(2);
      expect(expanded.paginationInfo).toMatchObject({
        total: 12,
        totalPages: 3,
        current: 3,
        previous: 2,
        next: null,
      });

      expect((await api.PersonalAccessTokens.show({ tokenId: made.id })).name).toBe("gb-pat");
      const asDev = new Gitlab({ host: sandbox.url, token: value });
      expect((await asDev.PersonalAccessTokens.show()).id).toBe(made.id);

      const rotated = await api.PersonalAccessTokens.rotate(made.id, { expiresAt: "2030-02-01" });
      expect(rotated.expires_at).toBe("2030-02-01");
      expect(sandbox.tokenStatus(value)).toBe("revoked");
      const newValue = (rotated as unknown as { token: string }).token;

      // A read_api + self_rotate token may rotate itself (and nothing else that writes).
      const self = new Gitlab({ host: sandbox.url, token: newValue });
      const selfRotated = await self.PersonalAccessTokens.rotate("self");
      const latest = (selfRotated as unknown as { token: string }).token;
      expect(sandbox.tokenStatus(newValue)).toBe("revoked");

      await new Gitlab({ host: sandbox.url, token: latest }).PersonalAccessTokens.remove();
      expect(sandbox.tokenStatus(latest)).toBe("revoked");
      const another = await api.Users.createPersonalAccessToken(devId, "to-revoke", ["api"]);
      await api.PersonalAccessTokens.remove({ tokenId: another.id });
      expect((await api.PersonalAccessTokens.show({ tokenId: another.id })).revoked).toBe(true);
    });

    it("surfaces GitLab's errors through gitbeaker's error", async () => {
      const err = await api.PersonalAccessTokens.create(9999, "x", ["api"]).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toBe("404 User Not Found");
      expect(await statusOf(api.PersonalAccessTokens.rotate(999_999))).toBe(404);
      const lifetime = await api.PersonalAccessTokens.create(sandbox.user("dev")?.id ?? 0, "x", ["api"], {
        expiresAt: "2032-01-01",
      }).catch((e: Error) => e);
      expect((lifetime as Error).message).toBe("Expiration date must be before 2031-01-15");
    });
  });

  describe.each([
    ["ProjectAccessTokens", "acme/web", "projects"],
    ["GroupAccessTokens", "acme", "groups"],
  ] as const)("%s", (resourceName, id, route) => {
    it("creates, lists, shows, rotates, self-rotates and revokes — on the right URL", async () => {
      const tokens = owner[resourceName];
      sandbox.resetCounters();
      const made = await tokens.create(id, "gb-bot", ["api", "self_rotate" as "api"], "2030-03-01", {
        accessLevel: 30,
      });
      expect(made).toMatchObject({ name: "gb-bot", access_level: 30, expires_at: "2030-03-01" });
      expect(sandbox.counters().byRoute).toEqual({ [`POST /api/v4/${route}/:id/access_tokens`]: 1 });

      for (let i = 0; i < 3; i += 1) await tokens.create(id, `gb-extra-${i}`, ["read_api"], "2030-03-01");
      const listed = await tokens.all(id, { perPage: 2 });
      expect(listed.map((t) => t.name)).toEqual(
        expect.arrayContaining(["gb-bot", "gb-extra-0", "gb-extra-2"]),
      );
      expect((await tokens.show(id, made.id)).access_level).toBe(30);

      const rotated = await tokens.rotate(id, made.id, { expiresAt: "2030-02-20" });
      expect(rotated).toMatchObject({ name: "gb-bot", access_level: 30, expires_at: "2030-02-20" });
      expect(sandbox.tokenStatus(made.token)).toBe("revoked");

      const bot = new Gitlab({ host: sandbox.url, token: rotated.token });
      const selfRotated = await bot[resourceName].rotate(id, "self");
      expect(sandbox.tokenStatus(rotated.token)).toBe("revoked");
      expect(sandbox.tokenStatus(selfRotated.token)).toBe("active");

      await tokens.revoke(id, selfRotated.id);
      expect(sandbox.tokenStatus(selfRotated.token)).toBe("revoked");
      expect(await statusOf(tokens.show(id, 999_999))).toBe(404);
    });
  });

  it("refuses a Maintainer minting an Owner-level project token, through gitbeaker", async () => {
    const maint = new Gitlab({ host: sandbox.url, token: sandbox.mintPersonalToken("maint").token });
    const err = await maint.ProjectAccessTokens.create("acme/web", "x", ["api"], "2030-03-01", {
      accessLevel: 50,
    }).catch((e: Error) => e);
    expect((err as Error).message).toBe(
      "400 Bad request - Could not provision owner access to project access token",
    );
  });

  it("creates service accounts and manages a group service account's tokens", async () => {
    const instance = await api.ServiceAccounts.create({ name: "GB instance SA" });
    expect(instance).toMatchObject({ name: "GB instance SA" });
    const sa = await owner.GroupServiceAccounts.create("acme", { name: "GB group SA" });
    // gitbeaker 43.8's createPersonalAccessToken posts to groups/:id/service_accounts/:user_id, which is
    // not GitLab's path; the sandbox, like GitLab, answers 404. The raw requester reaches the right one.
    expect(await statusOf(owner.GroupServiceAccounts.createPersonalAccessToken("acme", sa.id))).toBe(404);
    const made = await owner.GroupServiceAccounts.requester.post(
      `groups/acme/service_accounts/${sa.id}/personal_access_tokens`,
      { body: { name: "gb-sa-token", scopes: ["api"] } },
    );
    expect(made.status).toBe(201);
    const body = made.body as { id: number; token: string };
    const rotated = await owner.GroupServiceAccounts.rotatePersonalAccessToken("acme", sa.id, body.id);
    expect(sandbox.tokenStatus(body.token)).toBe("revoked");
    expect(rotated).toMatchObject({ name: "gb-sa-token", user_id: sa.id });
  });

  describe.each([
    ["ProjectVariables", "acme/web"],
    ["GroupVariables", "acme"],
  ] as const)("%s", (resourceName, id) => {
    it("creates, lists, shows with a filter, edits and removes variables", async () => {
      const vars = owner[resourceName];
      const made = await vars.create(id, "GB_TOKEN", "gb-secret-value", {
        masked: true,
        protected: true,
        environmentScope: "production",
      });
      expect(made).toMatchObject({
        key: "GB_TOKEN",
        masked: true,
        protected: true,
        environment_scope: "production",
      });
      await vars.create(id, "GB_TOKEN", "gb-staging-value", { environmentScope: "staging" });
      expect((await vars.all(id, { perPage: 1 })).map((v) => v.key)).toEqual(["GB_TOKEN", "GB_TOKEN"]);
      expect(await statusOf(vars.show(id, "GB_TOKEN"))).toBe(409);
      const shown = await vars.show(id, "GB_TOKEN", { filter: { environment_scope: "staging" } });
      expect(shown.value).toBe("gb-staging-value");
      const edited = await vars.edit(id, "GB_TOKEN", "gb-rotated-value", {
        filter: { environment_scope: "production" },
      });
      expect(edited).toMatchObject({
        value: "gb-rotated-value",
        environment_scope: "production",
        masked: true,
      });
      await vars.remove(id, "GB_TOKEN", { filter: { environment_scope: "staging" } });
      await vars.remove(id, "GB_TOKEN");
      expect(await vars.all(id)).toEqual([]);
    });
  });

  it("retries through GitLab's 429 like it would against GitLab", async () => {
    sandbox.setFaults({ rateLimit: { times: 2, retryAfterSeconds: 1 } });
    try {
      expect((await api.Users.showCurrentUser()).username).toBe("root");
      expect(sandbox.counters().byRoute["GET /api/v4/user"]).toBeGreaterThanOrEqual(3);
    } finally {
      sandbox.clearFaults();
    }
  });
});
