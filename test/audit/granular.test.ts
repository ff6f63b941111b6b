/**
 * Fine-grained personal tokens in the audit: a live token GitLab marks `granular: true` shows its
 * granular scopes (access, permissions, project and group ids) instead of the bare scope `granular`,
 * is judged by gitlab-token-least-privilege-permissions (not reported as an unknown scope), and one
 * whose granular scopes GitLab did not list is reported as not verifiable. Real HTTP against the
 * sandbox (the admin route `POST /users/:id/personal_access_tokens` with `granular_scopes`), and
 * the pure core with a token as GitLab's create response gives it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startSandbox, type Sandbox } from "../../sandbox";
import {
  auditTokens,
  liveToken,
  renderAuditMarkdown,
  tokenCells,
  type ListedTarget,
  type LiveToken,
} from "../../commands/audit";
import { parseDeclarations } from "../../components/declarations";
import type { GitLabToken } from "../../components/gitlab/client";
import { runAudit } from "./helpers";

const NOW = "2030-04-11T12:00:00.000Z";

describe("a live fine-grained token, against the sandbox", () => {
  let sandbox: Sandbox;
  let dir: string;
  let web: number;
  let acme: number;

  const create = async (body: Record<string, unknown>) => {
    const user = sandbox.user("release-bot")?.id;
    const res = await fetch(`${sandbox.url}/api/v4/users/${user}/personal_access_tokens`, {
      method: "POST",
      headers: { "PRIVATE-TOKEN": sandbox.adminToken, "content-type": "application/json" },
      body: JSON.stringify({ expires_at: "2030-06-01", ...body }),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  beforeAll(async () => {
    sandbox = await startSandbox({
      now: NOW,
      freezeClock: true,
      seed: {
        users: [{ username: "root", admin: true }, { username: "release-bot" }],
        groups: [{ path: "acme", members: { "release-bot": "developer" } }],
        projects: [{ path: "acme/web" }],
      },
    });
    web = sandbox.projectId("acme/web")!;
    acme = sandbox.groupId("acme")!;
    await create({
      name: "reader",
      description: "Reads job logs for the dashboard",
      granular_scopes: [
        { access: "selected_memberships", permissions: ["read_job"], project_ids: [web], group_ids: [acme] },
      ],
    });
    await create({
      name: "releaser",
      description: "Release pipeline",
      granular_scopes: [{ access: "all_memberships", permissions: ["read_job", "create_release"] }],
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-granular-"));
  });

  afterAll(async () => {
    await sandbox?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("shows the granular scopes, judges them by the permissions policy, and calls no scope unknown", async () => {
    const run = await runAudit(dir, ["--no-declarations", "--user", "release-bot"], {
      GITLAB_BASE_URL: sandbox.url,
      GITLAB_TOKEN: sandbox.adminToken,
      GITLAB_TOKENS_NOW: NOW,
    });
    expect(run.stderr).not.toMatch(/TypeError|at .*\.ts:\d+/);
    const byName = new Map((run.inventory?.tokens ?? []).map((t) => [t.name, t] as const));
    expect(byName.get("reader")).toMatchObject({
      scopes: ["granular"],
      granular: [
        {
          access: "selected_memberships",
          permissions: ["read_job"],
          projects: [String(web)],
          groups: [String(acme)],
        },
      ],
    });
    expect(byName.get("releaser")?.granular).toEqual([
      { access: "all_memberships", permissions: ["read_job", "create_release"] },
    ]);

    expect(run.report).toContain(
      `fine-grained: selected_memberships (project ${web}, group ${acme}): read_job`,
    );
    expect(run.report).toContain(
      "fine-grained: all_memberships: read_job, create_release (writes: create_release)",
    );
    expect(run.report).not.toContain("scope granular is not known");

    const codes = (name: string) =>
      (byName.get(name)?.findings ?? [])
        .filter((f) => f.policy.startsWith("gitlab-token-least-privilege"))
        .map((f) => `${f.policy}:${f.code}`);
    expect(codes("reader")).toEqual([]);
    expect(codes("releaser")).toEqual([
      "gitlab-token-least-privilege-permissions:unjustified-all-memberships",
      "gitlab-token-least-privilege-permissions:unjustified-write-permission",
    ]);
    const releaserKey = byName.get("releaser")?.key;
    expect(run.report).toContain(
      `personal token '${releaserKey}' has access all_memberships (every group and project the user is, or later becomes, a member of) without a justification`,
    );
    // A mandatory violation fails the audit.
    expect(run.code).not.toBe(0);
  });
});

describe("a live fine-grained token, in the audit's pure core", () => {
  const NOW_DATE = new Date(NOW);
  const base: LiveToken = {
    id: 5,
    name: "fine",
    description: "Reads job logs",
    scopes: ["granular"],
    created_at: "2030-04-01T10:00:00.000Z",
    expires_at: "2030-05-31",
    last_used_at: null,
    active: true,
    revoked: false,
    user_id: 60,
    granular: true,
  };
  const target = (tokens: LiveToken[]): ListedTarget => ({
    kind: "user",
    refs: ["release-bot"],
    from: ["flag"],
    resolved: { id: 60, path: "release-bot" },
    serviceAccount: true,
    tokens,
  });
  const audit = (t: LiveToken) =>
    auditTokens({
      targets: [target([t])],
      now: NOW_DATE,
      settings: { includeInactive: false, expiringWithinDays: 14, unusedDays: 90 },
      gitlab: { url: "https://gitlab.example.com", user: "root", admin: true },
    });

  it("keeps GitLab's granular and granular_scopes when reading a listed token", () => {
    const listed = liveToken({
      id: 5,
      name: "fine",
      scopes: ["granular"],
      expires_at: "2030-05-31",
      active: true,
      revoked: false,
      granular: true,
      granular_scopes: [{ access: "user", permissions: ["read_user"], project_id: null, group_id: null }],
    } as GitLabToken);
    expect(listed).toMatchObject({
      granular: true,
      granular_scopes: [{ access: "user", permissions: ["read_user"], project_id: null, group_id: null }],
    });
    expect(
      liveToken({
        id: 1,
        name: "x",
        scopes: ["read_api"],
        expires_at: null,
        active: true,
        revoked: false,
      } as GitLabToken),
    ).not.toHaveProperty("granular");
  });

  it("says GitLab did not list the granular scopes rather than judging them", () => {
    const a = audit(base);
    const [t] = a.tokens;
    expect(t?.granular).toBe("not listed");
    expect(t && tokenCells(t)[4]).toBe("fine-grained (GitLab did not list its granular scopes)");
    const permissions = (t?.findings ?? []).filter(
      (f) => f.policy === "gitlab-token-least-privilege-permissions",
    );
    expect(permissions.map((f) => [f.status, f.code])).toEqual([["unjudged", "granular-scopes-not-listed"]]);
    expect((t?.findings ?? []).filter((f) => f.code === "unknown-to-gitlab-tokens")).toEqual([]);
    expect(renderAuditMarkdown(a)).toContain("GitLab did not list its granular scopes");
  });

  it("reports a newer GitLab's permission as unknown, never compliant", () => {
    const a = audit({
      ...base,
      granular_scopes: [
        { access: "personal_projects", permissions: ["read_hologram"], project_id: null, group_id: null },
      ],
    });
    const f = (a.tokens[0]?.findings ?? []).filter(
      (x) => x.policy === "gitlab-token-least-privilege-permissions",
    );
    expect(f.map((x) => [x.status, x.code])).toEqual([["unjudged", "unknown-to-gitlab-tokens"]]);
    expect(f[0]?.message).toMatch(/^permission read_hologram is not known to gitlab-tokens/);
  });

  it("takes a managed token's justification from its declaration in tokens.yaml", () => {
    const declarations = parseDeclarations(
      `tokens:
  release-bot:
    kind: personal
    user: release-bot
    name: fine
    serviceAccount: true
    granular:
      - access: personal_projects
        permissions: [read_job, create_release]
    lifetimeDays: 60
    description: Release pipeline
    justification: Creates releases from the release pipeline
    owner: team-release
`,
      NOW_DATE,
    );
    const t = {
      ...base,
      granular_scopes: [
        {
          access: "personal_projects",
          permissions: ["read_job", "create_release"],
          project_id: null,
          group_id: null,
        },
      ],
    };
    const justified = auditTokens({
      targets: [target([t])],
      declarations: { path: "tokens.yaml", tokens: declarations },
      now: NOW_DATE,
      settings: { includeInactive: false, expiringWithinDays: 14, unusedDays: 90 },
      gitlab: { url: "https://gitlab.example.com", user: "root", admin: true },
    });
    expect(justified.tokens[0]).toMatchObject({ key: "release-bot", managed: true });
    expect(
      justified.tokens[0]?.findings.filter((f) => f.policy === "gitlab-token-least-privilege-permissions"),
    ).toEqual([]);
    // Unmanaged, the same token's write is unjustified.
    expect(
      audit(t)
        .tokens[0]?.findings.filter((f) => f.policy === "gitlab-token-least-privilege-permissions")
        .map((f) => f.code),
    ).toEqual(["unjustified-write-permission"]);
  });
});
