/**
 * Shared set-up for the end-to-end tests: the real `pulumi` CLI running this repository's program
 * (index.ts) against the sandbox, with stack config in a temp folder and state in a file backend
 * there — or, with `backend: "postgres"` (or GITLAB_TOKENS_TEST_BACKEND=postgres), in a database
 * of its own on a PostgreSQL server the harness starts (scripts/postgres.ts; one server per test
 * file, stopped when its last user closes).
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { PulumiWorkspace, REPO_ROOT, type RunResult, type StateResource } from "../../scripts/pulumi-engine";
import { startPostgres, type PostgresServer } from "../../scripts/postgres";
import { startSandbox, type Sandbox, type SandboxOptions } from "../../sandbox";

/** Where the end-to-end tests keep state: a file backend in the workspace, or PostgreSQL. */
export type TestBackend = "file" | "postgres";

/** The backend by default: $GITLAB_TOKENS_TEST_BACKEND (`file` or `postgres`), else `file`. */
export function defaultTestBackend(): TestBackend {
  const v = process.env.GITLAB_TOKENS_TEST_BACKEND || "file";
  if (v !== "file" && v !== "postgres") {
    throw new Error(`GITLAB_TOKENS_TEST_BACKEND is "${v}"; use "file" or "postgres"`);
  }
  return v;
}

let shared: { server: Promise<PostgresServer>; users: number } | undefined;

/**
 * The PostgreSQL server of this test file (jest loads this module once per file, in that file's
 * worker), started on first use; every user calls `releasePostgres` when done.
 */
export function acquirePostgres(): Promise<PostgresServer> {
  if (!shared) {
    const server = startPostgres();
    shared = { server, users: 0 };
    // A server that failed to start is not kept for the next user.
    server.catch(() => (shared = undefined));
  }
  shared.users++;
  return shared.server;
}

/** Ends one use of the file's PostgreSQL server; the last one stops it. */
export async function releasePostgres(): Promise<void> {
  if (!shared || --shared.users > 0) return;
  const { server } = shared;
  shared = undefined;
  await (await server).stop();
}

/**
 * A workspace for `stack` on `backend`: PostgreSQL gives it a database of its own, so workspaces
 * (and their stacks, locks and tables) can never collide. `release` ends its use of the server.
 */
export async function testWorkspace(
  stack: string,
  backend: TestBackend = defaultTestBackend(),
): Promise<{ ws: PulumiWorkspace; postgres?: PostgresServer; release(): Promise<void> }> {
  if (backend === "file") {
    return { ws: PulumiWorkspace.create({ projectDir: REPO_ROOT, stack }), release: async () => {} };
  }
  const postgres = await acquirePostgres();
  try {
    const db = `ws_${stack.replace(/[^a-z0-9]+/gi, "_").toLowerCase()}_${crypto.randomBytes(4).toString("hex")}`;
    const backendUrl = postgres.createDatabase(db.slice(0, 63));
    const ws = PulumiWorkspace.create({ projectDir: REPO_ROOT, stack, backendUrl });
    return { ws, postgres, release: releasePostgres };
  } catch (e) {
    await releasePostgres();
    throw e;
  }
}

export const ACCESS_TOKEN = "pulumi-nodejs:dynamic/gitlab-tokens:AccessToken";
export const CI_VARIABLE = "pulumi-nodejs:dynamic/gitlab-tokens:CiVariable";

export interface E2E {
  sandbox: Sandbox;
  ws: PulumiWorkspace;
  /** The PostgreSQL server holding the state, when the backend is PostgreSQL. */
  postgres?: PostgresServer;
  declarations: string;
  /** Every stdout/stderr the CLI printed, for the secret search. */
  transcript: string[];
  run(step: () => Promise<RunResult>): Promise<RunResult>;
  /** The env passed to every pulumi command (the provider's clock follows the sandbox's). */
  clockEnv(): Record<string, string>;
  writeDeclarations(yaml: string): void;
  /** Token resources in state, with secrets decrypted (`--show-secrets`). */
  tokensInState(): Promise<StateResource[]>;
  close(): Promise<void>;
}

export async function startE2E(
  name: string,
  yaml: string,
  sandboxOpts: SandboxOptions = {},
  opts: { backend?: TestBackend } = {},
): Promise<E2E> {
  const { ws, postgres, release } = await testWorkspace(`e2e-${name}`, opts.backend);
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({ freezeClock: true, ...sandboxOpts });
  } catch (e) {
    ws.remove();
    await release();
    throw e;
  }
  const declarations = path.join(ws.root, "tokens.yaml");
  const transcript: string[] = [];
  const e2e: E2E = {
    sandbox,
    ws,
    postgres,
    declarations,
    transcript,
    async run(step) {
      const r = await step();
      transcript.push(r.stdout, r.stderr);
      return r;
    },
    clockEnv: () => ({ GITLAB_TOKENS_NOW: sandbox.now().toISOString() }),
    writeDeclarations: (text) => fs.writeFileSync(declarations, text),
    async tokensInState() {
      return (await ws.resourcesRevealed()).filter((x) => x.type === ACCESS_TOKEN);
    },
    async close() {
      await sandbox.stop();
      ws.remove();
      await release();
    },
  };
  try {
    e2e.writeDeclarations(yaml);
    await ws.stackInit();
    await ws.setConfig("gitlab-tokens:declarations", declarations);
    await ws.setConfig("gitlab-tokens:baseUrl", sandbox.url);
    await ws.setConfig("gitlab-tokens:token", sandbox.adminToken, { secret: true });
  } catch (e) {
    await e2e.close();
    throw e;
  }
  return e2e;
}

/** Fails with the CLI's output when a command did not succeed. */
export function ok(r: RunResult): RunResult {
  if (r.code !== 0) {
    throw new Error(
      `${r.command} exited ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`,
    );
  }
  return r;
}

/** Token value by declaration key, from the decrypted state. */
export async function tokenValues(e2e: E2E): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const r of await e2e.tokensInState()) {
    out[r.outputs?.key as string] = r.outputs?.token as string;
  }
  return out;
}

/** The administrator's routes for personal tokens (`POST /users/:id/personal_access_tokens`, `/personal_access_tokens/:id`). */
const ADMIN_PAT_ROUTES = ["POST /api/v4/users/:user_id/personal_access_tokens"];
const PAT_BY_ID = "/api/v4/personal_access_tokens/:id";

/** The calls a run made to the administrator's personal-token routes, by route (none expected with a non-admin credential). */
export function adminPersonalTokenCalls(sandbox: Sandbox): [string, number][] {
  return Object.entries(sandbox.counters().byRoute).filter(
    ([route]) => ADMIN_PAT_ROUTES.includes(route) || route.endsWith(PAT_BY_ID),
  );
}

/**
 * Fails when any of `secrets` (token values, credentials) appears in the CLI's output, the stack
 * config file, the state files, or any other text given (a report, an inventory).
 */
export function expectNoSecrets(
  e2e: E2E,
  secrets: Iterable<string>,
  more: Record<string, string> = {},
): void {
  const places = {
    "the CLI's stdout and stderr": e2e.transcript.join("\n"),
    "the stack config file": fs.readFileSync(e2e.ws.configFile, "utf8"),
    "the state files": e2e.ws.readStateFiles(),
    ...more,
  };
  for (const [where, text] of Object.entries(places)) {
    for (const secret of secrets) {
      if (text.includes(secret)) throw new Error(`a secret (${secret.slice(0, 8)}…) appears in ${where}`);
    }
  }
}
