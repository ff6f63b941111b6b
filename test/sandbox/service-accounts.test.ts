/**
 * Service accounts over HTTP (spec §4): instance service accounts (admin), group service accounts
 * (admin or group Owner) and project service accounts (admin, project Maintainer or Owner;
 * `ee/lib/api/project_service_accounts.rb`) with their personal access tokens.
 */
import { type Sandbox, startSandbox } from "../../sandbox";
import { Client, ROLES_SEED } from "./helpers";

describe("sandbox service accounts", () => {
  let sandbox: Sandbox;
  let api: Client;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: ROLES_SEED, now: "2030-01-15T08:00:00Z", freezeClock: true });
    api = new Client(sandbox.url, sandbox.adminToken);
    for (const u of ["owner", "maint", "dev", "outsider"]) tokens[u] = sandbox.mintPersonalToken(u).token;
  });
  afterAll(() => sandbox.stop());

  describe("instance service accounts", () => {
    it("creates one with defaults and lists it (id desc by default)", async () => {
      const res = await api.post("/service_accounts", {});
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        username: expect.stringMatching(/^service_account_[0-9a-f]{32}$/),
        name: "Service account user",
        email: expect.stringMatching(/^service_account_[0-9a-f]{32}@noreply\./),
      });
      const named = await api.post("/service_accounts", { name: "Deployer", username: "deployer" });
      const list = await api.get("/service_accounts");
      const ids = list.body.map((a: { id: number }) => a.id);
      expect(ids.slice(0, 2)).toEqual([named.body.id, res.body.id]);
      expect(ids).toContain(sandbox.user("sa")?.id);
      expect(ids).not.toContain(sandbox.user("gsa")?.id);
      const byName = await api.get("/service_accounts?order_by=username&sort=asc");
      const names = byName.body.map((a: { username: string }) => a.username);
      expect(names).toEqual([...names].sort());
    });

    it("updates one with PATCH", async () => {
      const made = await api.post("/service_accounts", { username: "patch-me" });
      const res = await api.patch(`/service_accounts/${made.body.id}`, { name: "Patched" });
      expect(res.status).toBe(200);
      expect(res.body.name).toBe("Patched");
    });

    it.each([
      ["a non-admin creating", "POST", "/service_accounts", "maint", 403, { message: "403 Forbidden" }],
      ["a non-admin listing", "GET", "/service_accounts", "maint", 403, { message: "403 Forbidden" }],
      [
        "a taken username (the e-mail address is generated, so only the username is taken)",
        "POST",
        "/service_accounts",
        "root",
        400,
        { message: "400 Bad request - Username has already been taken" },
      ],
      [
        "PATCH of an unknown user",
        "PATCH",
        "/service_accounts/99999",
        "root",
        404,
        { message: "404 User Not Found" },
      ],
      [
        "PATCH of a regular user",
        "PATCH",
        "/service_accounts/USER",
        "root",
        400,
        { message: "400 Bad request - User is not of type Service Account" },
      ],
    ])("refuses %s", async (_case, method, path, who, status, error) => {
      const token = who === "root" ? sandbox.adminToken : tokens[who];
      const res = await api.request(method, path.replace("USER", String(sandbox.user("maint")?.id)), {
        token,
        json: method === "GET" ? undefined : { username: "sa" },
      });
      expect(res.status).toBe(status);
      expect(res.body).toEqual(error);
    });

    it("manages its tokens through the admin endpoints", async () => {
      const id = sandbox.user("sa")?.id;
      const made = await api.post(`/users/${id}/personal_access_tokens`, {
        name: "sa-token",
        scopes: ["api"],
      });
      expect(made.status).toBe(201);
      const rotated = await api.post(`/personal_access_tokens/${made.body.id}/rotate`, {});
      expect(rotated.status).toBe(200);
      expect((await api.delete(`/personal_access_tokens/${rotated.body.id}`)).status).toBe(204);
      const list = await api.get(`/personal_access_tokens?user_id=${id}`);
      expect(list.body.map((t: { revoked: boolean }) => t.revoked)).toEqual([true, true]);
    });
  });

  describe("group service accounts", () => {
    it("lets the group Owner create, list, update and delete them", async () => {
      const made = await api.post("/groups/acme/service_accounts", { name: "CI" }, { token: tokens.owner });
      expect(made.status).toBe(201);
      expect(made.body.username).toMatch(
        new RegExp(`^service_account_group_${sandbox.groupId("acme")}_[0-9a-f]{32}$`),
      );
      const list = await api.get("/groups/acme/service_accounts", { token: tokens.owner });
      expect(list.body.map((a: { id: number }) => a.id)).toEqual([made.body.id, sandbox.user("gsa")?.id]);
      const patched = await api.patch(
        `/groups/acme/service_accounts/${made.body.id}`,
        { name: "CI 2" },
        { token: tokens.owner },
      );
      expect(patched.body.name).toBe("CI 2");
      const del = await api.delete(`/groups/acme/service_accounts/${made.body.id}`, { token: tokens.owner });
      expect(del.status).toBe(204);
      expect((await api.get(`/users/${made.body.id}`)).status).toBe(404);
    });

    it("gives a named account the generated e-mail address, so a taken username is the only error", async () => {
      // ee/app/services/users/service_accounts/create_service.rb: `params[:email] ||
      // username_and_email_generator.email`, the generator's own username, not the given one.
      const made = await api.post(
        "/groups/acme/service_accounts",
        { name: "Named", username: "named-bot" },
        { token: tokens.owner },
      );
      expect(made.status).toBe(201);
      expect(made.body).toMatchObject({ username: "named-bot", name: "Named" });
      expect(made.body.email).toMatch(
        new RegExp(`^service_account_group_${sandbox.groupId("acme")}_[0-9a-f]{32}@noreply\\.`),
      );
      const again = await api.post(
        "/groups/acme/service_accounts",
        { name: "Named", username: "named-bot" },
        { token: tokens.owner },
      );
      expect(again.status).toBe(400);
      expect(again.body).toEqual({ message: "400 Bad request - Username has already been taken" });
      const instance = await api.post("/service_accounts", { username: "instance-named" });
      expect(instance.body.email).toMatch(/^service_account_[0-9a-f]{32}@noreply\./);
      await api.delete(`/groups/acme/service_accounts/${made.body.id}`, { token: tokens.owner });
    });

    it("creates, lists, rotates and revokes a group service account's tokens", async () => {
      const gsa = sandbox.user("gsa")?.id;
      const base = `/groups/acme/service_accounts/${gsa}/personal_access_tokens`;
      const made = await api.post(
        base,
        { name: "deploy", scopes: ["api", "read_repository"] },
        { token: tokens.owner },
      );
      expect(made.status).toBe(201);
      expect(made.body).toMatchObject({
        name: "deploy",
        user_id: gsa,
        expires_at: "2031-01-15",
        token: expect.any(String),
      });
      const rotated = await api.post(
        `${base}/${made.body.id}/rotate`,
        { expires_at: "2030-03-01" },
        { token: tokens.owner },
      );
      expect(rotated.status).toBe(200);
      expect(rotated.body.expires_at).toBe("2030-03-01");
      const list = await api.get(`${base}?state=active`, { token: tokens.owner });
      expect(list.body.map((t: { id: number }) => t.id)).toEqual([rotated.body.id]);
      const del = await api.delete(`${base}/${rotated.body.id}`, { token: tokens.owner });
      expect(del.status).toBe(204);
      expect(sandbox.tokenStatus(rotated.body.token)).toBe("revoked");
      const again = await api.post(`${base}/${rotated.body.id}/rotate`, {}, { token: tokens.owner });
      expect(again.body).toEqual({ message: "400 Bad request - Token already revoked" });
    });

    it.each<[string, string, string, string, Record<string, unknown> | undefined, number, unknown]>([
      [
        "a group Maintainer",
        "maint",
        "POST",
        "/groups/acme/service_accounts",
        {},
        403,
        { message: "403 Forbidden" },
      ],
      [
        "a stranger",
        "outsider",
        "GET",
        "/groups/acme/service_accounts",
        undefined,
        404,
        { message: "404 Group Not Found" },
      ],
      [
        "another group's service account",
        "owner",
        "GET",
        "/groups/acme/service_accounts/OSA/personal_access_tokens",
        undefined,
        404,
        { message: "404 User Not Found" },
      ],
      [
        "a user who is not a service account",
        "owner",
        "POST",
        "/groups/acme/service_accounts/MAINT/personal_access_tokens",
        { name: "x", scopes: ["api"] },
        400,
        { message: "400 Bad request - User is not of type Service Account" },
      ],
      [
        "a lifetime over the maximum",
        "owner",
        "POST",
        "/groups/acme/service_accounts/GSA/personal_access_tokens",
        { name: "x", scopes: ["api"], expires_at: "2032-01-01" },
        422,
        { message: "Expiration date must be before 2031-01-15" },
      ],
      [
        "sudo for a service account",
        "owner",
        "POST",
        "/groups/acme/service_accounts/GSA/personal_access_tokens",
        { name: "x", scopes: ["sudo"] },
        422,
        { message: "Sudo can only be enabled for administrators" },
      ],
      [
        "an invalid scope",
        "owner",
        "POST",
        "/groups/acme/service_accounts/GSA/personal_access_tokens",
        { name: "x", scopes: ["everything"] },
        400,
        { error: "scopes does not have a valid value" },
      ],
      [
        "revoking an unknown token",
        "owner",
        "DELETE",
        "/groups/acme/service_accounts/GSA/personal_access_tokens/999999",
        undefined,
        404,
        { message: "404 Personal Access Token Not Found" },
      ],
      [
        "rotating a token of someone else",
        "owner",
        "POST",
        "/groups/acme/service_accounts/GSA/personal_access_tokens/1/rotate",
        {},
        404,
        { message: "404 Not Found" },
      ],
    ])("refuses %s", async (_case, who, method, path, body, status, error) => {
      const resolved = path
        .replace("OSA", String(sandbox.user("osa")?.id))
        .replace("GSA", String(sandbox.user("gsa")?.id))
        .replace("MAINT", String(sandbox.user("maint")?.id));
      const res = await api.request(method, resolved, { token: tokens[who], json: body });
      expect(res.status).toBe(status);
      expect(res.body).toEqual(error);
    });
  });

  describe("project service accounts", () => {
    const web = "/projects/acme%2Fweb/service_accounts";

    it("lets a Maintainer of the project create, list, update and delete them", async () => {
      const made = await api.post(web, { name: "Web CI" }, { token: tokens.maint });
      expect(made.status).toBe(201);
      expect(made.body).toEqual({
        id: expect.any(Number),
        username: expect.stringMatching(
          new RegExp(`^service_account_project_${sandbox.projectId("acme/web")}_[0-9a-f]{32}$`),
        ),
        name: "Web CI",
        email: expect.stringMatching(/@noreply\./),
      });
      const named = await api.post(web, { username: "web-bot" }, { token: tokens.maint });
      const list = await api.get(`${web}?order_by=username&sort=asc`, { token: tokens.maint });
      expect(list.body.map((a: { id: number }) => a.id)).toEqual([made.body.id, named.body.id]);
      // A project's accounts are neither the instance's nor the group's, nor another project's.
      const instance = await api.get("/service_accounts");
      expect(instance.body.map((a: { id: number }) => a.id)).not.toContain(made.body.id);
      const group = await api.get("/groups/acme/service_accounts", { token: tokens.owner });
      expect(group.body.map((a: { id: number }) => a.id)).not.toContain(made.body.id);
      const api2 = await api.get("/projects/acme%2Fapi/service_accounts", { token: tokens.maint });
      expect(api2.body).toEqual([]);
      const patched = await api.patch(
        `${web}/${named.body.id}`,
        { name: "Web bot" },
        { token: tokens.maint },
      );
      expect(patched.body.name).toBe("Web bot");
      expect((await api.delete(`${web}/${named.body.id}`, { token: tokens.maint })).status).toBe(204);
      expect((await api.get(`/users/${named.body.id}`)).status).toBe(404);
    });

    it("creates, lists, rotates and revokes a project service account's tokens", async () => {
      const sa = await api.post(web, {}, { token: tokens.maint });
      const base = `${web}/${sa.body.id}/personal_access_tokens`;
      const made = await api.post(
        base,
        { name: "deploy", scopes: ["read_repository"], description: "pulls", expires_at: "2030-03-01" },
        { token: tokens.maint },
      );
      expect(made.status).toBe(201);
      expect(made.body).toMatchObject({
        name: "deploy",
        description: "pulls",
        scopes: ["read_repository"],
        user_id: sa.body.id,
        expires_at: "2030-03-01",
        active: true,
        revoked: false,
        token: expect.any(String),
      });
      const listed = await api.get(`${base}?search=dep`, { token: tokens.maint });
      expect(listed.body).toEqual([expect.objectContaining({ id: made.body.id, name: "deploy" })]);
      expect(listed.body[0]).not.toHaveProperty("token");
      const rotated = await api.post(`${base}/${made.body.id}/rotate`, {}, { token: tokens.maint });
      expect(rotated.status).toBe(200);
      expect(sandbox.tokenStatus(made.body.token)).toBe("revoked");
      const active = await api.get(`${base}?state=active`, { token: tokens.maint });
      expect(active.body.map((t: { id: number }) => t.id)).toEqual([rotated.body.id]);
      expect((await api.delete(`${base}/${rotated.body.id}`, { token: tokens.maint })).status).toBe(204);
      expect(sandbox.tokenStatus(rotated.body.token)).toBe("revoked");
      // The administrator reaches them too, through the project's routes and the admin routes.
      expect((await api.get(base)).body).toHaveLength(2);
      expect((await api.get(`/users/${sa.body.id}`)).body).toMatchObject({ id: sa.body.id });
    });

    it.each<[string, string, string, string, Record<string, unknown> | undefined, number, unknown]>([
      ["a Developer of the project", "dev", "POST", "WEB", {}, 403, { message: "403 Forbidden" }],
      ["a stranger", "outsider", "GET", "WEB", undefined, 404, { message: "404 Project Not Found" }],
      [
        "another project's service account",
        "maint",
        "GET",
        "/projects/acme%2Fapi/service_accounts/PSA/personal_access_tokens",
        undefined,
        404,
        { message: "404 User Not Found" },
      ],
      [
        "a group's service account",
        "owner",
        "POST",
        "WEB/GSA/personal_access_tokens",
        { name: "x", scopes: ["api"] },
        404,
        { message: "404 User Not Found" },
      ],
      [
        "a user who is not a service account (not one of the project's: 404, unlike the group routes)",
        "maint",
        "POST",
        "WEB/MAINT/personal_access_tokens",
        { name: "x", scopes: ["api"] },
        404,
        { message: "404 User Not Found" },
      ],
      [
        "a lifetime over the maximum",
        "maint",
        "POST",
        "WEB/PSA/personal_access_tokens",
        { name: "x", scopes: ["api"], expires_at: "2032-01-01" },
        422,
        { message: "Expiration date must be before 2031-01-15" },
      ],
      [
        "sudo for a service account",
        "maint",
        "POST",
        "WEB/PSA/personal_access_tokens",
        { name: "x", scopes: ["sudo"] },
        422,
        { message: "Sudo can only be enabled for administrators" },
      ],
      [
        "a token without scopes",
        "maint",
        "POST",
        "WEB/PSA/personal_access_tokens",
        { name: "x" },
        400,
        { error: "scopes is missing" },
      ],
      [
        "revoking an unknown token",
        "maint",
        "DELETE",
        "WEB/PSA/personal_access_tokens/999999",
        undefined,
        404,
        { message: "404 Personal Access Token Not Found" },
      ],
      [
        "rotating a token of someone else",
        "maint",
        "POST",
        "WEB/PSA/personal_access_tokens/1/rotate",
        {},
        404,
        { message: "404 Personal Access Token Not Found" },
      ],
    ])("refuses %s", async (_case, who, method, path, body, status, error) => {
      const psa = await api.post(web, {}, { token: tokens.maint });
      const resolved = path
        .replace("WEB", web)
        .replace("PSA", String(psa.body.id))
        .replace("GSA", String(sandbox.user("gsa")?.id))
        .replace("MAINT", String(sandbox.user("maint")?.id));
      const res = await api.request(method, resolved, { token: tokens[who], json: body });
      expect(res.status).toBe(status);
      expect(res.body).toEqual(error);
    });

    it("answers 404 on every route while the feature flag allow_projects_to_create_service_accounts is off", async () => {
      const sa = await api.post(web, {}, { token: tokens.maint });
      sandbox.updateSettings({ allowProjectsToCreateServiceAccounts: false });
      try {
        for (const [method, path] of [
          ["POST", web],
          ["GET", web],
          ["GET", `${web}/${sa.body.id}/personal_access_tokens`],
          ["POST", `${web}/${sa.body.id}/personal_access_tokens`],
        ] as const) {
          const res = await api.request(method, path, {
            token: tokens.maint,
            json: method === "POST" ? { name: "x", scopes: ["api"] } : undefined,
          });
          expect([method, path, res.status, res.body]).toEqual([
            method,
            path,
            404,
            { message: "404 Not Found" },
          ]);
        }
        // The project itself is still checked first.
        const stranger = await api.get(web, { token: tokens.outsider });
        expect(stranger.body).toEqual({ message: "404 Project Not Found" });
      } finally {
        sandbox.updateSettings({ allowProjectsToCreateServiceAccounts: true });
      }
      expect((await api.get(web, { token: tokens.maint })).status).toBe(200);
    });
  });
});
