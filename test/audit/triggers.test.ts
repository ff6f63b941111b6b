/**
 * `npm run audit` on pipeline trigger tokens, against the sandbox over real HTTP: a project's
 * triggers are listed beside its access tokens; a managed one is matched to its declaration by its
 * description (a trigger has no name); one without any expiry is a max-lifetime finding; on a
 * GitLab without trigger expiry, a managed one is held to its declared lifetime, and one still
 * active past it is a finding.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startSandbox, type Sandbox } from "../../sandbox";
import type { AuditedToken } from "../../commands/audit";
import { runAudit, type Run } from "./helpers";

const NOW = "2030-04-11T12:00:00.000Z";
const MARK = (n: number) => `[gitlab-tokens:AAAAAAAAAAAAAAA${n}.abcdefg]`;

const DECLARATIONS = `tokens:
  nightly:
    kind: trigger
    project: acme/web
    description: Starts the nightly pipeline
    owner: team-web
    lifetimeDays: 30
  weekly:
    kind: trigger
    project: acme/api
    description: Starts the weekly pipeline
    owner: team-api
    lifetimeDays: 30
  monthly:
    kind: trigger
    project: acme/api
    description: Starts the monthly pipeline
    owner: team-api
    lifetimeDays: 30
`;

let sandbox: Sandbox;
let dir: string;
let run: Run;
const values: string[] = [];

async function trigger(project: string, description: string, expiresAt?: string): Promise<void> {
  const res = await fetch(`${sandbox.url}/api/v4/projects/${encodeURIComponent(project)}/triggers`, {
    method: "POST",
    headers: { "PRIVATE-TOKEN": sandbox.adminToken, "content-type": "application/json" },
    body: JSON.stringify({ description, ...(expiresAt ? { expires_at: expiresAt } : {}) }),
  });
  const body = (await res.json()) as { token: string };
  if (res.status !== 201) throw new Error(`POST triggers: ${res.status}`);
  values.push(body.token);
}

const byDescription = (d: string): AuditedToken => {
  const t = run.inventory?.tokens.find((x) => x.kind === "trigger" && x.description === d);
  if (!t) throw new Error(`no trigger described ${d}`);
  return t;
};
const codes = (t: AuditedToken) => t.findings.map((f) => `${f.status}:${f.policy}:${f.code}`);

beforeAll(async () => {
  sandbox = await startSandbox({ now: "2030-03-01T12:00:00Z", freezeClock: true });
  // Made on a GitLab without trigger expiry, 41 days ago: its 30-day lifetime is over, yet it works.
  sandbox.updateSettings({ triggerTokenExpiration: false });
  await trigger("acme/api", `Starts the weekly pipeline ${MARK(1)}`, "2030-03-31");
  sandbox.setNow(NOW);
  await trigger("acme/api", `Starts the monthly pipeline ${MARK(2)}`, "2030-05-11");
  sandbox.updateSettings({ triggerTokenExpiration: true });
  await trigger("acme/web", `Starts the nightly pipeline ${MARK(3)}`, "2030-05-11");
  await trigger("acme/web", "legacy deploy hook");
  values.push(sandbox.adminToken);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-triggers-"));
  fs.writeFileSync(path.join(dir, "tokens.yaml"), DECLARATIONS);
  run = await runAudit(dir, [], {
    GITLAB_BASE_URL: sandbox.url,
    GITLAB_TOKEN: sandbox.adminToken,
    GITLAB_TOKENS_NOW: NOW,
  });
});
afterAll(async () => {
  await sandbox?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

it("lists a project's trigger tokens and tells managed from unmanaged by their description", () => {
  const triggers = run.inventory?.tokens.filter((t) => t.kind === "trigger") ?? [];
  expect(triggers.map((t) => [t.description, t.target, t.managed]).sort()).toEqual([
    ["Starts the monthly pipeline", "acme/api", true],
    ["Starts the nightly pipeline", "acme/web", true],
    ["Starts the weekly pipeline", "acme/api", true],
    ["legacy deploy hook", "acme/web", false],
  ]);
  expect(byDescription("Starts the nightly pipeline")).toMatchObject({
    key: "nightly",
    scopes: [],
    expiresAt: "2030-05-11",
  });
  expect(run.inventory?.missing).toEqual([]);
});

it("holds a compliant managed trigger to every rule and finds nothing", () => {
  expect(codes(byDescription("Starts the nightly pipeline"))).toEqual([]);
  // Made on a GitLab without trigger expiry, within its declared lifetime.
  expect(codes(byDescription("Starts the monthly pipeline"))).toEqual([]);
});

it("reports a trigger without any expiry (nothing rotates or expires it)", () => {
  const legacy = byDescription("legacy deploy hook");
  expect(codes(legacy)).toEqual([
    "violation:gitlab-token-max-lifetime:no-expiry",
    "violation:gitlab-token-rotation-window:rotation-not-configured",
    "violation:gitlab-token-ownership:no-owner",
  ]);
  expect(legacy.findings[0]?.message).toContain("has no expiry (expires_at is null)");
});

it("reports a managed trigger still active past its declared lifetime on a GitLab without trigger expiry", () => {
  const weekly = byDescription("Starts the weekly pipeline");
  expect(codes(weekly)).toContain("violation:gitlab-token-max-lifetime:past-lifetime");
  const f = weekly.findings.find((x) => x.code === "past-lifetime");
  expect(f?.message).toMatch(/is still active after its declared lifetime ended \(2030-03-31\)/);
  expect(run.code).toBe(1);
});

it("never writes a trigger value or the credential", () => {
  for (const v of values) {
    for (const [where, text] of Object.entries({
      stdout: run.stdout,
      stderr: run.stderr,
      report: run.report,
      json: run.json,
    })) {
      if (text.includes(v)) throw new Error(`a secret (${v.slice(0, 8)}…) appears in ${where}`);
    }
  }
});
