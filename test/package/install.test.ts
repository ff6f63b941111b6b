/**
 * The installable package, as a team with its own Pulumi program meets it: `npm pack` makes the
 * tarball; a program in a temporary folder outside this repository `npm install`s it (a monorepo
 * layout: the packages at the folder's root, the Pulumi program in `infra/`), type-checks against
 * the shipped declarations, declares tokens both with `declareTokens("tokens.yaml")` and with a
 * component class, and runs the real engine against the sandbox: `pulumi preview` with the
 * installed policy pack (a violating declaration is refused), `pulumi up`, a rotation of every
 * token (`gitlab-tokens:rotationEpoch`), `pulumi destroy`. The installed `gitlab-tokens` command
 * runs the review, the audit and the sandbox. No token value and no credential appears in any
 * output.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PulumiWorkspace, REPO_ROOT, type RunResult } from "../../scripts/pulumi-engine";
import { runProcess } from "../../scripts/process";
import { startSandbox, type Sandbox } from "../../sandbox";

jest.setTimeout(600_000);

const ACCESS_TOKEN = "pulumi-nodejs:dynamic/gitlab-tokens:AccessToken";
const CI_VARIABLE = "pulumi-nodejs:dynamic/gitlab-tokens:CiVariable";
const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** The consumer's tokens.yaml: a project token delivered to a CI/CD variable, a group token. */
const DECLARATIONS = `
defaults: { lifetimeDays: 60, rotateBeforeDays: 14 }
tokens:
  web-pull:
    kind: project
    project: acme/web
    scopes: [read_repository]
    accessLevel: reporter
    description: Pulls sources for the web deploy job
    owner: team-web
    deliverTo:
      - { project: acme/web, variable: WEB_PULL_TOKEN }
  sbom-reader:
    kind: group
    group: acme
    scopes: [read_api]
    accessLevel: reporter
    description: Reads dependency metadata for the SBOM job
    owner: team-platform
`;

/** The program: the YAML file through the package's one function, and one component of its own. */
const PROGRAM = `import { declareTokens, ProjectAccessToken } from "gitlab-tokens";

export const tokens = declareTokens("tokens.yaml");

const apiReader = new ProjectAccessToken("api-reader", {
  project: "acme/api",
  scopes: ["read_repository"],
  accessLevel: "reporter",
  lifetimeDays: 30,
  rotateBeforeDays: 7,
  description: "Reads the API sources for the docs build",
  owner: "team-docs",
  deliverTo: [{ project: "acme/api", variable: "API_READ_TOKEN" }],
});
export const apiReaderExpiresAt = apiReader.expiresAt;
export const apiReaderTokenId = apiReader.tokenId;
`;

/** The deliveries the program makes: token key -> [project, variable]. */
const DELIVERIES: Record<string, [string, string]> = {
  "web-pull": ["acme/web", "WEB_PULL_TOKEN"],
  "api-reader": ["acme/api", "API_READ_TOKEN"],
};

let tmp: string;
let consumer: string;
let program: string;
let tarball: string;
let sandbox: Sandbox;
let ws: PulumiWorkspace;
const transcript: string[] = [];
const timings: Record<string, number> = {};
/** Every token value the stack ever held (collected from the decrypted state). */
const seenValues = new Set<string>();

/** The environment of npm outside this project: without the npm_* settings of `npm test`'s own run. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) && !/^npm_config_(cache|registry|userconfig)$/i.test(k)) continue;
    env[k] = v;
  }
  return env;
}

/**
 * Runs a command to completion and records its output; never throws on a non-zero exit. Async: the
 * sandbox answers from this process, so a blocking spawn would leave a command that calls it hanging.
 */
async function exec(
  command: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; step: string },
): Promise<RunResult> {
  const r = await runProcess(command, args, { cwd: opts.cwd, env: opts.env ?? npmEnv() });
  timings[opts.step] = r.seconds;
  transcript.push(r.stdout, r.stderr);
  return r;
}

function ok(r: RunResult): RunResult {
  if (r.code !== 0) {
    throw new Error(
      `${r.command} exited ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`,
    );
  }
  return r;
}

/** A pulumi command in the workspace, timed and recorded. */
async function pulumi(step: string, run: () => Promise<RunResult>): Promise<RunResult> {
  const started = Date.now();
  const r = await run();
  timings[step] = (Date.now() - started) / 1000;
  transcript.push(r.stdout, r.stderr);
  return r;
}

const clockEnv = () => ({ GITLAB_TOKENS_NOW: sandbox.now().toISOString() });

/** The installed package's command line, on the consumer's Node.js. */
function cli(step: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return exec(path.join(consumer, "node_modules", ".bin", "gitlab-tokens"), args, {
    cwd: program,
    env: {
      ...npmEnv(),
      PATH: `${path.join(consumer, "node_modules", ".bin")}:${process.env.PATH ?? ""}`,
      ...env,
    },
    step,
  });
}

