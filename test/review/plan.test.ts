/**
 * The review's model of a changed tokens.yaml against the state fixture: the token table, what
 * `pulumi up` will do with each token and why (the provider's own check/diff), and the policy
 * findings (the pack's own rules) with the line each one points at.
 */
import {
  accessLevelChange,
  isBlocking,
  readStateExport,
  reviewDeclarations,
  declarationsFromText,
  scopeChange,
  summarize,
  type TokenRow,
} from "../../commands/review";
import { AFTER_PATH, NOW, STATE_LABEL, fieldLine, readFixture, reviewFixture, tokenLine } from "./helpers";

const yaml = readFixture("tokens-after.yaml");

describe("the token table", () => {
  const review = reviewFixture();
  const row = (key: string): TokenRow => {
    const r = review.rows.find((x) => x.key === key);
    if (!r) throw new Error(`no row ${key}`);
    return r;
  };

  it("has one row per declared token, in file order", () => {
    expect(review.rows.map((r) => [r.key, r.change])).toEqual([
      ["web-registry-pull", "unchanged"],
      ["api-release-bot", "rotate"],
      ["acme-dependency-reader", "rotate"],
      ["release-tagger", "rotate"],
      ["inventory-export", "rotate"],
      ["docs-reader", "update"],
      ["long-lived-reader", "rotate"],
      ["audit-export", "unchanged"],
      ["ci-admin", "new"],
    ]);
  });

  it("shows a kept token with its dates from state", () => {
    expect(row("web-registry-pull")).toEqual({
      key: "web-registry-pull",
      kind: "project",
      target: "acme/web",
      scopes: ["read_registry", "read_repository"],
      accessLevel: "reporter",
      lifetimeDays: 60,
      fixedExpiry: false,
      expiresAt: "2026-09-30",
      nextRotation: "2026-09-16",
      createdAt: "2026-08-01",
      deliveredTo: ["acme/web:DEPLOY_REGISTRY_TOKEN"],
      line: tokenLine(yaml, "web-registry-pull"),
      change: "unchanged",
    });
  });

  it("shows new and rotated tokens with the dates of the token `pulumi up` creates now", () => {
    expect(row("ci-admin")).toMatchObject({
      scopes: ["api"],
      accessLevel: "developer",
      lifetimeDays: 60,
      expiresAt: "2026-11-02",
      nextRotation: "2026-10-19",
      createdAt: undefined,
      deliveredTo: ["acme/ci:CI_ADMIN_TOKEN", "acme:CI_ADMIN_TOKEN"],
    });
    expect(row("inventory-export")).toMatchObject({
      kind: "personal",
      accessLevel: undefined,
      lifetimeDays: 30,
      expiresAt: "2026-10-03",
      nextRotation: "2026-09-26",
    });
    expect(row("long-lived-reader")).toMatchObject({ lifetimeDays: 120, expiresAt: "2027-01-01" });
  });

  it("gives a fixed expiry its lifetime from creation and no time-based rotation", () => {
    expect(row("audit-export")).toMatchObject({
      lifetimeDays: 137,
      fixedExpiry: true,
      expiresAt: "2026-11-15",
      nextRotation: undefined,
    });
  });

  it("shows the access level `pulumi up` registers when none is declared (the components' guest)", () => {
    const plain = "tokens:\n  t:\n    kind: project\n    project: acme/web\n    scopes: [read_api]\n";
    const r = reviewDeclarations({ declarations: declarationsFromText(plain, AFTER_PATH, NOW), now: NOW });
    expect(r.rows[0]).toMatchObject({ accessLevel: "guest", lifetimeDays: 90, change: "new" });
  });
});

