/**
 * The fault storm: N tokens with a delivery each are created, all rotated (`rotationEpoch`) and
 * destroyed against a GitLab that fails 20% of requests with a 5xx, throttles 10% with 429 and
 * `Retry-After`, drops 10% of responses after committing the change, and adds 200 ms to 10%.
 * Each phase's command is run again until it succeeds (what the scheduled pipeline does every
 * day); the drill reports runs, API calls (against a fault-free run of the same phase), time, and
 * the world afterwards: exactly one active token per declaration, 0 orphans, 0 duplicates.
 */
import type { FaultConfig } from "../sandbox";
import { stage, type Phase, type Stage } from "./stage";
import { countWorld, leaks, type WorldCount } from "./world";

export interface StormOptions {
  tokens: number;
  seed: number;
  /** Runs allowed per phase before the drill calls it a failure. */
  maxRuns?: number;
  log?: (line: string) => void;
}

export interface StormPhase extends WorldCount {
  phase: Phase;
  runs: number;
  converged: boolean;
  apiCalls: number;
  /** Calls the same phase makes without faults (same N, same run of the drill). */
  faultFreeCalls: number;
  seconds: number;
  /** Token values or the credential found in the output or the state backend's files. */
  leaks: number;
}

export function stormFaults(seed: number): FaultConfig {
  return {
    seed,
    error: [
      { status: 500, rate: 0.1 },
      { status: 502, rate: 0.05 },
      { status: 503, rate: 0.05 },
    ],
    rateLimit: { rate: 0.1, retryAfterSeconds: 1 },
    lostResponse: { rate: 0.1 },
    latency: { ms: 200, rate: 0.1 },
  };
}

async function phaseCalls(s: Stage, phase: Phase): Promise<number> {
  if (phase === "rotate") await s.ws.setConfig("gitlab-tokens:rotationEpoch", `storm-${Date.now()}`);
  s.sandbox.resetCounters();
  const r = await s.ws.start(s.cmd(phase), { env: s.env }).done;
  if (r.code !== 0) throw new Error(`fault-free ${phase} failed:\n${r.stdout}\n${r.stderr}`);
  return s.sandbox.counters().total;
}

export async function faultStorm(
  opts: StormOptions,
): Promise<{ phases: StormPhase[]; values: string[]; transcript: string[] }> {
  const maxRuns = opts.maxRuns ?? 10;
  const phases: Phase[] = ["create", "rotate", "destroy"];
  // The fault-free figures, on a stage of their own.
  const calm = await stage("storm-calm", { tokens: opts.tokens, latencyMs: 0 });
  const faultFree: Record<Phase, number> = { create: 0, rotate: 0, destroy: 0 };
  try {
    for (const p of phases) faultFree[p] = await phaseCalls(calm, p);
  } finally {
    await calm.sandbox.stop();
    calm.ws.remove();
  }

  const s = await stage("storm", { tokens: opts.tokens, latencyMs: 0 });
  const out: StormPhase[] = [];
  const values: string[] = [];
  try {
    for (const phase of phases) {
      if (phase === "rotate") await s.ws.setConfig("gitlab-tokens:rotationEpoch", `storm-${Date.now()}`);
      s.sandbox.setFaults(stormFaults(opts.seed + out.length));
      s.sandbox.resetCounters();
      const started = Date.now();
      let runs = 0;
      let converged = false;
      while (!converged && runs < maxRuns) {
        runs += 1;
        const r = await s.ws.start(s.cmd(phase), { env: s.env }).done;
        s.transcript.push(r.stdout, r.stderr);
        converged = r.code === 0;
      }
      const apiCalls = s.sandbox.counters().total;
      const seconds = (Date.now() - started) / 1000;
      s.sandbox.clearFaults();
      const world = await countWorld(s.sandbox, s.ws, s.tokens, phase === "destroy" ? "destroyed" : "up");
      values.push(...world.values);
      const { values: _v, ...count } = world;
      const result: StormPhase = {
        phase,
        runs,
        converged,
        apiCalls,
        faultFreeCalls: faultFree[phase],
        seconds: Number(seconds.toFixed(1)),
        leaks: leaks([...s.transcript, s.ws.readStateFiles()], [...values, s.sandbox.adminToken]),
        ...count,
      };
      out.push(result);
      opts.log?.(
        `storm ${phase}: ${converged ? "converged" : "NOT converged"} in ${runs} run(s), ${seconds.toFixed(1)} s, ` +
          `${apiCalls} API calls (fault-free: ${faultFree[phase]}); correct ${count.correct}/${s.tokens.length}, ` +
          `orphans ${count.orphans}, duplicates ${count.duplicates}, stale ${count.staleDeliveries}, missing ${count.missing}, ` +
          `leaks ${result.leaks}`,
      );
    }
  } finally {
    await s.sandbox.stop();
    s.ws.remove();
  }
  return { phases: out, values, transcript: s.transcript };
}
