/**
 * `npm run bench`: measures the costs that matter to users, with the real engine against the
 * sandbox, and prints them (also as JSON with --json):
 *   - state bytes per token (the serialised provider shell is in every resource's state);
 *   - `pulumi up` wall time and GitLab API calls to create N tokens with a delivery each;
 *   - `pulumi preview` / `pulumi up` on an unchanged program: wall time and API calls (must be 0);
 *   - rotating every token at once (`rotationEpoch`): wall time and API calls;
 *   - `pulumi destroy`.
 * Options: --tokens N (default 20), --latency MS (sandbox latency per request, default 0).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startSandbox } from "../sandbox";
import { PulumiWorkspace, REPO_ROOT } from "../scripts/pulumi-engine";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const n = arg("tokens", 20);
  const latency = arg("latency", 0);
  const json = process.argv.includes("--json");
  const sandbox = await startSandbox({ faults: latency ? { latencyMs: latency } : undefined });
  const ws = PulumiWorkspace.create({ projectDir: REPO_ROOT, stack: "bench" });
  const results: Record<string, number> = { tokens: n, sandboxLatencyMs: latency };
  try {
    const lines = ["tokens:"];
    for (let i = 0; i < n; i++) {
      const project = i % 2 === 0 ? "acme/web" : "acme/api";
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
    const env = { GITLAB_BASE_URL: sandbox.url, GITLAB_TOKEN: sandbox.adminToken };

    const timed = async (
      label: string,
      step: () => Promise<{ code: number; stdout: string; stderr: string }>,
    ) => {
      sandbox.resetCounters();
      const start = performance.now();
      const r = await step();
      const seconds = (performance.now() - start) / 1000;
      if (r.code !== 0) throw new Error(`${label} failed:\n${r.stdout}\n${r.stderr}`);
      results[`${label}.seconds`] = Number(seconds.toFixed(2));
      results[`${label}.apiCalls`] = sandbox.counters().total;
    };

    await timed("up.create", () => ws.up([], env));
    const { deployment } = await ws.exportState();
    const tokenStates = (deployment.deployment.resources ?? []).filter((r) =>
      r.type.endsWith(":AccessToken"),
    );
    const bytes = tokenStates.map((r) => JSON.stringify(r).length);
    const providerBytes = tokenStates.map((r) => String(r.inputs?.__provider ?? "").length);
    results["state.bytesPerToken"] = Math.round(bytes.reduce((a, b) => a + b, 0) / bytes.length);
    results["state.providerShellBytes"] = providerBytes[0] ?? 0;

    await timed("preview.unchanged", () => ws.preview([], env));
    await timed("up.unchanged", () => ws.up([], env));
    await ws.setConfig("gitlab-tokens:rotationEpoch", "bench-rotation");
    await timed("up.rotateAll", () => ws.up([], env));
    await timed("destroy", () => ws.destroy([], env));
  } finally {
    await sandbox.stop();
    ws.remove();
  }

  if (json) {
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  const width = Math.max(...Object.keys(results).map((k) => k.length));
  for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(width)}  ${v}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
