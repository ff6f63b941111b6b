/**
 * Runs `.gitlab-ci.yml` as GitLab would for a project whose repository lives on the sandbox: a bare
 * repository plays the GitLab project, a clone plays the runner's build folder (gitlab-ci-local 4.65.1,
 * shell executor) and another clone plays a user's laptop (the real `pulumi` CLI, a `file://`
 * backend shared with the pipelines). CI/CD variables are given the way a project's settings hold
 * them: plain ones for every job, the secrets scoped to the environment `gitlab-tokens`, so only the
 * jobs that deploy to it (the apply jobs) receive them.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT, ensureEngine } from "../../scripts/pulumi-engine";
import { runProcess, type ProcessResult } from "../../scripts/process";

const GITLAB_CI_LOCAL = path.join(REPO_ROOT, "node_modules", "gitlab-ci-local", "src", "index.js");
/** libfaketime (Debian package `faketime`): the runner machine's clock, moved like the sandbox's. */
export const LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
export const PROJECT_PATH = "acme/gitlab-tokens";
export const DEFAULT_BRANCH = "main";

/** What a command printed (stdout and stderr interleaved in `output`), its exit code and wall time. */
export type Run = Pick<ProcessResult, "code" | "output" | "seconds">;

export interface PipelineRun extends Run {
  /** Job name -> its log as gitlab-ci-local wrote it (.gitlab-ci-local/output/<job>.log). */
  logs: Record<string, string>;
  /** The jobs that ran (gitlab-ci-local writes a log for each job it starts), sorted. */
  jobs: string[];
}

/** Runs a command in its own process group, stopped after timeoutMs; never rejects on a non-zero exit. */
export function runCommand(
  command: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; input?: string; timeoutMs: number },
): Promise<Run> {
  return runProcess(command, args, { ...opts, detached: true });
}

/** `git …` (synchronous: git never talks to the sandbox); throws with its output on failure. */
export function git(cwd: string, ...args: string[]): string {
  const r = spawnSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: cwd,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_AUTHOR_NAME: "Test User",
      GIT_AUTHOR_EMAIL: "test@example.com",
      GIT_COMMITTER_NAME: "Test User",
      GIT_COMMITTER_EMAIL: "test@example.com",
    },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")} (in ${cwd}) failed:\n${r.stdout}${r.stderr}`);
  return r.stdout.trim();
}

/** PATH without anything of this repository (its node_modules/.bin, its Node.js 24). */
function systemPath(): string {
  return (process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin")
    .split(path.delimiter)
    .filter((p) => p && !path.resolve(p).startsWith(REPO_ROOT + path.sep))
    .join(path.delimiter);
}

/**
 * The project's tracked files (their working-tree versions, so uncommitted changes to the template
 * are what runs), without its own tokens.yaml: the test commits its own declarations.
 */
export function copyProjectFiles(to: string): void {
  const r = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`git ls-files failed: ${r.stderr}`);
  for (const rel of r.stdout.split("\0")) {
    if (!rel || rel === "tokens.yaml" || /^Pulumi\..+\.yaml$/.test(rel)) continue;
    const from = path.join(REPO_ROOT, rel);
    const st = fs.lstatSync(from, { throwIfNoEntry: false });
    if (!st || !st.isFile()) continue; // deleted in the working tree, or a symlink
    fs.mkdirSync(path.dirname(path.join(to, rel)), { recursive: true });
    fs.copyFileSync(from, path.join(to, rel));
    fs.chmodSync(path.join(to, rel), st.mode);
  }
}

export interface Variable {
  value: string;
  /** GitLab's environment scope; `*` (every job) unless given. */
  environmentScope?: string;
}

export interface CiProjectOptions {
  root: string;
  /** The GitLab the repository lives on (the sandbox): gitlab-ci-local derives CI_SERVER_URL from it. */
  serverUrl: string;
  /** The project's CI/CD variables (Settings > CI/CD > Variables). */
  variables: Record<string, Variable>;
  /**
   * An npm cache (`_cacache/` inside) copied to the build folder's `.npm/` before the first job: the
   * template's `cache:` as GitLab restores it from earlier pipelines.
   */
  npmCacheSeed?: string;
}

