/**
 * The Markdown report: summary line, token table, change list, findings grouped by token, and the
 * Mermaid timeline GitLab renders — and never a token value.
 */
import { mermaidText, renderMarkdown, timelineSections } from "../../commands/review";
import { readFixture, reviewFixture, secretValuesInState } from "./helpers";

const review = reviewFixture();
const report = renderMarkdown(review);

/** The lines of a `## heading` section, up to the next `## `. */
function section(heading: string): string[] {
  const lines = report.split("\n");
  const start = lines.indexOf(`## ${heading}`);
  if (start < 0) throw new Error(`no section ${heading}`);
  const end = lines.findIndex((l, i) => i > start && l.startsWith("## "));
  return lines.slice(start + 1, end < 0 ? undefined : end).filter((l) => l.trim() !== "");
}

describe("the Markdown report", () => {
  it("opens with a summary line: tokens, changes, blocking findings", () => {
    expect(report.split("\n")[2]).toBe(
      "`tokens.yaml` against stack `review`, as of 2026-09-03T12:00:00.000Z: **9 tokens**; 1 new, 5 rotated, 1 updated in place, 1 revoked, 2 unchanged. ❌ **3 blocking findings** (mandatory violations and errors); 0 other findings.",
    );
  });

  it("has the token table with the issue's columns in order", () => {
    const table = section("Tokens").filter((l) => l.startsWith("|"));
    expect(table[0]).toBe(
      "| Key | Kind | Target | Scopes | Access level | Lifetime | Expires | Next rotation | Delivered to |",
    );
    expect(table.slice(2)).toEqual([
      "| `web-registry-pull` | project | acme/web | read_registry, read_repository | reporter | 60 days | 2026-09-30 | 2026-09-16 | acme/web:DEPLOY_REGISTRY_TOKEN |",
      "| `api-release-bot` (rotated) | project | acme/api | write_repository | developer | 30 days | 2026-10-03 | 2026-09-26 | acme/api:RELEASE_PUSH_TOKEN |",
      "| `acme-dependency-reader` (rotated) | group | acme | read_api | reporter | 60 days | 2026-11-02 | 2026-10-19 | — |",
      "| `release-tagger` (rotated) | project | acme/web | read_repository | reporter | 60 days | 2026-11-02 | 2026-10-19 | — |",
      "| `inventory-export` (rotated) | personal | provisioner | read_api | — | 30 days | 2026-10-03 | 2026-09-26 | — |",
      "| `docs-reader` (updated) | project | acme/docs | read_repository | reporter | 60 days | 2026-10-24 | 2026-10-10 | — |",
      "| `long-lived-reader` (rotated) | group | acme | read_api | reporter | 120 days | 2027-01-01 | 2026-12-18 | — |",
      "| `audit-export` | project | acme/audit | read_api | reporter | 137 days (fixed expiresAt) | 2026-11-15 | never (fixed expiresAt) | — |",
      "| `ci-admin` (new) | project | acme/ci | api | developer | 60 days | 2026-11-02 | 2026-10-19 | acme/ci:CI_ADMIN_TOKEN, acme:CI_ADMIN_TOKEN |",
    ]);
  });

  it("lists the changes with their reasons, and counts the unchanged tokens", () => {
    expect(section("Changes against stack `review`")).toEqual([
      "- **rotated** `api-release-bot` — description changed (Reads release tags for the release notes job → Pushes release tags from the release pipeline); scopes widened (+write_repository, −read_repository); access level raised (reporter → developer)",
      "- **rotated** `acme-dependency-reader` — scopes narrowed (−read_registry)",
      '- **rotated** `release-tagger` — triggered rotation: rotateWhenChanged changed ({"reason":"initial"} → {"reason":"2026-09 incident"})',
      "- **rotated** `inventory-export` — rotation due: the window opened on 2026-08-30 and the token expires on 2026-09-06",
      "- **updated in place** `docs-reader` — same token, new owner",
      "- **rotated** `long-lived-reader` — lifetimeDays changed (60 → 120)",
      "- **new** `ci-admin` — project token on acme/ci: `pulumi up` creates it",
      "- **revoked** `legacy-importer` — project token on acme/legacy, no longer declared: `pulumi up` revokes it",
      "Unchanged: 2 (`web-registry-pull`, `audit-export`).",
    ]);
  });

  it("groups the findings by token, with policy, severity, line and what to change", () => {
    const findings = section("Policy findings");
    expect(findings.filter((l) => l.startsWith("### "))).toEqual([
      "### `long-lived-reader` (tokens.yaml line 74)",
      "### `audit-export` (tokens.yaml line 84)",
      "### `ci-admin` (tokens.yaml line 94)",
    ]);
    expect(findings).toContain(
      "- ❌ mandatory violation · `gitlab-token-max-lifetime` · field `lifetimeDays` (tokens.yaml line 79): group token 'long-lived-reader' lives 120 days (lifetimeDays: 120); tokens must expire within 90 days of creation. Set lifetimeDays to 90 or less.",
    );
    expect(findings.at(-2)).toBe(
      "The merge request must fix the 3 blocking findings above before `pulumi up` can run.",
    );
    expect(findings.at(-1)).toBe("Policy configuration: the pack's defaults.");
  });

  it("says so when there is no state and no finding", () => {
    const clean = renderMarkdown(reviewFixture({ state: undefined }, readFixture("tokens-before.yaml")));
    expect(clean).toContain(
      "## Changes\n\nNo current state was given (`--state` or `--stack`): every declared token is new.",
    );
    expect(clean).toContain("## Policy findings\n\nNo findings: every token meets every policy.");
    expect(clean).toContain("✅ no mandatory violations");
  });

  it("shows only the declaration errors when the declarations do not load", () => {
    const broken = renderMarkdown(
      reviewFixture({}, "tokens:\n  web:\n    kind: projekt\n    scopes: [api]\n"),
    );
    expect(broken).toContain("**`tokens.yaml` has errors**");
    expect(broken).toContain("## Declaration errors");
    expect(broken).toContain(
      "- ❌ declaration error · `gitlab-tokens-declarations` · field `kind` (tokens.yaml line 3)",
    );
    expect(broken).not.toContain("## Tokens");
    expect(broken).not.toContain("```mermaid");
  });
});