interface TokenState {
  key: string;
  tokenId: number;
  token: string;
}

/** The access tokens in state, secrets revealed; every value is remembered for the secret search. */
async function tokensInState(): Promise<Map<string, TokenState>> {
  const out = new Map<string, TokenState>();
  for (const r of await ws.resourcesRevealed()) {
    if (r.type !== ACCESS_TOKEN) continue;
    const t = r.outputs as unknown as TokenState;
    seenValues.add(t.token);
    out.set(t.key, t);
  }
  return out;
}

function expectDelivered(tokens: Map<string, TokenState>): void {
  for (const [key, [project, variable]] of Object.entries(DELIVERIES)) {
    expect(sandbox.variableValue("project", project, variable)).toBe(tokens.get(key)?.token);
  }
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gitlab-tokens-package-"));
  expect(path.relative(REPO_ROOT, tmp).startsWith("..")).toBe(true);

  // The tarball, as a release makes it (`prepack` builds dist/).
  const packDir = path.join(tmp, "pack");
  fs.mkdirSync(packDir);
  ok(await exec("npm", ["pack", "--pack-destination", packDir], { cwd: REPO_ROOT, step: "npm pack" }));
  const [file] = fs.readdirSync(packDir).filter((f) => f.endsWith(".tgz"));
  if (!file) throw new Error(`npm pack left no tarball in ${packDir}`);
  tarball = path.join(packDir, file);

  // A team's own repository: the packages at its root, the Pulumi program in infra/.
  consumer = path.join(tmp, "platform");
  program = path.join(consumer, "infra");
  fs.mkdirSync(program, { recursive: true });
  const devDeps = (names: string[]) => Object.fromEntries(names.map((n) => [n, pkg.devDependencies[n]]));
  fs.writeFileSync(
    path.join(consumer, "package.json"),
    JSON.stringify(
      {
        name: "platform-infra",
        version: "1.0.0",
        private: true,
        dependencies: {
          "@pulumi/pulumi": pkg.dependencies["@pulumi/pulumi"],
          "gitlab-tokens": `file:${path.relative(consumer, tarball)}`,
        },
        devDependencies: devDeps(["typescript", "ts-node", "@types/node"]),
      },
      null,
      2,
    ),
  );
  ok(
    await exec("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], {
      cwd: consumer,
      step: "npm install",
    }),
  );
  const files = {
    "Pulumi.yaml": [
      "name: platform-infra",
      "runtime:",
      "  name: nodejs",
      "  options:",
      "    typescript: true",
      "    tsconfig: tsconfig.pulumi.json",
      "",
    ].join("\n"),
    "tsconfig.json": JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "nodenext",
        moduleResolution: "nodenext",
        strict: true,
        types: ["node"],
        skipLibCheck: true,
        noEmit: true,
      },
      files: ["index.ts"],
    }),
    // pulumi runs it transpile-only; the types are checked once, with tsc, below.
    "tsconfig.pulumi.json": JSON.stringify({
      extends: "./tsconfig.json",
      compilerOptions: { noCheck: true },
    }),
    "index.ts": PROGRAM,
    "tokens.yaml": DECLARATIONS,
  };
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(program, name), text);

  sandbox = await startSandbox({ freezeClock: true });
  ws = PulumiWorkspace.create({ projectDir: program, stack: "prod" });
  await ws.stackInit();
  await ws.setConfig("gitlab-tokens:baseUrl", sandbox.url);
  await ws.setConfig("gitlab-tokens:token", sandbox.adminToken, { secret: true });
});

afterAll(async () => {
  await sandbox?.stop();
  ws?.remove();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  console.log(`package test timings (s): ${JSON.stringify(timings)}`);
});

