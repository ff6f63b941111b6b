/**
 * One drill's world: a fresh sandbox, a fresh stack of `tokens` declarations with a delivery each,
 * and the commands of each phase, run with the real engine.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startSandbox, type Sandbox, type SandboxOptions } from "../sandbox";
import { PulumiWorkspace, REPO_ROOT, type RunResult } from "../scripts/pulumi-engine";
import { declarationsYaml, drillTokens, type DrillToken } from "./world";

export type Phase = "create" | "rotate" | "destroy";

export interface StageOptions {
  tokens: number;
  /** Sandbox latency per API call. */
  latencyMs: number;
  /** Further sandbox options (faults). */
  sandbox?: SandboxOptions;
}

export interface Stage {
  sandbox: Sandbox;
  ws: PulumiWorkspace;
  tokens: DrillToken[];
  marker: string;
  transcript: string[];
  env: Record<string, string>;
  cmd(phase: Phase): string[];
}

export async function stage(name: string, opts: StageOptions): Promise<Stage> {
  const sandbox = await startSandbox({
    freezeClock: true,
    faults: opts.latencyMs ? { latencyMs: opts.latencyMs } : undefined,
    ...opts.sandbox,
  });
  const ws = PulumiWorkspace.create({ projectDir: REPO_ROOT, stack: name });
  const tokens = drillTokens(opts.tokens);
  const declarations = path.join(ws.root, "tokens.yaml");
  fs.writeFileSync(declarations, declarationsYaml(tokens));
  const marker = `GITLAB_TOKENS_DRILL=${name}-${process.pid}`;
  const env = {
    GITLAB_TOKENS_DRILL: `${name}-${process.pid}`,
    GITLAB_TOKENS_NOW: sandbox.now().toISOString(),
  };
  await ws.stackInit();
  await ws.setConfig("gitlab-tokens:declarations", declarations);
  await ws.setConfig("gitlab-tokens:baseUrl", sandbox.url);
  await ws.setConfig("gitlab-tokens:token", sandbox.adminToken, { secret: true });
  const stackArgs = ["--stack", ws.stack, "--config-file", ws.configFile];
  return {
    sandbox,
    ws,
    tokens,
    marker,
    transcript: [],
    env,
    cmd: (phase) =>
      phase === "destroy"
        ? ["destroy", "--yes", "--skip-preview", ...stackArgs]
        : ["up", "--yes", "--skip-preview", ...stackArgs],
  };
}

export async function runOk(s: Stage, args: string[]): Promise<RunResult> {
  const r = await s.ws.start(args, { env: s.env }).done;
  s.transcript.push(r.stdout, r.stderr);
  if (r.code !== 0) throw new Error(`${r.command} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}
