/**
 * The merge-request job's script (scripts/ci/merge-request.sh, what `tokens:preview` in
 * .gitlab-ci.yml runs), run as the job runs it, against a real stack the real engine created on the
 * sandbox — with no passphrase and no GitLab credential in its environment, only the stack's name
 * and read access to its state. It reviews against the state, judges the declarations with the real
 * policy pack on a throwaway stack, writes the report and the Code Quality file, fails on a mandatory
 * violation and passes a compliant change, without a GitLab API call, without writing the real
 * state, and without a token value or credential in anything it prints or writes.
 */
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PulumiWorkspace, REPO_ROOT, ensureEngine, type StateResource } from "../../scripts/pulumi-engine";
import { runProcess } from "../../scripts/process";
import { startSandbox, type Sandbox } from "../../sandbox";
import { codeQualityReportSchema } from "../review/helpers";

jest.setTimeout(300_000);

/** A job run takes ~25 s on 2 busy cores; one that hangs is stopped and fails its test. */
const JOB_TIMEOUT_MS = 150_000;
const SCRIPT = path.join(REPO_ROOT, "scripts", "ci", "merge-request.sh");
const STACK = "prod";
const ACCESS_TOKEN = "pulumi-nodejs:dynamic/gitlab-tokens:AccessToken";

const token = (key: string, body: string) =>
  `  ${key}:\n${body
    .trim()
    .split("\n")
    .map((l) => `    ${l.trim()}`)
    .join("\n")}\n`;

const WEB = (description: string, extra = "") =>
  token(
    "web-pull",
    `kind: project
    project: acme/web
    scopes: [read_registry, read_repository]
    accessLevel: reporter
    lifetimeDays: 60
    description: ${description}
    owner: team-web
    ${extra}
    deliverTo:
      - { project: acme/web, variable: WEB_PULL_TOKEN }`,
  );
const GROUP = token(
  "group-read",
  `kind: group
  group: acme
  scopes: [read_api]
  accessLevel: reporter
  lifetimeDays: 60
  description: Reads dependency metadata for the SBOM job
  owner: team-platform
  deliverTo:
    - { group: acme, variable: GROUP_READ_TOKEN }`,
);
const SERVICE = token(
  "svc-read",
  `kind: personal
  user: provisioner
  serviceAccount: true
  scopes: [read_api]
  lifetimeDays: 60
  description: Service account token for the inventory export
  owner: team-security`,
);
const NEW_COMPLIANT = token(
  "api-read",
  `kind: project
  project: acme/api
  scopes: [read_repository]
  accessLevel: reporter
  lifetimeDays: 30
  description: Reads the api sources for the docs build
  owner: team-api`,
);

/** What main holds: the declarations `pulumi up` applied. */
const MAIN = `defaults: { rotateBeforeDays: 14 }\ntokens:\n${WEB("Pulls images for the web deploy job")}${GROUP}${SERVICE}`;
/** A compliant merge request: one token's description changes (a rotation), one token is added. */
const COMPLIANT = `defaults: { rotateBeforeDays: 14 }\ntokens:\n${WEB("Pulls images and sources for the web deploy job")}${GROUP}${SERVICE}${NEW_COMPLIANT}`;
/** A merge request breaking three mandatory rules: 120 days, `api` without a justification, Owner. */
const VIOLATING = `defaults: { rotateBeforeDays: 14 }\ntokens:\n${WEB(
  "Pulls images for the web deploy job",
).replace(
  "lifetimeDays: 60",
  "lifetimeDays: 120",
)}${GROUP.replace("scopes: [read_api]", "scopes: [api]")}${SERVICE}${NEW_COMPLIANT.replace(
  "accessLevel: reporter",
  "accessLevel: owner",
)}`;
const VIOLATIONS = [
  ["web-pull", "gitlab-token-max-lifetime"],
  ["group-read", "gitlab-token-least-privilege-scopes"],
  ["api-read", "gitlab-token-access-level"],
] as const;

