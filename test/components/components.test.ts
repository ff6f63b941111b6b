/**
 * The components with Pulumi mocks: what each registers (types, names, parents, inputs), the
 * defaults they apply, the validation they do before any API call, and how small the serialised
 * provider is.
 */
import * as pulumi from "@pulumi/pulumi";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}
const registered: Registered[] = [];

void pulumi.runtime.setMocks(
  {
    newResource(args) {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
      const outs: Record<string, unknown> = { ...args.inputs };
      if (args.type.endsWith(":AccessToken")) {
        Object.assign(outs, {
          tokenId: 42,
          token: "glpat-mockmockmockmockmock",
          expiresAt: "2027-02-23",
          rotatesAt: "2027-02-09",
          active: true,
          userId: 77,
          identityUsername: "project_5_bot_0123456789abcdef0123456789abcdef",
          commitEmail: "project_5_bot_0123456789abcdef0123456789abcdef@noreply.gitlab.example.com",
          ...(args.inputs.kind === "deploy" ? { identityUsername: "gitlab+deploy-token-42" } : {}),
        });
      }
      return { id: `${args.name}-id`, state: outs };
    },
    call: () => ({}),
  },
  "gitlab-tokens",
  "test",
  false,
);

// Imported after setMocks so the components see the mocked runtime.
import {
  DeployToken,
  GroupAccessToken,
  PersonalAccessToken,
  PipelineTriggerToken,
  ProjectAccessToken,
} from "../../components";
import { addDays } from "../../components/gitlab/facts";

const IN_60_DAYS = addDays(new Date(), 60);
const ACCESS_TOKEN = "pulumi-nodejs:dynamic/gitlab-tokens:AccessToken";
const CI_VARIABLE = "pulumi-nodejs:dynamic/gitlab-tokens:CiVariable";

function outputOf<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply((v) => resolve(v)));
}

async function settle(): Promise<void> {
  // Let registrations (which are asynchronous under mocks) finish.
  await new Promise((r) => setTimeout(r, 50));
}

beforeEach(() => {
  registered.length = 0;
});

