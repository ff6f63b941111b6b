/**
 * The kill drill: `pulumi up` (create), a rotation of every token (`rotationEpoch`) and `pulumi
 * destroy` are each SIGKILLed — the whole process group at once, as a cancelled CI job or a lost
 * runner ends them — right as GitLab receives their K-th API call, K drawn from a seeded PRNG.
 * Then the stack is recovered as the README says (`npm run recover`, then the same command again)
 * and the world is counted: active tokens per declaration, orphans, duplicates, stale deliveries,
 * manual steps (anything beyond recover + rerun) and processes left running. Target: all 0.
 */
import type { Recovery } from "../commands/recover";
import { recoverStack } from "../commands/recover/cli";
import { prng } from "../sandbox/faults";
import { runOk, stage, type Phase, type Stage } from "./stage";
import { countWorld, leaks, processesWith } from "./world";

export type { Phase } from "./stage";
export const PHASES: readonly Phase[] = ["create", "rotate", "destroy"];

export interface KillDrillOptions {
  tokens: number;
  /** Kill points in all, spread over the phases. */
  points: number;
  seed: number;
  /** Sandbox latency per API call. */
  latencyMs: number;
  phases?: readonly Phase[];
  log?: (line: string) => void;
}

export interface KillPoint {
  phase: Phase;
  /** The API call at which the run was killed (1-based); the run may have ended before it. */
  killAt: number;
  killed: boolean;
  /** Calls the unkilled command makes in this phase (the range K is drawn from). */
  callsInPhase: number;
  recoveredPending: number;
  revokedByRecover: number;
  manualSteps: number;
  leftoverProcesses: number;
  /** Token values or the credential found in the output or the state backend's files. */
  leaks: number;
  /** Milliseconds until every process of the killed run was gone. */
  processesGoneMs: number;
  correct: number;
  orphans: number;
  duplicates: number;
  staleDeliveries: number;
  missing: number;
  /** Every token value and delivered value seen (for the secret search). */
  values: string[];
  /** Everything the commands printed (for the secret search). */
  transcript: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the phase's command unkilled and returns how many API calls it made. */
async function measure(s: Stage, phase: Phase): Promise<number> {
  s.sandbox.resetCounters();
  await runOk(s, s.cmd(phase));
  return s.sandbox.counters().total;
}

async function prepare(s: Stage, phase: Phase): Promise<void> {
  if (phase !== "create") await runOk(s, s.cmd("create"));
  if (phase === "rotate") await s.ws.setConfig("gitlab-tokens:rotationEpoch", `r-${Date.now()}`);
}

/** One kill point on a fresh sandbox and stack. */
async function killPoint(
  phase: Phase,
  index: number,
  killAt: number,
  callsInPhase: number,
  opts: KillDrillOptions,
): Promise<KillPoint> {
  const s = await stage(`kill-${phase}-${index}`, opts);
  try {
    await prepare(s, phase);
    s.sandbox.resetCounters();
    const run = s.ws.start(s.cmd(phase), { env: s.env });
    let killed = false;
    let killedAt = 0;
    const stopListening = s.sandbox.onApiRequest((n) => {
      if (n === killAt && !killed) {
        killed = true;
        killedAt = Date.now();
        run.killGroup();
      }
    });
    const r = await run.done;
    stopListening();
    s.transcript.push(r.stdout, r.stderr);

    // Everything the killed run started must stop by itself (the engine's children live in
    // process groups of their own, out of reach of the kill).
    let left = processesWith(s.marker);
    const deadline = Date.now() + 5_000;
    while (left.length > 0 && Date.now() < deadline) {
      await sleep(50);
      left = processesWith(s.marker);
    }
    const processesGoneMs = killed ? Date.now() - killedAt : 0;
    const leftoverProcesses = left.length;
    for (const pid of left) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone
      }
    }