/** The job's checkout: the repository's files (linked) and the merge request's own tokens.yaml. */
const LINKED = [
  "Pulumi.yaml",
  "index.ts",
  "package.json",
  "tsconfig.json",
  "tsconfig.pulumi.json",
  "commands",
  "components",
  "dist",
  "node_modules",
  "policies",
  "scripts",
];

interface JobRun {
  code: number;
  output: string;
  report: string;
  qualityText: string;
  preview: string;
  /** Every file the job left in its folder (outside the linked repository files), concatenated. */
  written: string;
  apiCalls: number;
  seconds: number;
}

let tmp: string;
let sandbox: Sandbox;
let ws: PulumiWorkspace;
let checkout: string;
let secrets: { name: string; value: string }[] = [];
let stateBefore: string;
const runs: JobRun[] = [];

/** Token resources of the real stack, with their values decrypted (`--show-secrets`). */
async function tokensInState(): Promise<StateResource[]> {
  const r = await ws.runOk(["stack", "export", "--show-secrets", "--stack", STACK]);
  const reveal = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(reveal);
    if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (typeof o.plaintext === "string" && "4dabf18193072939515e22adb298388d" in o)
        return JSON.parse(o.plaintext) as unknown;
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, reveal(x)]));
    }
    return v;
  };
  const d = reveal(JSON.parse(r.stdout)) as { deployment: { resources?: StateResource[] } };
  return (d.deployment.resources ?? []).filter((x) => x.type === ACCESS_TOKEN);
}

function stateDigest(): string {
  return crypto.createHash("sha256").update(ws.readStateFiles()).digest("hex");
}

/** The job's environment: the stack's name and its backend (read access); nothing secret. */
function jobEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: `${ensureEngine()}${path.delimiter}${process.env.PATH ?? ""}`,
    HOME: process.env.HOME ?? os.homedir(),
    PULUMI_HOME: path.join(tmp, "job-pulumi-home"),
    PULUMI_STACK: STACK,
    PULUMI_BACKEND_URL: `file://${ws.stateDir}`,
    GITLAB_BASE_URL: sandbox.url,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    NO_COLOR: "1",
    // The sandbox's frozen clock, for the review and the providers alike.
    GITLAB_TOKENS_NOW: sandbox.now().toISOString(),
    ...extra,
  };
}

function walk(dir: string, skip: Set<string>): string[] {
  const files: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) files.push(...walk(p, new Set()));
    else if (e.isFile()) files.push(p);
  }
  return files;
}

/** Runs the job's script in the checkout with `declarations` as the merge request's tokens.yaml. */
async function runJob(declarations: string, env = jobEnv()): Promise<JobRun> {
  fs.rmSync(path.join(checkout, "review-out"), { recursive: true, force: true });
  fs.writeFileSync(path.join(checkout, "tokens.yaml"), declarations);
  sandbox.resetCounters();
  const start = Date.now();
  // Its own process group, so a job that hangs is stopped whole, like a job that times out.
  const { code, output } = await runProcess("bash", [SCRIPT], {
    cwd: checkout,
    env,
    detached: true,
    timeoutMs: JOB_TIMEOUT_MS,
  });
  const read = (f: string) => {
    const p = path.join(checkout, "review-out", f);
    return fs.existsSync(p) ? fs.readFileSync(p, "utf8") : "";
  };
  const written = walk(checkout, new Set(LINKED))
    .map((f) => `${path.relative(checkout, f)}\n${fs.readFileSync(f, "utf8")}`)
    .join("\n");
  const run: JobRun = {
    code,
    output,
    report: read("report.md"),
    qualityText: read("gl-code-quality-report.json"),
    preview: read("preview.txt"),
    written,
    apiCalls: sandbox.counters().total,
    seconds: (Date.now() - start) / 1000,
  };
  runs.push(run);
  return run;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gitlab-tokens-ci-"));
  checkout = path.join(tmp, "checkout");
  fs.mkdirSync(checkout);
  for (const name of LINKED) fs.symlinkSync(path.join(REPO_ROOT, name), path.join(checkout, name));
  fs.writeFileSync(path.join(checkout, "tokens.yaml"), MAIN);

  // The real stack, as the default branch's `pulumi up` leaves it: a passphrase-encrypted stack
  // holding the tokens' values, its Pulumi.prod.yaml (with the encrypted credential) in the repository.
  sandbox = await startSandbox({ freezeClock: true });
  ws = PulumiWorkspace.create({ root: path.join(tmp, "real"), projectDir: checkout, stack: STACK });
  await ws.stackInit();
  await ws.setConfig("gitlab-tokens:baseUrl", sandbox.url);
  await ws.setConfig("gitlab-tokens:rotationEpoch", "2026-q3");
  await ws.setConfig("gitlab-tokens:token", sandbox.adminToken, { secret: true });
  const up = await ws.up([], { GITLAB_TOKENS_NOW: sandbox.now().toISOString() });
  if (up.code !== 0) throw new Error(`pulumi up failed:\n${up.stdout}\n${up.stderr}`);
  fs.copyFileSync(ws.configFile, path.join(checkout, `Pulumi.${STACK}.yaml`));

  const values = (await tokensInState()).map((r) => r.outputs?.token);
  secrets = [
    ...values.map((v, i) => ({ name: `token value #${i + 1}`, value: String(v) })),
    { name: "the sandbox admin token", value: sandbox.adminToken },
    { name: "the stack's passphrase", value: ws.passphrase },
  ];
  stateBefore = stateDigest();
});

