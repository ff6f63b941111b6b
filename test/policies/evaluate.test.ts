/**
 * Exceptions (active, expired, per policy, malformed), pack configuration (enforcement levels,
 * defaults when keys are absent) and `evaluate`, the entry point of the review and the audit.
 */
import {
  DEFAULTS,
  POLICY_IDS,
  RULE_IDS,
  currentTime,
  evaluate,
  resolveConfig,
  runPolicy,
  statedNeed,
  type Finding,
} from "../../policies/rules";
import { NOW, official, ours } from "./helpers";

const summary = (findings: Finding[]) =>
  findings.map((f) => `${f.policy} ${f.status}:${f.code} ${f.severity}`);

describe("exceptions", () => {
  const tooLong = ours({ lifetimeDays: 120 });
  const exception = (over: object = {}) => ({
    exceptions: [
      {
        token: "web-deploy",
        expires: "2026-12-31",
        reason: "migration to a service account, JIRA-123",
        ...over,
      },
    ],
  });

  it("exempt a token until the exception's date, and say so", () => {
    expect(runPolicy(POLICY_IDS.maxLifetime, tooLong, exception(), NOW)).toEqual([
      {
        policy: POLICY_IDS.maxLifetime,
        status: "exempted",
        severity: "advisory",
        code: "exempted",
        tokenKey: "web-deploy",
        tokenType: "pulumi-nodejs:dynamic/gitlab-tokens:AccessToken",
        message:
          "project token 'web-deploy' is exempt from gitlab-token-max-lifetime until 2026-12-31 (migration to a service account, JIRA-123); without the exception: project token 'web-deploy' lives 120 days (lifetimeDays: 120); tokens must expire within 90 days of creation. Set lifetimeDays to 90 or less.",
      },
    ]);
  });

  it.each([
    ["the declaration key", "web-deploy"],
    ["the Pulumi resource name", "web-deploy-token"],
  ])("match a token by %s", (_what, name) => {
    expect(summary(runPolicy(POLICY_IDS.maxLifetime, tooLong, exception({ token: name }), NOW))).toEqual([
      "gitlab-token-max-lifetime exempted:exempted advisory",
    ]);
  });

  it("match an official-provider token by its resource name", () => {
    const token = official("project", { scopes: ["api"] });
    const config = {
      exceptions: [{ token: "ci-reader", expires: "2026-10-01", reason: "vendor integration" }],
    };
    expect(summary(runPolicy(POLICY_IDS.leastPrivilegeScopes, token, config, NOW))).toEqual([
      "gitlab-token-least-privilege-scopes exempted:exempted advisory",
    ]);
  });

  it.each([
    ["expired yesterday", "2026-09-02"],
    ["expiring today (an exception, like a token, stops at 00:00 UTC on its date)", "2026-09-03"],
  ])("stop applying once %s, and the violation says so", (_when, expires) => {
    const findings = runPolicy(POLICY_IDS.maxLifetime, tooLong, exception({ expires }), NOW);
    expect(summary(findings)).toEqual([
      "gitlab-token-max-lifetime violation:lifetime-too-long mandatory",
      "gitlab-token-max-lifetime exception-expired:exception-expired advisory",
    ]);
    expect(findings[0]?.message).toBe(
      `project token 'web-deploy' lives 120 days (lifetimeDays: 120); tokens must expire within 90 days of creation. Set lifetimeDays to 90 or less. (The exception for 'web-deploy' expired on ${expires}.)`,
    );
    expect(findings[1]?.message).toBe(
      `the exception for project token 'web-deploy' in the gitlab-token-max-lifetime policy config expired on ${expires} and no longer applies (reason: migration to a service account, JIRA-123); fix the token, or renew the exception with a later expires date.`,
    );
  });

  it("report an expired exception of a compliant token as something to remove", () => {
    expect(
      summary(runPolicy(POLICY_IDS.maxLifetime, ours(), exception({ expires: "2026-01-01" }), NOW)),
    ).toEqual(["gitlab-token-max-lifetime exception-expired:exception-expired advisory"]);
  });

  it("apply only to the policies they list", () => {
    const other = exception({ policies: [POLICY_IDS.accessLevel] });
    expect(summary(runPolicy(POLICY_IDS.maxLifetime, tooLong, other, NOW))).toEqual([
      "gitlab-token-max-lifetime violation:lifetime-too-long mandatory",
    ]);
    const listed = exception({ policies: [POLICY_IDS.accessLevel, POLICY_IDS.maxLifetime] });
    expect(summary(runPolicy(POLICY_IDS.maxLifetime, tooLong, listed, NOW))).toEqual([
      "gitlab-token-max-lifetime exempted:exempted advisory",
    ]);
  });

  it("do not exempt other tokens", () => {
    expect(summary(runPolicy(POLICY_IDS.maxLifetime, tooLong, exception({ token: "other" }), NOW))).toEqual([
      "gitlab-token-max-lifetime violation:lifetime-too-long mandatory",
    ]);
  });

  it.each([
    ["no reason", { token: "web-deploy", expires: "2026-12-31" }, "reason is missing"],
    [
      "a date that is not a date",
      { token: "web-deploy", expires: "2026-02-30", reason: "r" },
      'expires is "2026-02-30"',
    ],
    ["no token", { expires: "2026-12-31", reason: "r" }, "token is missing"],
    [
      "policies not a list",
      { token: "web-deploy", expires: "2026-12-31", reason: "r", policies: "x" },
      "policies must be",
    ],
  ])("with %s exempt nothing and are reported", (_what, entry, problem) => {
    const config = { [POLICY_IDS.maxLifetime]: { exceptions: [entry] } };
    const findings = evaluate([tooLong], config, NOW);
    expect(summary(findings)).toEqual([
      "gitlab-token-max-lifetime violation:lifetime-too-long mandatory",
      "gitlab-token-max-lifetime exception-invalid:exception-invalid advisory",
    ]);
    expect(findings[1]?.message).toContain(problem);
  });
});