describe("the changes against the state", () => {
  const review = reviewFixture();
  const change = (key: string) => review.changes.find((c) => c.key === key);

  it.each([
    [
      "api-release-bot",
      ["description", "scopes", "accessLevel"],
      [
        "description changed (Reads release tags for the release notes job → Pushes release tags from the release pipeline)",
        "scopes widened (+write_repository, −read_repository)",
        "access level raised (reporter → developer)",
      ],
    ],
    ["acme-dependency-reader", ["scopes"], ["scopes narrowed (−read_registry)"]],
    [
      "release-tagger",
      ["rotateWhenChanged"],
      [
        'triggered rotation: rotateWhenChanged changed ({"reason":"initial"} → {"reason":"2026-09 incident"})',
      ],
    ],
    [
      "inventory-export",
      ["expiresAt"],
      ["rotation due: the window opened on 2026-08-30 and the token expires on 2026-09-06"],
    ],
    ["long-lived-reader", ["lifetimeDays"], ["lifetimeDays changed (60 → 120)"]],
  ])("rotates %s because of %j, as the provider's diff says", (key, replaces, reasons) => {
    expect(change(key)).toMatchObject({ kind: "rotate", replaces });
    expect(change(key)?.reasons.map((r) => r.text)).toEqual(reasons);
  });

  it("reports a stored scope gitlab-tokens does not know (a newer version's) as unknown, without failing", () => {
    const tokens = readStateExport(readFixture("state.json"), STATE_LABEL).map((t) =>
      t.key === "acme-dependency-reader"
        ? { ...t, outputs: { ...t.outputs, scopes: [...t.outputs.scopes, "mcp"] } }
        : t,
    );
    const r = reviewFixture({ state: { label: STATE_LABEL, tokens } });
    expect(r.changes.find((c) => c.key === "acme-dependency-reader")?.reasons.map((x) => x.text)).toEqual([
      "scopes narrowed (−read_registry, −mcp); scope mcp is not known to gitlab-tokens",
    ]);
  });

  it("records widened and narrowed scopes and a raised access level", () => {
    expect(change("api-release-bot")?.scopes).toEqual({
      added: ["write_repository"],
      removed: ["read_repository"],
      direction: "widened",
    });
    expect(change("api-release-bot")?.accessLevel).toEqual({
      from: "reporter",
      to: "developer",
      direction: "raised",
    });
    expect(change("acme-dependency-reader")?.scopes).toEqual({
      added: [],
      removed: ["read_registry"],
      direction: "narrowed",
    });
  });

  it("updates in place what GitLab does not store, without a new token", () => {
    expect(change("docs-reader")).toMatchObject({
      kind: "update",
      replaces: [],
      reasons: [{ property: "owner", text: "owner updated in place" }],
    });
  });

  it("creates a new token and revokes one that is no longer declared", () => {
    expect(change("ci-admin")).toMatchObject({ kind: "new", tokenKind: "project", target: "acme/ci" });
    expect(change("legacy-importer")).toMatchObject({
      kind: "revoke",
      tokenKind: "project",
      target: "acme/legacy",
      previous: { createdAt: "2026-07-20T09:00:00.000Z", expiresAt: "2026-09-18" },
    });
    expect(review.changes.at(-1)?.key).toBe("legacy-importer");
  });

  it("counts the changes", () => {
    expect(summarize(review)).toEqual({
      tokens: 9,
      changes: { new: 1, rotate: 5, update: 1, revoke: 1, unchanged: 2 },
      blocking: 3,
      other: 0,
    });
  });

  it("plans no change at all for the declarations the state was made from, before rotation is due", () => {
    const before = reviewFixture(
      { now: new Date("2026-08-26T12:00:00Z") },
      readFixture("tokens-before.yaml"),
    );
    expect(before.changes.map((c) => c.kind)).toEqual(Array(9).fill("unchanged"));
  });

  it("rotates every token when the stack's rotationEpoch changes", () => {
    const epoch = reviewFixture({ rotationEpoch: "2026-09-incident" });
    const kept = epoch.changes.filter((c) => c.kind !== "new" && c.kind !== "revoke");
    expect(kept.every((c) => c.kind === "rotate" && c.replaces.includes("rotationEpoch"))).toBe(true);
    expect(kept[0]?.reasons.map((r) => r.text)).toEqual([
      "stack-wide rotation: rotationEpoch changed (none → 2026-09-incident)",
    ]);
  });

  it("treats every token as new without a state", () => {
    const r = reviewFixture({ state: undefined });
    expect(r.stateLabel).toBeUndefined();
    expect(new Set(r.changes.map((c) => c.kind))).toEqual(new Set(["new"]));
  });
});

describe("scope and access level changes", () => {
  it.each([
    [["read_api"], ["api"], "widened"],
    [["api"], ["read_api"], "narrowed"],
    [["api", "read_api"], ["api"], "same-access"],
    [["read_api"], ["read_repository"], "changed"],
    [["read_repository"], ["write_repository"], "widened"],
  ])("%j → %j is %s", (before, after, direction) => {
    expect(scopeChange(before, after)?.direction).toBe(direction);
  });

  it("is no change for the same scopes", () => {
    expect(scopeChange(["a", "b"], ["b", "a"])).toBeUndefined();
  });

  it.each([
    ["reporter", "maintainer", "raised"],
    ["maintainer", "guest", "lowered"],
  ])("%s → %s is %s", (from, to, direction) => {
    expect(accessLevelChange(from, to)?.direction).toBe(direction);
  });
});

