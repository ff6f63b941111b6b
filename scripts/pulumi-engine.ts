/**
 * Drives the real `pulumi` CLI in an isolated workspace: a temp folder with its own state backend
 * (a file backend inside the folder by default, or any backend URL given, such as a PostgreSQL
 * database: scripts/postgres.ts), PULUMI_HOME, passphrase and no network side effects (no update
 * checks, no plugin downloads). Used by the end-to-end tests, the demo and the benchmark.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export { REPO_ROOT, ensureEngine } from "../commands/shared/engine";
import { REPO_ROOT, ensureEngine } from "../commands/shared/engine";
import { readPostgresBackend } from "./postgres";
import { startProcess } from "./process";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The command line, for failure messages. */
  command: string;
}

export interface WorkspaceOptions {
  /** Folder holding Pulumi.yaml and the program. Default - a new folder inside the workspace. */
  projectDir?: string;
  /** Stack name. Default - `dev`. */
  stack?: string;
  /** Extra environment for every command (for example GITLAB_TOKEN for a program). */
  env?: Record<string, string>;
  /** Root of the temp folder. Default - the OS temp folder. */
  tmpRoot?: string;
  /** A fixed workspace folder that survives between runs (the demo). Default - a new temp folder. */
  root?: string;
  /**
   * The state backend (PULUMI_BACKEND_URL), for example a PostgreSQL database
   * (`postgres://user:password@host:port/db?sslmode=disable`). It may hold a password: it is passed
   * in the environment only. Default - `file://<root>/state`.
   */
  backendUrl?: string;
}

/** An isolated Pulumi workspace: backend (by default), PULUMI_HOME and stack config inside `root`. */
export class PulumiWorkspace {
  readonly root: string;
  readonly projectDir: string;
  /** The file backend's folder (`<root>/state` by default); it exists only with a file backend. */
  readonly stateDir: string;
  /** PULUMI_BACKEND_URL for every command. */
  readonly backendUrl: string;
  readonly homeDir: string;
  readonly stack: string;
  readonly configFile: string;
  readonly passphrase = "gitlab-tokens-test-passphrase";
  env: Record<string, string>;

  private constructor(
    root: string,
    projectDir: string,
    stack: string,
    env: Record<string, string>,
    backendUrl: string | undefined,
  ) {
    this.root = root;
    this.projectDir = projectDir;
    this.stack = stack;
    // A file:// URL given names the folder; by default it is inside the workspace.
    this.stateDir = /^file:\/\//i.test(backendUrl ?? "")
      ? decodeURIComponent(new URL(backendUrl!).pathname)
      : path.join(root, "state");
    this.backendUrl = backendUrl ?? `file://${this.stateDir}`;
    this.homeDir = path.join(root, "pulumi-home");
    this.configFile = path.join(root, `Pulumi.${stack}.yaml`);
    if (this.backend() === "file") fs.mkdirSync(this.stateDir, { recursive: true });
    fs.mkdirSync(this.homeDir, { recursive: true });
    this.env = env;
  }

  static create(opts: WorkspaceOptions = {}): PulumiWorkspace {
    const root = opts.root ?? fs.mkdtempSync(path.join(opts.tmpRoot ?? os.tmpdir(), "gitlab-tokens-ws-"));
    fs.mkdirSync(root, { recursive: true });
    const projectDir = opts.projectDir ?? path.join(root, "project");
    fs.mkdirSync(projectDir, { recursive: true });
    return new PulumiWorkspace(root, projectDir, opts.stack ?? "dev", opts.env ?? {}, opts.backendUrl);
  }

  /** The kind of state backend: `file`, `postgres`, or the URL's scheme (`s3`, `gs`, `azblob`, …). */
  backend(): string {
    return /^([a-z][a-z0-9+.-]*):\/\//i.exec(this.backendUrl)?.[1]?.toLowerCase() ?? "";
  }

  /** The password in the backend URL, if any: what must never appear in any output. */
  backendPassword(): string | undefined {
    try {
      return decodeURIComponent(new URL(this.backendUrl).password) || undefined;
    } catch {
      return undefined;
    }
  }

