/**
 * The benchmark with a same-run baseline (issue 8, "Performance at the floor"): for each size N and
 * sandbox latency, two Pulumi programs run the same steps against a fresh sandbox each —
 *   - `ours`: this repository's program (index.ts) with N project tokens, one CI-variable delivery
 *     each (acme/web and acme/api in turn);
 *   - `baseline`: bench/baseline/, the thinnest dynamic resource making exactly the floor's calls.
 * Steps: create (`up`), unchanged `preview`, unchanged `up`, `refresh`, rotate all, `destroy`.
 * Each step: wall time, GitLab API calls (total and by route), peak RSS of the process tree under
 * the `pulumi` command; after create, state bytes per token and per provider shell.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startSandbox, type Sandbox } from "../sandbox";
import { PulumiWorkspace, REPO_ROOT, ensureEngine, type StateResource } from "../scripts/pulumi-engine";
import { PeakRss } from "./memory";

export const PROGRAMS = ["ours", "baseline"] as const;
export type Program = (typeof PROGRAMS)[number];

export const STEPS = ["create", "preview", "up.unchanged", "refresh", "rotate", "destroy"] as const;
export type Step = (typeof STEPS)[number];

/** The fewest GitLab API calls each step can make for N tokens with one variable each. */
export function floorCalls(step: Step, n: number): number {
  switch (step) {
    case "create":
      return 2 * n; // POST token, POST variable
    case "preview":
    case "up.unchanged":
      return 0;
    case "refresh":
      return 2 * n; // GET token, GET variable
    case "rotate":
      return 3 * n; // POST new token, PUT variable, DELETE old token
    case "destroy":
      return 2 * n; // DELETE token, DELETE variable
  }
}

export interface StepResult {
  seconds: number;
  apiCalls: number;
  byRoute: Record<string, number>;
  /** Peak RSS during the step, in KiB, of each category (sampled every 100 ms). */
  peakRssKb: { engine: number; node: number; other: number; total: number };
}

export interface StateFigures {
  /** Bytes of `pulumi stack export`'s resources that belong to one token, averaged over the N tokens. */
  bytesPerToken: number;
  /** Resources in state per token (component, token, variable...). */
  resourcesPerToken: number;
  /** Bytes of the serialised provider shell (`__provider`) per dynamic resource, inputs + outputs. */
  providerBytesPerResource: number;
  /** Bytes of the whole stack export. */
  totalBytes: number;
  /** Per resource type (component, token, variable...): resources per token and bytes per resource. */
  byType: Record<string, { perToken: number; bytesPerResource: number }>;
}

export interface RunResult {
  program: Program;
  tokens: number;
  latencyMs: number;
  steps: Record<Step, StepResult>;
  state: StateFigures;
}

export interface BenchEnvironment {
  date: string;
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  platform: string;
  node: string;
  pulumi: string;
  /** The commit benchmarked, with "+ uncommitted changes" when the working tree differs from it. */
  commit: string;
}

export interface BenchResult {
  environment: BenchEnvironment;
  sizes: number[];
  latencies: number[];
  runs: RunResult[];
}

export interface BenchOptions {
  sizes: number[];
  latencies: number[];
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

function commit(): string {
  try {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: REPO_ROOT, encoding: "utf8" }).trim();
    const dirty =
      git("status", "--porcelain", "--", ".", ":(exclude)bench/results", ":(exclude)node_modules") !== "";
    return git("rev-parse", "--short", "HEAD") + (dirty ? " + uncommitted changes" : "");
  } catch {
    return "unknown";
  }
}

export function environment(): BenchEnvironment {
  const bin = ensureEngine();
  const pulumi = execFileSync(path.join(bin, "pulumi"), ["version"], {
    encoding: "utf8",
    env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
  }).trim();
  return {
    date: new Date().toISOString(),
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
    pulumi,
    commit: commit(),
  };
}

export async function runBenchmark(opts: BenchOptions): Promise<BenchResult> {
  const log = opts.log ?? (() => undefined);
  const result: BenchResult = {
    environment: environment(),
    sizes: opts.sizes,
    latencies: opts.latencies,
    runs: [],
  };
  for (const latencyMs of opts.latencies) {
    for (const n of opts.sizes) {
      for (const program of PROGRAMS) {
        log(`${program}: N=${n}, latency ${latencyMs} ms`);
        result.runs.push(await runProgram(program, n, latencyMs, log));
      }
    }
  }
  return result;
}

const PROJECTS = ["acme/web", "acme/api"];

async function runProgram(
  program: Program,
  n: number,
  latencyMs: number,
  log: (line: string) => void,
): Promise<RunResult> {
  const sandbox = await startSandbox({ faults: latencyMs ? { latencyMs } : undefined });
  const ws =
    program === "ours"
      ? PulumiWorkspace.create({ projectDir: REPO_ROOT, stack: "bench" })
      : PulumiWorkspace.create({ stack: "bench" });
  try {
    const env = { GITLAB_BASE_URL: sandbox.url, GITLAB_TOKEN: sandbox.adminToken };
    const rotate = program === "ours" ? await setUpOurs(ws, n) : await setUpBaseline(ws, n, sandbox);
    const stackArgs = ["--stack", ws.stack, "--config-file", ws.configFile];
    const apply = ["--yes", "--skip-preview", ...stackArgs];
    const steps = {} as Record<Step, StepResult>;
    let state: StateFigures | undefined;
    for (const step of STEPS) {
      if (step === "rotate") await rotate();
      const args =
        step === "create" || step === "up.unchanged" || step === "rotate"
          ? ["up", ...apply]
          : step === "preview"
            ? ["preview", ...stackArgs]
            : [step, ...apply];
      steps[step] = await measure(ws, sandbox, step, args, env);
      log(
        `  ${step.padEnd(12)} ${steps[step].seconds.toFixed(2)} s, ${steps[step].apiCalls} calls` +
          `, peak RSS ${Math.round(steps[step].peakRssKb.total / 1024)} MiB`,
      );
      if (step === "create") state = stateFigures((await ws.exportState()).text, n);
    }
    return { program, tokens: n, latencyMs, steps, state: state as StateFigures };
  } finally {
    await sandbox.stop();
    ws.remove();
  }
}

