/**
 * `npm run recover -- --stack S`: makes a stack usable again after an interrupted `pulumi up` or
 * `pulumi destroy` (see commands/recover). Reads the state with `pulumi stack export`, revokes
 * every token an interrupted create had made, and clears the pending operations with `pulumi stack
 * import`. With nothing pending it changes nothing and calls GitLab zero times, so CI runs it before
 * every `pulumi up`. Exit code 0: the stack is ready; 2: it could not recover (the message says why).
 *
 * The credential: $GITLAB_TOKEN, else the stack's `gitlab-tokens:token`; GitLab: $GITLAB_BASE_URL,
 * else the stack's `gitlab-tokens:baseUrl`, else https://gitlab.com. Needs `pulumi` on PATH.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GitLabClient } from "../../components/gitlab/client";
import { describeRecovery, recover, type ExportedStack, type Recovery } from ".";
import { connectionFrom, missingCredential } from "../../components/providers/runtime-env";
import { CONFIG_NAMESPACE } from "../../components/types";
import { CLI_EXIT, asyncCommand, runIfMain, type CliIo } from "../shared/cli";
import { CliInputError } from "../shared/inputs";

/** Runs `pulumi <args>`; resolves with its exit code and output. */
export type PulumiRunner = (args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

const USAGE = `Usage: npm run recover -- --stack STACK [--take-over-lock]

Run it when \`pulumi up\` or \`pulumi destroy\` was interrupted (Pulumi then reports "pending
operations"); the CI template runs it before every \`pulumi up\`. It revokes every token an
interrupted create had made (and only those), clears the pending operations, and leaves the
rest to the next \`pulumi up\`. A lock left by a killed pulumi on this machine is taken over;
--take-over-lock takes over any lock (CI, where resource_group lets one job at a time run).`;

export class RecoverError extends Error {}

const pulumiFromPath: PulumiRunner = (args) =>
  new Promise((resolve, reject) => {
    const child = spawn("pulumi", [...args, "--non-interactive"], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", (e) =>
      reject(new RecoverError(`cannot run pulumi (${(e as NodeJS.ErrnoException).code ?? e})`)),
    );
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });

async function ok(run: PulumiRunner, args: string[], what: string): Promise<string> {
  const r = await run(args);
  if (r.code !== 0)
    throw new RecoverError(`${what} failed: ${r.stderr.trim().split("\n").slice(-3).join(" ")}`);
  return r.stdout;
}

async function stackConfig(run: PulumiRunner, stack: string, key: string): Promise<string | undefined> {
  const r = await run(["config", "get", `${CONFIG_NAMESPACE}:${key}`, "--stack", stack]);
  return r.code === 0 ? r.stdout.replace(/\n$/, "") : undefined;
}

export interface RecoverOptions {
  /**
   * Take over the stack's lock whoever holds it (`pulumi cancel`). For CI, where the template's
   * `resource_group` already lets one job at a time near the stack, so a lock found at the start of
   * a job was left by a job that was killed. Without it, only a lock left on this machine by a
   * process that no longer runs is taken over.
   */
  takeOverLock?: boolean;
}

/** The holder a diy backend names when it refuses a locked stack. */
export function lockHolder(message: string): { host: string; pid: number } | undefined {
  const m = /currently locked[\s\S]*?created by [^@\s]+@(\S+) \(pid (\d+)\)/.exec(message);
  return m ? { host: m[1]!, pid: Number(m[2]) } : undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function importState(
  run: PulumiRunner,
  stack: string,
  state: ExportedStack,
  opts: RecoverOptions,
): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gitlab-tokens-recover-"));
  try {
    const file = path.join(dir, "state.json");
    fs.writeFileSync(file, JSON.stringify(state), { mode: 0o600 });
    const args = ["stack", "import", "--file", file, "--stack", stack];
    let r = await run(args);
    if (r.code !== 0 && /currently locked/.test(r.stderr)) {
      const holder = lockHolder(r.stderr);
      const stale =
        opts.takeOverLock === true ||
        (holder !== undefined && holder.host === os.hostname() && !processAlive(holder.pid));
      if (!stale) {
        throw new RecoverError(
          `the stack is locked by a pulumi that may still run${holder ? ` (pid ${holder.pid} on ${holder.host})` : ""}; ` +
            "wait for it to end, or, if it was killed on another machine, run again with --take-over-lock",
        );
      }
      await ok(run, ["cancel", "--yes", "--stack", stack], "pulumi cancel (taking over the stale lock)");
      r = await run(args);
    }
    if (r.code !== 0)
      throw new RecoverError(
        `pulumi stack import failed: ${r.stderr.trim().split("\n").slice(-3).join(" ")}`,
      );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The local file backend writes each state file's metadata sidecar (`<file>.attrs`) in place, not
 * through a rename: a process killed at that moment leaves it empty, and every command then fails
 * with "failed to load checkpoint: EOF". The sidecar holds only a content type that the backend
 * defaults when the file is absent, so an empty one is removed. Returns the files removed.
 */
export async function repairFileBackend(run: PulumiRunner): Promise<string[]> {
  const who = await run(["whoami", "--verbose"]);
  const url = /Backend URL: (file:\/\/\S+)/.exec(who.stdout)?.[1];
  if (!url) return [];
  const root = path.join(new URL(url).pathname, ".pulumi");
  const removed: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".attrs") && fs.statSync(p).size === 0) {
        fs.rmSync(p);
        removed.push(p);
      }
    }
  };
  walk(root);
  return removed;
}