/** A GitLab project as the template meets it: origin, the runner's build folder and a laptop. */
export class CiProject {
  readonly origin: string;
  readonly laptop: string;
  readonly build: string;
  readonly runnerHome: string;
  readonly laptopPulumiHome: string;
  private readonly serverUrl: string;
  private readonly npmCacheSeed: string | undefined;

  constructor(opts: CiProjectOptions) {
    this.serverUrl = opts.serverUrl;
    this.npmCacheSeed = opts.npmCacheSeed;
    this.origin = path.join(opts.root, "gitlab", `${PROJECT_PATH}.git`);
    this.laptop = path.join(opts.root, "laptop");
    this.runnerHome = path.join(opts.root, "runner-home");
    this.build = path.join(opts.root, "runner-builds", PROJECT_PATH);
    this.laptopPulumiHome = path.join(opts.root, "laptop-pulumi-home");
    for (const d of [
      this.origin,
      this.laptop,
      this.runnerHome,
      path.dirname(this.build),
      this.laptopPulumiHome,
    ])
      fs.mkdirSync(d, { recursive: true });

    git(this.origin, "init", "--quiet", "--bare", "--initial-branch", DEFAULT_BRANCH);
    git(this.laptop, "init", "--quiet", "--initial-branch", DEFAULT_BRANCH);
    git(this.laptop, "remote", "add", "origin", this.origin);

    // The project's CI/CD variables, as gitlab-ci-local reads them from $HOME/.gitlab-ci-local/
    // variables.yml: `values` keyed by environment scope (`*`: every job; `gitlab-tokens`: only the
    // jobs whose `environment:` is gitlab-tokens). Outside the build folder: no job can read the file.
    const lines = ["global:"];
    for (const [name, v] of Object.entries(opts.variables)) {
      lines.push(`  ${name}:`, "    type: variable", "    values:");
      lines.push(`      ${JSON.stringify(v.environmentScope ?? "*")}: ${JSON.stringify(v.value)}`);
    }
    fs.mkdirSync(path.join(this.runnerHome, ".gitlab-ci-local"), { recursive: true });
    fs.writeFileSync(
      path.join(this.runnerHome, ".gitlab-ci-local", "variables.yml"),
      `${lines.join("\n")}\n`,
      {
        mode: 0o600,
      },
    );
  }

  /** Commits every change on the laptop and pushes `branch` (created from the current commit). */
  commitAndPush(message: string, branch = DEFAULT_BRANCH): string {
    if (git(this.laptop, "symbolic-ref", "--short", "HEAD") !== branch)
      git(this.laptop, "checkout", "-q", "-B", branch);
    git(this.laptop, "add", "-A");
    git(this.laptop, "commit", "-q", "-m", message);
    git(this.laptop, "push", "-q", "--force", "origin", branch);
    return git(this.laptop, "rev-parse", "HEAD");
  }

