/**
 * The conformance harness: GitLab's own Go client (gitlab.com/gitlab-org/api/client-go, pinned in
 * go/go.mod) and python-gitlab (Debian's python3-gitlab) run named scenarios against a started
 * sandbox and report what they saw as JSON; clients.test.ts compares it with GitLab's behaviour.
 *
 * Each client gets a sandbox of its own, started from the same seed at the same frozen time, so the
 * two runs cannot disturb each other and the expected values are the same for both.
 * docs/conformance.md ("Adding a scenario") says how to add a scenario.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Sandbox, type SeedFile, startSandbox } from "../../sandbox";
import { runProcess } from "../../scripts/process";

export type ClientName = "go" | "python";
export const CLIENTS: readonly ClientName[] = ["go", "python"];

const HERE = __dirname;
const GO_DIR = path.join(HERE, "go");
const PYTHON_SCRIPT = path.join(HERE, "python", "conformance.py");

/** The sandbox's frozen time: every date a scenario sends or expects is relative to it. */
export const NOW = "2030-01-15T09:00:00Z";
export const TODAY = NOW.slice(0, 10);

/** `TODAY` plus `days`, as `YYYY-MM-DD`. */
export function dateAfter(days: number): string {
  return new Date(Date.parse(`${TODAY}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The seed: `root` (admin), `owner` (Owner of acme), `dev` (Developer of acme/web, the scenarios'
 * personal-token user), `pager` (a user holding `PAGED_TOKENS` tokens for the pagination scenario),
 * `auditor` (`FILTER_TOKENS`, expiring around `FILTER_PIVOT`, for the list filters), `maint`
 * (Maintainer of acme/web: what a token's access level allows its creator).
 */
export const FILTER_PIVOT = "2030-02-14";
export const FILTER_TOKENS = [
  { name: "alpha", scopes: ["read_api"], expiresAt: "2030-01-25" },
  { name: "beta", scopes: ["read_api"], expiresAt: FILTER_PIVOT },
  { name: "gamma", scopes: ["read_api"], expiresAt: "2030-03-16" },
  { name: "old-beta", scopes: ["read_api"], expiresAt: FILTER_PIVOT, revoked: true },
];
export const CONFORMANCE_SEED: SeedFile = {
  users: [
    { username: "root", name: "Administrator", admin: true },
    { username: "owner", name: "Olivia Owner" },
    { username: "dev", name: "Dana Developer" },
    { username: "pager", name: "Paula Pager" },
    { username: "auditor", name: "Aude Auditor", tokens: FILTER_TOKENS },
    { username: "maint", name: "Max Maintainer" },
  ],
  groups: [{ path: "acme", name: "ACME", members: { owner: "owner", dev: "developer" } }],
  projects: [{ path: "acme/web", name: "Web", members: { dev: "developer", maint: "maintainer" } }],
};
export const PAGED_TOKENS = 7;

/** What a scenario run is given (CONFORMANCE_CONTEXT). Token values stay out of every report. */
export interface ScenarioContext {
  url: string;
  /** credential name -> token value: `admin`, `owner` (acme's Owner), `developer`, `maintainer` (of acme/web). */
  tokens: Record<string, string>;
  users: Record<string, number>;
  today: string;
  /** Per scenario name, its inputs (the table's `inputs`). */
  inputs: Record<string, Record<string, unknown>>;
}

export interface ClientSandbox {
  sandbox: Sandbox;
  context: ScenarioContext;
}

/** Starts a sandbox with the seed and the credentials and tokens the scenarios use. */
export async function startClientSandbox(
  inputs: Record<string, (users: Record<string, number>) => Record<string, unknown>>,
): Promise<ClientSandbox> {
  const sandbox = await startSandbox({ seed: CONFORMANCE_SEED, now: NOW, freezeClock: true });
  const users: Record<string, number> = {};
  for (const u of CONFORMANCE_SEED.users ?? []) users[u.username] = sandbox.user(u.username)?.id ?? 0;
  const long = { scopes: ["api"], expiresAt: dateAfter(300) };
  const tokens = {
    admin: sandbox.adminToken,
    owner: sandbox.mintPersonalToken("owner", { name: "conformance-owner", ...long }).token,
    developer: sandbox.mintPersonalToken("dev", { name: "conformance-developer", ...long }).token,
    maintainer: sandbox.mintPersonalToken("maint", { name: "conformance-maintainer", ...long }).token,
  };
  for (let i = 1; i <= PAGED_TOKENS; i += 1) {
    sandbox.mintPersonalToken("pager", {
      name: `paged-${i}`,
      scopes: ["read_api"],
      expiresAt: dateAfter(90),
    });
  }
  const context: ScenarioContext = {
    url: sandbox.url,
    tokens,
    users,
    today: TODAY,
    inputs: Object.fromEntries(Object.entries(inputs).map(([name, f]) => [name, f(users)])),
  };
  return { sandbox, context };
}

/** What one scenario reported. */
export interface ScenarioResult {
  observed?: Record<string, unknown>;
  error?: string;
}

export interface ClientRun {
  results: Record<string, ScenarioResult>;
  /** Everything the client printed (stdout and stderr), for the no-token-value check. */
  output: string;
}

/**
 * Builds the Go harness (downloads client-go through the Go module proxy on a cold module cache;
 * go.sum pins it) into a temporary folder and returns the binary's path.
 */
export async function buildGoHarness(): Promise<string> {
  const sources = fs
    .readdirSync(GO_DIR)
    .filter((f) => /\.(go|mod|sum)$/.test(f))
    .sort()
    .map((f) => fs.readFileSync(path.join(GO_DIR, f), "utf8"))
    .join("\0");
  const hash = crypto.createHash("sha256").update(sources).digest("hex").slice(0, 12);
  const dir = path.join(os.tmpdir(), `gitlab-tokens-conformance-${hash}`);
  const binary = path.join(dir, "conformance");
  if (fs.existsSync(binary)) return binary;
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${binary}.${process.pid}`;
  // -mod=readonly: go.mod and go.sum as committed, nothing resolved anew; -buildvcs=false: no
  // version-control stamp (the binary is a test tool).
  const r = await runProcess("go", ["build", "-mod=readonly", "-buildvcs=false", "-o", tmp, "."], {
    cwd: GO_DIR,
    env: { ...process.env, CGO_ENABLED: "0" },
  });
  if (r.code !== 0) throw new Error(`${r.command} in ${GO_DIR} failed (exit ${r.code}):\n${r.output}`);
  fs.renameSync(tmp, binary);
  return binary;
}

/**
 * The Python with python-gitlab: GITLAB_TOKENS_PYTHON, else Debian's /usr/bin/python3 (where
 * `apt-get install python3-gitlab` puts it), else `python3` on the PATH. Fails, naming the fix,
 * when none imports `gitlab`.
 */
export async function findPython(): Promise<{ python: string; version: string }> {
  const candidates = [process.env.GITLAB_TOKENS_PYTHON, "/usr/bin/python3", "python3"].filter(
    (c): c is string => !!c,
  );
  const tried: string[] = [];
  for (const python of candidates) {
    try {
      const r = await runProcess(python, ["-c", "import gitlab; print(gitlab.__version__)"], { cwd: HERE });
      if (r.code === 0) return { python, version: r.stdout.trim() };
      tried.push(`${python}: ${r.stderr.trim().split("\n").pop() ?? ""}`);
    } catch (e) {
      tried.push(`${python}: ${(e as Error).message}`);
    }
  }
  throw new Error(
    `no Python with python-gitlab (run scripts/system-install.sh, or apt-get install python3-gitlab; ` +
      `GITLAB_TOKENS_PYTHON names another interpreter). Tried: ${tried.join("; ")}`,
  );
}

/** Runs the scenarios with one client against its sandbox. */
export async function runClient(
  command: string[],
  context: ScenarioContext,
  scenarios: readonly string[],
): Promise<ClientRun> {
  const [bin, ...args] = command;
  const r = await runProcess(bin ?? "", [...args, ...scenarios], {
    cwd: HERE,
    env: { ...process.env, CONFORMANCE_CONTEXT: JSON.stringify(context), PYTHONDONTWRITEBYTECODE: "1" },
  });
  if (r.code !== 0) throw new Error(`${r.command} exited ${r.code}:\n${r.output}`);
  let results: Record<string, ScenarioResult>;
  try {
    results = JSON.parse(r.stdout) as Record<string, ScenarioResult>;
  } catch {
    throw new Error(`${r.command} printed no JSON:\n${r.output}`);
  }
  return { results, output: r.output };
}

export function clientCommand(client: ClientName, goBinary: string, python: string): string[] {
  return client === "go" ? [goBinary] : [python, PYTHON_SCRIPT];
}
