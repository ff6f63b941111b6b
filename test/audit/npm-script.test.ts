/**
 * `npm run audit` as a user runs it: a separate process, the credential in the environment, the exit
 * code and what it prints.
 */
import { runProcess, type ProcessResult } from "../../scripts/process";
import * as fs from "node:fs";
import * as path from "node:path";
import { envFor, world, type World } from "./helpers";

const ROOT = path.resolve(__dirname, "../..");

/** `npm run audit -- <args>` in the repository. */
function npmRunAudit(args: string[], env: NodeJS.ProcessEnv): Promise<ProcessResult> {
  return runProcess("npm", ["run", "-s", "audit", "--", ...args], {
    cwd: ROOT,
    env: { ...process.env, POLICY_PACK_CONFIG: "", ...env },
  });
}

let w: World;
beforeAll(async () => {
  w = await world();
});
afterAll(async () => {
  await w.stop();
});

it("exits 1 on mandatory violations, prints a summary and never the credential", async () => {
  const out = path.join(w.dir, "npm-out");
  const r = await npmRunAudit(
    ["--declarations", path.join(w.dir, "tokens.yaml"), "--user", "alice", "--out", out],
    envFor(w),
  );
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/^gitlab-tokens audit of http:\/\/127\.0\.0\.1:\d+ as root \(administrator\)/);
  expect(r.stdout).toContain("20 mandatory violations on 5 tokens");
  expect(fs.existsSync(path.join(out, "audit.md"))).toBe(true);
  expect(fs.existsSync(path.join(out, "inventory.json"))).toBe(true);
  for (const secret of w.secrets) expect(r.stdout + r.stderr).not.toContain(secret);
}, 60_000);

it("exits 2 without a credential", async () => {
  const r = await npmRunAudit(["--group", "acme", "--no-declarations"], { ...envFor(w), GITLAB_TOKEN: "" });
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/^audit: no GitLab credential/);
}, 60_000);