it("packs the compiled library, providers, policy pack and CLI, without the sources", async () => {
  const listed = ok(await exec("tar", ["-tzf", tarball], { cwd: tmp, step: "tar" })).stdout.split("\n");
  const files = new Set(listed.filter(Boolean).map((f) => f.replace(/^package\//, "")));
  expect(path.basename(tarball)).toBe(`${pkg.name}-${pkg.version}.tgz`);
  for (const f of [
    "package.json",
    "README.md",
    "dist/components/index.js",
    "dist/components/index.d.ts",
    "dist/components/program.d.ts",
    "dist/components/providers/access-token-impl.js",
    "dist/components/providers/ci-variable-impl.js",
    "provider-shell/access-token.js",
    "provider-shell/ci-variable.js",
    "provider-shell/shell.js",
    "dist/policies/index.js",
    "dist/policies/package.json",
    "dist/policies/PulumiPolicy.yaml",
    "dist/bin/gitlab-tokens.js",
    "dist/commands/review/cli.js",
    "dist/commands/audit/cli.js",
    "dist/commands/recover/cli.js",
    "dist/commands/revoke/cli.js",
    "dist/commands/credential/cli.js",
    "dist/sandbox/cli.js",
  ]) {
    expect(files).toContain(f);
  }
  // No TypeScript sources (the shell trusts dist/ only where there is no components/), no tests.
  expect([...files].filter((f) => /\.ts$/.test(f) && !/\.d\.ts$/.test(f))).toEqual([]);
  expect([...files].filter((f) => /^(components|test|bench|drills|policies)\//.test(f))).toEqual([]);
  const size = fs.statSync(tarball).size;
  console.log(`${path.basename(tarball)}: ${(size / 1024).toFixed(0)} KiB, ${files.size} files`);
  expect(size).toBeLessThan(2 * 1024 * 1024);
});

it("installs outside the repository and type-checks a program against the shipped declarations", async () => {
  const installed = JSON.parse(
    fs.readFileSync(path.join(consumer, "node_modules", "gitlab-tokens", "package.json"), "utf8"),
  ) as { version: string };
  expect(installed.version).toBe(pkg.version);
  expect(fs.existsSync(path.join(consumer, "node_modules", "gitlab-tokens", "components"))).toBe(false);
  // One tsc run over the program and a file that misuses the API: the program is clean, and the
  // misuse is a type error — the shipped declarations are real types, resolved through `exports`.
  fs.writeFileSync(
    path.join(program, "wrong.ts"),
    'import { declareTokens } from "gitlab-tokens";\ndeclareTokens(42);\n',
  );
  fs.writeFileSync(
    path.join(program, "tsconfig.check.json"),
    JSON.stringify({ extends: "./tsconfig.json", files: ["index.ts", "wrong.ts"] }),
  );
  const tsc = path.join(consumer, "node_modules", "typescript", "bin", "tsc");
  const r = await exec(process.execPath, [tsc, "-p", "tsconfig.check.json"], { cwd: program, step: "tsc" });
  fs.rmSync(path.join(program, "wrong.ts"));
  fs.rmSync(path.join(program, "tsconfig.check.json"));
  const errors = r.stdout.split("\n").filter((l) => l.includes("error TS"));
  expect(r.code).not.toBe(0);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(/^wrong\.ts\(2,15\): error TS2345/);
});

it("previews with the installed policy pack: compliant declarations pass, a violation is refused", async () => {
  const pack = path.join(consumer, "node_modules", "gitlab-tokens", "dist", "policies");
  const tokensBefore = sandbox.listTokens().length;
  sandbox.resetCounters();
  const passed = await pulumi("preview --policy-pack", () => ws.preview(["--policy-pack", pack], clockEnv()));
  ok(passed);
  expect(passed.stdout).toMatch(/Policies:\s+✅ gitlab-tokens@v\d+\.\d+\.\d+ \(local: .*dist\/policies\)/);
  expect(passed.stdout).not.toContain("[mandatory]");
  expect(sandbox.counters().total).toBe(0);

  fs.writeFileSync(
    path.join(program, "tokens.yaml"),
    DECLARATIONS.replace("lifetimeDays: 60", "lifetimeDays: 120"),
  );
  try {
    const refused = await pulumi("preview --policy-pack (violation)", () =>
      ws.preview(["--policy-pack", pack], clockEnv()),
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toMatch(/\[mandatory\].*gitlab-token-max-lifetime.*web-pull/);
    expect(refused.stdout).toContain("120 days");
  } finally {
    fs.writeFileSync(path.join(program, "tokens.yaml"), DECLARATIONS);
  }
  expect(sandbox.listTokens()).toHaveLength(tokensBefore);
});

it("creates and delivers the tokens of the YAML file and of the component, recording the package's shells", async () => {
  ok(await pulumi("up (create)", () => ws.up([], clockEnv())));
  const tokens = await tokensInState();
  expect([...tokens.keys()].sort()).toEqual(["api-reader", "sbom-reader", "web-pull"]);
  for (const t of tokens.values()) expect(sandbox.tokenStatus(t.token)).toBe("active");
  expectDelivered(tokens);

  // State refers to the providers by a module path the program's folder resolves.
  const { deployment } = await ws.exportState();
  const providers = new Set(
    (deployment.deployment.resources ?? [])
      .filter((r) => r.type === ACCESS_TOKEN || r.type === CI_VARIABLE)
      .map((r) => String(r.inputs?.__provider)),
  );
  expect(providers.size).toBe(2);
  const paths = [...providers].map((p) => /require\("([^"]+)"\)/.exec(p)?.[1]).sort();
  expect(paths).toEqual([
    "gitlab-tokens/provider-shell/access-token.js",
    "gitlab-tokens/provider-shell/ci-variable.js",
  ]);

  // An unchanged program: no changes, no GitLab call.
  sandbox.resetCounters();
  const again = ok(await pulumi("preview (no change)", () => ws.preview([], clockEnv())));
  expect(again.stdout).toMatch(/\b\d+ unchanged/);
  expect(again.stdout).not.toMatch(/\+ \d+ to create|~ \d+ to update|\+-\d+ to replace/);
  expect(sandbox.counters().total).toBe(0);
});

it("runs the installed command line: review, audit and sandbox", async () => {
  expect((await cli("gitlab-tokens --help", ["--help"])).stdout).toMatch(
    /review[\s\S]*audit[\s\S]*recover[\s\S]*revoke[\s\S]*rotate-credential[\s\S]*sandbox/,
  );
  expect((await cli("gitlab-tokens (unknown)", ["nope"])).code).toBe(2);

  const reviewOut = path.join(tmp, "review-out");
  ok(
    await cli(
      "gitlab-tokens review",
      ["review", "--declarations", "tokens.yaml", "--out", reviewOut],
      clockEnv(),
    ),
  );
  const report = fs.readFileSync(path.join(reviewOut, "report.md"), "utf8");
  expect(report).toContain("web-pull");
  expect(report).toContain("sbom-reader");
  expect(fs.existsSync(path.join(reviewOut, "gl-code-quality-report.json"))).toBe(true);

  const auditOut = path.join(tmp, "audit-out");
  const audit = await cli(
    "gitlab-tokens audit",
    ["audit", "--declarations", "tokens.yaml", "--out", auditOut],
    {
      ...clockEnv(),
      GITLAB_BASE_URL: sandbox.url,
      GITLAB_TOKEN: sandbox.adminToken,
    },
  );
  // The audit's targets are those tokens.yaml names (acme/web, the acme group): both tokens there
  // are live, managed by the declarations and compliant.
  expect(audit.code).toBe(0);
  const inventory = JSON.parse(fs.readFileSync(path.join(auditOut, "inventory.json"), "utf8")) as {
    summary: { active: number; managed: number; unmanaged: number; mandatory: number; missing: number };
  };
  expect(inventory.summary).toMatchObject({ active: 2, managed: 2, unmanaged: 0, mandatory: 0, missing: 0 });
  const auditReport = fs.readFileSync(path.join(auditOut, "audit.md"), "utf8");
  for (const key of ["web-pull", "sbom-reader"]) expect(auditReport).toContain(key);

  // The sandbox server, started by the installed command and stopped with SIGTERM.
  const child = spawn(
    path.join(consumer, "node_modules", ".bin", "gitlab-tokens"),
    ["sandbox", "--port", "0"],
    {
      cwd: tmp,
      env: { ...npmEnv(), PATH: `${path.join(consumer, "node_modules", ".bin")}:${process.env.PATH ?? ""}` },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) resolve(out.split("\n")[0] ?? "");
    });
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`gitlab-tokens sandbox exited ${code} before it was ready`)));
  });
  const started = JSON.parse(line) as { url: string; adminToken: string };
  const me = await fetch(`${started.url}/api/v4/user`, { headers: { "PRIVATE-TOKEN": started.adminToken } });
  expect(me.status).toBe(200);
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  child.kill("SIGTERM");
  expect(await exited).toBe(0);
});

