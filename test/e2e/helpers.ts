/**
 * Shared set-up for the end-to-end tests: the real `pulumi` CLI running this repository's program
 * (index.ts) against the sandbox, with a file backend and stack config in a temp folder.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PulumiWorkspace, REPO_ROOT, type RunResult, type StateResource } from "../../scripts/pulumi-engine";
import { startSandbox, type Sandbox, type SandboxOptions } from "../../sandbox";

export const ACCESS_TOKEN = "pulumi-nodejs:dynamic/gitlab-tokens:AccessToken";
export const CI_VARIABLE = "pulumi-nodejs:dynamic/gitlab-tokens:CiVariable";

export interface E2E {
  sandbox: Sandbox;
  ws: PulumiWorkspace;
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

export async function startE2E(name: string, yaml: string, sandboxOpts: SandboxOptions = {}): Promise<E2E> {
  const sandbox = await startSandbox({ freezeClock: true, ...sandboxOpts });
  const ws = PulumiWorkspace.create({ projectDir: REPO_ROOT, stack: `e2e-${name}` });
  const declarations = path.join(ws.root, "tokens.yaml");
  const transcript: string[] = [];
  const e2e: E2E = {
    sandbox,
    ws,
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
    },
  };
  e2e.writeDeclarations(yaml);
  await ws.stackInit();
  await ws.setConfig("gitlab-tokens:declarations", declarations);
  await ws.setConfig("gitlab-tokens:baseUrl", sandbox.url);
  await ws.setConfig("gitlab-tokens:token", sandbox.adminToken, { secret: true });
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
