/**
 * Where the Pulumi CLI this project runs on is: built by scripts/bootstrap-engine.sh on first use and
 * cached outside the repository (see docs/engine.md). The review's `--stack` uses it; the test harness
 * (scripts/pulumi-engine.ts) too.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** The repository root: the nearest folder above this file holding scripts/bootstrap-engine.sh. */
export const REPO_ROOT = ((): string => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "scripts", "bootstrap-engine.sh"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the repository root above ${__dirname}`);
  }
})();

let cachedBinDir: string | undefined;

/**
 * Returns the folder holding `pulumi`, the Node.js language host and the dynamic-provider shim,
 * building them on first use (scripts/bootstrap-engine.sh; cached outside the repo).
 */
export function ensureEngine(): string {
  if (cachedBinDir) return cachedBinDir;
  const out = execFileSync("bash", [path.join(REPO_ROOT, "scripts", "bootstrap-engine.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 1024 * 1024,
  });
  const lines = out.trim().split("\n");
  const bin = lines[lines.length - 1];
  if (!bin || !fs.existsSync(path.join(bin, "pulumi"))) {
    throw new Error(
      `scripts/bootstrap-engine.sh did not print a folder holding pulumi (got ${JSON.stringify(out)})`,
    );
  }
  cachedBinDir = bin;
  return bin;
}
