/**
 * `npm run drill -- <kill|storm|all> [options]`: the reliability drills, with the real engine
 * against the sandbox. Prints one line per run and a summary, writes the figures as JSON with
 * `--json FILE`, and exits 1 when a target is missed (any orphan, duplicate, stale delivery,
 * manual step or leftover process). See docs/reliability.md.
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { killDrill, type KillPoint } from "./kill";
import { faultStorm } from "./storm";

export function summarizeKills(points: KillPoint[]) {
  const sum = (f: (p: KillPoint) => number) => points.reduce((n, p) => n + f(p), 0);
  return {
    killPoints: points.length,
    killed: points.filter((p) => p.killed).length,
    byPhase: Object.fromEntries(
      ["create", "rotate", "destroy"].map((ph) => [ph, points.filter((p) => p.phase === ph).length]),
    ),
    pendingOperationsRecovered: sum((p) => p.recoveredPending),
    tokensRevokedByRecover: sum((p) => p.revokedByRecover),
    orphans: sum((p) => p.orphans),
    duplicates: sum((p) => p.duplicates),
    staleDeliveries: sum((p) => p.staleDeliveries),
    missing: sum((p) => p.missing),
    manualSteps: sum((p) => p.manualSteps),
    leftoverProcesses: sum((p) => p.leftoverProcesses),
    leaks: sum((p) => p.leaks),
    maxProcessesGoneMs: Math.max(0, ...points.map((p) => p.processesGoneMs)),
  };
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      tokens: { type: "string", default: "8" },
      points: { type: "string", default: "51" },
      seed: { type: "string", default: "1" },
      latency: { type: "string", default: "30" },
      "storm-tokens": { type: "string", default: "100" },
      json: { type: "string" },
    },
  });
  const which = positionals[0] ?? "all";
  const results: Record<string, unknown> = {};
  let failed = false;
  const log = (line: string) => console.log(line);
  if (which === "kill" || which === "all") {
    const started = Date.now();
    const points = await killDrill({
      tokens: Number(values.tokens),
      points: Number(values.points),
      seed: Number(values.seed),
      latencyMs: Number(values.latency),
      log,
    });
    const summary = summarizeKills(points);
    results.kill = {
      options: {
        tokens: Number(values.tokens),
        points: Number(values.points),
        seed: Number(values.seed),
        latencyMs: Number(values.latency),
      },
      seconds: Math.round((Date.now() - started) / 1000),
      summary,
      points: points.map(({ values: _v, transcript: _t, ...p }) => p),
    };
    console.log(`kill drill: ${JSON.stringify(summary)}`);
    failed ||=
      summary.orphans +
        summary.duplicates +
        summary.staleDeliveries +
        summary.missing +
        summary.manualSteps +
        summary.leftoverProcesses +
        summary.leaks >
      0;
  }
  if (which === "storm" || which === "all") {
    const started = Date.now();
    const storm = await faultStorm({
      tokens: Number(values["storm-tokens"]),
      seed: Number(values.seed),
      log,
    });
    results.storm = {
      options: { tokens: Number(values["storm-tokens"]), seed: Number(values.seed) },
      seconds: Math.round((Date.now() - started) / 1000),
      phases: storm.phases,
    };
    failed ||= storm.phases.some(
      (p) => !p.converged || p.orphans + p.duplicates + p.staleDeliveries + p.missing + p.leaks > 0,
    );
  }
  if (values.json) fs.writeFileSync(values.json, JSON.stringify(results, null, 2) + "\n");
  return failed ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
      process.exit(2);
    },
  );
}
