/**
 * `npm ci && pulumi up` with no build step, and never old provider code after a `git pull`. A
 * checkout of the program (index.ts, components/, the tsconfigs; node_modules linked) with no
 * `dist/` creates tokens; then `dist/` copied in with its stamp is what the providers load while it
 * matches the sources, and the moment a source changes without a rebuild, the TypeScript is loaded
 * instead. Which code ran is made visible by planting a different failure in each copy.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PulumiWorkspace, REPO_ROOT, type RunResult } from "../../scripts/pulumi-engine";
import { startSandbox, type Sandbox } from "../../sandbox";
import { ACCESS_TOKEN, ok } from "./helpers";

jest.setTimeout(600_000);

const PROGRAM = [
  "index.ts",
  "Pulumi.yaml",
  "package.json",
  "tsconfig.json",
  "tsconfig.build.json",
  "tsconfig.pulumi.json",
  "components",
];

const ONE_TOKEN = `
tokens:
  web-pull:
    kind: project
    project: acme/web
    scopes: [read_repository]
    accessLevel: reporter
    lifetimeDays: 60
    deliverTo:
      - { project: acme/web, variable: WEB_PULL_TOKEN }
`;
const TWO_TOKENS = `${ONE_TOKEN}
  api-pull:
    kind: project
    project: acme/api
    scopes: [read_repository]
    accessLevel: reporter
    lifetimeDays: 60
`;

let sandbox: Sandbox;
let ws: PulumiWorkspace;
let checkout: string;
const transcript: string[] = [];

async function run(step: () => Promise<RunResult>): Promise<RunResult> {
  const r = await step();
  transcript.push(r.stdout, r.stderr);
  return r;
}

function declare(yaml: string): void {
  fs.writeFileSync(path.join(ws.root, "tokens.yaml"), yaml);
}

/** Appends `code` to a file of the checkout (a planted failure). */
function plant(rel: string, code: string): void {
  fs.appendFileSync(path.join(checkout, rel), `\n${code}\n`);
}

beforeAll(async () => {
  sandbox = await startSandbox({ freezeClock: true });
  ws = PulumiWorkspace.create({ stack: "no-build" });
  checkout = ws.projectDir;
  for (const name of PROGRAM)
    fs.cpSync(path.join(REPO_ROOT, name), path.join(checkout, name), { recursive: true });
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(checkout, "node_modules"), "dir");
  declare(ONE_TOKEN);
  ok(await ws.stackInit());
  ok(await ws.setConfig("gitlab-tokens:declarations", path.join(ws.root, "tokens.yaml")));
  ok(await ws.setConfig("gitlab-tokens:baseUrl", sandbox.url));
  ok(await ws.setConfig("gitlab-tokens:token", sandbox.adminToken, { secret: true }));
});

afterAll(async () => {
  await sandbox?.stop();
  ws?.remove();
});

it("creates tokens with no dist/ at all: the providers load the TypeScript", async () => {
  expect(fs.existsSync(path.join(checkout, "dist"))).toBe(false);
  ok(await run(() => ws.up([], { GITLAB_TOKENS_NOW: sandbox.now().toISOString() })));
  const tokens = (await ws.resourcesRevealed()).filter((r) => r.type === ACCESS_TOKEN);
  expect(tokens).toHaveLength(1);
  expect(sandbox.tokenStatus(tokens[0]?.outputs?.token as string)).toBe("active");
  expect(fs.existsSync(path.join(checkout, "dist"))).toBe(false); // nothing was written into the checkout
});

it("loads dist/ while its stamp matches the sources", async () => {
  fs.cpSync(path.join(REPO_ROOT, "dist"), path.join(checkout, "dist"), { recursive: true });
  plant(
    "dist/components/providers/access-token-impl.js",
    `exports.entry.create = async () => { throw new Error("the compiled provider ran"); };`,
  );
  declare(TWO_TOKENS);
  const r = await run(() => ws.up([], { GITLAB_TOKENS_NOW: sandbox.now().toISOString() }));
  expect(r.code).not.toBe(0);
  expect(r.stdout + r.stderr).toContain("the compiled provider ran");
});

it("never runs a stale dist/: a source edited after the build is loaded as TypeScript", async () => {
  plant(
    "components/providers/access-token-impl.ts",
    `entry.create = async () => { throw new Error("the edited TypeScript ran"); };`,
  );
  const r = await run(() => ws.up([], { GITLAB_TOKENS_NOW: sandbox.now().toISOString() }));
  expect(r.code).not.toBe(0);
  expect(r.stdout + r.stderr).toContain("the edited TypeScript ran");
  expect(r.stdout + r.stderr).not.toContain("the compiled provider ran");
});

it("prints no token value and no credential", async () => {
  const printed = transcript.join("\n");
  expect(printed).not.toContain(sandbox.adminToken);
  for (const r of (await ws.resourcesRevealed()).filter((x) => x.type === ACCESS_TOKEN)) {
    expect(printed).not.toContain(r.outputs?.token as string);
  }
});
