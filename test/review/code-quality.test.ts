/**
 * The GitLab Code Quality report: valid against GitLab's documented format, one issue per finding at
 * the line of tokens.yaml to change, fingerprints unique and stable (independent of wording and of
 * line numbers), severities mapped from the pack's verdicts.
 */
import {
  codeQualityReport,
  codeQualitySeverity,
  type CodeQualityIssue,
  type ReviewFinding,
} from "../../commands/review";
import {
  AFTER_PATH,
  codeQualityReportSchema,
  fieldLine,
  readFixture,
  reviewFixture,
  secretValuesInState,
} from "./helpers";

const yaml = readFixture("tokens-after.yaml");
const issues = codeQualityReport(reviewFixture());

describe("the Code Quality report", () => {
  it("is valid against GitLab's Code Quality report format", () => {
    const parsed = codeQualityReportSchema.safeParse(JSON.parse(JSON.stringify(issues)));
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it("has one issue per finding, at the line of the declaration's field", () => {
    expect(issues.map((i) => [i.check_name, i.severity, i.location])).toEqual([
      [
        "gitlab-token-max-lifetime",
        "major",
        { path: AFTER_PATH, lines: { begin: fieldLine(yaml, "long-lived-reader", "lifetimeDays") } },
      ],
      [
        "gitlab-token-max-lifetime",
        "major",
        { path: AFTER_PATH, lines: { begin: fieldLine(yaml, "audit-export", "expiresAt") } },
      ],
      [
        "gitlab-token-least-privilege-scopes",
        "major",
        { path: AFTER_PATH, lines: { begin: fieldLine(yaml, "ci-admin", "scopes") } },
      ],
    ]);
    expect(issues[2]?.description).toMatch(
      /^project token 'ci-admin' has high-risk scope api without a justification/,
    );
  });

  it("keeps fingerprints stable across runs and when lines move or wording changes", () => {
    const again = codeQualityReport(reviewFixture());
    expect(again.map((i) => i.fingerprint)).toEqual(issues.map((i) => i.fingerprint));

    const shifted = codeQualityReport(reviewFixture({}, `# a new comment line\n${yaml}`));
    expect(shifted.map((i) => i.fingerprint)).toEqual(issues.map((i) => i.fingerprint));
    expect(shifted.map((i) => i.location.lines.begin)).toEqual(issues.map((i) => i.location.lines.begin + 1));

    const reworded = codeQualityReport(
      reviewFixture({}, yaml.replace("lifetimeDays: 120", "lifetimeDays: 150")),
    );
    expect(reworded[0]?.description).toContain("150 days");
    expect(reworded[0]?.fingerprint).toBe(issues[0]?.fingerprint);
  });

  it("keeps fingerprints unique when one token has several findings of the same kind", () => {
    const redundant = yaml.replace("scopes: [api]", "scopes: [api, read_api, read_repository]");
    const report = codeQualityReport(reviewFixture({}, redundant));
    const ci = report.filter((i) => i.description.includes("'ci-admin'"));
    expect(ci.map((i) => i.description)).toEqual([
      expect.stringContaining("has read_api beside api"),
      expect.stringContaining("has read_repository beside api"),
      expect.stringContaining("has high-risk scope api without a justification"),
    ]);
    expect(ci[0]?.fingerprint).not.toBe(ci[1]?.fingerprint);
    expect(codeQualityReportSchema.safeParse(report).success).toBe(true);
  });

  it("reports declaration errors as blockers at the loader's line", () => {
    const broken =
      "tokens:\n  web:\n    kind: project\n    project: acme/web\n    scopes: [read_api]\n    lifetimeDays: 400\n";
    const report = codeQualityReport(reviewFixture({}, broken));
    expect(report).toEqual([
      expect.objectContaining({
        check_name: "gitlab-tokens-declarations",
        severity: "blocker",
        location: { path: AFTER_PATH, lines: { begin: 6 } },
        description: expect.stringMatching(/^token "web", field "lifetimeDays": /) as unknown,
      }),
    ]);
    expect(codeQualityReportSchema.safeParse(report).success).toBe(true);
  });

  it("marks administrator scopes and Owner-level tokens critical", () => {
    const risky = [
      "tokens:",
      "  admin-bot:",
      "    kind: personal",
      "    user: admin-bot",
      "    serviceAccount: true",
      "    scopes: [read_api, sudo]",
      "    description: Reads the API for the admin report",
      "    owner: team-platform",
      "  web-owner:",
      "    kind: project",
      "    project: acme/web",
      "    scopes: [read_api]",
      "    accessLevel: owner",
      "    description: Reads the API for the web report",
      "    owner: team-web",
      "",
    ].join("\n");
    expect(
      codeQualityReport(reviewFixture({ state: undefined }, risky)).map((i) => [
        i.severity,
        i.location.lines.begin,
      ]),
    ).toEqual([
      ["critical", 6],
      ["critical", 13],
    ]);
  });

  it("never holds a token value from state", () => {
    const text = JSON.stringify(issues);
    for (const s of secretValuesInState()) expect(text).not.toContain(s);
  });
});

describe("severity", () => {
  const finding = (over: Partial<ReviewFinding>): ReviewFinding => ({
    source: "policy",
    check: "gitlab-token-least-privilege-scopes",
    status: "violation",
    severity: "mandatory",
    code: "unjustified-scope",
    tokenKey: "t",
    message: "m",
    location: { path: "tokens.yaml", line: 1 },
    ...over,
  });

  it.each<[string, CodeQualityIssue["severity"], Partial<ReviewFinding>]>([
    [
      "a declaration error",
      "blocker",
      { source: "declarations", status: "error", code: "invalid-declaration" },
    ],
    ["a provider check failure", "blocker", { source: "check", status: "error", code: "check-failed" }],
    ["a forbidden scope", "critical", { code: "forbidden-scope" }],
    ["an Owner-level token", "critical", { code: "owner-access-level" }],
    ["an unjustified fine-grained instance access", "critical", { code: "unjustified-instance-access" }],
    ["any other mandatory violation", "major", {}],
    ["an advisory violation", "minor", { severity: "advisory" }],
    ["an expired exception", "minor", { status: "exception-expired", severity: "advisory" }],
    ["an invalid exception", "minor", { status: "exception-invalid", severity: "advisory" }],
    ["an exempted violation", "info", { status: "exempted", severity: "advisory" }],
    ["a part not judged", "info", { status: "unjudged", severity: "advisory" }],
  ])("of %s is %s", (_what, severity, over) => {
    expect(codeQualitySeverity(finding(over))).toBe(severity);
  });
});
