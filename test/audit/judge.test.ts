/**
 * The audit's pure core: targets from flags and declarations, collecting through a client (its
 * errors), and judging (matching declarations, duplicates, unchecked declarations, inactive tokens,
 * the policy configuration), without a GitLab.
 */
import {
  GitLabUnreachableError,
  auditTargets,
  auditTokens,
  collectTargets,
  declaresTarget,
  renderAuditMarkdown,
  summarizeAudit,
  type AuditGitLab,
  type AuditInput,
  type ListedTarget,
  type LiveToken,
} from "../../commands/audit";
import { parseDeclarations } from "../../components/declarations";
import { GitLabApiError } from "../../components/gitlab/errors";
import type { GitLabToken } from "../../components/gitlab/client";

const NOW = new Date("2030-04-11T12:00:00Z");

const DECLARATIONS = parseDeclarations(
  `tokens:
  web-deploy:
    kind: project
    project: "7"
    scopes: [read_registry]
    accessLevel: reporter
    lifetimeDays: 60
    rotateBeforeDays: 14
    description: Pulls images for the deploy job
    owner: team-web
  bot-export:
    kind: personal
    user: exporter
    serviceAccount: true
    scopes: [read_api]
    lifetimeDays: 60
    description: Exports the inventory
    owner: team-sec
`,
  NOW,
);

const live = (over: Partial<LiveToken> = {}): LiveToken => ({
  id: 1,
  name: "web-deploy",
  description: "Pulls images for the deploy job",
  scopes: ["read_registry"],
  created_at: "2030-04-01T10:00:00.000Z",
  expires_at: "2030-05-31",
  last_used_at: "2030-04-10T10:00:00.000Z",
  active: true,
  revoked: false,
  access_level: 20,
  user_id: 50,
  ...over,
});

const web = (tokens: LiveToken[]): ListedTarget => ({
  kind: "project",
  refs: ["acme/web"],
  from: ["flag"],
  resolved: { id: 7, path: "acme/web" },
  tokens,
});

const input = (targets: ListedTarget[], over: Partial<AuditInput> = {}): AuditInput => ({
  targets,
  declarations: { path: "tokens.yaml", tokens: DECLARATIONS },
  now: NOW,
  settings: { includeInactive: false, expiringWithinDays: 14, unusedDays: 90 },
  gitlab: { url: "https://gitlab.example.com", user: "auditor", admin: true },
  ...over,
});

describe("auditTargets", () => {
  it("takes flags, then every declared target, each once", () => {
    expect(
      auditTargets(
        { projects: ["acme/web", "ACME/web"], groups: ["acme"], users: ["exporter"] },
        DECLARATIONS,
      ),
    ).toEqual([
      { kind: "project", ref: "acme/web", from: ["flag"] },
      { kind: "group", ref: "acme", from: ["flag"] },
      { kind: "user", ref: "exporter", from: ["flag", "declarations"] },
      { kind: "project", ref: "7", from: ["declarations"] },
    ]);
  });

  it("carries a declaration's group: or project: (the service account's namespace) as the routes' hints", () => {
    const exporter = DECLARATIONS.find((d) => d.target === "exporter")!;
    const webCi = { ...exporter, key: "web-ci", target: "web-ci", project: "acme/web" };
    const acmeCi = { ...exporter, key: "acme-ci", target: "acme-ci", group: "acme" };
    expect(auditTargets({ projects: [], groups: [], users: ["web-ci"] }, [webCi, acmeCi, exporter])).toEqual([
      { kind: "user", ref: "web-ci", from: ["flag", "declarations"], hints: { project: "acme/web" } },
      { kind: "user", ref: "acme-ci", from: ["declarations"], hints: { group: "acme" } },
      { kind: "user", ref: "exporter", from: ["declarations"] },
    ]);
  });
});

describe("declaresTarget", () => {
  it("matches a declaration by path, id or any name the target was given", () => {
    const [byId] = DECLARATIONS;
    expect(byId && declaresTarget(byId, web([]))).toBe(true);
    expect(byId && declaresTarget(byId, { ...web([]), resolved: { id: 8, path: "acme/api" } })).toBe(false);
    expect(byId && declaresTarget(byId, { ...web([]), kind: "group" })).toBe(false);
  });
});

