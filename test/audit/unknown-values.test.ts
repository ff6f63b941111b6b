/**
 * Values a newer GitLab sends that gitlab-tokens does not know pass through: scopes (`mcp`,
 * `granular`) and access levels (a new role's number) are reported as unknown by the audit and the
 * policy rules, never a crash and never judged compliant; routable tokens (`glpat-…` with a `.`) are
 * redacted like legacy ones. Also: the audit lists a group service account's tokens through the
 * group's routes with a group Owner's (non-admin) credential. Real HTTP against the sandbox.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startSandbox, type Sandbox } from "../../sandbox";
import { GitLabClient } from "../../components/gitlab/client";
import { redactTokens } from "../../components/gitlab/errors";
import { fromGitLabApi } from "../../policies/rules/gitlabApi";
import { evaluate } from "../../policies/rules/evaluate";
import { runAudit } from "./helpers";

const NOW = "2030-04-11T12:00:00.000Z";

/** GitLab's routable format (reference §11): base64url payload, `.`, 2 + 7 base36 characters. */
const ROUTABLE = "glpat-Yz9kX2VmZ2hpamtsbW5vcHFyc3R1dnd4eXotMTIzNDU2Nzg5MA.01abc1234";
/** The versioned form secret scanners report for gitlab.com (two dots). */
const VERSIONED = "glpat-c29tZXRoaW5nLWxvbmctZW5vdWdoLXRvLWJlLWEtcGF5bG9hZA.01.0q1w2e3r4";
/** An instance prefix in front of the PAT prefix. */
const PREFIXED = "acme-glpat-Yz9kX2VmZ2hpamtsbW5vcHFyc3R1dnd4eXotMTIz.01x7y8z9q0";
const LEGACY = "glpat-abcdefghij0123456789";

describe("redaction of token values", () => {
  it.each([
    ["a legacy token", LEGACY],
    ["a routable token", ROUTABLE],
    ["a versioned routable token", VERSIONED],
    ["a token with an instance prefix", PREFIXED],
  ])("removes %s wherever it appears in a message", (_what, value) => {
    for (const text of [
      value,
      `token ${value} is invalid`,
      `"${value}".`,
      `(${value}), then more`,
      `value=${value}&x=1`,
    ]) {
      const out = redactTokens(text);
      expect(out).toContain("[redacted]");
      // No piece of the secret part survives (the payload, or what follows its dots).
      for (const piece of value.replace(/^.*glpat-/, "").split(".")) expect(out).not.toContain(piece);
    }
  });
});

describe("against the sandbox", () => {
  let sandbox: Sandbox;
  let ownerToken: string;
  let dir: string;

  beforeAll(async () => {
    sandbox = await startSandbox({
      now: NOW,
      freezeClock: true,
      seed: {
        users: [
          { username: "root", admin: true },
          { username: "alice" },
          {
            username: "acme-deployer",
            serviceAccount: true,
            group: "acme",
            tokens: [
              { name: "deploy", value: VERSIONED, scopes: ["read_api", "granular"], expiresAt: "2030-05-01" },
            ],
          },
        ],
        groups: [{ path: "acme", members: { alice: "owner" } }],
        projects: [
          {
            path: "acme/web",
            accessTokens: [
              // A newer GitLab's token: an unknown scope and role, in the routable format.
              {
                name: "mcp-bot",
                value: ROUTABLE,
                scopes: ["read_api", "mcp"],
                accessLevel: 25,
                expiresAt: "2030-05-01",
              },
            ],
          },
        ],
      },
    });
    ownerToken = sandbox.mintPersonalToken("alice", { name: "auditor", scopes: ["api"] }).token;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-unknown-"));
  });

  afterAll(async () => {
    await sandbox?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the client reads a token with unknown scopes and access level as GitLab sent it", async () => {
    const gl = new GitLabClient({ baseUrl: sandbox.url, token: sandbox.adminToken });
    const [t] = await gl.listResourceTokens("project", sandbox.projectId("acme/web")!);
    expect(t).toMatchObject({ name: "mcp-bot", scopes: ["read_api", "mcp"], access_level: 25 });
    expect(JSON.stringify(t)).not.toContain(ROUTABLE);
  });

  it("an error GitLab words with a routable token in it reaches no message", async () => {
    sandbox.setFaults({
      error: { method: "GET", path: "/user$", status: 400, message: `bad token ${ROUTABLE}` },
    });
    try {
      const gl = new GitLabClient({ baseUrl: sandbox.url, token: ownerToken, retry: { maxAttempts: 1 } });
      const err = await gl.currentUser().then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err?.message).toContain("[redacted]");
      for (const text of [err?.message, String(err), JSON.stringify(err), err?.stack]) {
        expect(text).not.toContain(ROUTABLE);
        expect(text).not.toContain(ownerToken);
      }
    } finally {
      sandbox.clearFaults();
    }
  });

  it("the rules report unknown scopes and levels as unknown (unjudged), never as invalid or compliant", () => {
    const token = fromGitLabApi(
      {
        id: 1,
        name: "mcp-bot",
        scopes: ["read_api", "mcp", "granular"],
        user_id: 9,
        created_at: "2030-04-01T00:00:00.000Z",
        expires_at: "2030-05-01",
        access_level: 25,
        description: "reads",
      },
      "project",
      "acme/web",
      undefined,
    );
    const findings = evaluate([token], {}, new Date(NOW));
    const unknown = findings.filter((f) => f.code === "unknown-to-gitlab-tokens");
    expect(unknown.map((f) => [f.status, f.message])).toEqual([
      [
        "unjudged",
        expect.stringMatching(
          /^scopes mcp, granular are not known to gitlab-tokens, so least privilege of .* could not be verified$/,
        ),
      ],
      [
        "unjudged",
        expect.stringMatching(
          /^access level 25 is not known to gitlab-tokens, so the access level of .* could not be verified$/,
        ),
      ],
    ]);
    expect(findings.filter((f) => ["invalid-scope", "invalid-access-level"].includes(f.code ?? ""))).toEqual(
      [],
    );
  });

  it("the audit (a group Owner's credential) lists everything, reports the unknown values, and shows no value", async () => {
    const run = await runAudit(
      dir,
      ["--no-declarations", "--project", "acme/web", "--user", "acme-deployer"],
      { GITLAB_BASE_URL: sandbox.url, GITLAB_TOKEN: ownerToken, GITLAB_TOKENS_NOW: NOW },
    );
    expect(run.stderr).not.toMatch(/TypeError|at .*\.ts:\d+/);
    expect(run.report).toContain("scope mcp is not known to gitlab-tokens");
    expect(run.report).toContain("scope granular is not known to gitlab-tokens");
    expect(run.report).toContain("access level 25 is not known to gitlab-tokens");
    // The service account's token was listed through its group's routes (alice is no administrator).
    const user = run.inventory?.targets.find((t) => t.kind === "user");
    expect(user).toMatchObject({ name: "acme-deployer", tokens: 1 });
    expect(user?.problem).toBeUndefined();
    expect(run.inventory?.tokens.map((t) => t.name).sort()).toEqual(["deploy", "mcp-bot"]);
    for (const text of [run.report, run.json, run.stdout, run.stderr]) {
      for (const secret of [ROUTABLE, VERSIONED, ownerToken, sandbox.adminToken])
        expect(text).not.toContain(secret);
    }
  });
});
