/**
 * The persisted interface. `test/fixtures/persisted-state/stack.json` is the state `pulumi up` of
 * this repository's tokens.yaml wrote at commit a58c128 (the last provider shells before the
 * credential-kind registry), with `sandbox.json` the sandbox it was written against. Old state keeps
 * the provider shells it was written with: on refresh and destroy the engine runs those shells, and
 * they load today's compiled implementation and call its `entry` by name. Today's code must refresh
 * that state, see no change in an unchanged program, and destroy it: every token revoked, every
 * variable deleted. docs/architecture.md says what in `entry` must never change.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PulumiWorkspace, REPO_ROOT, type RunResult } from "../../scripts/pulumi-engine";
import { startSandbox, type Sandbox } from "../../sandbox";
import { ok } from "./helpers";

jest.setTimeout(300_000);

const FIXTURE = path.join(REPO_ROOT, "test", "fixtures", "persisted-state");
/** The stack the fixture was written for: its URNs name it. */
const STACK = "persisted";
/** The provisioning credential the fixture's sandbox was started with (state holds it encrypted). */
const ADMIN_CREDENTIAL = "persisted-fixture-admin-credential";
const ACCESS_TOKEN = "pulumi-nodejs:dynamic/gitlab-tokens:AccessToken";
const CI_VARIABLE = "pulumi-nodejs:dynamic/gitlab-tokens:CiVariable";

let tmp: string;
let sandbox: Sandbox;
let ws: PulumiWorkspace;
const transcript: string[] = [];

async function run(step: Promise<RunResult>): Promise<RunResult> {
  const r = await step;
  transcript.push(r.stdout, r.stderr);
  return ok(r);
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gitlab-tokens-persisted-"));
  const dataFile = path.join(tmp, "sandbox.json");
  fs.copyFileSync(path.join(FIXTURE, "sandbox.json"), dataFile);
  sandbox = await startSandbox({ dataFile, freezeClock: true, adminToken: ADMIN_CREDENTIAL });
  ws = PulumiWorkspace.create({ projectDir: REPO_ROOT, stack: STACK });
  await ws.stackInit();
  await ws.setConfig("gitlab-tokens:declarations", path.join(REPO_ROOT, "tokens.yaml"));
  await ws.setConfig("gitlab-tokens:baseUrl", sandbox.url);
  await ws.setConfig("gitlab-tokens:token", sandbox.adminToken, { secret: true });
  // State keeps the provider configuration of the last `up`, and refresh and destroy use it: the
  // fixture's sandbox listened on another port, so its URL is pointed at this run's sandbox.
  const exported = JSON.parse(fs.readFileSync(path.join(FIXTURE, "stack.json"), "utf8")) as {
    deployment: {
      resources: { type: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }[];
    };
  };
  for (const r of exported.deployment.resources.filter((x) => x.type === "pulumi:providers:pulumi-nodejs")) {
    for (const props of [r.inputs, r.outputs]) if (props) props["gitlab-tokens:baseUrl"] = sandbox.url;
  }
  const stateFile = path.join(tmp, "stack.json");
  fs.writeFileSync(stateFile, JSON.stringify(exported));
  await run(ws.runOk(["stack", "import", "--file", stateFile, "--stack", STACK]));
});

afterAll(async () => {
  await sandbox?.stop();
  ws?.remove();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const env = () => ({ GITLAB_TOKENS_NOW: sandbox.now().toISOString() });

test("the fixture holds four tokens of the three kinds and three CI/CD variables, each with an old provider shell", async () => {
  const { deployment } = await ws.exportState();
  const resources = deployment.deployment.resources ?? [];
  expect(resources.filter((r) => r.type === ACCESS_TOKEN)).toHaveLength(4);
  expect(resources.filter((r) => r.type === CI_VARIABLE)).toHaveLength(3);
  expect(new Set(resources.filter((r) => r.type === ACCESS_TOKEN).map((r) => r.inputs?.kind))).toEqual(
    new Set(["project", "group", "personal"]),
  );
  for (const r of resources.filter((x) => x.type === ACCESS_TOKEN || x.type === CI_VARIABLE)) {
    expect(String(r.inputs?.__provider)).toContain("providerModule");
  }
});

test("today's code refreshes old state, and an unchanged program plans no change", async () => {
  const before = await ws.resourcesRevealed();
  await run(ws.refresh([], env()));
  const after = await ws.resourcesRevealed();
  for (const r of before.filter((x) => x.type === ACCESS_TOKEN)) {
    const now = after.find((x) => x.urn === r.urn);
    expect(now?.outputs?.active).toBe(true);
    expect(now?.outputs?.tokenId).toBe(r.outputs?.tokenId);
    expect(sandbox.tokenStatus(String(r.outputs?.token))).toBe("active");
    // The identity outputs, which this state predates, are filled by the refresh (the credential is
    // an administrator's: the commit e-mail too).
    expect(r.outputs?.identityUsername).toBeUndefined();
    const user = sandbox.user(Number(r.outputs?.userId))!;
    expect(now?.outputs).toMatchObject({
      userId: user.id,
      identityUsername: user.username,
      commitEmail: user.email,
    });
  }
  await run(ws.preview(["--expect-no-changes"], env()));
});

test("today's code destroys old state: every token revoked, every variable deleted, no value printed", async () => {
  const state = await ws.resourcesRevealed();
  const tokens = state.filter((x) => x.type === ACCESS_TOKEN).map((x) => String(x.outputs?.token));
  const variables = state.filter((x) => x.type === CI_VARIABLE);
  expect(tokens).toHaveLength(4);
  for (const v of variables) {
    const o = v.outputs as { kind: "project" | "group"; target: string; key: string };
    expect(sandbox.variableValue(o.kind, o.target, o.key)).toBeDefined();
  }

  await run(ws.destroy([], env()));

  for (const t of tokens) expect(sandbox.tokenStatus(t)).toBe("revoked");
  for (const v of variables) {
    const o = v.outputs as { kind: "project" | "group"; target: string; key: string };
    expect(sandbox.variableValue(o.kind, o.target, o.key)).toBeUndefined();
  }
  const printed = transcript.join("\n");
  for (const t of [...tokens, sandbox.adminToken]) expect(printed).not.toContain(t);
});
