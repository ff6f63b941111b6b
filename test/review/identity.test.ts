/**
 * The review warns when a change makes a new bot user: a new project or group token, or the
 * rotation of one (its successor is a new bot user) — naming the token, its file and line, the old
 * bot's username when state records it, what breaks and what to do. A service account's personal
 * token keeps its user, so its rotation is no new identity.
 */
import { renderMarkdown, type Review } from "../../commands/review";
import { AFTER_PATH, readFixture, reviewFixture, secretValuesInState, tokenLine } from "./helpers";

const yaml = readFixture("tokens-after.yaml");
const review: Review = reviewFixture();
const report = renderMarkdown(review);

/** The lines of the report's `## New bot users` section, or undefined without one. */
function section(text: string): string[] | undefined {
  const lines = text.split("\n");
  const start = lines.indexOf("## New bot users");
  if (start < 0) return undefined;
  const end = lines.findIndex((l, i) => i > start && l.startsWith("## "));
  return lines.slice(start + 1, end < 0 ? undefined : end).filter((l) => l.trim() !== "");
}

describe("identity warnings in the review", () => {
  it("are given for every new or rotated project and group token, in file order, and for nothing else", () => {
    expect(review.identity.map((w) => [w.tokenKey, w.tokenKind, w.change])).toEqual([
      ["api-release-bot", "project", "rotate"],
      ["acme-dependency-reader", "group", "rotate"],
      ["release-tagger", "project", "rotate"],
      ["long-lived-reader", "group", "rotate"],
      ["ci-admin", "project", "new"],
    ]);
    // Rotated, but a personal token (its user stays); updated in place; unchanged; revoked: no warning.
    const changed = new Map(review.changes.map((c) => [c.key, c.kind]));
    expect(changed.get("inventory-export")).toBe("rotate");
    expect(changed.get("docs-reader")).toBe("update");
    expect(changed.get("legacy-importer")).toBe("revoke");
  });

  it("name the file and the token's line", () => {
    for (const w of review.identity) {
      expect(w.location).toEqual({ path: AFTER_PATH, line: tokenLine(yaml, w.tokenKey) });
    }
  });

  it("name the old bot user when state records it, and say so when it does not", () => {
    const [release, dependency] = review.identity;
    expect(release!.previousUsername).toBe("project_12_bot_5e1d0c8a4b7f29e3a6c1d0b8f4e7a925");
    expect(release!.message).toContain(
      "project token 'api-release-bot' is rotated: its successor is a new bot user (project_<id>_bot_<hex>), " +
        "not project_12_bot_5e1d0c8a4b7f29e3a6c1d0b8f4e7a925, whose token `pulumi up` then revokes.",
    );
    expect(dependency!.previousUsername).toBeUndefined();
    expect(dependency!.message).toContain("state does not record its username");
  });

  it("say what breaks and what to do", () => {
    for (const w of review.identity) {
      for (const rule of [
        "protected branches",
        "push rules",
        "allow-lists",
        "CODEOWNERS",
        "approval rules",
      ]) {
        expect(w.message).toContain(rule);
      }
      expect(w.message).toContain("use a service account's personal token (kind: personal)");
    }
    const created = review.identity.find((w) => w.change === "new")!;
    expect(created.message).toContain("project token 'ci-admin' is new: GitLab creates a bot user for it");
    expect(created.message).toContain("again after every rotation");
  });

  it("are a section of the Markdown report, one line per token, with no secret value", () => {
    const lines = section(report)!;
    const items = lines.filter((l) => l.startsWith("- "));
    expect(items).toHaveLength(5);
    expect(items[0]).toMatch(
      /^- ⚠️ `api-release-bot` \(tokens\.yaml line \d+\): project token 'api-release-bot' is rotated/,
    );
    expect(items[0]).toContain(`(tokens.yaml line ${tokenLine(yaml, "api-release-bot")})`);
    for (const secret of secretValuesInState()) expect(lines.join("\n")).not.toContain(secret);
  });

  it("leave the report without the section when no change makes a bot user (a personal token's rotation)", () => {
    const onlyPersonal = `tokens:
  inventory-export:
    kind: personal
    user: provisioner
    scopes: [read_api]
    lifetimeDays: 30
`;
    const r = reviewFixture({}, onlyPersonal);
    expect(r.changes.find((c) => c.key === "inventory-export")?.kind).toBe("rotate");
    expect(r.identity).toEqual([]);
    expect(section(renderMarkdown(r))).toBeUndefined();
  });
});
