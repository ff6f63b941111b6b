/**
 * `npm run audit` against the sandbox over real HTTP: managed and unmanaged tokens, the rules on live
 * tokens, missing declarations, expiry and usage, a credential that may not list everything, what the
 * outputs must never contain, and the exit codes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startSandbox } from "../../sandbox";
import type { AuditedToken, Inventory } from "../../commands/audit";
import { NOW, envFor, runAudit, world, type Run, type World } from "./helpers";

let w: World;
let run: Run;

const byName = (inv: Inventory | undefined, name: string): AuditedToken => {
  const t = inv?.tokens.find((x) => x.name === name && x.state === "active");
  if (!t) throw new Error(`no active token ${name} in the inventory`);
  return t;
};
const codes = (t: AuditedToken) => t.findings.map((f) => `${f.status}:${f.policy}:${f.code}`);

beforeAll(async () => {
  w = await world();
  run = await runAudit(w.dir, ["--user", "alice"], envFor(w));
});
afterAll(async () => {
  await w.stop();
});

describe("the inventory", () => {
  it("lists the active tokens of every declared target and of the flags, and tells managed from unmanaged", () => {
    const inv = run.inventory;
    expect(inv?.targets.map((t) => `${t.kind} ${t.name} ${t.from.join("+")} ${t.tokens}`)).toEqual([
      "user alice flag 2",
      "project acme/web declarations 3",
      "group acme declarations 1",
      "user provisioner declarations 1",
      "project acme/api declarations 1",
    ]);
    const managed = inv?.tokens.filter((t) => t.managed).map((t) => t.key);
    const unmanaged = inv?.tokens.filter((t) => !t.managed).map((t) => t.key);
    expect(managed).toEqual(["web-registry-pull", "acme-dependency-reader", "inventory-export"]);
    expect(unmanaged).toEqual([
      `personal:alice:alice-laptop#${w.ids["alice-laptop"]}`,
      expect.stringMatching(/^personal:alice:alice-cli#\d+$/),
      expect.stringMatching(/^project:acme\/web:legacy-ci#\d+$/),
      `project:acme/web:owner-bot#${w.ids["owner-bot"]}`,
      expect.stringMatching(/^project:acme\/api:old-deployer#\d+$/),
    ]);
    expect(inv?.summary).toMatchObject({ active: 8, managed: 3, unmanaged: 5, missing: 1, notListed: 0 });
    // The revoked earlier web-registry-pull is not listed without --all.
    expect(inv?.tokens.filter((t) => t.name === "web-registry-pull")).toHaveLength(1);
  });

  it("holds a compliant managed token to every rule and finds nothing", () => {
    for (const name of ["web-registry-pull", "acme-dependency-reader", "inventory-export"]) {
      const t = byName(run.inventory, name);
      expect([name, t.findings]).toEqual([name, []]);
    }
    const pull = byName(run.inventory, "web-registry-pull");
    expect(pull).toMatchObject({
      id: w.ids["web-registry-pull"],
      kind: "project",
      target: "acme/web",
      scopes: ["read_registry", "read_repository"],
      accessLevel: "reporter",
      expiresAt: "2030-06-10",
      lastUsedAt: null,
      state: "active",
    });
    expect(pull.notices).toEqual([{ code: "never-used", message: "not used yet (created today)." }]);
    // The service account is judged from GitLab's own answer (bot: true).
    expect(byName(run.inventory, "inventory-export").serviceAccount).toBe(true);
  });

  it("reports an unmanaged token with api and no justification, with what to change", () => {
    const legacy = byName(run.inventory, "legacy-ci");
    expect(codes(legacy)).toEqual([
      "violation:gitlab-token-max-lifetime:no-expiry",
      "violation:gitlab-token-least-privilege-scopes:unjustified-scope",
      "violation:gitlab-token-access-level:unjustified-access-level",
      "violation:gitlab-token-rotation-window:rotation-not-configured",
      "violation:gitlab-token-ownership:no-owner",
      "violation:gitlab-token-ownership:no-description",
    ]);
    const scope = legacy.findings.find((f) => f.code === "unjustified-scope");
    expect(scope?.message).toBe(
      `project token '${legacy.key}' has high-risk scope api without a justification. Add justifications["${legacy.key}"] in the gitlab-token-least-privilege-scopes policy config saying what the token does that needs it, or replace it with a token of narrower scopes (api → read_api / read_repository / write_repository / read_registry / write_registry).`,
    );
    expect(legacy.notices.map((n) => n.code)).toEqual(["unmanaged", "never-used"]);
    expect(legacy.notices[0]?.message).toBe(
      "not declared in tokens.yaml: nothing reviews, rotates or revokes it. Declare it there (`pulumi up` then replaces it with a managed token) or revoke it.",
    );
    expect(run.report).toContain("## Unmanaged tokens");
    expect(run.report).toContain(
      `- \`${legacy.key}\` — project token 'legacy-ci' on acme/web (id ${legacy.id}): not declared`,
    );
  });

  it("reports an Owner-level token", () => {
    const owner = byName(run.inventory, "owner-bot");
    const f = owner.findings.find((x) => x.policy === "gitlab-token-access-level");
    expect(f).toMatchObject({
      status: "violation",
      severity: "mandatory",
      code: "owner-access-level",
      field: "access_level",
    });
    expect(f?.message).toBe(
      `project token '${owner.key}' has owner access (access_level: 50); Owner-level project tokens are not allowed (they can change members and settings and delete the project). Revoke it and issue a replacement with access_level 40 (maintainer) or lower, best declared in tokens.yaml so \`pulumi up\` manages it.`,
    );
  });

  it("reports a token without expiry and one that lives longer than 90 days", () => {
    const legacy = byName(run.inventory, "legacy-ci");
    expect(legacy.expiresAt).toBeNull();
    expect(legacy.findings[0]?.message).toBe(
      `project token '${legacy.key}' has no expiry (expires_at is null); tokens must expire within 90 days of creation. Revoke it and issue a replacement that expires within 90 days of its creation, best declared in tokens.yaml so \`pulumi up\` manages it.`,
    );
    const old = byName(run.inventory, "old-deployer");
    expect(old.findings.find((f) => f.policy === "gitlab-token-max-lifetime")?.message).toBe(
      `project token '${old.key}' expires on 2030-12-31, 364 days after its creation on 2030-01-01; tokens must expire within 90 days of creation. Revoke it and issue a replacement that expires within 90 days of its creation, best declared in tokens.yaml so \`pulumi up\` manages it.`,
    );
  });

  it("reports tokens unused for more than 90 days, and tokens never used", () => {
    const old = byName(run.inventory, "old-deployer");
    expect(old.lastUsedAt?.slice(0, 10)).toBe("2030-01-01");
    expect(old.notices).toContainEqual({
      code: "unused",
      message: "last used on 2030-01-01, 100 days ago (more than 90); revoke it if nothing needs it.",
    });
    expect(byName(run.inventory, "legacy-ci").notices).toContainEqual({
      code: "never-used",
      message: "never used since its creation on 2030-01-01, 100 days ago; revoke it if nothing needs it.",
    });
    expect(run.inventory?.summary).toMatchObject({ unused: 2, neverUsed: 7 });
  });

  it("reports a declared token missing from GitLab", () => {
    expect(run.inventory?.missing).toEqual([
      {
        key: "api-release-bot",
        kind: "project",
        target: "acme/api",
        name: "api-release-bot",
        line: 24,
        status: "absent",
        message:
          "declared in tokens.yaml line 24, but acme/api has no active project token named 'api-release-bot': `pulumi up` has not created it yet, or it was revoked or expired outside Pulumi (`pulumi up --refresh` recreates it).",
      },
    ]);
    expect(run.report).toContain(
      "## Declared tokens missing from GitLab\n\n- `api-release-bot` — project token",
    );
  });

  it("reports tokens expiring soon, and for managed ones when `pulumi up` rotates them", async () => {
    expect(byName(run.inventory, "owner-bot").notices).toContainEqual({
      code: "expiring-soon",
      message: "expires on 2030-04-21 (in 10 days); nothing rotates it: whatever uses it stops working then.",
    });
    expect(run.inventory?.summary.expiringSoon).toBe(1);

    const wide = await runAudit(w.dir, ["--expiring-within", "60"], envFor(w));
    expect(byName(wide.inventory, "web-registry-pull").notices).toContainEqual({
      code: "expiring-soon",
      message: "expires on 2030-06-10 (in 60 days); `pulumi up` rotates it from 2030-05-27.",
    });
    const late = await runAudit(
      w.dir,
      ["--expiring-within", "60", "--now", "2030-06-01T00:00:00Z"],
      envFor(w),
    );
    expect(byName(late.inventory, "web-registry-pull").notices).toContainEqual({
      code: "expiring-soon",
      message:
        "expires on 2030-06-10 (in 9 days); its rotation was due on 2030-05-27: check that the scheduled `pulumi up` runs.",
    });
  });

  it("with --all, lists revoked tokens, marked and not judged", async () => {
    const all = await runAudit(w.dir, ["--all", "--project", "acme/web", "--no-declarations"], envFor(w));
    const revoked = all.inventory?.tokens.find((t) => t.state === "revoked");
    expect(revoked).toMatchObject({ name: "web-registry-pull", findings: [], managed: false });
    expect(revoked?.notices).toEqual([
      { code: "inactive", message: "revoked; listed because of --all, not judged." },
    ]);
    expect(all.report).toContain(`| \`${revoked?.key}\` (revoked) |`);
    expect(all.inventory?.summary).toMatchObject({ active: 3, inactive: 1 });
  });

  it("names a target twice (path and id) but lists it once", async () => {
    const id = String(w.sandbox.projectId("acme/web"));
    const r = await runAudit(w.dir, ["--project", id], envFor(w));
    const web = r.inventory?.targets.filter((t) => t.name === "acme/web");
    expect(web).toEqual([
      { kind: "project", name: "acme/web", id: Number(id), from: ["flag", "declarations"], tokens: 3 },
    ]);
    expect(r.inventory?.tokens.filter((t) => t.target === "acme/web")).toHaveLength(3);
  });

  it("reports a project GitLab does not know and goes on", async () => {
    const r = await runAudit(w.dir, ["--project", "acme/nope"], envFor(w));
    expect(r.inventory?.targets[0]).toEqual({
      kind: "project",
      name: "acme/nope",
      from: ["flag"],
      tokens: 0,
      problem: "could not find it: 404 Project Not Found",
    });
    expect(r.inventory?.summary.active).toBe(6);
  });
});

describe("a credential that may not list everything", () => {
  it("reports 401 on another user's personal tokens and goes on", async () => {
    const r = await runAudit(w.dir, ["--user", "alice"], envFor(w, w.aliceToken));
    const provisioner = r.inventory?.targets.find((t) => t.name === "provisioner");
    expect(provisioner?.problem).toBe("could not list: 401 Unauthorized");
    // Alice owns acme: its projects' and group's tokens, and her own, are listed.
    expect(r.inventory?.targets.filter((t) => t.problem === undefined).map((t) => t.name)).toEqual([
      "alice",
      "acme/web",
      "acme",
      "acme/api",
    ]);
    expect(r.inventory?.gitlab).toMatchObject({ user: "alice", admin: false });
    expect(r.inventory?.missing.find((m) => m.key === "inventory-export")).toMatchObject({
      status: "unchecked",
      message: "could not check: could not list: 401 Unauthorized.",
    });
    expect(r.report).toContain(
      "| user | provisioner | 3 | tokens.yaml | — | ❌ could not list: 401 Unauthorized |",
    );
    expect(r.stdout).toContain("  user provisioner: could not list: 401 Unauthorized");
    expect(r.code).toBe(1);
  });

  it("reports 403 with GitLab's message", async () => {
    w.sandbox.setFaults({ error: { status: 403, method: "GET", path: "^/api/v4/personal_access_tokens$" } });
    try {
      const r = await runAudit(
        w.dir,
        ["--no-declarations", "--user", "provisioner", "--group", "acme"],
        envFor(w),
      );
      expect(r.inventory?.targets.map((t) => `${t.kind} ${t.name}: ${t.problem ?? "listed"}`)).toEqual([
        "group acme: listed",
        "user provisioner: could not list: 403 Forbidden",
      ]);
      expect(r.inventory?.summary).toMatchObject({ active: 1, notListed: 1 });
    } finally {
      w.sandbox.clearFaults();
    }
  });
});

describe("secrets", () => {
  it("never writes a token value or the credential to the report, the inventory or the console", async () => {
    const all = await runAudit(w.dir, ["--all", "--user", "alice", "--user", "root"], envFor(w));
    const alice = await runAudit(w.dir, ["--user", "alice"], envFor(w, w.aliceToken));
    expect(w.secrets).toHaveLength(10);
    for (const r of [run, all, alice]) {
      for (const text of [r.report, r.json, r.stdout, r.stderr]) {
        expect(text.length).toBeGreaterThan(0);
        for (const secret of w.secrets) expect(text).not.toContain(secret);
        expect(text).not.toMatch(/glpat-[A-Za-z0-9_-]{20}/);
      }
    }
    // The admin's own token is listed (as a token, by name), never by value.
    expect(all.inventory?.tokens.some((t) => t.name === "sandbox-admin")).toBe(true);
    expect(Object.keys(all.inventory?.tokens[0] ?? {})).not.toContain("token");
  });

  it("does not print the credential when GitLab refuses it", async () => {
    const r = await runAudit(w.dir, [], { ...envFor(w), GITLAB_TOKEN: "glpat-notarealtoken00000000" });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`audit: GitLab at ${w.sandbox.url} refused the credential: 401 Unauthorized`);
    expect(r.stderr + r.stdout).not.toContain("glpat-notarealtoken00000000");
  });

  it("refuses a GitLab URL with a user or password in it, without repeating them", async () => {
    const url = w.sandbox.url.replace("http://", "http://someone:hunter2@");
    const r = await runAudit(w.dir, ["--base-url", url, "--group", "acme", "--no-declarations"], envFor(w));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "audit: the GitLab URL has a user or password in it; give the URL alone and the credential in GITLAB_TOKEN",
    );
    expect(r.stdout + r.stderr).not.toContain("hunter2");
  });
});

describe("exit codes", () => {
  it("1 when a live token breaks a mandatory policy; the blocking findings go to stderr", () => {
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^gitlab-tokens audit of http:\/\/127\.0\.0\.1:\d+ as root \(administrator\), as of 2030-04-11T12:00:00\.000Z$/m,
    );
    expect(run.stdout).toContain("  20 mandatory violations on 5 tokens, 0 other findings");
    expect(run.stderr.split("\n")).toHaveLength(20);
    expect(run.stderr).toMatch(
      /^project:acme\/web:owner-bot#\d+: gitlab-token-access-level: project token /m,
    );
  });

  it("0 with --no-fail", async () => {
    const r = await runAudit(w.dir, ["--no-fail"], envFor(w));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("mandatory violations above; exiting 0 because of --no-fail");
  });

  it("0 when every live token is managed and compliant", async () => {
    fs.writeFileSync(
      path.join(w.dir, "group-only.yaml"),
      [
        "tokens:",
        "  acme-dependency-reader:",
        "    kind: group",
        "    group: acme",
        "    scopes: [read_api]",
        "    accessLevel: reporter",
        "    lifetimeDays: 60",
        "    description: Reads dependency metadata across the acme group",
        "    owner: team-platform",
        "",
      ].join("\n"),
    );
    const r = await runAudit(w.dir, ["--declarations", "group-only.yaml"], envFor(w));
    expect(r.inventory?.tokens.map((t) => `${t.key} ${t.managed}`)).toEqual(["acme-dependency-reader true"]);
    expect(r.code).toBe(0);
    expect(r.report).toContain("✅ no mandatory violations");
  });

  it.each([
    ["an unknown flag", ["--bogus"], {}, /^audit: Unknown option '--bogus'/],
    [
      "--declarations with --no-declarations",
      ["--declarations", "x.yaml", "--no-declarations"],
      {},
      /not both/,
    ],
    [
      "a bad --expiring-within",
      ["--expiring-within", "soon"],
      {},
      /--expiring-within is "soon"; give a whole number of days/,
    ],
    ["a bad --now", ["--now", "yesterday"], {}, /--now "yesterday" is not a time/],
    ["a bad GITLAB_TOKENS_NOW", [], { GITLAB_TOKENS_NOW: "later" }, /GITLAB_TOKENS_NOW is "later"/],
    [
      "no credential",
      [],
      { GITLAB_TOKEN: "" },
      /^audit: no GitLab credential: set the GITLAB_TOKEN environment variable/,
    ],
    ["nothing to audit", ["--no-declarations"], {}, /^audit: nothing to audit/],
    [
      "a missing declarations file",
      ["--declarations", "nope.yaml"],
      {},
      /nope\.yaml:1: cannot read the file \(ENOENT\)/,
    ],
    [
      "a missing policy configuration",
      ["--policy-config", "nope.json"],
      {},
      /cannot read policy configuration nope\.json/,
    ],
    ["a bad GitLab URL", ["--base-url", "gitlab.example.com"], {}, /the GitLab URL is not a URL/],
  ] as const)("2 for %s, and no files", async (_label, args, env, message) => {
    const r = await runAudit(w.dir, [...args], { ...envFor(w), ...env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.report).toBe("");
  });

  it("2 for declarations with errors, naming each", async () => {
    fs.writeFileSync(
      path.join(w.dir, "broken.yaml"),
      "tokens:\n  x:\n    kind: project\n    project: acme/web\n    scopes: [read_user]\n",
    );
    const r = await runAudit(w.dir, ["--declarations", "broken.yaml"], envFor(w));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `broken.yaml:5: token "x", field "scopes[0]": scope "read_user" is not valid for a project token`,
    );
    expect(r.stderr).toContain("(fix the declarations, or run with --no-declarations)");
  });

  it("2 when GitLab does not answer", async () => {
    const gone = await startSandbox();
    const url = gone.url;
    await gone.stop();
    const r = await runAudit(
      w.dir,
      ["--base-url", url],
      { ...envFor(w) },
      { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } },
    );
    expect(r.code).toBe(2);
    // The cause GitLab's client names (ECONNREFUSED outside Jest, whose realms hide it).
    expect(r.stderr).toMatch(new RegExp(`^audit: GitLab at ${url} did not answer: \\S`));
  });

  it("reads GITLAB_TOKENS_NOW for the clock", () => {
    expect(run.inventory?.now).toBe(NOW);
  });
});
