/**
 * `npm run audit -- --suggest` against the audit tests' sandbox world: a declaration for each
 * unmanaged active token that takes it over (`replaces: <id>`), with its kind, target, name, scopes
 * and access level as GitLab lists them and the policy's lifetime; the file loads as a declarations
 * file with no error; managed and revoked tokens get none; no token value is written.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { loadDeclarations } from "../../components/declarations";
import { NOW, runAudit, world, type World } from "./helpers";

let w: World;
let suggested: string;
let file: string;

beforeAll(async () => {
  w = await world();
  const run = await runAudit(w.dir, ["--suggest", "--no-fail", "--user", "alice"], {
    GITLAB_TOKEN: w.sandbox.adminToken,
    GITLAB_BASE_URL: w.sandbox.url,
    GITLAB_TOKENS_NOW: NOW,
  });
  expect(run.code).toBe(0);
  const line = /suggested declarations of the unmanaged tokens: (\S+)/.exec(run.stdout);
  expect(line).not.toBeNull();
  file = path.resolve(w.dir, line![1]!);
  suggested = fs.readFileSync(file, "utf8");
});

afterAll(async () => {
  await w?.stop();
});

describe("audit --suggest", () => {
  it("declares each unmanaged active token, taking it over by id", () => {
    const tokens = (YAML.parse(suggested) as { tokens: Record<string, Record<string, unknown>> }).tokens;
    // legacy-ci (seeded, acme/web), owner-bot (acme/web), alice-laptop (alice): unmanaged and active.
    expect(tokens["legacy-ci"]).toEqual({
      kind: "project",
      project: "acme/web",
      name: "legacy-ci",
      scopes: ["api"],
      accessLevel: "maintainer",
      lifetimeDays: 90,
      replaces: w.sandbox.listTokens().find((t) => t.name === "legacy-ci" && !t.revoked)!.id,
    });
    expect(tokens["owner-bot"]).toMatchObject({
      kind: "project",
      accessLevel: "owner",
      replaces: w.ids["owner-bot"],
    });
    expect(tokens["alice-laptop"]).toMatchObject({
      kind: "personal",
      user: "alice",
      scopes: ["api"],
      replaces: w.ids["alice-laptop"],
    });
    expect(suggested).toMatch(
      /# project token "legacy-ci" \(id \d+\) of acme\/web: never used, expires never/,
    );
    // Managed tokens (tokens.yaml declares them) and revoked ones get no suggestion.
    expect(tokens["web-registry-pull"]).toBeUndefined();
    expect(tokens["inventory-export"]).toBeUndefined();
  });

  it("writes a file the declarations loader takes as it is", () => {
    const loaded = loadDeclarations(file, new Date(NOW));
    expect(loaded.map((d) => d.replaces).every((r) => typeof r === "number")).toBe(true);
    expect(loaded.length).toBeGreaterThanOrEqual(3);
  });

  it("writes no token value", () => {
    for (const secret of w.secrets) expect(suggested).not.toContain(secret);
  });
});