describe("the timeline", () => {
  const block = /```mermaid\n([^]*?)\n```/.exec(report)?.[1] ?? "";
  const lines = block.split("\n").map((l) => l.trim());

  it("is a mermaid gantt chart with ISO dates", () => {
    expect(report).toContain("## Timeline");
    expect(lines.slice(0, 4)).toEqual([
      "gantt",
      "title Token lifetimes and rotation windows (as of 2026-09-03)",
      "dateFormat YYYY-MM-DD",
      "axisFormat %Y-%m-%d",
    ]);
  });

  it("has one section per token, and one per revoked token", () => {
    expect(lines.filter((l) => l.startsWith("section "))).toEqual([
      "section web-registry-pull",
      "section api-release-bot",
      "section acme-dependency-reader",
      "section release-tagger",
      "section inventory-export",
      "section docs-reader",
      "section long-lived-reader",
      "section audit-export",
      "section ci-admin",
      "section legacy-importer (revoked)",
    ]);
  });

  it("draws each token's active period and rotation window; a blocked token in red", () => {
    const of = (name: string) => timelineSections(review).find((s) => s.name === name)?.tasks;
    expect(of("web-registry-pull")).toEqual([
      { name: "token", tags: [], start: "2026-08-01", end: "2026-09-30" },
      { name: "rotation window", tags: ["active"], start: "2026-09-16", end: "2026-09-30" },
    ]);
    expect(of("inventory-export")).toEqual([
      { name: "current token until rotated", tags: ["done"], start: "2026-08-07", end: "2026-09-03" },
      { name: "new token", tags: [], start: "2026-09-03", end: "2026-10-03" },
      { name: "rotation window", tags: ["active"], start: "2026-09-26", end: "2026-10-03" },
    ]);
    expect(of("ci-admin")?.[0]).toEqual({
      name: "new token",
      tags: ["crit"],
      start: "2026-09-03",
      end: "2026-11-02",
    });
    expect(of("audit-export")).toEqual([
      { name: "token", tags: ["crit"], start: "2026-07-01", end: "2026-11-15" },
    ]);
    expect(lines).toContain("new token :crit, 2026-09-03, 2026-11-02");
    expect(lines).toContain("token until revoked :done, 2026-07-20, 2026-09-03");
  });

  it("writes every task as `name :tags, start, end` with dates that do not run backwards", () => {
    const tasks = lines.filter((l) => l.includes(" :"));
    expect(tasks.length).toBeGreaterThan(10);
    for (const t of tasks) {
      const m = /^[^:#;]+ :(?:(?:done|active|crit), )*(\d{4}-\d{2}-\d{2}), (\d{4}-\d{2}-\d{2})$/.exec(t);
      expect(m).not.toBeNull();
      expect(m![2]! >= m![1]!).toBe(true);
    }
  });

  it.each([
    ["a:b", "a_b"],
    ["x #1; y%%z", "x _1_ y__z"],
    ["web-deploy.v2 (old)", "web-deploy.v2 (old)"],
    [":::", "___"],
    ["", "_"],
  ])("escapes %j for Mermaid as %j", (input, output) => {
    expect(mermaidText(input)).toBe(output);
  });
});

describe("secrets", () => {
  it("never puts a token value or ciphertext from state in the report", () => {
    const secrets = secretValuesInState();
    expect(secrets).toEqual(
      expect.arrayContaining(["glpat-PLANTED-showsecrets-0001", "glpat-PLANTED-rawvalue-0002"]),
    );
    for (const s of secrets) expect(report).not.toContain(s);
    expect(report).not.toContain("glpat-");
  });
});
