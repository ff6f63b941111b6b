/**
 * `npm run demo`: starts the GitLab sandbox (state kept in .demo/), runs `pulumi up` on the example
 * declarations (tokens.yaml) with a local file backend in .demo/, and prints a table of the tokens —
 * never a token value. Run it twice: the second `pulumi up` has no changes and makes no API calls.
 * `rm -rf .demo` starts over.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { startSandbox } from "../sandbox";
import { PulumiWorkspace, REPO_ROOT } from "./pulumi-engine";

interface TokenSummary {
  kind: string;
  target: string;
  scopes: string[];
  accessLevel: string | null;
  tokenId: number;
  expiresAt: string;
  rotatesAt: string;
  deliveredTo: string[];
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(rows[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

async function main(): Promise<void> {
  const demoDir = path.join(REPO_ROOT, ".demo");
  fs.mkdirSync(demoDir, { recursive: true });
  const adminTokenFile = path.join(demoDir, "admin-token");
  if (!fs.existsSync(adminTokenFile)) {
    fs.writeFileSync(adminTokenFile, `glpat-${crypto.randomBytes(15).toString("base64url").slice(0, 20)}`, {
      mode: 0o600,
    });
  }
  const adminToken = fs.readFileSync(adminTokenFile, "utf8").trim();

  const sandbox = await startSandbox({ adminToken, dataFile: path.join(demoDir, "sandbox.json") });
  console.log(`GitLab sandbox listening on ${sandbox.url} (state in .demo/sandbox.json)\n`);
  try {
    const ws = PulumiWorkspace.create({
      root: path.join(demoDir, "pulumi"),
      projectDir: REPO_ROOT,
      stack: "demo",
      env: { GITLAB_BASE_URL: sandbox.url, GITLAB_TOKEN: adminToken },
    });
    await ws.selectOrInit();
    sandbox.resetCounters();

    const up = await ws.up([], undefined, true);
    if (up.code !== 0) {
      process.exitCode = 1;
      console.error("\npulumi up failed; see the output above.");
      return;
    }
    const calls = sandbox.counters().total;

    const outputs = await ws.outputs();
    const tokens = (outputs.tokens ?? {}) as Record<string, TokenSummary>;
    const rows = [["token", "kind", "target", "scopes", "level", "expires", "rotates at", "delivered to"]];
    for (const [key, t] of Object.entries(tokens)) {
      rows.push([
        key,
        t.kind,
        t.target,
        t.scopes.join(","),
        t.accessLevel ?? "-",
        t.expiresAt,
        t.rotatesAt,
        t.deliveredTo.join(" ") || "-",
      ]);
    }
    console.log(`\n${table(rows)}\n`);
    console.log(`GitLab API calls made by this pulumi up: ${calls}`);
    console.log(
      "Run `npm run demo` again: nothing changes and no API call is made. `rm -rf .demo` starts over.",
    );
  } finally {
    await sandbox.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