async function exportState(run: PulumiRunner, stack: string): Promise<string> {
  const args = ["stack", "export", "--stack", stack];
  const r = await run(args);
  if (r.code === 0) return r.stdout;
  if (
    /failed to load checkpoint: (unexpected )?EOF/.test(r.stderr) &&
    (await repairFileBackend(run)).length > 0
  ) {
    return ok(run, args, "pulumi stack export");
  }
  throw new RecoverError(`pulumi stack export failed: ${r.stderr.trim().split("\n").slice(-3).join(" ")}`);
}

/** Recovers `stack`; `run` runs pulumi (from PATH by default). */
export async function recoverStack(
  stack: string,
  run: PulumiRunner = pulumiFromPath,
  env: NodeJS.ProcessEnv = process.env,
  opts: RecoverOptions = {},
): Promise<Recovery> {
  // Nothing to cancel is not an error here (a file backend says nothing; Pulumi Cloud refuses to
  // cancel an update that is not running): the point is that no killed job's lock remains.
  if (opts.takeOverLock) await run(["cancel", "--yes", "--stack", stack]);
  const state = JSON.parse(await exportState(run, stack)) as ExportedStack;
  let client: GitLabClient | undefined;
  const recovery = await recover(state, async () => {
    if (!client) {
      const conn = connectionFrom(() => undefined, env);
      const token = conn.token ?? (await stackConfig(run, stack, "token"));
      if (!token) throw missingCredential();
      const baseUrl = env.GITLAB_BASE_URL || (await stackConfig(run, stack, "baseUrl")) || conn.baseUrl;
      client = new GitLabClient({ baseUrl, token });
    }
    return client;
  });
  if (recovery.cleared) await importState(run, stack, recovery.cleared, opts);
  return recovery;
}

const OPTIONS = {
  stack: { type: "string" },
  "take-over-lock": { type: "boolean" },
} as const;

/** What the command touches outside its core. */
export interface RecoverIo extends CliIo {
  /** Runs pulumi. Default - `pulumi` from PATH. */
  pulumi: PulumiRunner;
}

/** The command; resolves to its exit code (0: the stack is ready; 2: it could not recover). */
export const main = asyncCommand<typeof OPTIONS, RecoverIo>({
  name: "recover",
  usage: USAGE,
  options: OPTIONS,
  // Every failure is shown as its message alone: each one says why the stack could not recover.
  inputErrors: [Error],
  io: { pulumi: pulumiFromPath },
  run: async (values, io) => {
    const stack = values.stack ?? io.env.PULUMI_STACK;
    if (!stack) throw new CliInputError(`name the stack (--stack, or $PULUMI_STACK)\n\n${USAGE}`);
    const recovery = await recoverStack(stack, io.pulumi, io.env, {
      takeOverLock: values["take-over-lock"] === true,
    });
    for (const line of describeRecovery(recovery)) io.stdout(line);
    return CLI_EXIT.ok;
  },
});

runIfMain(module, main);
