/** The benchmark's report: Markdown (one table per latency, state, memory, linearity) and JSON. */
import * as fs from "node:fs";
import * as path from "node:path";
import * as prettier from "prettier";
import { REPO_ROOT } from "../scripts/pulumi-engine";
import { type BenchResult, type Program, type RunResult, STEPS, type Step, floorCalls } from "./bench";

const mib = (kb: number) => (kb / 1024).toFixed(0);
const secs = (s: number) => s.toFixed(2);
const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : "–");

/** A Markdown table; the first `left` columns are left-aligned, the others right-aligned. */
function table(header: string[], rows: string[][], left = 2): string[] {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map((_, i) => (i < left ? "---" : "--:")).join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ];
}

function find(result: BenchResult, program: Program, n: number, latencyMs: number): RunResult {
  const run = result.runs.find((r) => r.program === program && r.tokens === n && r.latencyMs === latencyMs);
  if (!run) throw new Error(`no ${program} run for N=${n}, latency ${latencyMs}`);
  return run;
}

export function renderMarkdown(result: BenchResult): string {
  const env = result.environment;
  const out: string[] = [
    `# Benchmark: ours vs. baseline, ${env.date.slice(0, 10)}`,
    "",
    `- Machine: ${env.cores} cores (${env.cpuModel}), ${env.memoryGiB} GiB RAM, ${env.platform}`,
    `- Pulumi CLI ${env.pulumi}, Node.js ${env.node}, run at ${env.date}, commit ${env.commit}`,
    `- Sizes N: ${result.sizes.join(", ")}; sandbox latency per request: ${result.latencies.join(", ")} ms`,
    "- ours: this repository's program (index.ts) with N project tokens, one CI-variable delivery each",
    "  (acme/web and acme/api in turn). baseline: bench/baseline/, one dynamic resource per token that",
    "  holds the token and its variable and makes exactly the floor's calls with plain `fetch`.",
    "- Each program runs against a fresh sandbox, in this one process, one after the other.",
    "- Floor (API calls): create 2N (POST token, POST variable), preview and unchanged up 0,",
    "  refresh 2N (GET each), rotate 3N (POST new token, PUT variable, DELETE old token), destroy 2N.",
    "- Time ratio = ours / baseline wall time. Peak RSS: the process tree under the `pulumi`",
    "  command, sampled every 100 ms; engine = `pulumi`, the language host and other Pulumi binaries,",
    "  node = the Node.js processes (the program and the dynamic providers).",
    "",
  ];

  for (const latency of result.latencies) {
    out.push(`## Sandbox latency ${latency} ms`, "");
    const rows: string[][] = [];
    for (const step of STEPS) {
      for (const n of result.sizes) {
        const ours = find(result, "ours", n, latency).steps[step];
        const base = find(result, "baseline", n, latency).steps[step];
        rows.push([
          step,
          String(n),
          secs(ours.seconds),
          secs(base.seconds),
          ratio(ours.seconds, base.seconds),
          String(ours.apiCalls),
          String(base.apiCalls),
          String(floorCalls(step, n)),
        ]);
      }
    }
    out.push(
      ...table(
        [
          "step",
          "N",
          "ours s",
          "baseline s",
          "time ours/baseline",
          "ours calls",
          "baseline calls",
          "floor calls",
        ],
        rows,
      ),
      "",
    );

    out.push(`### Peak RSS, MiB (latency ${latency} ms)`, "");
    const mem: string[][] = [];
    for (const step of STEPS) {
      for (const n of result.sizes) {
        const o = find(result, "ours", n, latency).steps[step].peakRssKb;
        const b = find(result, "baseline", n, latency).steps[step].peakRssKb;
        mem.push([step, String(n), mib(o.engine), mib(o.node), mib(b.engine), mib(b.node)]);
      }
    }
    out.push(
      ...table(["step", "N", "ours engine", "ours node", "baseline engine", "baseline node"], mem),
      "",
    );
  }

  out.push("## State after create", "");
  const stateRows: string[][] = [];
  for (const latency of result.latencies) {
    for (const n of result.sizes) {
      const o = find(result, "ours", n, latency).state;
      const b = find(result, "baseline", n, latency).state;
      stateRows.push([
        String(latency),
        String(n),
        String(o.bytesPerToken),
        String(b.bytesPerToken),
        ratio(o.bytesPerToken, b.bytesPerToken),
        String(o.resourcesPerToken),
        String(b.resourcesPerToken),
        String(o.providerBytesPerResource),
        String(b.providerBytesPerResource),
      ]);
    }
  }
  out.push(
    ...table(
      [
        "latency ms",
        "N",
        "ours bytes/token",
        "baseline bytes/token",
        "ours/baseline",
        "ours resources/token",
        "baseline resources/token",
        "ours `__provider` bytes/resource",
        "baseline `__provider` bytes/resource",
      ],
      stateRows,
    ),
    "",
    "Bytes per token: the `pulumi stack export` JSON of every resource under one token (ours: the",
    "component, its token and its variable; baseline: its one resource), averaged over the N tokens.",
    "`__provider` bytes: the serialised provider shell, stored in both inputs and outputs of every",
    "dynamic resource (the sum of both).",
    "",
  );

  out.push("### State per resource kind", "");
  const kindRows: string[][] = [];
  for (const program of ["ours", "baseline"] as const) {
    const latency = result.latencies[0] ?? 0;
    const n = Math.max(...result.sizes);
    const state = find(result, program, n, latency).state;
    for (const [type, t] of Object.entries(state.byType)) {
      kindRows.push([program, String(n), `\`${type}\``, String(t.perToken), String(t.bytesPerResource)]);
    }
  }
  out.push(
    ...table(["program", "N", "resource type", "per token", "bytes per resource"], kindRows, 3),
    "",
    "Bytes per resource: its `pulumi stack export` JSON (inputs, outputs, dependencies, metadata).",
    "",
  );

  out.push("## Linear growth in N", "");
  if (result.sizes.length < 2) {
    out.push(
      `One size only (N=${result.sizes.join(", ")}): growth in N is not checked by this run. With several`,
      "sizes this section gives the seconds per token of every writing step at each N and the ratio",
      "of the per-token time at the largest N to that at the smallest (1 = linear, above 1 = worse",
      "than linear; below 1 the fixed start-up cost of each `pulumi` command is still being spread).",
      "",
    );
  } else {
    const smallest = Math.min(...result.sizes);
    const largest = Math.max(...result.sizes);
    out.push(
      "Seconds per token (wall time / N) of each writing step at each N, and the ratio of the",
      `per-token time at N=${largest} to that at N=${smallest}: 1 = linear, above 1 = worse than linear,`,
      "below 1 = the fixed start-up cost of each `pulumi` command is still being spread.",
      "",
    );
    const rows: string[][] = [];
    const growthSteps: Step[] = ["create", "refresh", "rotate", "destroy"];
    for (const latency of result.latencies) {
      for (const program of ["ours", "baseline"] as const) {
        for (const step of growthSteps) {
          const perToken = (n: number) => find(result, program, n, latency).steps[step].seconds / n;
          rows.push([
            String(latency),
            program,
            step,
            ...result.sizes.map((n) => perToken(n).toFixed(3)),
            ratio(perToken(largest), perToken(smallest)),
          ]);
        }
      }
    }
    out.push(
      ...table(
        [
          "latency ms",
          "program",
          "step",
          ...result.sizes.map((n) => `s/token N=${n}`),
          `ratio N=${largest}/N=${smallest}`,
        ],
        rows,
      ),
      "",
    );
  }

  out.push("## Calls by route (largest N, first latency)", "");
  const n = Math.max(...result.sizes);
  const latency = result.latencies[0] as number;
  const routeRows: string[][] = [];
  for (const step of STEPS) {
    for (const program of ["ours", "baseline"] as const) {
      const byRoute = find(result, program, n, latency).steps[step].byRoute;
      const text = Object.entries(byRoute)
        .map(([route, count]) => `${route} ×${count}`)
        .join("; ");
      routeRows.push([step, program, text || "none"]);
    }
  }
  out.push(...table(["step", "program", "calls"], routeRows, 3), "");
  return out.join("\n");
}

/**
 * Writes `<name>.md` and `<name>.json` into `dir`, formatted by the repository's Prettier settings
 * (so a committed report passes `npm run format:check`); returns their paths.
 */
export async function writeReport(
  result: BenchResult,
  dir: string,
  name: string,
): Promise<{ md: string; json: string }> {
  fs.mkdirSync(dir, { recursive: true });
  const md = path.join(dir, `${name}.md`);
  const json = path.join(dir, `${name}.json`);
  const format = async (file: string, text: string) =>
    prettier.format(text, {
      ...(await prettier.resolveConfig(path.join(REPO_ROOT, "README.md"))),
      filepath: file,
    });
  fs.writeFileSync(md, await format(md, renderMarkdown(result)));
  fs.writeFileSync(json, await format(json, JSON.stringify(result, null, 2)));
  return { md, json };
}