it("rotates every token at once when rotationEpoch changes, delivering before revoking", async () => {
  const before = await tokensInState();
  await ws.setConfig("gitlab-tokens:rotationEpoch", "2026-12 incident");
  ok(await pulumi("up (rotate)", () => ws.up([], clockEnv())));
  const after = await tokensInState();
  expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
  for (const [key, old] of before) {
    const now = after.get(key)!;
    expect(now.tokenId).not.toBe(old.tokenId);
    expect(sandbox.tokenStatus(old.token)).toBe("revoked");
    expect(sandbox.tokenStatus(now.token)).toBe("active");
  }
  expectDelivered(after);
});

it("destroys: every token revoked, every variable deleted", async () => {
  const last = await tokensInState();
  ok(await pulumi("destroy", () => ws.destroy([], clockEnv())));
  for (const t of last.values()) expect(sandbox.tokenStatus(t.token)).toBe("revoked");
  for (const [project, variable] of Object.values(DELIVERIES)) {
    expect(sandbox.variableValue("project", project, variable)).toBeUndefined();
  }
  expect((await ws.resourcesRevealed()).filter((r) => r.type === ACCESS_TOKEN)).toEqual([]);
});

it("never shows a token value or the credential: not in any output, not in the state files", () => {
  expect(seenValues.size).toBe(6);
  const secrets = [sandbox.adminToken, ...seenValues];
  const outputs = transcript.join("\n");
  const state = ws.readStateFiles();
  for (const secret of secrets) {
    expect(outputs.includes(secret)).toBe(false);
    expect(state.includes(secret)).toBe(false);
  }
});