describe("the findings", () => {
  const review = reviewFixture();

  it("are the pack's verdicts, each pointing at the line of the field to change", () => {
    expect(
      review.findings.map((f) => [f.tokenKey, f.check, f.status, f.severity, f.code, f.field, f.location]),
    ).toEqual([
      [
        "long-lived-reader",
        "gitlab-token-max-lifetime",
        "violation",
        "mandatory",
        "lifetime-too-long",
        "lifetimeDays",
        { path: AFTER_PATH, line: fieldLine(yaml, "long-lived-reader", "lifetimeDays") },
      ],
      [
        "audit-export",
        "gitlab-token-max-lifetime",
        "violation",
        "mandatory",
        "lifetime-too-long",
        "expiresAt",
        { path: AFTER_PATH, line: fieldLine(yaml, "audit-export", "expiresAt") },
      ],
      [
        "ci-admin",
        "gitlab-token-least-privilege-scopes",
        "violation",
        "mandatory",
        "unjustified-scope",
        "scopes",
        { path: AFTER_PATH, line: fieldLine(yaml, "ci-admin", "scopes") },
      ],
    ]);
    expect(review.findings.every(isBlocking)).toBe(true);
  });

  it("say what to change", () => {
    const messages = review.findings.map((f) => f.message);
    expect(messages[0]).toBe(
      "group token 'long-lived-reader' lives 120 days (lifetimeDays: 120); tokens must expire within 90 days of creation. Set lifetimeDays to 90 or less.",
    );
    expect(messages[1]).toContain("137 days after its creation on 2026-07-01");
    expect(messages[2]).toMatch(
      /^project token 'ci-admin' has high-risk scope api without a justification\. Add justification/,
    );
  });

  it("judge a new token's lifetime from today, a kept one's from its creation (like validateStack)", () => {
    const asNew = reviewFixture({ state: undefined });
    expect(asNew.findings.map((f) => [f.tokenKey, f.code])).toEqual([
      ["long-lived-reader", "lifetime-too-long"],
      ["ci-admin", "unjustified-scope"],
    ]);
  });

  it("follow the policy configuration: levels and exceptions", () => {
    const r = reviewFixture({
      policy: {
        path: "policies/config.json",
        config: {
          "gitlab-token-max-lifetime": "advisory",
          "gitlab-token-least-privilege-scopes": {
            exceptions: [{ token: "ci-admin", expires: "2026-10-01", reason: "CI-42 migration to read_api" }],
          },
        },
      },
    });
    expect(r.findings.map((f) => [f.tokenKey, f.status, f.severity])).toEqual([
      ["long-lived-reader", "violation", "advisory"],
      ["audit-export", "violation", "advisory"],
      ["ci-admin", "exempted", "advisory"],
    ]);
    expect(r.findings.some(isBlocking)).toBe(false);
    expect(r.policyConfigPath).toBe("policies/config.json");
  });

  it("point a malformed exception at the policy configuration file", () => {
    const r = reviewFixture({
      policy: {
        path: "policies/config.json",
        config: { "gitlab-token-ownership": { exceptions: [{ token: "x" }] } },
      },
    });
    const invalid = r.findings.find((f) => f.status === "exception-invalid");
    expect(invalid).toMatchObject({
      check: "gitlab-token-ownership",
      location: { path: "policies/config.json", line: 1 },
    });
  });
});

describe("declarations with errors", () => {
  const broken = [
    "tokens:",
    "  web-deploy:",
    "    kind: project",
    "    project: acme/web",
    "    scopes: [read_api, read_user]",
    "    colour: blue",
    "",
  ].join("\n");
  const review = reviewFixture({}, broken);

  it("are findings that block, at the line the loader names, and nothing else is reviewed", () => {
    expect(review.declarationsLoaded).toBe(false);
    expect(review.rows).toEqual([]);
    expect(review.changes).toEqual([]);
    expect(review.findings.map((f) => [f.check, f.status, f.tokenKey, f.field, f.location.line])).toEqual([
      ["gitlab-tokens-declarations", "error", "web-deploy", "colour", 6],
      ["gitlab-tokens-declarations", "error", "web-deploy", "scopes[1]", 5],
    ]);
    expect(review.findings.every(isBlocking)).toBe(true);
  });
});

describe("a deploy token in the review", () => {
  const text = [
    "tokens:",
    "  registry:",
    "    kind: deploy",
    "    group: acme",
    "    scopes: [read_registry, write_registry]",
    "    lifetimeDays: 60",
    "    owner: team-web",
    "    deliverTo:",
    "      - { group: acme, variable: REGISTRY_PASSWORD }",
    "      - { group: acme, variable: REGISTRY_USER, value: username }",
  ].join("\n");
  const review = reviewDeclarations({ declarations: declarationsFromText(text, AFTER_PATH, NOW), now: NOW });

  it("shows which field names its target and which delivery receives the username", () => {
    expect(review.rows[0]).toMatchObject({
      key: "registry",
      kind: "deploy",
      target: "acme",
      targetField: "group",
      accessLevel: undefined,
      change: "new",
      deliveredTo: ["acme:REGISTRY_PASSWORD", "acme:REGISTRY_USER (username)"],
    });
  });

  it("holds it to the pack's rules: write_registry needs a justification, a description is not asked for", () => {
    expect(review.findings.map((f) => `${f.check}:${f.code}`)).toEqual([
      "gitlab-token-least-privilege-scopes:unjustified-scope",
    ]);
  });
});