  /** Writes files (relative to the project folder) and links the repo's node_modules into it. */
  writeProject(files: Record<string, string>, opts: { linkNodeModules?: boolean } = {}): void {
    for (const [rel, content] of Object.entries(files)) {
      const file = path.join(this.projectDir, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }
    if (opts.linkNodeModules ?? true) {
      const link = path.join(this.projectDir, "node_modules");
      if (!fs.existsSync(link)) fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), link, "dir");
    }
  }

  /** The environment every pulumi command runs with. */
  processEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const bin = ensureEngine();
    return {
      ...process.env,
      // The engine, then the Node.js running this process (the project's Node.js 24 under npm
      // scripts), for anything that looks up a bare `node` (an upstream language host on PATH).
      PATH: [bin, path.dirname(process.execPath), process.env.PATH ?? ""].join(path.delimiter),
      PULUMI_HOME: this.homeDir,
      PULUMI_BACKEND_URL: this.backendUrl,
      PULUMI_CONFIG_PASSPHRASE: this.passphrase,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_CONFIRMATIONS: "true",
      PULUMI_DIY_BACKEND_NO_CHECKPOINT_BACKUPS: "true",
      NO_COLOR: "1",
      ...this.env,
      ...extra,
    };
  }

  /** Runs `pulumi <args>` in the project folder; never throws on a non-zero exit. */
  run(
    args: string[],
    opts: { env?: Record<string, string>; input?: string; cwd?: string; echo?: boolean } = {},
  ): Promise<RunResult> {
    return this.start(args, opts).done;
  }

  /**
   * Starts `pulumi <args>` in a process group of its own, as a CI job's shell runs it: `killGroup`
   * sends SIGKILL to that whole group at once (what a cancelled job or a lost runner does).
   */
  start(
    args: string[],
    opts: { env?: Record<string, string>; input?: string; cwd?: string; echo?: boolean } = {},
  ): { pid: number; done: Promise<RunResult>; killGroup(): void } {
    const bin = ensureEngine();
    const full = [...args, "--non-interactive", "--color", "never"];
    const started = startProcess(path.join(bin, "pulumi"), full, {
      cwd: opts.cwd ?? this.projectDir,
      env: this.processEnv(opts.env),
      input: opts.input,
      echo: opts.echo,
      detached: true,
    });
    const done = started.done.then((r): RunResult => ({
      code: r.code,
      stdout: r.stdout,
      stderr: r.stderr,
      command: `pulumi ${full.join(" ")}`,
    }));
    return { pid: started.pid, done, killGroup: started.killGroup };
  }

  /** Like run, but throws with the command's output when it exits non-zero. */
  async runOk(
    args: string[],
    opts: { env?: Record<string, string>; input?: string } = {},
  ): Promise<RunResult> {
    const r = await this.run(args, opts);
    if (r.code !== 0) {
      throw new Error(
        `${r.command} exited ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`,
      );
    }
    return r;
  }

  private stackArgs(): string[] {
    return ["--stack", this.stack, "--config-file", this.configFile];
  }

  stackInit(): Promise<RunResult> {
    return this.keepConfigInWorkspace(() => this.runOk(["stack", "init", this.stack]));
  }

  /**
   * `stack init` writes the stack's config file (with the passphrase salt) next to Pulumi.yaml and
   * has no flag to put it elsewhere; move a file it created into the workspace, where every other
   * command reads it (`--config-file`), so the project folder stays clean.
   */
  private async keepConfigInWorkspace(step: () => Promise<RunResult>): Promise<RunResult> {
    const written = path.join(this.projectDir, `Pulumi.${this.stack}.yaml`);
    const existed = fs.existsSync(written);
    const r = await step();
    if (!existed && written !== this.configFile && fs.existsSync(written)) {
      if (!fs.existsSync(this.configFile)) fs.copyFileSync(written, this.configFile);
      fs.rmSync(written);
    }
    return r;
  }

  setConfig(key: string, value: string, opts: { secret?: boolean } = {}): Promise<RunResult> {
    // The value goes through stdin so it never appears on a command line.
    const args = ["config", "set", key, ...this.stackArgs()];
    if (opts.secret) args.push("--secret");
    return this.runOk(args, { input: value });
  }

  preview(extra: string[] = [], env?: Record<string, string>): Promise<RunResult> {
    return this.run(["preview", ...this.stackArgs(), ...extra], { env });
  }

  up(extra: string[] = [], env?: Record<string, string>, echo = false): Promise<RunResult> {
    return this.run(["up", "--yes", "--skip-preview", ...this.stackArgs(), ...extra], { env, echo });
  }

  /** Selects the stack, creating it when it does not exist yet. */
  selectOrInit(): Promise<RunResult> {
    return this.keepConfigInWorkspace(() => this.runOk(["stack", "select", "--create", this.stack]));
  }

  refresh(extra: string[] = [], env?: Record<string, string>): Promise<RunResult> {
    return this.run(["refresh", "--yes", "--skip-preview", ...this.stackArgs(), ...extra], { env });
  }

  destroy(extra: string[] = [], env?: Record<string, string>): Promise<RunResult> {
    return this.run(["destroy", "--yes", "--skip-preview", ...this.stackArgs(), ...extra], { env });
  }

  /** `pulumi stack export` as text (secrets stay encrypted) and parsed. */
  async exportState(): Promise<{ text: string; deployment: StackDeployment }> {
    const r = await this.runOk(["stack", "export", "--stack", this.stack]);
    return { text: r.stdout, deployment: JSON.parse(r.stdout) as StackDeployment };
  }

  /** Every resource in state, secrets revealed (`--show-secrets`, with the test passphrase). */
  async resourcesRevealed(): Promise<StateResource[]> {
    const r = await this.runOk(["stack", "export", "--show-secrets", "--stack", this.stack]);
    const d = revealSecrets(JSON.parse(r.stdout)) as { deployment: { resources?: StateResource[] } };
    return d.deployment.resources ?? [];
  }

  /**
   * Every object the backend stores, concatenated: what an attacker with the backend would see (the
   * file backend's files; the PostgreSQL backend's rows, decoded). Other backends: an error.
   */
  readStateFiles(): string {
    return this.backendObjects()
      .map((o) => o.text)
      .join("\n");
  }

  /**
   * The backend's objects by key, the path below the backend's root (`.pulumi/stacks/…`,
   * `.pulumi/locks/<org>/<project>/<stack>/<id>.json`, …), in key order; `prefix` keeps the keys
   * that start with it. File and PostgreSQL backends only.
   */
  backendObjects(prefix = ""): { key: string; text: string }[] {
    switch (this.backend()) {
      case "file": {
        const found: { key: string; text: string }[] = [];
        const walk = (dir: string) => {
          for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
            const p = path.join(dir, e.name);
            if (e.isDirectory()) walk(p);
            else {
              const key = path.relative(this.stateDir, p).split(path.sep).join("/");
              if (key.startsWith(prefix)) found.push({ key, text: fs.readFileSync(p, "utf8") });
            }
          }
        };
        walk(this.stateDir);
        return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      }
      case "postgres":
        return readPostgresBackend(this.backendUrl, prefix);
      default:
        throw new Error(
          `this workspace's ${this.backend()} backend cannot be read directly (file and postgres backends can)`,
        );
    }
  }

  /** The keys of the locks held on this workspace's stack right now (`pulumi up` holds one). */
  stackLocks(): string[] {
    return this.backendObjects(".pulumi/locks/")
      .map((o) => o.key)
      .filter((k) => k.split("/").at(-2) === this.stack && k.endsWith(".json"));
  }

  /** Outputs of the current stack, secrets shown in plaintext (`--show-secrets`). */
  async outputs(opts: { showSecrets?: boolean } = {}): Promise<Record<string, unknown>> {
    const args = ["stack", "output", "--json", "--stack", this.stack];
    if (opts.showSecrets) args.push("--show-secrets");
    const r = await this.runOk(args);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  }

  remove(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  parent?: string;
  /** A replaced resource waiting for its deletion (create-before-delete). */
  delete?: boolean;
}

export interface StackDeployment {
  version: number;
  deployment: { resources?: StateResource[] };
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** Replaces `--show-secrets` secret envelopes (`{sig, plaintext: "<json>"}`) by their values. */
export function revealSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(revealSecrets);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (SECRET_SIG in o && typeof o.plaintext === "string") return JSON.parse(o.plaintext) as unknown;
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, revealSecrets(x)]));
  }
  return v;
}
