/**
 * The CI template (.gitlab-ci.yml) run as GitLab runs it: gitlab-ci-local 4.65.1 with the shell
 * executor, the real Pulumi engine and the sandbox GitLab, on a project whose repository lives on the
 * sandbox and whose stack settings were made on a laptop and committed (Pulumi.prod.yaml).
 *
 *   1. first-time setup on the laptop, as docs/ci.md has it: `pulumi login`, `stack init`, `config
 *      set gitlab-tokens:baseUrl`, commit Pulumi.prod.yaml; the CI/CD variables: PULUMI_STACK and
 *      PULUMI_BACKEND_URL for every job, PULUMI_CONFIG_PASSPHRASE and GITLAB_TOKEN scoped to the
 *      environment `gitlab-tokens`;
 *   2. the default-branch pipeline: `tokens:up` creates the tokens and delivers them;
 *   3. two merge-request pipelines, with no secret visible to `tokens:preview`: one breaking
 *      mandatory policies (fails, the report and the Code Quality file are written), one compliant
 *      (passes); neither calls GitLab;
 *   4. an incident handled from the laptop: `rotationEpoch` set and applied, Pulumi.prod.yaml
 *      committed;
 *   5. the schedule pipeline 25 days later (the sandbox clock moved with `PUT /-/sandbox/clock`, the
 *      runner machine's clock with libfaketime; GITLAB_TOKENS_NOW is not set anywhere): the token in
 *      its rotation window is rotated, the other one is kept (the committed rotationEpoch is seen).
 *
 * Every job runs the template's own before_script, `npm ci` included: its npm cache (`.npm/`, which
 * GitLab's `cache:` restores) starts as a copy of this machine's npm cache, so `npm ci
 * --prefer-offline` installs without downloading. No token value, credential or passphrase may appear
 * in any job log.
 *
 * Two sizes. `npm test` runs the small one: steps 1-2 and the violating merge request of step 3 —
 * the credential's path and the policy gate (~2.5 minutes). `npm run test:pipelines`
 * (GITLAB_TOKENS_PIPELINES=all), which `.ci/run` also runs, runs all of it: 5.4 minutes on 2
 * otherwise idle cores (four pipelines of 53-78 s each: `npm ci`, `npm run build`, pulumi), 10
 * minutes with other tests running beside it. Needs git, rsync (gitlab-ci-local copies the checkout
 * with it) and libfaketime (Debian: faketime); scripts/system-install.sh installs them.
 */
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../scripts/pulumi-engine";
import { startSandbox, type Sandbox } from "../../sandbox";
import { codeQualityReportSchema } from "../review/helpers";
import { CiProject, DEFAULT_BRANCH, copyProjectFiles, git, type PipelineRun } from "./pipeline-harness";

/** One pipeline: `npm ci`, `npm run build` and pulumi, ~1-2 minutes on 2 busy cores. */
const PIPELINE_TIMEOUT_MS = 360_000;
jest.setTimeout(PIPELINE_TIMEOUT_MS + 60_000);

/** The whole suite, or (unset) the small size that `npm test` runs. */
const SIZE = process.env.GITLAB_TOKENS_PIPELINES ?? "small";
if (SIZE !== "small" && SIZE !== "all") {
  throw new Error(`GITLAB_TOKENS_PIPELINES is "${SIZE}": "all" runs every pipeline, unset the small size`);
}

const STACK = "prod";
const CLOCK_ADVANCE_DAYS = 25;
const EPOCH = "incident-2026-12";

const token = (key: string, body: string) =>
  `  ${key}:\n${body
    .trim()
    .split("\n")
    .map((l) => `    ${l.trim()}`)
    .join("\n")}\n`;
