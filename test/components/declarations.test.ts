/**
 * The declarations file: every validation error names the file, the line, the token key and the
 * field, and says what to change; a valid file gives declarations with defaults applied.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DeclarationsError, loadDeclarations, parseDeclarations } from "../../components/declarations";
import { addDays } from "../../components/gitlab/facts";

const NOW = new Date("2026-11-25T10:00:00Z");

function issuesOf(yaml: string) {
  try {
    parseDeclarations(yaml, NOW, "tokens.yaml");
  } catch (e) {
    expect(e).toBeInstanceOf(DeclarationsError);
    return (e as DeclarationsError).issues;
  }
  throw new Error("expected the declarations to be refused");
}

const token = (body: string) => `tokens:\n  web-deploy:\n${body.replace(/^/gm, "    ")}\n`;
const project = (extra = "") => token(`kind: project\nproject: acme/web\nscopes: [read_api]\n${extra}`);

describe("parseDeclarations", () => {
  it("reads the shipped example with defaults applied", () => {
    const file = path.join(__dirname, "..", "..", "tokens.yaml");
    const decls = loadDeclarations(file, NOW, "tokens.yaml");
    expect(decls.map((d) => [d.key, d.kind, d.target])).toEqual([
      ["web-registry-pull", "project", "acme/web"],
      ["api-release-bot", "project", "acme/api"],
      ["acme-dependency-reader", "group", "acme"],
      ["inventory-export", "personal", "provisioner"],
    ]);
    const web = decls[0]!;
    expect(web).toMatchObject({
      name: "web-registry-pull",
      lifetimeDays: 60,
      rotateBeforeDays: 14,
      accessLevel: "reporter",
      deliverTo: [{ project: "acme/web", variable: "DEPLOY_REGISTRY_TOKEN" }],
      line: 8,
    });
    expect(decls[1]).toMatchObject({
      lifetimeDays: 30,
      rotateBeforeDays: 7,
      rotateWhenChanged: { reason: "initial" },
    });
    expect(decls[3]).toMatchObject({ serviceAccount: true, accessLevel: undefined });
  });

  describe("a group service account's personal token (group:)", () => {
    const personal = (extra = "") =>
      token(`kind: personal\nuser: acme-deployer\nscopes: [read_api]\n${extra}`);

    it("keeps the group on a personal token, and a group token's group stays its target", () => {
      const [d] = parseDeclarations(personal("group: acme\nserviceAccount: true"), NOW);
      expect(d).toMatchObject({
        kind: "personal",
        target: "acme-deployer",
        group: "acme",
        serviceAccount: true,
      });
      const [g] = parseDeclarations(token("kind: group\ngroup: acme\nscopes: [read_api]"), NOW);
      expect(g).toMatchObject({ kind: "group", target: "acme" });
      expect(g).not.toHaveProperty("group");
      const [n] = parseDeclarations(personal("group: 42"), NOW);
      expect(n?.group).toBe(42);
    });

    it("keeps the project on a personal token (a project service account), and a project token's project stays its target", () => {
      const [d] = parseDeclarations(personal("project: acme/web\nserviceAccount: true"), NOW);
      expect(d).toMatchObject({ kind: "personal", target: "acme-deployer", project: "acme/web" });
      expect(d?.group).toBeUndefined();
      const [p] = parseDeclarations(project(""), NOW);
      expect(p).not.toHaveProperty("project");
    });

    it.each([
      [
        "group: on a service account declared a person",
        personal("group: acme\nserviceAccount: false"),
        'tokens.yaml:6: token "web-deploy", field "group": group names the top-level group that owns a service account, but serviceAccount is false; remove group, or serviceAccount if the user is the group\'s service account',
      ],
      [
        "group: on a project token",
        project("group: acme"),
        'tokens.yaml:6: token "web-deploy", field "group": a project token takes "project", not "group"',
      ],
      ["an empty group:", personal('group: ""'), 'tokens.yaml:6: token "web-deploy", field "group"'],
      [
        "group: and project: together",
        personal("group: acme\nproject: acme/web"),
        'tokens.yaml:7: token "web-deploy", field "project": a service account belongs to a top-level group or to a project, not both; keep group for a group service account, or project for a project service account',
      ],
      [
        "project: on a service account declared a person",
        personal("project: acme/web\nserviceAccount: false"),
        'tokens.yaml:6: token "web-deploy", field "project": project names the project that owns a service account, but serviceAccount is false; remove project, or serviceAccount if the user is the project\'s service account',
      ],
      ["an empty project:", personal('project: ""'), 'tokens.yaml:6: token "web-deploy", field "project"'],
    ])("refuses %s, naming the file, line, token and field", (_what, yaml, message) => {
      const issues = issuesOf(yaml);
      expect(issues).toHaveLength(1);
      const text = `${issues[0]!.file}:${issues[0]!.line}: token "${issues[0]!.token}", field "${issues[0]!.field}": ${issues[0]!.message}`;
      expect(text.slice(0, message.length)).toBe(message);
    });
  });

  describe("a deploy token (kind: deploy, project: or group:)", () => {
    const deploy = (extra = "", target = "project: acme/web") =>
      token(`kind: deploy\n${target}\nscopes: [read_registry]\n${extra}`);

    it("keeps which field named the target, the username and the username delivery", () => {
      const [p] = parseDeclarations(
        deploy("deliverTo:\n  - { project: acme/web, variable: REG_USER, value: username }"),
        NOW,
      );
      expect(p).toMatchObject({ kind: "deploy", target: "acme/web", targetField: "project" });
      expect(p?.deliverTo[0]).toMatchObject({ value: "username" });
      const [g] = parseDeclarations(deploy("username: ci+registry", "group: acme"), NOW);
      expect(g).toMatchObject({ target: "acme", targetField: "group", username: "ci+registry" });
      expect(g?.accessLevel).toBeUndefined();
      // The other kinds keep their one target field, unrecorded (their state stays as it was).
      const [pt] = parseDeclarations(project(), NOW);
      expect(pt).not.toHaveProperty("targetField");
    });

    it.each([
      [
        "both project: and group:",
        deploy("group: acme"),
        'tokens.yaml:6: token "web-deploy", field "group": a deploy token takes one of "project" and "group", not both',
      ],
      [
        "no target",
        token("kind: deploy\nscopes: [read_registry]"),
        'tokens.yaml:2: token "web-deploy", field "project": a deploy token needs "project" or "group" (full path or numeric id)',
      ],
      [
        "user:",
        deploy("user: root"),
        'tokens.yaml:6: token "web-deploy", field "user": a deploy token takes "project" or "group", not "user"',
      ],
      [
        "a personal access token's scope",
        token("kind: deploy\nproject: acme/web\nscopes: [read_api]"),
        'tokens.yaml:5: token "web-deploy", field "scopes[0]": scope "read_api" is not valid for a deploy token (read_api exists only on project, group and personal tokens); valid scopes: read_repository, read_registry, write_registry, read_package_registry, write_package_registry, read_virtual_registry, write_virtual_registry',
      ],
      [
        "a description (GitLab keeps none)",
        deploy("description: pulls images"),
        'tokens.yaml:6: token "web-deploy", field "description": GitLab keeps no description for a deploy token; remove description',
      ],
      [
        "an access level",
        deploy("accessLevel: reporter"),
        'tokens.yaml:6: token "web-deploy", field "accessLevel": accessLevel applies to project and group tokens only',
      ],
      [
        "a username GitLab refuses",
        deploy('username: "ci bot"'),
        'tokens.yaml:6: token "web-deploy", field "username": username is "ci bot"; use letters, digits',
      ],
      [
        "a name the marker would push past 255",
        deploy(`name: ${"n".repeat(220)}`),
        'tokens.yaml:6: token "web-deploy", field "name": name is 220 characters; at most 214 for a deploy token',
      ],
      [
        "a username delivery of a project token",
        project("deliverTo:\n  - { project: acme/web, variable: U, value: username }"),
        'tokens.yaml:7: token "web-deploy", field "deliverTo[0].value": value username applies to deploy tokens only',
      ],
      [
        "username on a project token",
        project("username: ci"),
        'tokens.yaml:6: token "web-deploy", field "username": username applies to deploy tokens only; remove it',
      ],
    ])("refuses %s, naming the file, line, token and field", (_what, yaml, message) => {
      const issues = issuesOf(yaml);
      expect(issues).toHaveLength(1);
      const text = `${issues[0]!.file}:${issues[0]!.line}: token "${issues[0]!.token}", field "${issues[0]!.field}": ${issues[0]!.message}`;
      expect(text.slice(0, message.length)).toBe(message);
    });
  });

  it("accepts a fixed expiry date instead of a lifetime", () => {
    const date = addDays(NOW, 30);
    const [d] = parseDeclarations(project(`expiresAt: ${date}`), NOW);
    expect(d).toMatchObject({ expiresAt: date, lifetimeDays: undefined });
  });

  it.each([
    [
      "an unknown key",
      project("lifetime: 30"),
      6,
      "lifetime",
      'unknown field "lifetime"; did you mean "lifetimeDays"?',
    ],
    ["a wrong type", project("lifetimeDays: soon"), 6, "lifetimeDays", "lifetimeDays must be a number"],
    [
      "a fractional lifetime",
      project("lifetimeDays: 1.5"),
      6,
      "lifetimeDays",
      "lifetimeDays must be a whole number",
    ],
    [
      "an unknown kind",
      token("kind: runner\nproject: acme/web\nscopes: [read_api]"),
      3,
      "kind",
      "kind must be one of project, group, personal, deploy",
    ],
    [
      "no target",
      token("kind: project\nscopes: [read_api]"),
      2,
      "project",
      'a project token needs "project"',
    ],
    [
      "the wrong target field",
      token("kind: group\nproject: acme\nscopes: [read_api]"),
      4,
      "project",
      'a group token takes "group", not "project"',
    ],
    [
      "no scopes",
      token("kind: project\nproject: acme/web\nscopes: []"),
      5,
      "scopes",
      "list at least one scope",
    ],
    [
      "a scope invalid for the kind",
      token("kind: project\nproject: acme/web\nscopes: [read_api, sudo]"),
      5,
      "scopes[1]",
      'scope "sudo" is not valid for a project token',
    ],
    [
      "a made-up scope",
      token("kind: personal\nuser: svc\nscopes: [read_everything]"),
      5,
      "scopes[0]",
      'scope "read_everything" is not valid for a personal token',
    ],
    [
      "an unknown access level",
      project("accessLevel: admin"),
      6,
      "accessLevel",
      "accessLevel must be one of guest, planner, reporter",
    ],
    [
      "an access level on a personal token",
      token("kind: personal\nuser: svc\nscopes: [read_api]\naccessLevel: guest"),
      6,
      "accessLevel",
      "accessLevel applies to project and group tokens only",
    ],
    [
      "a lifetime beyond GitLab's limit",
      project("lifetimeDays: 400"),
      6,
      "lifetimeDays",
      "lifetimeDays is 400; GitLab allows at most 365",
    ],
    [
      "a date in the past",
      project("expiresAt: 2026-01-01"),
      6,
      "expiresAt",
      "expiresAt is 2026-01-01, which is not after today (2026-11-25)",
    ],
    ["today as expiry", project("expiresAt: 2026-11-25"), 6, "expiresAt", "which is not after today"],
    [
      "a date beyond GitLab's limit",
      project("expiresAt: 2028-01-01"),
      6,
      "expiresAt",
      "GitLab allows at most 365 (2027-11-25)",
    ],
    [
      "a malformed date",
      project("expiresAt: 31/01/2027"),
      6,
      "expiresAt",
      'expiresAt is "31/01/2027"; write a date as YYYY-MM-DD',
    ],
    [
      "both lifetime and date",
      project("lifetimeDays: 30\nexpiresAt: 2027-01-01"),
      7,
      "expiresAt",
      "give either lifetimeDays or expiresAt, not both",
    ],
    [
      "a rotation window as long as the lifetime",
      project("lifetimeDays: 10\nrotateBeforeDays: 10"),
      7,
      "rotateBeforeDays",
      "every run would rotate the token",
    ],
    [
      "a non-string trigger",
      project("rotateWhenChanged: { reason: 3 }"),
      6,
      "rotateWhenChanged.reason",
      "rotateWhenChanged.reason must be a string",
    ],
    [
      "a delivery to both a project and a group",
      project("deliverTo:\n  - { project: acme/web, group: acme, variable: X }"),
      7,
      "deliverTo[0]",
      "give exactly one of project or group",
    ],
    [
      "a bad variable key",
      project("deliverTo:\n  - { project: acme/web, variable: my-token }"),
      7,
      "deliverTo[0].variable",
      "use letters, digits and _",
    ],
    [
      "an unknown delivery key",
      project("deliverTo:\n  - { project: acme/web, variable: X, expose: true }"),
      7,
      "deliverTo[0].expose",
      'unknown field "expose"',
    ],
  ])("refuses %s, naming the file, line, token and field", (_what, yaml, line, field, message) => {
    const issues = issuesOf(yaml);
    const issue = issues.find((i) => i.field === field);
    expect(issue).toBeDefined();
    expect(issue).toMatchObject({ file: "tokens.yaml", token: "web-deploy", line });
    expect(issue!.message).toContain(message);
  });

  it("reports every problem of every token at once, in one readable error", () => {
    const yaml = [
      "tokens:",
      "  a:",
      "    kind: project",
      "    project: acme/web",
      "    scopes: [read_user]",
      "    lifetimeDays: 500",
      "  b:",
      "    kind: group",
      "    group: acme",
      "    scopes: [api]",
      "    colour: blue",
    ].join("\n");
    let error: DeclarationsError | undefined;
    try {
      parseDeclarations(yaml, NOW, "tokens.yaml");
    } catch (e) {
      error = e as DeclarationsError;
    }
    expect(error?.issues.map((i) => [i.token, i.field, i.line])).toEqual([
      ["a", "scopes[0]", 5],
      ["a", "lifetimeDays", 6],
      ["b", "colour", 11],
    ]);
    expect(error?.message).toContain('tokens.yaml:6: token "a", field "lifetimeDays": lifetimeDays is 500');
    expect(error?.message).toMatch(/^3 problems in the token declarations/);
  });

  it.each([
    ["not YAML", "tokens: [", 1, "not valid YAML"],
    ["an unknown top-level key", "tokenz: {}\ntokens: {}", 1, 'unknown field "tokenz"'],
    ["a missing tokens map", "defaults: {}", 1, "tokens"],
    [
      "a bad token key",
      "tokens:\n  'has space': { kind: project, project: a/b, scopes: [read_api] }",
      2,
      "token keys use letters",
    ],
  ])("refuses %s", (_what, yaml, line, message) => {
    const issues = issuesOf(yaml);
    expect(issues[0]!.line).toBe(line);
    expect(issues[0]!.message).toContain(message);
  });

  it("names the file when it cannot be read", () => {
    expect(() => loadDeclarations("/nonexistent/tokens.yaml", NOW, "missing.yaml")).toThrow(
      "missing.yaml:1: cannot read the file (ENOENT)",
    );
  });

  it("never reads anything but the file (no network, no clock beyond `now`)", () => {
    const text = fs.readFileSync(path.join(__dirname, "..", "..", "tokens.yaml"), "utf8");
    expect(parseDeclarations(text, NOW)).toHaveLength(4);
  });
});
