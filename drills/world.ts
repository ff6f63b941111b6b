/**
 * What a drill counts after each run: GitLab (the sandbox) held against the stack's state and the
 * declarations. A healthy world after `pulumi up`: exactly one active token per declaration, the
 * one state knows, and every delivery holds it; after `pulumi destroy`: no active token of a
 * declaration and no delivered variable. Also the processes a killed run left behind.
 */
import * as fs from "node:fs";
import type { Sandbox } from "../sandbox";
import type { PulumiWorkspace, StateResource } from "../scripts/pulumi-engine";
import { ACCESS_TOKEN_TYPE } from "../components/types";

export interface DrillToken {
  key: string;
  kind: "project" | "group" | "personal";
  target: string;
  variable: { kind: "project" | "group"; target: string; key: string };
}

/** `count` declarations across the sandbox's seed: projects, the group and the service account. */
export function drillTokens(count: number, prefix = "drill"): DrillToken[] {
  const out: DrillToken[] = [];
  for (let i = 0; i < count; i++) {
    const key = `${prefix}-${i}`;
    const variable = { kind: "project" as const, target: "acme/web", key: `DRILL_TOKEN_${i}` };
    if (i % 4 === 2) out.push({ key, kind: "group", target: "acme", variable });
    else if (i % 4 === 3) out.push({ key, kind: "personal", target: "provisioner", variable });
    else out.push({ key, kind: "project", target: i % 4 === 0 ? "acme/web" : "acme/api", variable });
  }
  return out;
}

export function declarationsYaml(tokens: DrillToken[]): string {
  const lines = ["defaults: { lifetimeDays: 60, rotateBeforeDays: 14 }", "tokens:"];
  for (const t of tokens) {
    lines.push(`  ${t.key}:`, `    kind: ${t.kind}`);
    if (t.kind === "project") lines.push(`    project: ${t.target}`, "    accessLevel: reporter");
    if (t.kind === "group") lines.push(`    group: ${t.target}`, "    accessLevel: reporter");
    if (t.kind === "personal") lines.push(`    user: ${t.target}`, "    serviceAccount: true");
    lines.push(
      "    scopes: [read_api]",
      "    deliverTo:",
      `      - { ${t.variable.kind}: ${t.variable.target}, variable: ${t.variable.key} }`,
    );
  }
  return lines.join("\n") + "\n";
}

export interface WorldCount {
  /** Declarations with exactly the expected number of active tokens (1 after up, 0 after destroy). */
  correct: number;
  /** Active tokens of a declared name that the state does not know. */
  orphans: number;
  /** Declarations with more than one active token. */
  duplicates: number;
  /** Deliveries whose variable does not hold the state's active token (or that outlive a destroy). */
  staleDeliveries: number;
  /** Declarations with no active token after an up. */
  missing: number;
}

/** The access tokens in state (all of them, pending deletions included), secrets revealed. */
export async function stateTokens(ws: PulumiWorkspace): Promise<StateResource[]> {
  return (await ws.resourcesRevealed()).filter((x) => x.type === ACCESS_TOKEN_TYPE);
}

/** Counts the world; `expect` is what the last successful command should have left. */
export async function countWorld(
  sandbox: Sandbox,
  ws: PulumiWorkspace,
  tokens: DrillToken[],
  expect: "up" | "destroyed",
): Promise<WorldCount & { values: string[] }> {
  const inState = await stateTokens(ws);
  const knownIds = new Set(inState.map((r) => Number(r.outputs?.tokenId)));
  const live = sandbox.listTokens().filter((t) => t.active);
  const count: WorldCount = { correct: 0, orphans: 0, duplicates: 0, staleDeliveries: 0, missing: 0 };
  const values: string[] = [];
  for (const r of inState) if (typeof r.outputs?.token === "string") values.push(r.outputs.token);
  for (const t of tokens) {
    const mine = live.filter((x) => x.name === t.key);
    count.orphans += mine.filter((x) => !knownIds.has(x.id)).length;
    if (mine.length > 1) count.duplicates += 1;
    const want = expect === "up" ? 1 : 0;
    if (mine.length === want) count.correct += 1;
    if (expect === "up" && mine.length === 0) count.missing += 1;
    const delivered = sandbox.variableValue(t.variable.kind, t.variable.target, t.variable.key);
    if (delivered !== undefined) values.push(delivered);
    if (expect === "destroyed") {
      if (delivered !== undefined) count.staleDeliveries += 1;
      continue;
    }
    const current = inState.find((r) => r.outputs?.key === t.key && r.delete !== true);
    if (
      delivered === undefined ||
      current?.outputs?.token !== delivered ||
      sandbox.tokenStatus(delivered) !== "active"
    ) {
      count.staleDeliveries += 1;
    }
  }
  return { ...count, values };
}

/** Pids of live processes whose environment carries `marker` (a killed run's leftovers). */
export function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/environ`, "latin1").includes(marker)) {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, "latin1");
        if (!/\) Z /.test(stat)) found.push(Number(entry));
      }
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/**
 * How many of `secrets` (token values, the provisioning credential) appear in `texts` (what the
 * commands printed, the state backend's files). Target: 0.
 */
export function leaks(texts: string[], secrets: string[]): number {
  const all = texts.join("\n");
  return [...new Set(secrets)].filter((v) => v.length >= 8 && all.includes(v)).length;
}