/** Rotation window from day 23 (30 - 7): inside it after 25 days. */
const WEB = token(
  "web-deploy",
  `kind: project
  project: acme/web
  scopes: [read_registry, read_repository]
  accessLevel: reporter
  lifetimeDays: 30
  rotateBeforeDays: 7
  description: Pulls images for the web deploy job
  owner: team-web
  deliverTo:
    - { project: acme/web, variable: WEB_DEPLOY_TOKEN }`,
);
/** Rotation window from day 66 (80 - 14): not yet after 25 days. */
const SBOM = token(
  "sbom-read",
  `kind: group
  group: acme
  scopes: [read_api]
  accessLevel: reporter
  lifetimeDays: 80
  rotateBeforeDays: 14
  description: Reads dependency metadata for the SBOM job
  owner: team-platform
  deliverTo:
    - { group: acme, variable: SBOM_READ_TOKEN }`,
);
const API = token(
  "api-read",
  `kind: project
  project: acme/api
  scopes: [read_repository]
  accessLevel: reporter
  lifetimeDays: 30
  description: Reads the api sources for the docs build
  owner: team-api`,
);
const MAIN = `tokens:\n${WEB}${SBOM}`;
const COMPLIANT = `tokens:\n${WEB}${SBOM}${API}`;
/** 120 days, `api` without a justification, an Owner token: three mandatory rules broken. */
const VIOLATING = `tokens:\n${WEB.replace("lifetimeDays: 30", "lifetimeDays: 120")}${SBOM.replace(
  "scopes: [read_api]",
  "scopes: [api]",
)}${API.replace("accessLevel: reporter", "accessLevel: owner")}`;
const VIOLATIONS = [
  "gitlab-token-access-level",
  "gitlab-token-least-privilege-scopes",
  "gitlab-token-max-lifetime",
] as const;

/** A merge request's pipeline: GitLab's merge-request variables; no CI_COMMIT_BRANCH in them. */
const mergeRequest = (branch: string, iid: number) => ({
  variables: {
    CI_PIPELINE_SOURCE: "merge_request_event",
    CI_MERGE_REQUEST_IID: String(iid),
    CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: branch,
    CI_MERGE_REQUEST_TARGET_BRANCH_NAME: DEFAULT_BRANCH,
    CI_MERGE_REQUEST_EVENT_TYPE: "detached",
  },
  unset: ["CI_COMMIT_BRANCH"],
  timeoutMs: PIPELINE_TIMEOUT_MS,
});

let tmp: string;
let sandbox: Sandbox;
let project: CiProject;
const passphrase = crypto.randomBytes(24).toString("base64url");
/** Every value that must never be printed: token values are added as the test meets them. */
const secrets = new Map<string, string>();
const pipelines: { name: string; run: PipelineRun }[] = [];

interface Delivered {
  id: number;
  value: string;
  active: boolean;
}
/** The token each CI/CD variable holds now, as GitLab (the sandbox) has it. */
function delivered(): { web: Delivered; sbom: Delivered } {
  const at = (kind: "project" | "group", target: string, key: string): Delivered => {
    const value = sandbox.variableValue(kind, target, key);
    if (!value) throw new Error(`${target}:${key} holds no value`);
    secrets.set(`the value of ${target}:${key} (${value.length} characters)`, value);
    const t = sandbox.findTokenByValue(value);
    if (!t) throw new Error(`${target}:${key} holds no token GitLab knows`);
    return { id: t.id, value, active: sandbox.tokenStatus(value) === "active" };
  };
  return {
    web: at("project", "acme/web", "WEB_DEPLOY_TOKEN"),
    sbom: at("group", "acme", "SBOM_READ_TOKEN"),
  };
}

/** Tokens GitLab holds for a name, active first. */
const tokensNamed = (name: string) =>
  sandbox
    .listTokens()
    .filter((t) => t.name === name)
    .sort((a, b) => Number(b.active) - Number(a.active));

async function runPipeline(name: string, ref: string, opts: Parameters<CiProject["runPipeline"]>[1]) {
  sandbox.resetCounters();
  const run = await project.runPipeline(ref, opts);
  pipelines.push({ name, run });
  const tail = run.code === 0 ? "" : `; its output ends:\n${run.output.split("\n").slice(-40).join("\n")}`;
  console.log(
    `pipeline "${name}": ${run.seconds.toFixed(1)}s, jobs ${run.jobs.join(", ")}, exit ${run.code}${tail}`,
  );
  return { run, apiCalls: sandbox.counters().total };
}

function expectNoSecretIn(run: PipelineRun, extra: string[] = []) {
  expect(Object.keys(run.logs)).not.toHaveLength(0);
  for (const text of [run.output, ...Object.values(run.logs), ...extra]) {
    for (const [what, value] of secrets) {
      if (text.includes(value)) throw new Error(`a job log or output contains ${what}`);
    }
  }
}