describe("ProjectAccessToken", () => {
  it("registers one token and one variable per delivery, with least-privilege defaults", async () => {
    const c = new ProjectAccessToken("web-deploy", {
      project: "acme/web",
      scopes: ["read_registry", "read_repository"],
      deliverTo: [{ project: "acme/web", variable: "DEPLOY_TOKEN" }],
    });
    expect(await outputOf(c.tokenId)).toBe(42);
    expect(await outputOf(c.expiresAt)).toBe("2027-02-23");
    expect(await outputOf(c.rotatesAt)).toBe("2027-02-09");
    expect(await outputOf(c.active)).toBe(true);
    expect(await pulumi.isSecret(c.token)).toBe(true);
    // Who it acts as: the token resource's identity outputs, none of them secret.
    expect(await outputOf(c.userId)).toBe(77);
    expect(await outputOf(c.username)).toBe("project_5_bot_0123456789abcdef0123456789abcdef");
    expect(await outputOf(c.commitEmail)).toBe(
      "project_5_bot_0123456789abcdef0123456789abcdef@noreply.gitlab.example.com",
    );
    expect(await pulumi.isSecret(c.username)).toBe(false);
    await settle();

    expect(registered.map((r) => `${r.type} ${r.name}`)).toEqual([
      "gitlab-tokens:index:ProjectAccessToken web-deploy",
      `${ACCESS_TOKEN} web-deploy`,
      `${CI_VARIABLE} web-deploy-project-acme_web-DEPLOY_TOKEN`,
    ]);
    const token = registered[1]!.inputs;
    expect(token).toMatchObject({
      kind: "project",
      key: "web-deploy",
      target: "acme/web",
      name: "web-deploy",
      description: "",
      scopes: ["read_registry", "read_repository"],
      accessLevel: "guest",
      lifetimeDays: 90,
      rotateBeforeDays: 14,
      rotateWhenChanged: {},
      rotationEpoch: "",
    });
    expect(token).not.toHaveProperty("fixedExpiresAt");
    const variable = registered[2]!.inputs;
    expect(variable).toMatchObject({
      kind: "project",
      target: "acme/web",
      key: "DEPLOY_TOKEN",
      protected: true,
      masked: true,
      hidden: true,
      raw: true,
      environmentScope: "*",
    });
  });

  it("stores each provider in state as a require of its gitlab-tokens-shell module, a few hundred bytes", async () => {
    new ProjectAccessToken("small", {
      project: 7,
      scopes: ["read_api"],
      deliverTo: [{ project: 7, variable: "SMALL" }],
    });
    await settle();
    const providerOf = (type: string) => registered.find((r) => r.type === type)!.inputs.__provider as string;
    for (const [type, module] of [
      [ACCESS_TOKEN, "gitlab-tokens-shell/access-token.js"],
      [CI_VARIABLE, "gitlab-tokens-shell/ci-variable.js"],
    ] as const) {
      const provider = providerOf(type);
      expect(provider).toContain(`require("${module}")`);
      expect(provider.length).toBeLessThan(400);
      expect(provider).not.toMatch(/gitbeaker|GitLabClient|PRIVATE-TOKEN|function \/\*check/);
    }
  });

  it.each([
    [{ lifetimeDays: 400 }, "lifetimeDays", "lifetimeDays is 400; GitLab allows at most 365"],
    [{ scopes: ["read_user"] }, "scopes[0]", 'scope "read_user" is not valid for a project token'],
    [{ accessLevel: "admin" }, "accessLevel", 'accessLevel is "admin"; use one of guest, planner'],
    [{ expiresAt: "2001-01-01" }, "expiresAt", "expiresAt is 2001-01-01, which is not after today"],
    [{ lifetimeDays: 30, rotateBeforeDays: 30 }, "rotateBeforeDays", "every run would rotate the token"],
    [
      { description: "x".repeat(256) },
      "description",
      "description is 256 characters; at most 214 (GitLab allows 255; the creation marker takes 41)",
    ],
  ])("refuses %j before registering anything", (extra, property, reason) => {
    const build = () =>
      new ProjectAccessToken("bad", { project: "acme/web", scopes: ["read_api"], ...extra } as never);
    expect(build).toThrow(pulumi.InputPropertyError);
    try {
      build();
    } catch (e) {
      expect((e as pulumi.InputPropertyError).propertyPath).toBe(property);
      expect((e as pulumi.InputPropertyError).reason).toContain(reason);
    }
    expect(registered.filter((r) => r.type === ACCESS_TOKEN)).toEqual([]);
  });

  it("refuses a delivery that names both a project and a group", () => {
    expect(
      () =>
        new ProjectAccessToken("both", {
          project: "acme/web",
          scopes: ["read_api"],
          deliverTo: [{ project: "acme/web", group: "acme", variable: "X" }],
        }),
    ).toThrow("give exactly one of project or group for variable X");
  });
});