afterAll(async () => {
  await sandbox?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

it("has a real stack to review: three tokens whose values are encrypted in state", () => {
  expect(secrets.filter((s) => s.name.startsWith("token value"))).toHaveLength(3);
  for (const s of secrets) expect(s.value).toMatch(/^\S{8,}$/);
  const state = ws.readStateFiles();
  for (const s of secrets) expect(state).not.toContain(s.value);
});

it("can export the real stack's state with no passphrase: token values stay ciphertext", () => {
  const r = spawnSync(
    path.join(ensureEngine(), "pulumi"),
    ["stack", "export", "--stack", STACK, "--non-interactive"],
    {
      cwd: checkout,
      env: jobEnv(),
      encoding: "utf8",
    },
  );
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
  fs.writeFileSync(path.join(tmp, "export.json"), r.stdout);
  const exported = JSON.parse(r.stdout) as { deployment: { resources?: StateResource[] } };
  const tokens = (exported.deployment.resources ?? []).filter((x) => x.type === ACCESS_TOKEN);
  expect(tokens).toHaveLength(3);
  for (const t of tokens)
    expect(t.outputs?.token).toEqual(expect.objectContaining({ ciphertext: expect.any(String) }));
  for (const s of secrets) expect(r.stdout).not.toContain(s.value);
});

it("refuses to run when the passphrase or the GitLab credential is visible to it", async () => {
  for (const name of ["PULUMI_CONFIG_PASSPHRASE", "GITLAB_TOKEN"]) {
    const value = name === "GITLAB_TOKEN" ? sandbox.adminToken : ws.passphrase;
    const r = await runJob(MAIN, jobEnv({ [name]: value }));
    expect(r.code).toBe(3);
    expect(r.output).toContain(`error: ${name} is visible to this merge-request job.`);
    expect(r.output).not.toContain(value);
    expect(r.report).toBe("");
  }
});

describe("a compliant merge request", () => {
  let r: JobRun;
  beforeAll(async () => {
    r = await runJob(COMPLIANT);
  });

  it("passes: the review against the real state and the policy pack on a throwaway stack", () => {
    expect({ code: r.code, output: r.output }).toEqual({ code: 0, output: expect.any(String) });
    // The review read the real stack's state with no passphrase: it knows which tokens exist.
    expect(r.output).toContain(`gitlab-tokens review of tokens.yaml against stack ${STACK}`);
    expect(r.output).toContain("4 tokens; 1 new, 1 rotated, 0 updated, 0 revoked, 2 unchanged");
    expect(r.output).toContain("0 blocking (mandatory violations and errors)");
    expect(r.report).toContain(`## Changes against stack \`${STACK}\``);
    // The throwaway stack got the real stack's plain config and none of its encrypted values.
    expect(r.output).toContain(
      `config from Pulumi.${STACK}.yaml: gitlab-tokens:baseUrl, gitlab-tokens:rotationEpoch`,
    );
    expect(r.output).toContain("not copied (encrypted, not needed by a preview): gitlab-tokens:token");
    // The real pack judged all four declarations, each a create on the throwaway stack.
    expect(r.preview).toMatch(/Policy Packs run:\s+Name\s+Version\s+gitlab-tokens\|local\|policies\s/);
    expect(r.preview.match(/\+ pulumi-nodejs:dynamic\/gitlab-tokens:AccessToken: \(create\)/g)).toHaveLength(
      4,
    );
    expect(r.preview).not.toContain("[mandatory]");
    expect(codeQualityReportSchema.parse(JSON.parse(r.qualityText))).toEqual([]);
  });

  it("makes no GitLab API call and leaves the real state and the job's folder as they were", () => {
    expect(r.apiCalls).toBe(0);
    expect(stateDigest()).toBe(stateBefore);
    expect(fs.readdirSync(checkout).sort()).toEqual(
      [...LINKED, `Pulumi.${STACK}.yaml`, "review-out", "tokens.yaml"].sort(),
    );
    expect(fs.readdirSync(path.join(checkout, "review-out")).sort()).toEqual([
      "gl-code-quality-report.json",
      "preview.txt",
      "report.md",
    ]);
  });
});

it("reviews against an export file with no access to the backend at all (GITLAB_TOKENS_REVIEW_STATE)", async () => {
  const exportFile = path.join(tmp, "export.json");
  const r = await runJob(
    COMPLIANT,
    jobEnv({
      GITLAB_TOKENS_REVIEW_STATE: exportFile,
      PULUMI_BACKEND_URL: `file://${path.join(tmp, "no-backend-here")}`,
    }),
  );
  expect({ code: r.code, output: r.output }).toEqual({ code: 0, output: expect.any(String) });
  expect(r.output).toContain(`gitlab-tokens review of tokens.yaml against state file ${exportFile}`);
  expect(r.output).toContain("4 tokens; 1 new, 1 rotated, 0 updated, 0 revoked, 2 unchanged");
  expect(r.apiCalls).toBe(0);
  expect(fs.existsSync(path.join(tmp, "no-backend-here"))).toBe(false);
});

describe("a merge request that breaks mandatory rules", () => {
  let r: JobRun;
  beforeAll(async () => {
    r = await runJob(VIOLATING);
  });

  it("fails, and the review and the policy preview both report every violation", () => {
    expect(r.code).toBe(1);
    expect(r.output).toContain("review: exit 1");
    expect(r.output).toMatch(/policy preview: exit [1-9]/);
    expect(r.output).toContain("3 blocking (mandatory violations and errors)");
    const quality = codeQualityReportSchema.parse(JSON.parse(r.qualityText));
    expect(quality.map((i) => i.check_name).sort()).toEqual(VIOLATIONS.map(([, id]) => id).sort());
    expect(quality.every((i) => i.location.path === "tokens.yaml")).toBe(true);
    for (const [key, id] of VIOLATIONS) {
      expect(r.output).toMatch(new RegExp(`^tokens\\.yaml:\\d+: ${id}: .*'${key}'`, "m"));
      expect(r.report).toContain(id);
      expect(r.preview).toMatch(new RegExp(`\\[mandatory\\][^\\n]*  ${id}  \\([^)]*: ${key}\\)`));
    }
    expect(r.preview.match(/\[mandatory\]/g)).toHaveLength(VIOLATIONS.length);
  });

  it("makes no GitLab API call and does not write the real state", () => {
    expect(r.apiCalls).toBe(0);
    expect(stateDigest()).toBe(stateBefore);
  });
});

it("never prints or writes a token value, the GitLab credential or the stack's passphrase", () => {
  expect(runs.length).toBeGreaterThanOrEqual(4);
  for (const run of runs) {
    for (const text of [run.output, run.written]) {
      for (const s of secrets) {
        if (text.includes(s.value)) throw new Error(`the job's output or files contain ${s.name}`);
      }
    }
  }
  console.log(`job runs: ${runs.map((x) => `${x.seconds.toFixed(1)}s`).join(", ")}`);
});
