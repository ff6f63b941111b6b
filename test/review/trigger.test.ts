/**
 * The review on pipeline trigger tokens: a trigger declaration is a row (no scopes, no access level)
 * judged by the pack's rules; a trigger with scopes or a name is a refused declaration naming the
 * line, token and field.
 */
import { declarationsFromText, reviewDeclarations } from "../../commands/review";
import { rowCells } from "../../commands/review/markdown";
import { AFTER_PATH, NOW } from "./helpers";

const TRIGGER = `tokens:
  nightly-trigger:
    kind: trigger
    project: acme/web
    description: Starts the nightly pipeline
    owner: team-web
    lifetimeDays: 30
    deliverTo:
      - { project: acme/api, variable: WEB_PIPELINE_TRIGGER }
`;

describe("the review of a trigger token", () => {
  it("lists it as a new row without scopes or access level, and finds nothing to object to", () => {
    const r = reviewDeclarations({ declarations: declarationsFromText(TRIGGER, AFTER_PATH, NOW), now: NOW });
    expect(r.rows).toEqual([
      expect.objectContaining({
        key: "nightly-trigger",
        kind: "trigger",
        target: "acme/web",
        scopes: [],
        lifetimeDays: 30,
        change: "new",
        deliveredTo: ["acme/api:WEB_PIPELINE_TRIGGER"],
      }),
    ]);
    expect(r.rows[0]?.accessLevel).toBeUndefined();
    expect(rowCells(r.rows[0]!).slice(1, 5)).toEqual(["trigger", "acme/web", "—", "—"]);
    expect(r.findings).toEqual([]);
  });

  it("reports a lifetime over the pack's limit with the line it is on", () => {
    const long = TRIGGER.replace("lifetimeDays: 30", "lifetimeDays: 120");
    const r = reviewDeclarations({ declarations: declarationsFromText(long, AFTER_PATH, NOW), now: NOW });
    const f = r.findings.find((x) => x.code === "lifetime-too-long");
    expect(f).toMatchObject({ check: "gitlab-token-max-lifetime", tokenKey: "nightly-trigger" });
    expect(f?.location.line).toBe(7);
  });

  it("refuses scopes on a trigger, naming the line, token and field", () => {
    const bad = TRIGGER.replace("    owner: team-web\n", "    owner: team-web\n    scopes: [api]\n");
    const r = reviewDeclarations({ declarations: declarationsFromText(bad, AFTER_PATH, NOW), now: NOW });
    expect(r.findings).toEqual([
      expect.objectContaining({
        code: "invalid-declaration",
        tokenKey: "nightly-trigger",
        field: "scopes",
        location: { path: AFTER_PATH, line: 7 },
        message: expect.stringContaining("a trigger token has no scopes in GitLab"),
      }),
    ]);
  });
});