describe("GroupAccessToken and PersonalAccessToken", () => {
  it("registers a group token with its own type and the declared level", async () => {
    new GroupAccessToken("sbom", {
      group: "acme",
      scopes: ["read_api"],
      accessLevel: "reporter",
      expiresAt: IN_60_DAYS,
      rotateWhenChanged: { reason: "incident" },
    });
    await settle();
    expect(registered[0]!.type).toBe("gitlab-tokens:index:GroupAccessToken");
    expect(registered[1]!.inputs).toMatchObject({
      kind: "group",
      target: "acme",
      accessLevel: "reporter",
      fixedExpiresAt: IN_60_DAYS,
      rotateWhenChanged: { reason: "incident" },
    });
    expect(registered[1]!.inputs).not.toHaveProperty("lifetimeDays");
  });

  it("registers a personal token for a service account, without an access level", async () => {
    new PersonalAccessToken("inventory", {
      user: "svc-inventory",
      scopes: ["read_api", "read_user"],
      serviceAccount: true,
    });
    await settle();
    expect(registered[0]!.type).toBe("gitlab-tokens:index:PersonalAccessToken");
    expect(registered[1]!.inputs).toMatchObject({
      kind: "personal",
      target: "svc-inventory",
      scopes: ["read_api", "read_user"],
      serviceAccount: true,
    });
    expect(registered[1]!.inputs).not.toHaveProperty("accessLevel");
  });

  it("registers a project service account's token with its project, and a project token without one", async () => {
    new PersonalAccessToken("web-ci", {
      user: "web-ci",
      project: "acme/web",
      scopes: ["read_api"],
      serviceAccount: true,
    });
    new ProjectAccessToken("web-plain", { project: "acme/web", scopes: ["read_api"] });
    await settle();
    const ofKind = (kind: string) =>
      registered.find((r) => r.type === ACCESS_TOKEN && r.inputs.kind === kind)!.inputs;
    expect(ofKind("personal")).toMatchObject({ target: "web-ci", project: "acme/web" });
    expect(ofKind("personal")).not.toHaveProperty("group");
    expect(ofKind("project")).toMatchObject({ target: "acme/web" });
    expect(ofKind("project")).not.toHaveProperty("project");
  });

  it("refuses group and project together on a personal token, naming the field, before registering anything", () => {
    const build = () =>
      new PersonalAccessToken("both", {
        user: "u",
        group: "acme",
        project: "acme/web",
        scopes: ["read_api"],
      });
    expect(build).toThrow(pulumi.InputPropertyError);
    try {
      build();
    } catch (e) {
      expect((e as pulumi.InputPropertyError).propertyPath).toBe("project");
      expect((e as pulumi.InputPropertyError).reason).toContain(
        "both: a service account belongs to a top-level group or to a project, not both",
      );
    }
    expect(registered.filter((r) => r.type === ACCESS_TOKEN)).toEqual([]);
  });

  it("registers a fine-grained token's granular scopes and no legacy scopes", async () => {
    new PersonalAccessToken("release-bot", {
      user: "provisioner",
      serviceAccount: true,
      granular: [
        {
          access: "selected_memberships",
          projects: ["acme/web"],
          permissions: ["read_job", "create_release"],
        },
      ],
      justification: "publishes releases",
    });
    await settle();
    expect(registered.find((r) => r.type === ACCESS_TOKEN)!.inputs).toMatchObject({
      kind: "personal",
      scopes: [],
      granular: [
        {
          access: "selected_memberships",
          projects: ["acme/web"],
          permissions: ["read_job", "create_release"],
        },
      ],
    });
  });

  it.each([
    [
      "scopes and granular together",
      { scopes: ["read_api"], granular: [{ access: "user", permissions: ["create_chat_completion"] }] },
      "granular",
      "give scopes or granular, not both",
    ],
    [
      "a permission not in GitLab's catalogue",
      { granular: [{ access: "personal_projects", permissions: ["read_jobs"] }] },
      "granular[0].permissions[0]",
      'permission "read_jobs" is not in GitLab 19.6\'s catalogue of fine-grained permissions; did you mean read_job?',
    ],
    [
      "a project permission under the user boundary",
      { granular: [{ access: "user", permissions: ["read_job"] }] },
      "granular[0].permissions[0]",
      "permission read_job applies to a project, which access user does not reach",
    ],
  ])("refuses %s, naming the field, before registering anything", (_what, args, path, reason) => {
    let thrown: unknown;
    try {
      new PersonalAccessToken("fg", { user: "u", ...args } as never);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(pulumi.InputPropertyError);
    expect((thrown as pulumi.InputPropertyError).propertyPath).toBe(path);
    expect((thrown as pulumi.InputPropertyError).reason).toContain(`fg: ${reason}`);
    expect(registered.filter((r) => r.type === ACCESS_TOKEN)).toEqual([]);
  });

  it("refuses an access level on a personal token", () => {
    expect(
      () => new PersonalAccessToken("p", { user: "u", scopes: ["read_api"], accessLevel: "owner" } as never),
    ).toThrow(pulumi.InputPropertyError);
  });
});

describe("DeployToken", () => {
  it("registers a group's deploy token, delivering the token (secret, masked) and its username (neither masked nor hidden)", async () => {
    const c = new DeployToken("packages", {
      group: "acme",
      scopes: ["read_package_registry"],
      username: "ci-packages",
      deliverTo: [
        { group: "acme", variable: "PKG_TOKEN" },
        { group: "acme", variable: "PKG_USER", value: "username" },
      ],
    });
    expect(await outputOf(c.username)).toBe("gitlab+deploy-token-42");
    expect(await pulumi.isSecret(c.token)).toBe(true);
    await settle();
    expect(registered.map((r) => `${r.type} ${r.name}`)).toEqual([
      "gitlab-tokens:index:DeployToken packages",
      `${ACCESS_TOKEN} packages`,
      `${CI_VARIABLE} packages-group-acme-PKG_TOKEN`,
      `${CI_VARIABLE} packages-group-acme-PKG_USER`,
    ]);
    const token = registered[1]!.inputs;
    expect(token).toMatchObject({
      kind: "deploy",
      target: "acme",
      targetField: "group",
      username: "ci-packages",
      scopes: ["read_package_registry"],
    });
    expect(token).not.toHaveProperty("accessLevel");
    expect(registered[2]!.inputs).toMatchObject({ key: "PKG_TOKEN", masked: true, hidden: true });
    expect(registered[3]!.inputs).toMatchObject({
      key: "PKG_USER",
      masked: false,
      hidden: false,
      protected: true,
      description: "managed by gitlab-tokens: packages (username)",
    });
  });

  it("records a project's deploy token as such, and leaves the other kinds' props without targetField", async () => {
    new DeployToken("registry", { project: "acme/web", scopes: ["read_registry"] });
    new ProjectAccessToken("pat", { project: "acme/web", scopes: ["read_api"] });
    await settle();
    const tokens = registered.filter((r) => r.type === ACCESS_TOKEN).map((r) => r.inputs);
    expect(tokens[0]).toMatchObject({ kind: "deploy", targetField: "project" });
    expect(tokens[1]).not.toHaveProperty("targetField");
    expect(tokens[1]).not.toHaveProperty("username");
  });

  it.each([
    [
      "both project and group",
      { project: "acme/web", group: "acme", scopes: ["read_registry"] },
      'a deploy token takes one of "project" and "group", not both',
    ],
    ["a PAT scope", { project: "acme/web", scopes: ["api"] }, 'scope "api" is not valid for a deploy token'],
    [
      "a description",
      { project: "acme/web", scopes: ["read_registry"], description: "x" },
      "keeps no description",
    ],
  ])("refuses %s", (_what, args, reason) => {
    expect(() => new DeployToken("d", args as never)).toThrow(reason);
  });

  it("refuses a username delivery of a token that has none", () => {
    expect(
      () =>
        new ProjectAccessToken("p", {
          project: "acme/web",
          scopes: ["read_api"],
          deliverTo: [{ project: "acme/web", variable: "U", value: "username" }],
        }),
    ).toThrow("value username applies to deploy tokens only");
  });
});

describe("PipelineTriggerToken", () => {
  it("registers its component type and a token with no scopes, no access level, and the key as its name", async () => {
    const c = new PipelineTriggerToken("nightly-trigger", {
      project: "acme/web",
      description: "Starts the nightly pipeline",
      lifetimeDays: 30,
      deliverTo: [{ project: "acme/api", variable: "WEB_TRIGGER" }],
    });
    expect(await pulumi.isSecret(c.token)).toBe(true);
    await settle();
    expect(registered.map((r) => `${r.type} ${r.name}`)).toEqual([
      "gitlab-tokens:index:PipelineTriggerToken nightly-trigger",
      `${ACCESS_TOKEN} nightly-trigger`,
      `${CI_VARIABLE} nightly-trigger-project-acme_api-WEB_TRIGGER`,
    ]);
    const token = registered[1]!.inputs;
    expect(token).toMatchObject({
      kind: "trigger",
      target: "acme/web",
      name: "nightly-trigger",
      description: "Starts the nightly pipeline",
      scopes: [],
      lifetimeDays: 30,
    });
    expect(token).not.toHaveProperty("accessLevel");
  });

  it.each([
    [{ scopes: ["read_api"] }, "scopes", "a trigger token has no scopes in GitLab"],
    [{ name: "nightly" }, "name", "a trigger token has no name in GitLab"],
    [{ lifetimeDays: 365 }, "lifetimeDays", "lifetimeDays is 365; GitLab allows a trigger token at most 364"],
  ])("refuses %j before registering anything", (extra, propertyPath, reason) => {
    let error: unknown;
    try {
      new PipelineTriggerToken("bad", { project: "acme/web", ...extra } as never);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ propertyPath, reason: expect.stringContaining(`bad: ${reason}`) });
    expect(registered).toEqual([]);
  });
});