describe("auditTokens", () => {
  it("matches a live token to its declaration by kind, target and name, and judges it compliant", () => {
    const audit = auditTokens(input([web([live()])]));
    expect(audit.tokens).toHaveLength(1);
    expect(audit.tokens[0]).toMatchObject({
      key: "web-deploy",
      ref: "project:acme/web:web-deploy#1",
      managed: true,
      findings: [],
      notices: [],
    });
  });

  it("marks every active token that matches one declaration as a duplicate", () => {
    const audit = auditTokens(input([web([live(), live({ id: 2 })])]));
    expect(audit.tokens.map((t) => t.notices)).toEqual([
      [
        {
          code: "duplicate",
          message:
            "one of 2 active tokens that match the declaration 'web-deploy' (ids 1, 2); `pulumi up` holds only one of them in its state. Revoke the others (an interrupted rotation, or a token made by hand with the same name).",
        },
      ],
      [expect.objectContaining({ code: "duplicate" })],
    ]);
    expect(summarizeAudit(audit).duplicates).toBe(2);
    expect(renderAuditMarkdown(audit)).toContain(
      "## Duplicates\n\n- `web-deploy` — project token 'web-deploy' on acme/web (id 1): one of 2",
    );
  });

  it("says which declarations could not be checked, and why", () => {
    const exporter: ListedTarget = {
      kind: "user",
      refs: ["exporter"],
      from: ["declarations"],
      tokens: [],
      problem: "could not list: 401 Unauthorized",
    };
    const audit = auditTokens(input([web([live()]), exporter]));
    expect(audit.missing).toEqual([
      {
        key: "bot-export",
        kind: "personal",
        target: "exporter",
        name: "bot-export",
        line: 11,
        status: "unchecked",
        message: "could not check: could not list: 401 Unauthorized.",
      },
    ]);
    expect(summarizeAudit(audit)).toMatchObject({ missing: 0, unchecked: 1, notListed: 1 });
  });

  it("leaves inactive tokens out, or with --all lists them unjudged; an inactive token does not satisfy its declaration", () => {
    const tokens = [
      live({ active: false, revoked: true, expires_at: null }),
      live({ id: 2, active: false, expires_at: "2030-04-01" }),
    ];
    expect(auditTokens(input([web(tokens)])).tokens).toEqual([]);
    const all = auditTokens(
      input([web(tokens)], { settings: { includeInactive: true, expiringWithinDays: 14, unusedDays: 90 } }),
    );
    expect(all.tokens.map((t) => [t.state, t.findings, t.notices.map((n) => n.message)])).toEqual([
      ["revoked", [], ["revoked; listed because of --all, not judged."]],
      ["expired", [], ["expired on 2030-04-01; listed because of --all, not judged."]],
    ]);
    expect(all.missing.map((m) => `${m.key} ${m.status}`)).toEqual([
      "web-deploy absent",
      "bot-export unchecked",
    ]);
  });

  it("applies the policy configuration: exceptions by declaration key or live key, malformed entries once", () => {
    const stray = live({ id: 9, name: "stray", access_level: 50 });
    const config = {
      "gitlab-token-access-level": {
        exceptions: [
          {
            token: "project:acme/web:stray#9",
            expires: "2030-12-31",
            reason: "Migration owner bot until the move (SEC-9)",
          },
          { token: "web-deploy" },
        ],
      },
      "gitlab-token-ownership": "advisory",
      "gitlab-token-rotation-window": "disabled",
    };
    const audit = auditTokens(
      input([web([live(), stray])], { policy: { path: "policies/config.json", config } }),
    );
    const strayFindings = audit.tokens[1]?.findings.map(
      (f) => `${f.status}/${f.severity}:${f.policy}:${f.code}`,
    );
    expect(strayFindings).toEqual([
      "exempted/advisory:gitlab-token-access-level:exempted",
      "violation/advisory:gitlab-token-ownership:no-owner",
    ]);
    expect(audit.configFindings.map((f) => f.message)).toEqual([
      `gitlab-token-access-level policy config: exception {"token":"web-deploy"}: expires is undefined; give a date as YYYY-MM-DD; the entry exempts nothing.`,
    ]);
    expect(summarizeAudit(audit)).toMatchObject({ mandatory: 0, otherFindings: 3 });
    const report = renderAuditMarkdown(audit);
    expect(report).toContain(
      "### Policy configuration\n\n- ⚠️ invalid exception · `gitlab-token-access-level`:",
    );
    expect(report).toContain("Policy configuration: `policies/config.json`.");
  });

  it("says when `pulumi up` rotates a managed token that expires soon, and that a fixed expiresAt never rotates", () => {
    const soon = live({ created_at: "2030-03-01T00:00:00.000Z", expires_at: "2030-04-20" });
    const rotating = auditTokens(input([web([soon])]));
    expect(rotating.tokens[0]?.notices).toEqual([
      {
        code: "expiring-soon",
        message:
          "expires on 2030-04-20 (in 9 days); its rotation was due on 2030-04-06: check that the scheduled `pulumi up` runs.",
      },
    ]);
    const fixed = parseDeclarations(
      `tokens:
  web-deploy:
    kind: project
    project: acme/web
    scopes: [read_registry]
    accessLevel: reporter
    expiresAt: 2030-04-20
    rotateBeforeDays: 3
    description: Pulls images for the deploy job
    owner: team-web
`,
      NOW,
    );
    const pinned = auditTokens(
      input([web([soon])], { declarations: { path: "tokens.yaml", tokens: fixed } }),
    );
    expect(pinned.tokens[0]?.notices).toEqual([
      {
        code: "expiring-soon",
        message:
          "expires on 2030-04-20 (in 9 days); its declaration has a fixed expiresAt, so `pulumi up` does not rotate it: set a later expiresAt (or lifetimeDays) on 'web-deploy' in tokens.yaml.",
      },
    ]);
  });

  it("without declarations, manages nothing and reports no missing tokens", () => {
    const audit = auditTokens(input([web([live()])], { declarations: undefined }));
    expect(audit.tokens[0]).toMatchObject({ key: "project:acme/web:web-deploy#1", managed: false });
    expect(audit.tokens[0]?.notices[0]?.message).toBe(
      "no declarations were read (--no-declarations), so nothing here is known to manage it.",
    );
    expect(audit.missing).toEqual([]);
    expect(renderAuditMarkdown(audit)).not.toContain("## Unmanaged tokens");
  });
});

