/**
 * `npm run audit` as a user runs it: a separate process, the credential in the environment, the exit
 * code and what it prints.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { envFor, world, type World } from "./helpers";

const ROOT = path.resolve(__dirname, "../..");

function npmRunAudit(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Async on purpose: the sandbox answers from this process.
    const child = spawn("npm", ["run", "-s", "audit", "--", ...args], {
      cwd: ROOT,
      env: { ...process.env, POLICY_PACK_CONFIG: "", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
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
