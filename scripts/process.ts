/**
 * Runs a command and collects what it prints: the one way the test harness, the tests and the
 * engine workspace start a child process whose output they read.
 *
 * Asynchronous on purpose: the sandbox usually answers from the calling process, so a blocking
 * spawn would leave a command that calls it hanging.
 */
import { spawn } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";

export interface ProcessResult {
  /** The exit code; 128 + the signal's number when a signal ended it; -1 if neither is known. */
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they arrived (what a CI job log shows). */
  output: string;
  /** The command line, for failure messages. */
  command: string;
  /** Wall time from start to exit. */
  seconds: number;
}

export interface ProcessOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed (default: closed empty). */
  input?: string;
  /** Also write what it prints to this process's stdout/stderr. */
  echo?: boolean;
  /** In a process group of its own, as a CI job's shell runs it (what killGroup kills). */
  detached?: boolean;
  /** Kill the process group after this long; a line in `output` says so. Needs `detached`. */
  timeoutMs?: number;
}

export interface StartedProcess {
  pid: number;
  done: Promise<ProcessResult>;
  /** SIGKILL to the whole process group at once (a cancelled job, a lost runner). */
  killGroup(): void;
}

/** Starts `command args` and collects its output. */
export function startProcess(command: string, args: string[], opts: ProcessOptions): StartedProcess {
  if (opts.timeoutMs !== undefined && !opts.detached) {
    throw new Error("startProcess: timeoutMs kills the process group, so it needs detached: true");
  }
  const started = Date.now();
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ["pipe", "pipe", "pipe"],
    detached: opts.detached ?? false,
  });
  const pid = child.pid ?? -1;
  const killGroup = () => {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  const done = new Promise<ProcessResult>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    let output = "";
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            output += `\n[test] ${path.basename(command)} ran longer than ${opts.timeoutMs! / 1000}s; stopped\n`;
            killGroup();
          }, opts.timeoutMs);
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      output += d.toString();
      if (opts.echo) process.stdout.write(d);
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      output += d.toString();
      if (opts.echo) process.stderr.write(d);
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : -1),
        stdout,
        stderr,
        output,
        command: `${command} ${args.join(" ")}`,
        seconds: (Date.now() - started) / 1000,
      });
    });
    // A command may exit before its stdin is written and closed (a refusal, a crash): its exit code
    // says what happened, not the EPIPE of that write.
    child.stdin.on("error", () => undefined);
    child.stdin.end(opts.input ?? "");
  });
  return { pid, done, killGroup };
}

/** Runs `command args` to its end and collects its output. */
export function runProcess(command: string, args: string[], opts: ProcessOptions): Promise<ProcessResult> {
  return startProcess(command, args, opts).done;
}