describe("configuration", () => {
  it.each(RULE_IDS)("%s falls back to the exported defaults when keys are absent", (id) => {
    expect(resolveConfig(id, {})).toEqual(DEFAULTS[id]);
    expect(resolveConfig(id, undefined)).toEqual(DEFAULTS[id]);
  });

  it("takes malformed values as their defaults", () => {
    expect(resolveConfig(POLICY_IDS.maxLifetime, { maxLifetimeDays: "30" }).maxLifetimeDays).toBe(90);
    expect(resolveConfig(POLICY_IDS.accessLevel, { maxAccessLevel: "owner" }).maxAccessLevel).toBe(
      "maintainer",
    );
    expect(resolveConfig(POLICY_IDS.rotationWindow, { minRotateBeforeDays: 0 }).minRotateBeforeDays).toBe(1);
  });

  it("never raises the lifetime ceiling above 90 days", () => {
    expect(resolveConfig(POLICY_IDS.maxLifetime, { maxLifetimeDays: 365 }).maxLifetimeDays).toBe(90);
    expect(resolveConfig(POLICY_IDS.maxLifetime, { maxLifetimeDays: 30 }).maxLifetimeDays).toBe(30);
  });
});

describe("evaluate", () => {
  const tokens = [
    ours(),
    ours({ key: "owner-token", accessLevel: "owner", justification: "Administers the group settings" }),
    official("project", { expiresAt: "2026-10-01", rotationConfiguration: undefined }, "vendor-token"),
  ];

  it("runs every policy over every token", () => {
    expect(summary(evaluate(tokens, {}, NOW))).toEqual([
      "gitlab-token-access-level violation:owner-access-level mandatory",
      "gitlab-token-rotation-window violation:rotation-not-configured mandatory",
      "gitlab-token-ownership violation:no-owner mandatory",
    ]);
    expect(evaluate(tokens, {}, NOW).map((f) => f.tokenKey)).toEqual([
      "owner-token",
      "vendor-token",
      "vendor-token",
    ]);
  });

  it("reads a --policy-pack-config file's shape: levels, per-policy keys and exceptions", () => {
    const config = {
      [POLICY_IDS.accessLevel]: "advisory",
      [POLICY_IDS.ownership]: { enforcementLevel: "mandatory", owners: { "vendor-token": "team-vendor" } },
      [POLICY_IDS.rotationWindow]: {
        exceptions: [
          { token: "vendor-token", expires: "2026-10-01", reason: "expires for good on 2026-10-01" },
        ],
      },
      [POLICY_IDS.maxLifetime]: { maxLifetimeDays: 30 },
    };
    expect(summary(evaluate(tokens, config, NOW))).toEqual([
      "gitlab-token-max-lifetime violation:lifetime-too-long mandatory",
      "gitlab-token-max-lifetime violation:lifetime-too-long mandatory",
      "gitlab-token-access-level violation:owner-access-level advisory",
      "gitlab-token-rotation-window exempted:exempted advisory",
    ]);
  });

  it("skips disabled policies, and `all` sets every level", () => {
    expect(summary(evaluate(tokens, { all: "disabled", [POLICY_IDS.ownership]: "mandatory" }, NOW))).toEqual([
      "gitlab-token-ownership violation:no-owner mandatory",
    ]);
    expect(summary(evaluate(tokens, { all: { enforcementLevel: "advisory" } }, NOW))).toEqual([
      "gitlab-token-access-level violation:owner-access-level advisory",
      "gitlab-token-rotation-window violation:rotation-not-configured advisory",
      "gitlab-token-ownership violation:no-owner advisory",
    ]);
  });

  it("reports what it could not judge, unless gitlab-token-unjudged is disabled", () => {
    const unknown = [
      official("project", {
        expiresAt: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
        rotationConfiguration: undefined,
      }),
    ];
    const config = { [POLICY_IDS.ownership]: { owners: { "ci-reader": "team" } } };
    expect(summary(evaluate(unknown, config, NOW))).toEqual([
      "gitlab-token-max-lifetime unjudged:unknown-value advisory",
      "gitlab-token-rotation-window violation:rotation-not-configured mandatory",
    ]);
    expect(summary(evaluate(unknown, { ...config, [POLICY_IDS.unjudged]: "disabled" }, NOW))).toEqual([
      "gitlab-token-rotation-window violation:rotation-not-configured mandatory",
    ]);
  });
});

describe("statedNeed", () => {
  it.each([
    ["Pulls images for the deploy job", "read-only"],
    ["Lists merge requests for the dashboard", "read-only"],
    ["Reads tags and releases for the changelog", "read-only"],
    ["Pushes release tags", "write"],
    ["Creates merge requests for dependency updates", "write"],
    ["Reads issues and comments on them... commenting on new ones", "write"],
    ["Needed by the vendor integration", "unstated"],
  ])("%s → %s", (text, need) => expect(statedNeed(text)).toBe(need));
});

describe("currentTime", () => {
  it("is GITLAB_TOKENS_NOW when set, else the clock", () => {
    expect(currentTime({ GITLAB_TOKENS_NOW: "2027-01-01T00:00:00Z" }).toISOString()).toBe(
      "2027-01-01T00:00:00.000Z",
    );
    const before = Date.now();
    expect(currentTime({}).getTime()).toBeGreaterThanOrEqual(before);
  });

  it("rejects a value that is not a time", () => {
    expect(() => currentTime({ GITLAB_TOKENS_NOW: "soon" })).toThrow(
      'GITLAB_TOKENS_NOW is "soon"; set it to an ISO 8601 time such as 2027-01-01T00:00:00Z, or unset it',
    );
  });
});