/** Our program: N declarations with one delivery each; rotation sets `gitlab-tokens:rotationEpoch`. */
async function setUpOurs(ws: PulumiWorkspace, n: number): Promise<() => Promise<unknown>> {
  const lines = ["tokens:"];
  for (let i = 0; i < n; i++) {
    const project = PROJECTS[i % PROJECTS.length] as string;
    lines.push(
      `  bench-${i}:`,
      "    kind: project",
      `    project: ${project}`,
      "    scopes: [read_repository]",
      "    accessLevel: reporter",
      "    deliverTo:",
      `      - { project: ${project}, variable: BENCH_TOKEN_${i} }`,
    );
  }
  const declarations = path.join(ws.root, "tokens.yaml");
  fs.writeFileSync(declarations, lines.join("\n") + "\n");
  await ws.stackInit();
  await ws.setConfig("gitlab-tokens:declarations", declarations);
  return () => ws.setConfig("gitlab-tokens:rotationEpoch", "bench-rotation");
}

/** The baseline: bench/baseline/ copied into the workspace (node_modules linked to the repo's). */
async function setUpBaseline(
  ws: PulumiWorkspace,
  n: number,
  sandbox: Sandbox,
): Promise<() => Promise<unknown>> {
  const dir = path.join(__dirname, "baseline");
  ws.writeProject(
    Object.fromEntries(
      ["Pulumi.yaml", "package.json", "index.ts", "tsconfig.json"].map((f) => [
        f,
        fs.readFileSync(path.join(dir, f), "utf8"),
      ]),
    ),
  );
  const ids = PROJECTS.map((p) => {
    const id = sandbox.projectId(p);
    if (id === undefined) throw new Error(`the sandbox has no project ${p}`);
    return id;
  });
  await ws.stackInit();
  await ws.setConfig("bench-baseline:count", String(n));
  await ws.setConfig("bench-baseline:projects", JSON.stringify(ids));
  await ws.setConfig("bench-baseline:rotation", "initial");
  return () => ws.setConfig("bench-baseline:rotation", "bench-rotation");
}

async function measure(
  ws: PulumiWorkspace,
  sandbox: Sandbox,
  step: Step,
  args: string[],
  env: Record<string, string>,
): Promise<StepResult> {
  sandbox.resetCounters();
  const start = performance.now();
  const run = ws.start(args, { env });
  const rss = new PeakRss(run.pid);
  const r = await run.done;
  const peak = rss.stop();
  const seconds = (performance.now() - start) / 1000;
  if (r.code !== 0) throw new Error(`${step} (${r.command}) exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  const counters = sandbox.counters();
  return {
    seconds: Number(seconds.toFixed(3)),
    apiCalls: counters.total,
    byRoute: counters.byRoute,
    peakRssKb: { engine: peak.engineKb, node: peak.nodeKb, other: peak.otherKb, total: peak.totalKb },
  };
}

/**
 * State figures from `pulumi stack export`: each resource belongs to the token of its top-level
 * ancestor below the stack (our component, or the baseline's one resource); the default providers
 * and the stack itself belong to no token.
 */
export function stateFigures(exportText: string, n: number): StateFigures {
  const resources =
    (JSON.parse(exportText) as { deployment: { resources?: StateResource[] } }).deployment.resources ?? [];
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const isStack = (r: StateResource) => r.type === "pulumi:pulumi:Stack";
  const groups = new Map<string, number>();
  const types = new Map<string, { count: number; bytes: number }>();
  let members = 0;
  for (const r of resources) {
    if (isStack(r) || r.type.startsWith("pulumi:providers:")) continue;
    let top = r;
    for (;;) {
      const parent = top.parent ? byUrn.get(top.parent) : undefined;
      if (!parent || isStack(parent)) break;
      top = parent;
    }
    const bytes = Buffer.byteLength(JSON.stringify(r));
    groups.set(top.urn, (groups.get(top.urn) ?? 0) + bytes);
    const type = types.get(r.type) ?? { count: 0, bytes: 0 };
    types.set(r.type, { count: type.count + 1, bytes: type.bytes + bytes });
    members += 1;
  }
  const shells = resources.filter((r) => typeof r.inputs?.__provider === "string");
  const shellBytes = shells.map(
    (r) => String(r.inputs?.__provider ?? "").length + String(r.outputs?.__provider ?? "").length,
  );
  if (groups.size !== n) throw new Error(`expected ${n} tokens in state, found ${groups.size}`);
  const total = [...groups.values()].reduce((a, b) => a + b, 0);
  return {
    bytesPerToken: Math.round(total / n),
    resourcesPerToken: Number((members / n).toFixed(2)),
    providerBytesPerResource: Math.round(shellBytes.reduce((a, b) => a + b, 0) / Math.max(1, shells.length)),
    totalBytes: Buffer.byteLength(exportText),
    byType: Object.fromEntries(
      [...types].map(([type, t]) => [
        type,
        { perToken: Number((t.count / n).toFixed(2)), bytesPerResource: Math.round(t.bytes / t.count) },
      ]),
    ),
  };
}