    // Recovery as the README says: `npm run recover`, then the same command again.
    let manualSteps = 0;
    let recovery: Recovery = { pending: [], creates: [] };
    try {
      recovery = await recoverStack(
        s.ws.stack,
        async (args) => {
          const cmd = args[0] === "config" ? [...args, "--config-file", s.ws.configFile] : args;
          const x = await s.ws.start(cmd, { env: s.env }).done;
          s.transcript.push(x.stdout, x.stderr);
          return x;
        },
        { ...process.env, GITLAB_BASE_URL: s.sandbox.url, GITLAB_TOKEN: s.sandbox.adminToken },
      );
    } catch (e) {
      // Not what the README promises: count it, and do what a user would do by hand.
      manualSteps += 1;
      opts.log?.(`${phase} #${index}: recover failed: ${e instanceof Error ? e.message : String(e)}`);
      await s.ws.start(["cancel", "--yes", "--stack", s.ws.stack], { env: s.env }).done;
    }
    let rerun = await s.ws.start(s.cmd(phase), { env: s.env }).done;
    s.transcript.push(rerun.stdout, rerun.stderr);
    if (rerun.code !== 0) {
      // Not what the README promises: count what a user would have to do by hand.
      manualSteps += 1;
      await s.ws.start(
        [
          "refresh",
          "--yes",
          "--skip-preview",
          "--clear-pending-creates",
          "--stack",
          s.ws.stack,
          "--config-file",
          s.ws.configFile,
        ],
        { env: s.env },
      ).done;
      rerun = await s.ws.start(s.cmd(phase), { env: s.env }).done;
      s.transcript.push(rerun.stdout, rerun.stderr);
      if (rerun.code !== 0) manualSteps += 1;
    }
    const world = await countWorld(s.sandbox, s.ws, s.tokens, phase === "destroy" ? "destroyed" : "up");
    const point: KillPoint = {
      phase,
      killAt,
      killed,
      callsInPhase,
      recoveredPending: recovery.pending.length,
      revokedByRecover: recovery.creates.reduce((n, c) => n + c.revoked.length, 0),
      manualSteps,
      leftoverProcesses,
      leaks: leaks([...s.transcript, s.ws.readStateFiles()], [...world.values, s.sandbox.adminToken]),
      processesGoneMs,
      correct: world.correct,
      orphans: world.orphans,
      duplicates: world.duplicates,
      staleDeliveries: world.staleDeliveries,
      missing: world.missing,
      values: world.values,
      transcript: s.transcript,
    };
    opts.log?.(
      `${phase} #${index}: kill at call ${killAt}/${callsInPhase}${killed ? "" : " (run ended first)"}; ` +
        `recover: ${point.recoveredPending} pending, ${point.revokedByRecover} revoked; ` +
        `processes gone in ${processesGoneMs} ms, ${leftoverProcesses} left; ` +
        `orphans ${point.orphans}, duplicates ${point.duplicates}, stale ${point.staleDeliveries}, ` +
        `missing ${point.missing}, manual steps ${manualSteps}, leaks ${point.leaks}`,
    );
    return point;
  } finally {
    await s.sandbox.stop();
    s.ws.remove();
  }
}

/** Runs the drill; kill points are spread evenly over the phases. */
export async function killDrill(opts: KillDrillOptions): Promise<KillPoint[]> {
  const phases = opts.phases ?? PHASES;
  const random = prng(opts.seed);
  const points: KillPoint[] = [];
  for (const [p, phase] of phases.entries()) {
    const count = Math.floor(opts.points / phases.length) + (p < opts.points % phases.length ? 1 : 0);
    if (count === 0) continue;
    // The calls an unkilled run of this phase makes: the range the kill points are drawn from.
    const probe = await stage(`kill-${phase}-probe`, opts);
    let calls: number;
    try {
      await prepare(probe, phase);
      calls = await measure(probe, phase);
    } finally {
      await probe.sandbox.stop();
      probe.ws.remove();
    }
    for (let i = 0; i < count; i++) {
      const killAt = 1 + Math.floor(random() * calls);
      points.push(await killPoint(phase, i, killAt, calls, opts));
    }
  }
  return points;
}