describe("collectTargets", () => {
  const token = (name: string): GitLabToken => ({
    id: 3,
    name,
    revoked: false,
    active: true,
    scopes: ["read_api"],
    user_id: 4,
    created_at: "2030-04-01T00:00:00Z",
    expires_at: "2030-05-01",
    access_level: 20,
    token: "glpat-shouldneverbecopied000",
  });
  const fake = (over: Partial<AuditGitLab> = {}): AuditGitLab => ({
    resolveProject: async (ref) => ({ id: 7, path: String(ref) === "7" ? "acme/web" : String(ref) }),
    resolveGroup: async () => {
      throw new GitLabApiError({
        method: "GET",
        path: "groups/nope",
        status: 404,
        gitlabMessage: "404 Group Not Found",
      });
    },
    resolveUser: async () => ({ id: 4, username: "exporter", bot: true, serviceAccount: undefined }),
    currentUser: async () => ({ id: 1, username: "root", admin: true }),
    serviceAccountGroupOf: async () => undefined,
    listResourceTokens: async () => [token("web-deploy")],
    listPersonalTokens: async () => [token("bot-export")],
    listServiceAccountTokens: async () => [],
    listDeployTokens: async () => [],
    listTriggerTokens: async () => [],
    ...over,
  });

  it("resolves, lists, keeps no token value, and lists a target named twice once", async () => {
    const refs = auditTargets({ projects: ["acme/web", "7"], groups: ["nope"], users: ["exporter"] });
    const listed = await collectTargets(fake(), refs);
    expect(listed.map((t) => [t.kind, t.refs, t.resolved?.path, t.problem, t.tokens.length])).toEqual([
      ["project", ["acme/web", "7"], "acme/web", undefined, 1],
      ["group", ["nope"], undefined, "could not find it: 404 Group Not Found", 0],
      ["user", ["exporter"], "exporter", undefined, 1],
    ]);
    expect(listed[2]?.serviceAccount).toBe(true);
    expect(JSON.stringify(listed)).not.toContain("glpat-");
  });

  it("stops when GitLab does not answer, and re-throws what is not GitLab's answer", async () => {
    const refs = auditTargets({ projects: ["acme/web"], groups: [], users: [] });
    const down = fake({
      listResourceTokens: async () => {
        throw new GitLabApiError({
          method: "GET",
          path: "projects/7/access_tokens",
          status: 0,
          gitlabMessage: "ECONNRESET",
        });
      },
    });
    await expect(collectTargets(down, refs)).rejects.toThrow(
      new GitLabUnreachableError("GET projects/7/access_tokens: ECONNRESET"),
    );
    const bug = fake({
      listResourceTokens: async () => {
        throw new TypeError("boom");
      },
    });
    await expect(collectTargets(bug, refs)).rejects.toThrow("boom");
  });
});
