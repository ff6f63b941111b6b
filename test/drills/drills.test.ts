/**
 * The reliability drills at a small size, with the real engine against the sandbox (the full
 * drills: `npm run drill`, figures in docs/reliability.md). A killed create, rotation and destroy
 * each recover with `npm run recover` + the same command, leaving 0 orphans, 0 duplicates, 0 stale
 * deliveries, 0 manual steps and 0 processes; a fault storm converges to exactly the declared
 * tokens. No token value and no credential appears in anything the commands printed.
 */
import { killDrill } from "../../drills/kill";
import { faultStorm } from "../../drills/storm";

jest.setTimeout(600_000);

function expectNoSecrets(transcript: string[], values: string[]): void {
  const text = transcript.join("\n");
  expect(values.length).toBeGreaterThan(0);
  for (const v of new Set(values)) expect(text.includes(v)).toBe(false);
  expect(text).not.toMatch(/glpat-[A-Za-z0-9_-]{20}/);
}

it("kill drill: a SIGKILLed create, rotation and destroy leave nothing behind", async () => {
  const points = await killDrill({ tokens: 4, points: 3, seed: 11, latencyMs: 20 });
  expect(points.map((p) => p.phase)).toEqual(["create", "rotate", "destroy"]);
  for (const p of points) {
    expect(p).toMatchObject({
      killed: true,
      orphans: 0,
      duplicates: 0,
      staleDeliveries: 0,
      missing: 0,
      manualSteps: 0,
      leftoverProcesses: 0,
      leaks: 0,
      correct: 4,
    });
    expect(p.recoveredPending).toBeGreaterThan(0);
  }
  expectNoSecrets(
    points.flatMap((p) => p.transcript),
    points.flatMap((p) => p.values),
  );
});

it("fault storm: create, rotate-all and destroy converge with 0 orphans and 0 duplicates", async () => {
  const storm = await faultStorm({ tokens: 6, seed: 3 });
  expect(storm.phases.map((p) => p.phase)).toEqual(["create", "rotate", "destroy"]);
  for (const p of storm.phases) {
    expect(p).toMatchObject({
      converged: true,
      orphans: 0,
      duplicates: 0,
      staleDeliveries: 0,
      missing: 0,
      leaks: 0,
      correct: 6,
    });
    // The faults cost calls: retries and reconciliations.
    expect(p.apiCalls).toBeGreaterThan(p.faultFreeCalls);
  }
  expectNoSecrets(storm.transcript, storm.values);
});