  /** The environment a command on the laptop runs with: the engine on PATH, the user's settings. */
  laptopEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: [ensureEngine(), systemPath()].join(path.delimiter),
      HOME: this.laptop,
      PULUMI_HOME: this.laptopPulumiHome,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      NO_COLOR: "1",
      ...extra,
    };
  }

  /** `pulumi …` on the laptop (in its clone), with `env` added (passphrase, GITLAB_TOKEN, …). */
  pulumi(args: string[], env: Record<string, string> = {}, input?: string): Promise<Run> {
    return runCommand(
      path.join(ensureEngine(), "pulumi"),
      [...args, "--non-interactive", "--color", "never"],
      {
        cwd: this.laptop,
        env: this.laptopEnv(env),
        input,
        timeoutMs: 240_000,
      },
    );
  }

  /**
   * One pipeline: the runner fetches `ref` into its build folder (cleaned as GitLab's runner cleans
   * it, keeping `.npm/`, the template's cache, which GitLab restores), then gitlab-ci-local runs
   * every job the template's rules select for `variables` (CI_PIPELINE_SOURCE, …).
   */
  async runPipeline(
    ref: string,
    opts: {
      variables?: Record<string, string>;
      unset?: string[];
      /** Days the runner machine's clock is ahead of the real one (libfaketime); default 0. */
      clockOffsetDays?: number;
      timeoutMs: number;
    },
  ): Promise<PipelineRun> {
    if (!fs.existsSync(path.join(this.build, ".git"))) {
      git(path.dirname(this.build), "clone", "-q", this.origin, path.basename(this.build));
      // gitlab-ci-local reads the project's URL (CI_SERVER_URL, CI_PROJECT_PATH) from this remote.
      git(this.build, "remote", "add", "gcl-origin", `${this.serverUrl}/${PROJECT_PATH}.git`);
      const seed = this.npmCacheSeed && path.join(this.npmCacheSeed, "_cacache");
      if (seed && fs.existsSync(seed)) {
        fs.mkdirSync(path.join(this.build, ".npm"));
        const cp = spawnSync("cp", ["-a", seed, path.join(this.build, ".npm")], { encoding: "utf8" });
        if (cp.status !== 0) throw new Error(`copying the npm cache failed: ${cp.stderr}`);
      }
    }
    git(this.build, "fetch", "-q", "--prune", "origin");
    git(this.build, "checkout", "-q", "-f", "-B", ref, `origin/${ref}`);
    git(this.build, "clean", "-q", "-ffdx", "-e", "/.npm/");

    const variables: Record<string, string> = {
      // gitlab-ci-local sets CI_PROJECT_DIR to the image's /builds/<path> whenever a job has an
      // `image:`, even under --force-shell-executor, where the job runs in the build folder: give it
      // the folder the job really runs in, as a shell runner does.
      CI_PROJECT_DIR: this.build,
      ...opts.variables,
    };
    const args = [GITLAB_CI_LOCAL, "--cwd", ".", "--home", this.runnerHome, "--force-shell-executor"];
    args.push("--no-color", "--max-job-name-padding", "0");
    args.push("--ignore-predefined-vars", Object.keys(variables).join(","));
    for (const [k, v] of Object.entries(variables)) args.push("--variable", `${k}=${v}`);
    for (const k of opts.unset ?? []) args.push("--unset-variable", k);

    // The runner machine: its own HOME, the system PATH plus the engine (a `pulumi` already
    // installed, so the template does not download it), nothing of the test's environment.
    const env: NodeJS.ProcessEnv = {
      PATH: [ensureEngine(), systemPath()].join(path.delimiter),
      HOME: this.runnerHome,
      LANG: "C.UTF-8",
    };
    if (opts.clockOffsetDays) {
      if (!fs.existsSync(LIBFAKETIME))
        throw new Error(`${LIBFAKETIME} is missing: install the Debian package faketime (scripts/setup.sh)`);
      Object.assign(env, {
        LD_PRELOAD: LIBFAKETIME,
        FAKETIME: `+${opts.clockOffsetDays}d`,
        // Timers and timeouts keep real time; only the wall clock moves.
        FAKETIME_DONT_FAKE_MONOTONIC: "1",
      });
    }
    const r = await runCommand(process.execPath, args, { cwd: this.build, env, timeoutMs: opts.timeoutMs });

    const outDir = path.join(this.build, ".gitlab-ci-local", "output");
    const logs: Record<string, string> = {};
    for (const f of fs.existsSync(outDir) ? fs.readdirSync(outDir) : []) {
      const name = f.replace(/\.log$/, "").replace(/Og/g, ":"); // gitlab-ci-local: ":" -> base64url "Og"
      logs[name] = fs.readFileSync(path.join(outDir, f), "utf8");
    }
    return { ...r, logs, jobs: Object.keys(logs).sort() };
  }
}
