/**
 * The credential-kind registry: every kind has one descriptor, each descriptor agrees with
 * gitlab/facts, the type strings are unique, the registry loads without Pulumi or gitbeaker, and
 * each descriptor's GitLab operations work over real HTTP against the sandbox.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { startSandbox, type Sandbox } from "../../sandbox";
import { GitLabClient } from "../../components/gitlab/client";
import {
  ACCESS_LEVEL_NAMES,
  TOKEN_KINDS as FACT_KINDS,
  addDays,
  scopesForKind,
} from "../../components/gitlab/facts";
import {
  COMPONENT_TYPES,
  KINDS,
  KIND_LIST,
  OFFICIAL_TYPES,
  TOKEN_KINDS,
  kindOf,
  kindOfOfficialType,
  officialResourceOf,
  ALL_OFFICIAL_TYPES,
  kindOfTarget,
  isNamed,
  kindsOfTarget,
  maxLifetimeDaysOf,
  targetFieldsOf,
} from "../../components/kinds";

describe("the registry", () => {
  it("has exactly one descriptor per kind, under its own name", () => {
    expect(TOKEN_KINDS).toBe(FACT_KINDS);
    expect(Object.keys(KINDS).sort()).toEqual([...TOKEN_KINDS].sort());
    expect(KIND_LIST.map((d) => d.kind)).toEqual([...TOKEN_KINDS]);
    for (const k of TOKEN_KINDS) expect(kindOf(k).kind).toBe(k);
  });

  it.each(TOKEN_KINDS.map((k) => [k]))("%s: its scopes are gitlab/facts' list for it", (k) => {
    expect(kindOf(k).scopes).toEqual(scopesForKind(k));
  });

  it("states the target fields and access levels", () => {
    expect(Object.fromEntries(KIND_LIST.map((d) => [d.kind, d.targetField]))).toEqual({
      project: "project",
      group: "group",
      personal: "user",
      deploy: "project",
      trigger: "project",
    });
    // A deploy token's target is a project or a group; project and group tokens keep theirs.
    expect(targetFieldsOf(KINDS.deploy)).toEqual(["project", "group"]);
    expect(KIND_LIST.filter((d) => targetFieldsOf(d).length > 1).map((d) => d.kind)).toEqual(["deploy"]);
    expect(kindsOfTarget("group")).toEqual(["group", "deploy"]);
    expect(kindsOfTarget("project")).toEqual(["project", "deploy", "trigger"]);
    expect(kindsOfTarget("user")).toEqual(["personal"]);
    // A target field names the first kind that has it (deploy and trigger tokens live on projects too).
    for (const d of KIND_LIST)
      expect(kindOfTarget(d.targetField)).toBe(d.targetField === "user" ? "personal" : d.targetField);
    expect(KINDS.deploy.accessLevels).toBeUndefined();
    expect(Object.keys(KINDS.deploy.fields)).toEqual(["username"]);
    expect(KINDS.project.accessLevels).toEqual(ACCESS_LEVEL_NAMES);
    expect(KINDS.group.accessLevels).toEqual(ACCESS_LEVEL_NAMES);
    expect(KINDS.personal.accessLevels).toBeUndefined();
    expect(KINDS.trigger.accessLevels).toBeUndefined();
    expect(KINDS.trigger.scopes).toBeUndefined();
    expect(Object.keys(KINDS.trigger.fields)).toEqual([]);
    expect(KIND_LIST.filter((d) => !isNamed(d)).map((d) => d.kind)).toEqual(["trigger"]);
    expect(maxLifetimeDaysOf(KINDS.trigger)).toBe(364);
    expect(maxLifetimeDaysOf(KINDS.project)).toBe(365);
    expect(Object.keys(KINDS.project.fields)).toEqual(["accessLevel"]);
    expect(Object.keys(KINDS.personal.fields)).toEqual(["serviceAccount", "group", "project", "granular"]);
  });

  it("gives every kind a unique component type and official type", () => {
    const components = KIND_LIST.map((d) => d.componentType);
    const officials = KIND_LIST.map((d) => d.official.type);
    expect(new Set(components).size).toBe(TOKEN_KINDS.length);
    expect(new Set(officials).size).toBe(TOKEN_KINDS.length);
    expect(COMPONENT_TYPES).toEqual({
      project: "gitlab-tokens:index:ProjectAccessToken",
      group: "gitlab-tokens:index:GroupAccessToken",
      personal: "gitlab-tokens:index:PersonalAccessToken",
      deploy: "gitlab-tokens:index:DeployToken",
      trigger: "gitlab-tokens:index:PipelineTriggerToken",
    });
    expect(OFFICIAL_TYPES.trigger).toBe("gitlab:index/pipelineTrigger:PipelineTrigger");
    for (const d of KIND_LIST) expect(kindOfOfficialType(d.official.type)).toBe(d.kind);
    expect(kindOfOfficialType(OFFICIAL_TYPES.project.replace("project", "other"))).toBeUndefined();
  });

  it("knows every official token type once, and the service-account token types as personal tokens of a service account", () => {
    expect(ALL_OFFICIAL_TYPES).toEqual([
      "gitlab:index/projectAccessToken:ProjectAccessToken",
      "gitlab:index/groupAccessToken:GroupAccessToken",
      "gitlab:index/personalAccessToken:PersonalAccessToken",
      "gitlab:index/groupServiceAccountAccessToken:GroupServiceAccountAccessToken",
      "gitlab:index/projectServiceAccountAccessToken:ProjectServiceAccountAccessToken",
      "gitlab:index/projectDeployToken:ProjectDeployToken",
      "gitlab:index/groupDeployToken:GroupDeployToken",
      "gitlab:index/pipelineTrigger:PipelineTrigger",
    ]);
    expect(new Set(ALL_OFFICIAL_TYPES).size).toBe(ALL_OFFICIAL_TYPES.length);
    for (const type of ALL_OFFICIAL_TYPES.slice(3, 5)) {
      expect(officialResourceOf(type)).toEqual({
        kind: "personal",
        official: {
          type,
          targetProp: "userId",
          targetIsUser: true,
          serviceAccount: true,
          noDescription: true,
        },
      });
    }
    expect(officialResourceOf(OFFICIAL_TYPES.personal)?.official.serviceAccount).toBeUndefined();
  });

  it("loads without @pulumi/pulumi or @gitbeaker (the policy pack and the review load it)", () => {
    // A fresh Node.js loads the compiled registry (npm run build) and lists what it loaded.
    const script = `require(${JSON.stringify(path.resolve("dist/components/kinds"))});
      process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
    const loaded = JSON.parse(
      execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }),
    ) as string[];
    expect(loaded.some((f) => f.includes(`${path.sep}kinds${path.sep}`))).toBe(true);
    expect(loaded.filter((f) => /@pulumi[\\/]pulumi|@gitbeaker/.test(f))).toEqual([]);
  });
});

describe("each descriptor's GitLab operations, against the sandbox", () => {
  const NOW = new Date("2026-11-25T09:00:00Z");
  let sandbox: Sandbox;
  let gl: GitLabClient;

  beforeAll(async () => {
    sandbox = await startSandbox({ now: NOW, freezeClock: true });
    gl = new GitLabClient({
      baseUrl: sandbox.url,
      token: sandbox.adminToken,
      retry: { baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5_000 },
    });
  });

  afterAll(async () => {
    await sandbox?.stop();
  });

  it.each([
    ["project", "acme/web", 20],
    ["group", "acme", 20],
    ["personal", "provisioner", undefined],
  ] as const)("%s: resolve, create, get, list by name, revoke", async (kind, target, accessLevel) => {
    const d = kindOf(kind);
    const resolved = await d.resolve(gl, target);
    expect(resolved.id).toEqual(expect.any(Number));
    expect(resolved.user !== undefined).toBe(kind === "personal");
    d.verify?.(resolved, { name: "t", serviceAccount: true });

    const name = `registry-${kind}`;
    const made = await d.create(gl, resolved, {
      name,
      scopes: ["read_api"],
      expiresAt: addDays(NOW, 30),
      ...(accessLevel !== undefined ? { accessLevel } : {}),
    });
    expect(made.token).toEqual(expect.any(String));
    expect((await d.get(gl, resolved, made.id))?.name).toBe(name);
    expect((await d.list(gl, resolved, name)).map((t) => t.id)).toContain(made.id);

    await d.revoke(gl, resolved, made.id);
    const after = await d.get(gl, resolved, made.id);
    expect(after === undefined || after.revoked).toBe(true);
    // Revoking again (a token GitLab no longer knows) is not an error.
    await expect(d.revoke(gl, resolved, made.id)).resolves.toBeUndefined();
  });

  it.each([
    ["project", "acme/web"],
    ["group", "acme"],
  ] as const)(
    "deploy on a %s: resolve, create (the marker in the name), get, list by name, revoke",
    async (field, target) => {
      const d = kindOf("deploy");
      const resolved = await d.resolve(gl, target, { field });
      expect(resolved).toMatchObject({ field, id: expect.any(Number) });
      const marker = "[gitlab-tokens:AAAAAAAAAAAAAAAA.BBBBBBB]";
      const made = await d.create(gl, resolved, {
        name: `registry-${field}`,
        scopes: ["read_registry"],
        expiresAt: addDays(NOW, 30),
        description: marker,
        username: `ci-${field}`,
      });
      // GitLab holds the marker at the end of the name; the operations give it back as the description.
      expect(made).toMatchObject({
        name: `registry-${field}`,
        description: marker,
        username: `ci-${field}`,
        expires_at: addDays(NOW, 30),
        active: true,
        token: expect.stringMatching(/^gldt-/),
      });
      const raw = await fetch(`${sandbox.url}/api/v4/${field}s/${resolved.id}/deploy_tokens/${made.id}`, {
        headers: { "PRIVATE-TOKEN": sandbox.adminToken },
      });
      expect(((await raw.json()) as { name: string }).name).toBe(`registry-${field} ${marker}`);
      expect(await d.get(gl, resolved, made.id)).toMatchObject({
        name: `registry-${field}`,
        description: marker,
      });
      expect((await d.list(gl, resolved, `registry-${field}`)).map((t) => t.id)).toEqual([made.id]);
      expect(await d.list(gl, resolved, "no-such-name")).toEqual([]);
      await d.revoke(gl, resolved, made.id);
      expect(await d.get(gl, resolved, made.id)).toBeUndefined();
      await expect(d.revoke(gl, resolved, made.id)).resolves.toBeUndefined();
    },
  );

  it.each([
    ["group", "groups/acme", "acme", "serviceAccountGroupId", () => sandbox.groupId("acme")],
    [
      "project",
      "projects/acme%2Fweb",
      "acme/web",
      "serviceAccountProjectId",
      () => sandbox.projectId("acme/web"),
    ],
  ] as const)(
    "personal: a %s service account's tokens go through its namespace's routes when it is declared",
    async (type, path, declared, field, idOf) => {
      const d = kindOf("personal");
      const accounts = await fetch(`${sandbox.url}/api/v4/${path}/service_accounts`, {
        method: "POST",
        headers: { "PRIVATE-TOKEN": sandbox.adminToken, "content-type": "application/json" },
        body: JSON.stringify({ username: `${type}-registry-bot` }),
      });
      expect(accounts.status).toBe(201);
      const resolved = await d.resolve(gl, `${type}-registry-bot`, { [type]: declared });
      expect(resolved[field]).toBe(idOf());
      sandbox.resetCounters();
      const made = await d.create(gl, resolved, {
        name: `via-${type}`,
        scopes: ["read_api"],
        expiresAt: addDays(NOW, 30),
      });
      expect((await d.get(gl, resolved, made.id))?.name).toBe(`via-${type}`);
      expect((await d.list(gl, resolved, `via-${type}`)).map((t) => t.id)).toEqual([made.id]);
      await d.revoke(gl, resolved, made.id);
      expect((await d.get(gl, resolved, made.id))?.revoked).toBe(true);
      await expect(d.revoke(gl, resolved, made.id)).resolves.toBeUndefined();
      const routes = Object.keys(sandbox.counters().byRoute);
      expect(routes.length).toBeGreaterThan(0);
      expect(
        routes.filter((r) => !r.includes(`/${type}s/:id/service_accounts/:user_id/personal_access_tokens`)),
      ).toEqual([]);
    },
  );

  it("personal: checkFields refuses group: and project: together, and either with serviceAccount: false", () => {
    const d = kindOf("personal");
    expect(d.checkFields?.({ serviceAccount: true, project: "acme/web" })).toEqual([]);
    expect(d.checkFields?.({ group: "acme", project: "acme/web" }).map((f) => f.field)).toEqual(["project"]);
    expect(d.checkFields?.({ project: "acme/web", serviceAccount: false }).map((f) => f.field)).toEqual([
      "project",
    ]);
  });

  it("trigger: resolve, create with expires_at, get, list, delete (GitLab's routes under /projects/:id/triggers)", async () => {
    const d = kindOf("trigger");
    const resolved = await d.resolve(gl, "acme/web");
    expect(resolved.id).toBe(sandbox.projectId("acme/web"));
    sandbox.resetCounters();
    const made = await d.create(gl, resolved, {
      name: "ignored: triggers have no name",
      scopes: [],
      expiresAt: addDays(NOW, 30),
      description: "registry trigger",
    });
    expect(made.token).toMatch(/^glptt-[0-9a-f]{40}$/);
    expect(made).toMatchObject({ name: "", scopes: [], expires_at: addDays(NOW, 30), revoked: false });
    expect((await d.get(gl, resolved, made.id))?.description).toBe("registry trigger");
    expect((await d.list(gl, resolved)).map((t) => t.id)).toContain(made.id);
    await d.revoke(gl, resolved, made.id);
    expect(await d.get(gl, resolved, made.id)).toBeUndefined();
    await expect(d.revoke(gl, resolved, made.id)).resolves.toBeUndefined();
    expect(Object.keys(sandbox.counters().byRoute).sort()).toEqual([
      "DELETE /api/v4/projects/:id/triggers/:trigger_id",
      "GET /api/v4/projects/:id/triggers",
      "GET /api/v4/projects/:id/triggers/:trigger_id",
      "POST /api/v4/projects/:id/triggers",
    ]);
  });

  it("trigger: on a GitLab without trigger expiry, the created token has no expires_at", async () => {
    const d = kindOf("trigger");
    sandbox.updateSettings({ triggerTokenExpiration: false });
    try {
      const resolved = await d.resolve(gl, "acme/web");
      const made = await d.create(gl, resolved, { name: "", scopes: [], expiresAt: addDays(NOW, 30) });
      expect(made.expires_at).toBeNull();
      await d.revoke(gl, resolved, made.id);
    } finally {
      sandbox.updateSettings({ triggerTokenExpiration: true });
    }
  });

  it("personal: refuses a human declared a service account", async () => {
    const d = kindOf("personal");
    const admin = await d.resolve(gl, "root");
    expect(() => d.verify?.(admin, { name: "t", serviceAccount: true })).toThrow(
      /declared a service account \(serviceAccount: true\) but GitLab reports a human user/,
    );
  });
});
