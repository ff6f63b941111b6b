/**
 * `npm run bench` at the smallest size (N=3, no sandbox latency), into a temp folder: the report
 * and its JSON are written, both programs have every step, the baseline makes exactly the floor's
 * calls (2 per token on create: the token and its variable) and our program's figures are there.
 * Timings and ratios are not asserted: they depend on the machine.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { type BenchResult, STEPS, floorCalls } from "../../bench/bench";
import { REPO_ROOT } from "../../scripts/pulumi-engine";

jest.setTimeout(420_000);

const N = 3;

describe("npm run bench", () => {
  let out: string;
  let result: BenchResult;
  let markdown: string;

  beforeAll(async () => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), "gitlab-tokens-bench-"));
    const { stdout } = await promisify(execFile)(
      path.join(REPO_ROOT, "node_modules", ".bin", "ts-node"),
      [
        "--transpile-only",
        "bench/run.ts",
        "--sizes",
        String(N),
        "--latencies",
        "0",
        "--out",
        out,
        "--name",
        "small",
        "--json",
      ],
      { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 },
    );
    result = JSON.parse(stdout) as BenchResult;
    markdown = fs.readFileSync(path.join(out, "small.md"), "utf8");
  });

  afterAll(() => {
    if (out) fs.rmSync(out, { recursive: true, force: true });
  });

  it("writes the Markdown report and the same data as JSON", () => {
    expect(JSON.parse(fs.readFileSync(path.join(out, "small.json"), "utf8"))).toEqual(result);
    expect(markdown).toMatch(/^# Benchmark: ours vs\. baseline/);
    expect(markdown).toContain(`Pulumi CLI ${result.environment.pulumi}`);
    expect(markdown).toContain("## Sandbox latency 0 ms");
    for (const step of STEPS) {
      expect(markdown).toMatch(new RegExp(`^\\| ${step.replace(".", "\\.")} +\\| ${N} +\\|`, "m"));
      expect(markdown).toMatch(new RegExp(`^\\| ${step.replace(".", "\\.")} +\\| ours +\\|`, "m"));
      expect(markdown).toMatch(new RegExp(`^\\| ${step.replace(".", "\\.")} +\\| baseline +\\|`, "m"));
    }
  });

  it("has both programs' runs with every step", () => {
    expect(result.runs.map((r) => r.program).sort()).toEqual(["baseline", "ours"]);
    for (const run of result.runs) {
      expect(run.tokens).toBe(N);
      expect(Object.keys(run.steps).sort()).toEqual([...STEPS].sort());
    }
  });

  it("the baseline makes exactly the floor's calls: 2 per token on create (token + variable)", () => {
    const baseline = result.runs.find((r) => r.program === "baseline");
    expect(baseline?.steps.create.apiCalls).toBe(2 * N);
    expect(baseline?.steps.create.byRoute).toEqual({
      "POST /api/v4/projects/:id/access_tokens": N,
      "POST /api/v4/projects/:id/variables": N,
    });
    for (const step of STEPS) expect(baseline?.steps[step].apiCalls).toBe(floorCalls(step, N));
  });

  it("has our program's figures", () => {
    const ours = result.runs.find((r) => r.program === "ours");
    for (const step of STEPS) {
      const s = ours?.steps[step];
      expect(s?.seconds).toBeGreaterThan(0);
      expect(typeof s?.apiCalls).toBe("number");
      expect(s?.peakRssKb.total).toBeGreaterThan(0);
    }
    expect(ours?.steps.create.apiCalls).toBeGreaterThanOrEqual(2 * N);
    expect(ours?.state.bytesPerToken).toBeGreaterThan(0);
    expect(ours?.state.resourcesPerToken).toBeGreaterThanOrEqual(2);
    expect(ours?.state.providerBytesPerResource).toBeGreaterThan(0);
  });
});
