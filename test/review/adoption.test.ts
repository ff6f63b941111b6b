/**
 * The review shows what a merge that takes over hand-made tokens (`replaces:`) will revoke: each
 * declaration with `replaces`, the token it takes over (by name or id) and target, the variables its
 * successor is written into first, and where it is declared — so a reviewer sees that merging
 * revokes a live token. None without `replaces`.
 */
import { renderMarkdown } from "../../commands/review";
import { AFTER_PATH, readFixture, reviewFixture, tokenLine } from "./helpers";

const YAML = `tokens:
  web-ci:
    kind: project
    project: acme/web
    scopes: [read_api]
    replaces: legacy-ci
    deliverTo:
      - { project: acme/web, variable: LEGACY_TOKEN }
  nightly:
    kind: trigger
    project: acme/web
    description: Starts the nightly pipeline
    replaces: 4711
`;

describe("tokens taken over (replaces:) in the review", () => {
  const review = reviewFixture({}, YAML);

  it("lists each, in file order, with the token taken over, the deliveries first, and the line", () => {
    expect(review.adoptions.map((a) => [a.tokenKey, a.replaces, a.location])).toEqual([
      ["web-ci", "legacy-ci", { path: AFTER_PATH, line: tokenLine(YAML, "web-ci") }],
      ["nightly", 4711, { path: AFTER_PATH, line: tokenLine(YAML, "nightly") }],
    ]);
    expect(review.adoptions[0]!.message).toBe(
      `project token 'web-ci' takes over the token named "legacy-ci" of acme/web: once \`pulumi up\` has made 'web-ci' ` +
        "and written it into acme/web:LEGACY_TOKEN, it revokes that token — whatever still uses it stops working then " +
        "(once: later runs leave it).",
    );
    expect(review.adoptions[1]!.message).toContain(
      "trigger token 'nightly' takes over token id 4711 of acme/web",
    );
    expect(review.adoptions[1]!.message).toContain("(it is delivered nowhere)");
  });

  it("has a section of the report, with a warning per token", () => {
    const report = renderMarkdown(review);
    expect(report).toContain("## Tokens taken over (`replaces:`)");
    expect(report).toContain(
      `- ⚠️ \`web-ci\` (${AFTER_PATH} line ${tokenLine(YAML, "web-ci")}): project token 'web-ci' takes over`,
    );
  });

  it("is absent when no declaration takes over a token", () => {
    const plain = reviewFixture({}, readFixture("tokens-after.yaml"));
    expect(plain.adoptions).toEqual([]);
    expect(renderMarkdown(plain)).not.toContain("Tokens taken over");
  });
});