const read = (rel: string) => {
  const p = path.join(project.build, rel);
  return fs.existsSync(p) ? fs.readFileSync(p, "utf8") : undefined;
};

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gitlab-tokens-pipelines-"));
  sandbox = await startSandbox();
  secrets.set("the provisioning credential (GITLAB_TOKEN)", sandbox.adminToken);
  secrets.set("the stack's passphrase", passphrase);
  const stateDir = path.join(tmp, "state");
  fs.mkdirSync(stateDir);

  project = new CiProject({
    root: tmp,
    serverUrl: sandbox.url,
    variables: {
      PULUMI_STACK: { value: STACK },
      PULUMI_BACKEND_URL: { value: `file://${stateDir}` },
      // Protected, masked, scoped to the protected environment of the apply jobs (docs/ci.md).
      PULUMI_CONFIG_PASSPHRASE: { value: passphrase, environmentScope: "gitlab-tokens" },
      GITLAB_TOKEN: { value: sandbox.adminToken, environmentScope: "gitlab-tokens" },
    },
    // This machine's npm cache, which `npm ci` of this project filled: `npm ci --prefer-offline` in
    // the jobs installs from it without downloading.
    npmCacheSeed: spawnSync("npm", ["config", "get", "cache"], { encoding: "utf8" }).stdout.trim(),
  });

  // The laptop: a clone of the project with its packages installed (linked here), and the
  // first-time setup of docs/ci.md.
  copyProjectFiles(project.laptop);
  fs.writeFileSync(path.join(project.laptop, "tokens.yaml"), MAIN);
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(project.laptop, "node_modules"), "dir");
  // .gitignore's `node_modules/` matches folders, not this link: keep it out of the laptop's commits.
  fs.appendFileSync(path.join(project.laptop, ".git", "info", "exclude"), "/node_modules\n");
  const env = { PULUMI_CONFIG_PASSPHRASE: passphrase };
  for (const args of [
    ["login", `file://${stateDir}`],
    ["stack", "init", STACK, "--secrets-provider", "passphrase"],
    ["config", "set", "gitlab-tokens:baseUrl", sandbox.url, "--stack", STACK],
  ]) {
    const r = await project.pulumi(args, env);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} failed:\n${r.output}`);
  }
  project.commitAndPush("gitlab-tokens: the prod stack and its declarations");
}, 240_000);

afterAll(async () => {
  await sandbox?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  console.log(`pipelines: ${pipelines.map((p) => `${p.name} ${p.run.seconds.toFixed(1)}s`).join(", ")}`);
});

it("commits the stack settings made on the laptop (Pulumi.prod.yaml is not ignored)", () => {
  const tracked = git(project.laptop, "ls-files", `Pulumi.${STACK}.yaml`);
  expect(tracked).toBe(`Pulumi.${STACK}.yaml`);
  const committed = git(project.laptop, "show", `HEAD:Pulumi.${STACK}.yaml`);
  expect(committed).toContain(`gitlab-tokens:baseUrl: ${sandbox.url}`);
  expect(committed).toMatch(/encryptionsalt: v1:/);
  for (const [what, value] of secrets) if (committed.includes(value)) throw new Error(`it holds ${what}`);
});

let afterUp: { web: Delivered; sbom: Delivered };

describe("the default-branch pipeline", () => {
  let run: PipelineRun;
  let apiCalls: number;
  beforeAll(async () => {
    ({ run, apiCalls } = await runPipeline("default branch", DEFAULT_BRANCH, {
      timeoutMs: PIPELINE_TIMEOUT_MS,
    }));
  });

  it("runs tokens:up, which creates the tokens and delivers them to their CI/CD variables", () => {
    expect({ code: run.code, jobs: run.jobs, output: run.output }).toEqual({
      code: 0,
      jobs: ["tokens:up"],
      output: expect.any(String),
    });
    const log = run.logs["tokens:up"];
    // The template's own steps: its npm ci, the pinned Node.js, the pulumi already on PATH.
    expect(log).toContain("npm ci --prefer-offline --no-audit --no-fund");
    expect(log).toMatch(/^v24\.\d+\.\d+$/m);
    // The pulumi on the runner's PATH was used: the template's install branch writes ~/.pulumi/bin.
    expect(log).toMatch(/^v3\.276\.0$/m);
    expect(fs.existsSync(path.join(project.runnerHome, ".pulumi", "bin"))).toBe(false);
    expect(log).toMatch(/Resources:\s+\+ \d+ created/);
    expect(apiCalls).toBeGreaterThan(0);
    afterUp = delivered();
    expect(afterUp.web.active && afterUp.sbom.active).toBe(true);
    expect(tokensNamed("web-deploy")).toHaveLength(1);
    expect(tokensNamed("sbom-read")).toHaveLength(1);
  });

  it("prints no credential, passphrase or token value", () => {
    expectNoSecretIn(run);
  });
});

describe("a merge request that breaks mandatory policies", () => {
  let run: PipelineRun;
  let apiCalls: number;
  beforeAll(async () => {
    git(project.laptop, "checkout", "-q", "-B", "mr-violating", DEFAULT_BRANCH);
    fs.writeFileSync(path.join(project.laptop, "tokens.yaml"), VIOLATING);
    project.commitAndPush("tokens: longer lifetimes, more scopes", "mr-violating");
    ({ run, apiCalls } = await runPipeline(
      "merge request, violating",
      "mr-violating",
      mergeRequest("mr-violating", 1),
    ));
  });

  it("fails tokens:preview, with the report and the Code Quality file written", () => {
    expect({ code: run.code, jobs: run.jobs, output: run.output }).toEqual({
      code: 1,
      jobs: ["tokens:preview"],
      output: expect.any(String),
    });
    const log = run.logs["tokens:preview"];
    expect(log).toContain("3 blocking (mandatory violations and errors)");
    const report = read("review-out/report.md");
    expect(report).toBeDefined();
    for (const id of VIOLATIONS) expect(report).toContain(id);
    const quality = codeQualityReportSchema.parse(
      JSON.parse(read("review-out/gl-code-quality-report.json") ?? "null"),
    );
    expect(quality.map((i) => i.check_name).sort()).toEqual([...VIOLATIONS]);
    expect(read("review-out/preview.txt")?.match(/\[mandatory\]/g)).toHaveLength(VIOLATIONS.length);
  });

  it("holds no secret and calls GitLab zero times", () => {
    expect(run.logs["tokens:preview"]).not.toContain("is visible to this merge-request job");
    expect(apiCalls).toBe(0);
    expectNoSecretIn(run, [read("review-out/report.md") ?? "", read("review-out/preview.txt") ?? ""]);
  });
});

// The rest runs in the whole suite only (npm run test:pipelines).
if (SIZE === "all") describeTheRest();

function describeTheRest() {
  describe("a compliant merge request", () => {
    let run: PipelineRun;
    let apiCalls: number;
    beforeAll(async () => {
      git(project.laptop, "checkout", "-q", "-B", "mr-compliant", DEFAULT_BRANCH);
      fs.writeFileSync(path.join(project.laptop, "tokens.yaml"), COMPLIANT);
      project.commitAndPush("tokens: api-read for the docs build", "mr-compliant");
      ({ run, apiCalls } = await runPipeline(
        "merge request, compliant",
        "mr-compliant",
        mergeRequest("mr-compliant", 2),
      ));
      git(project.laptop, "checkout", "-q", DEFAULT_BRANCH);
    });

    it("passes tokens:preview: reviewed against the stack's state, judged on a throwaway stack", () => {
      expect({ code: run.code, jobs: run.jobs, output: run.output }).toEqual({
        code: 0,
        jobs: ["tokens:preview"],
        output: expect.any(String),
      });
      const log = run.logs["tokens:preview"];
      expect(log).toContain(`gitlab-tokens review of tokens.yaml against stack ${STACK}`);
      expect(log).toContain("3 tokens; 1 new, 0 rotated, 0 updated, 0 revoked, 2 unchanged");
      expect(log).toContain("0 blocking (mandatory violations and errors)");
      // The committed stack file reached the job: its plain settings are copied to the throwaway stack.
      expect(log).toContain(`config from Pulumi.${STACK}.yaml: gitlab-tokens:baseUrl`);
      expect(read("review-out/report.md")).toContain(`## Changes against stack \`${STACK}\``);
      expect(
        codeQualityReportSchema.parse(JSON.parse(read("review-out/gl-code-quality-report.json") ?? "null")),
      ).toEqual([]);
    });

    it("holds no secret and calls GitLab zero times", () => {
      expect(apiCalls).toBe(0);
      expectNoSecretIn(run, [read("review-out/report.md") ?? "", read("review-out/preview.txt") ?? ""]);
    });
  });

  let afterIncident: { web: Delivered; sbom: Delivered };

  it("rotates every token from the laptop for an incident (rotationEpoch), and the setting is committed", async () => {
    git(project.laptop, "checkout", "-q", DEFAULT_BRANCH);
    const env = { PULUMI_CONFIG_PASSPHRASE: passphrase, GITLAB_TOKEN: sandbox.adminToken };
    const set = await project.pulumi(
      ["config", "set", "gitlab-tokens:rotationEpoch", EPOCH, "--stack", STACK],
      env,
    );
    expect({ code: set.code, output: set.output }).toEqual({ code: 0, output: expect.any(String) });
    const up = await project.pulumi(["up", "--yes", "--skip-preview", "--stack", STACK], env);
    expect({ code: up.code, output: up.output }).toEqual({
      code: 0,
      output: expect.stringMatching(/replaced/),
    });
    afterIncident = delivered();
    expect(afterIncident.web.id).not.toBe(afterUp.web.id);
    expect(afterIncident.sbom.id).not.toBe(afterUp.sbom.id);
    project.commitAndPush(`gitlab-tokens: rotationEpoch ${EPOCH} (incident)`);
    expect(git(project.laptop, "show", `HEAD:Pulumi.${STACK}.yaml`)).toContain(
      `gitlab-tokens:rotationEpoch: ${EPOCH}`,
    );
  });

  describe(`the schedule pipeline, ${CLOCK_ADVANCE_DAYS} days later`, () => {
    let run: PipelineRun;
    let after: { web: Delivered; sbom: Delivered };
    beforeAll(async () => {
      const r = await fetch(`${sandbox.url}/-/sandbox/clock`, {
        method: "PUT",
        headers: { "PRIVATE-TOKEN": sandbox.adminToken, "content-type": "application/json" },
        body: JSON.stringify({ advanceDays: CLOCK_ADVANCE_DAYS }),
      });
      expect(r.status).toBe(200);
      ({ run } = await runPipeline("schedule", DEFAULT_BRANCH, {
        variables: { CI_PIPELINE_SOURCE: "schedule" },
        clockOffsetDays: CLOCK_ADVANCE_DAYS,
        timeoutMs: PIPELINE_TIMEOUT_MS,
      }));
      after = delivered();
    });

    it("runs tokens:rotate, which rotates the token in its rotation window and delivers the new one", () => {
      expect({ code: run.code, jobs: run.jobs, output: run.output }).toEqual({
        code: 0,
        jobs: ["tokens:rotate"],
        output: expect.any(String),
      });
      expect(after.web.id).not.toBe(afterIncident.web.id);
      expect(after.web.active).toBe(true);
      expect(sandbox.tokenStatus(afterIncident.web.value)).toBe("revoked");
      expect(tokensNamed("web-deploy").filter((t) => t.active)).toHaveLength(1);
    });

    it("keeps the token whose window has not come: the committed rotationEpoch is the one in state", () => {
      expect(after.sbom).toEqual(afterIncident.sbom);
      expect(after.sbom.active).toBe(true);
    });

    it("would have rotated that token too without the committed setting (a preview without it)", async () => {
      // What the schedule saw before stack files were committed: the stack's config without the
      // rotationEpoch the laptop applied. The preview plans sbom-read's replacement.
      const withoutEpoch = path.join(tmp, `Pulumi.${STACK}.without-epoch.yaml`);
      const committed = fs.readFileSync(path.join(project.laptop, `Pulumi.${STACK}.yaml`), "utf8");
      fs.writeFileSync(withoutEpoch, committed.replace(/^ {2}gitlab-tokens:rotationEpoch: .*\n/m, ""));
      expect(fs.readFileSync(withoutEpoch, "utf8")).not.toContain("rotationEpoch");
      const r = await project.pulumi(["preview", "--json", "--stack", STACK, "--config-file", withoutEpoch], {
        PULUMI_CONFIG_PASSPHRASE: passphrase,
      });
      expect({ code: r.code, output: r.output }).toEqual({ code: 0, output: expect.any(String) });
      const plan = JSON.parse(r.output.slice(r.output.indexOf("{"), r.output.lastIndexOf("}") + 1)) as {
        steps?: { op: string; urn: string }[];
      };
      const replaced = (plan.steps ?? [])
        .filter((x) => ["replace", "create-replacement"].includes(x.op))
        .map((x) => x.urn)
        .filter((urn) => urn.includes("pulumi-nodejs:dynamic/gitlab-tokens:AccessToken::"));
      expect(replaced.some((urn) => urn.endsWith("::sbom-read"))).toBe(true);
    });

    it("prints no credential, passphrase or token value", () => {
      expectNoSecretIn(run);
    });
  });
}
