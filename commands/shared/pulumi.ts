/**
 * Running the Pulumi CLI from a command (`npm run revoke`): the project's engine (`ensureEngine`,
 * ./engine.ts), else any `pulumi` on PATH, in the working folder (a short stack name needs the
 * project's Pulumi.yaml there), never interactive. The engine's folder goes first on the PATH of
 * what it runs, so `pulumi up` finds the project's Node.js language host and provider shim.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { ensureEngine } from "./engine";

/** Runs `pulumi <args>`; resolves with its exit code and output (never rejects on a non-zero exit). */
export type PulumiRunner = (args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

/** The Pulumi CLI could not be started at all. */
export class PulumiUnavailableError extends Error {}

/** A runner of the project's engine (else `pulumi` from PATH) in `cwd`, with `env`. */
export function enginePulumi(cwd: string, env: NodeJS.ProcessEnv): PulumiRunner {
  let resolved: { pulumi: string; env: NodeJS.ProcessEnv } | undefined;
  const resolve = () => {
    if (resolved) return resolved;
    try {
      const bin = ensureEngine();
      resolved = {
        pulumi: path.join(bin, "pulumi"),
        env: { ...env, PATH: `${bin}${path.delimiter}${env.PATH ?? ""}` },
      };
    } catch {
      // No engine could be provided; try the PATH.
      resolved = { pulumi: "pulumi", env };
    }
    return resolved;
  };
  return (args) =>
    new Promise((done, reject) => {
      const { pulumi, env: childEnv } = resolve();
      const child = spawn(pulumi, [...args, "--non-interactive"], {
        cwd,
        env: childEnv,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("error", (e) =>
        reject(
          new PulumiUnavailableError(
            `cannot run pulumi (${(e as NodeJS.ErrnoException).code ?? e}); install the Pulumi CLI or run \`npm run engine\``,
          ),
        ),
      );
      child.on("close", (code) => done({ code: code ?? 1, stdout, stderr }));
    });
}

/** The last lines of a failed command's standard error, for a one-line message. */
export function lastLines(text: string, n = 3): string {
  return text.trim().split("\n").slice(-n).join(" ");
}
