/**
 * `npm run recover` with the real engine against the sandbox: nothing pending means nothing done
 * and zero GitLab calls; the file backend's empty metadata sidecar (left by a kill) is repaired;
 * a lock held by a live process is refused with a message saying what to do.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describeRecovery } from "../../commands/recover";
import { lockHolder, recoverStack, type PulumiRunner } from "../../commands/recover/cli";
import { ok, startE2E, type E2E } from "../e2e/helpers";

jest.setTimeout(300_000);

const YAML = `
tokens:
  r-web:
    kind: project
    project: acme/web
    scopes: [read_api]
    deliverTo:
      - { project: acme/web, variable: R_WEB_TOKEN }
`;

let e2e: E2E;
let run: PulumiRunner;

beforeAll(async () => {
  e2e = await startE2E("recover", YAML);
  run = (args) =>
    e2e.run(() =>
      e2e.ws.run(args[0] === "config" ? [...args, "--config-file", e2e.ws.configFile] : args, {
        env: e2e.clockEnv(),
      }),
    );
  ok(await e2e.run(() => e2e.ws.up([], e2e.clockEnv())));
});

afterAll(async () => {
  await e2e?.close();
});

it("does nothing, with zero GitLab calls, when no operation is pending", async () => {
  e2e.sandbox.resetCounters();
  const r = await recoverStack(e2e.ws.stack, run, {});
  expect(r).toEqual({ pending: [], creates: [] });
  expect(describeRecovery(r)).toEqual(["recover: no interrupted operation; nothing to do"]);
  expect(e2e.sandbox.counters().total).toBe(0);
});

it("repairs the empty metadata sidecar a killed run can leave in a file backend", async () => {
  const attrs: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith(`${e2e.ws.stack}.json.attrs`)) attrs.push(p);
    }
  };
  walk(e2e.ws.stateDir);
  expect(attrs).toHaveLength(1);
  fs.writeFileSync(attrs[0]!, "");
  const broken = await e2e.ws.run(["stack", "export", "--stack", e2e.ws.stack]);
  expect(broken.code).not.toBe(0);
  expect(broken.stderr).toMatch(/failed to load checkpoint: EOF/);

  await recoverStack(e2e.ws.stack, run, {});
  ok(await e2e.ws.run(["stack", "export", "--stack", e2e.ws.stack]));
  const again = await e2e.run(() => e2e.ws.up([], e2e.clockEnv()));
  ok(again);
  expect(again.stdout).toMatch(/unchanged/);
});

/** Leaves a lock in the file backend as a killed `pulumi up` on `host` (pid `pid`) would. */
function leaveLock(host: string, pid: number): void {
  const dir = path.join(e2e.ws.stateDir, ".pulumi", "locks", "organization", "gitlab-tokens", e2e.ws.stack);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, "5f0c2b8e-0000-4000-8000-000000000001.json"),
    JSON.stringify({ pid, username: "root", hostname: host, timestamp: new Date().toISOString() }),
  );
}

it("takes over a killed job's lock with --take-over-lock, and is harmless when there is none", async () => {
  leaveLock("runner-that-was-lost", 4242);
  const refused = await e2e.ws.up([], e2e.clockEnv());
  expect(refused.code).not.toBe(0);
  expect(refused.stderr + refused.stdout).toMatch(/currently locked/);

  await recoverStack(e2e.ws.stack, run, {}, { takeOverLock: true });
  ok(await e2e.run(() => e2e.ws.up([], e2e.clockEnv())));
  // No lock and nothing pending: still fine, still no GitLab call.
  e2e.sandbox.resetCounters();
  await recoverStack(e2e.ws.stack, run, {}, { takeOverLock: true });
  expect(e2e.sandbox.counters().total).toBe(0);
});

it("reads the holder of a diy backend lock from Pulumi's refusal", () => {
  const message =
    "error: could not import deployment: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n" +
    "  file:///tmp/x/state/.pulumi/locks/organization/p/s/ce99.json?no_tmp_dir=true: created by root@runner-7 (pid 22235) at 2026-12-03T21:53:10Z";
  expect(lockHolder(message)).toEqual({ host: "runner-7", pid: 22235 });
  expect(lockHolder("error: something else")).toBeUndefined();
});
