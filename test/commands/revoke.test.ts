/**
 * `npm run revoke` over real HTTP against the sandbox, with pulumi played by a stand-in (the real
 * engine's run is test/recovery/revoke.test.ts): the kinds GitLab says less about — a deploy token
 * (no last use, no IPs), a pipeline trigger token (no scopes, no IPs; its GET carries its value,
 * which must never be copied) — each revoked and verified with the note saying what is unknown; a
 * fine-grained token's granular scopes in the note; a `pulumi up` that fails after the revoke: exit
 * 1, the note written, saying the token is revoked and what to run; a token GitLab already shows
 * revoked: no revoke call, still replaced.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GitLabClient } from "../../components/gitlab/client";
import { addDays } from "../../components/gitlab/facts";
import { ACCESS_TOKEN_TYPE, CI_VARIABLE_TYPE } from "../../components/types";
import type { ExportedStack } from "../../commands/revoke";
import { main, REVOKED_NOT_REPLACED } from "../../commands/revoke/cli";
import type { PulumiRunner } from "../../commands/shared/pulumi";
import { startSandbox, type Sandbox } from "../../sandbox";

const NOW = new Date("2026-11-25T09:00:00Z");
const EXPIRES = addDays(NOW, 30);

let sandbox: Sandbox;
let gl: GitLabClient;
let dir: string;
let web: number;
const secrets: string[] = [];
const state: ExportedStack = { deployment: { resources: [] } };

/** A token resource in the stand-in state, with its component and one delivery. */
function inState(key: string, outputs: Record<string, unknown>): void {
  const parent = `urn:pulumi:prod::gitlab-tokens::component::${key}`;
  state.deployment.resources!.push(
    { urn: `${parent}$token`, type: ACCESS_TOKEN_TYPE, parent, outputs: { key, name: key, ...outputs } },
    {
      urn: `${parent}$var`,
      type: CI_VARIABLE_TYPE,
      parent,
      outputs: {
        kind: "project",
        target: "acme/web",
        key: key.toUpperCase().replace(/-/g, "_"),
        environmentScope: "*",
      },
    },
  );
}

beforeAll(async () => {
  sandbox = await startSandbox({ now: NOW, freezeClock: true });
  gl = new GitLabClient({ baseUrl: sandbox.url, token: sandbox.adminToken });
  secrets.push(sandbox.adminToken);
  web = sandbox.projectId("acme/web")!;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "gitlab-tokens-revoke-"));

  const deploy = await gl.createDeployToken("project", web, {
    name: "registry-pull",
    scopes: ["read_registry"],
    expiresAt: EXPIRES,
  });
  secrets.push(deploy.token!);
  inState("registry-pull", {
    kind: "deploy",
    target: "acme/web",
    targetField: "project",
    targetId: web,
    tokenId: deploy.id,
    scopes: ["read_registry"],
    expiresAt: EXPIRES,
  });

  const trigger = await gl.createTriggerToken(web, { description: "kick", expiresAt: EXPIRES });
  secrets.push(trigger.token!);
  inState("pipeline-kick", { kind: "trigger", target: "acme/web", targetId: web, tokenId: trigger.id });

  const provisioner = sandbox.user("provisioner")!.id;
  const fine = await gl.createPersonalToken(provisioner, {
    name: "fine-reader",
    scopes: [],
    expiresAt: EXPIRES,
    granularScopes: [{ access: "selected_memberships", permissions: ["read_job"], projectIds: [web] }],
  });
  secrets.push(fine.token!);
  inState("fine-reader", {
    kind: "personal",
    target: "provisioner",
    targetId: provisioner,
    tokenId: fine.id,
  });

  const dead = await gl.createResourceToken("project", web, {
    name: "already-dead",
    scopes: ["read_api"],
    expiresAt: EXPIRES,
    accessLevel: 20,
  });
  secrets.push(dead.token!);
  await gl.revokeResourceToken("project", web, dead.id);
  inState("already-dead", { kind: "project", target: "acme/web", targetId: web, tokenId: dead.id });
});

afterAll(async () => {
  await sandbox?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** pulumi, played: stack `prod` holds `state`; `up` exits `upCode` (and then the state holds `after`). */
function pulumi(upCode: number, after?: ExportedStack): PulumiRunner & { calls: string[][] } {
  let current = state;
  const calls: string[][] = [];
  const run = async (args: string[]) => {
    calls.push(args);
    await Promise.resolve();
    const stack = args[args.indexOf("--stack") + 1];
    if (stack !== "prod") return { code: 255, stdout: "", stderr: `error: no stack named '${stack}' found` };
    if (args[0] === "stack") return { code: 0, stdout: JSON.stringify(current), stderr: "" };
    if (args[0] === "config") {
      const value = args[2] === "gitlab-tokens:token" ? sandbox.adminToken : sandbox.url;
      return { code: 0, stdout: `${value}\n`, stderr: "" };
    }
    if (args[0] === "up") {
      if (upCode === 0 && after) current = after;
      return upCode === 0
        ? { code: 0, stdout: "Resources: 2 updated", stderr: "" }
        : { code: upCode, stdout: "", stderr: "error: update failed: the program exited" };
    }
    return { code: 1, stdout: "", stderr: `unexpected pulumi ${args.join(" ")}` };
  };
  return Object.assign(run, { calls });
}

async function revoke(argv: string[], run: PulumiRunner, env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    cwd: dir,
    env: { GITLAB_TOKENS_NOW: NOW.toISOString(), ...env },
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    pulumi: run,
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

function expectNoSecret(...texts: string[]): void {
  for (const text of texts) for (const s of secrets) expect(text.includes(s)).toBe(false);
}

it("a deploy token: revoked (GitLab destroys it: gone); the note says GitLab records no last use or IPs", async () => {
  const note = path.join(dir, "deploy.md");
  const r = await revoke(["registry-pull", "--stack", "prod", "--no-up", "--note", note], pulumi(0));
  expect(r.code).toBe(0);
  expect(sandbox.listDeployTokens().filter((t) => t.name === "registry-pull")).toEqual([]);
  const text = fs.readFileSync(note, "utf8");
  expect(text).toContain("a GET after the revoke shows it gone");
  expect(text).toContain("- Scopes: read_registry");
  expect(text).toContain("- Last used: unknown (GitLab does not say)");
  expect(text).toContain("when it was last used: GitLab's answer for a deploy token has no last use");
  expect(text).toContain("the IP addresses it was used from: GitLab records none for a deploy token");
  expectNoSecret(text, r.stdout, r.stderr);
});

it("a trigger token: deleted (gone); no scopes, no IPs, and its value (in GitLab's GET) is never copied", async () => {
  const note = path.join(dir, "trigger.md");
  const r = await revoke(["pipeline-kick", "--stack", "prod", "--no-up", "--note", note], pulumi(0));
  expect(r.code).toBe(0);
  expect(sandbox.listTriggers().filter((t) => t.description.includes("kick"))).toEqual([]);
  const text = fs.readFileSync(note, "utf8");
  expect(text).toContain("- Scopes: none (this kind has no scopes)");
  expect(text).toContain("- Last used: never (GitLab records no use)");
  expect(text).toContain("GitLab records none for a trigger token");
  expect(text).toContain("scopes: a trigger token has none");
  expectNoSecret(text, r.stdout, r.stderr);
});

it("a fine-grained token: its granular scopes in the note; a failed up after the revoke exits 1 and says what to run", async () => {
  const note = path.join(dir, "fine.md");
  const run = pulumi(255);
  const r = await revoke(["fine-reader", "--stack", "prod", "--reason", "leaked", "--note", note], run);
  expect(r.code).toBe(REVOKED_NOT_REPLACED);
  expect(run.calls.map((c) => c[0])).toEqual(["stack", "config", "config", "up"]);
  const fine = sandbox.listTokens().find((t) => t.name === "fine-reader")!;
  expect(fine.revoked).toBe(true);
  const text = fs.readFileSync(note, "utf8");
  expect(text).toContain("- Fine-grained (granular) scopes:");
  expect(text).toContain(`  - selected_memberships on project id ${web}: read_job`);
  expect(text).toContain(
    "- Not made: the `pulumi up` failed (exit 255: error: update failed: the program exited)",
  );
  expect(text).toContain(
    "- [ ] Make the replacement: `pulumi up --stack prod --refresh --run-program --yes`.",
  );
  expect(r.stdout).toContain("replacement: NOT made, pulumi up failed");
  expectNoSecret(text, r.stdout, r.stderr);
});

it("a token GitLab already shows revoked: no revoke call; the up still makes the replacement", async () => {
  const after: ExportedStack = JSON.parse(JSON.stringify(state)) as ExportedStack;
  const res = after.deployment.resources!.find((x) => x.outputs?.key === "already-dead")!;
  res.outputs = { ...res.outputs, tokenId: 9999, expiresAt: EXPIRES };
  sandbox.resetCounters();
  const note = path.join(dir, "dead.md");
  const r = await revoke(["already-dead", "--stack", "prod", "--note", note], pulumi(0, after));
  expect(r.code).toBe(0);
  expect(Object.keys(sandbox.counters().byRoute).filter((k) => k.startsWith("DELETE"))).toEqual([]);
  const text = fs.readFileSync(note, "utf8");
  expect(text).toContain("GitLab already showed it revoked or gone: no revoke call was needed");
  expect(text).toContain("- New token id: 9999");
  expect(text).toContain("  - project acme/web: ALREADY_DEAD");
  expectNoSecret(text, r.stdout, r.stderr);
});

it("$GITLAB_TOKEN's user revokes; a project token's IPs, refused to a non-administrator, are said to be unknown", async () => {
  const made = await gl.createResourceToken("project", web, {
    name: "web-reader",
    scopes: ["read_api"],
    expiresAt: EXPIRES,
    accessLevel: 20,
  });
  secrets.push(made.token!);
  inState("web-reader", { kind: "project", target: "acme/web", targetId: web, tokenId: made.id });
  const alice = sandbox.mintPersonalToken("alice", { name: "responder", scopes: ["api"] }).token;
  secrets.push(alice);
  const note = path.join(dir, "alice.md");
  const run = pulumi(0);
  const r = await revoke(["web-reader", "--stack", "prod", "--no-up", "--note", note], run, {
    GITLAB_TOKEN: alice,
    GITLAB_BASE_URL: sandbox.url,
  });
  expect(r.code).toBe(0);
  expect(run.calls.map((c) => c[0])).toEqual(["stack"]);
  expect(sandbox.tokenStatus(made.token!)).toBe("revoked");
  const text = fs.readFileSync(note, "utf8");
  expect(text).toMatch(/\| Revoked by \| alice \(user id \d+\)/);
  expect(text).toContain("- Access level: reporter");
  expect(text).toContain("- Last IP addresses: unknown (GitLab does not say)");
  expect(text).toContain("which this credential was refused");
  expectNoSecret(text, r.stdout, r.stderr);
});

it("a key or stack that is not there: exit 2, zero GitLab calls", async () => {
  sandbox.resetCounters();
  const unknown = await revoke(["nope", "--stack", "prod"], pulumi(0));
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toBe(
    'revoke: no token "nope" in stack prod\'s state; nothing was revoked. Its tokens: already-dead, fine-reader, pipeline-kick, registry-pull, web-reader',
  );
  const noStack = await revoke(["fine-reader", "--stack", "staging"], pulumi(0));
  expect(noStack.code).toBe(2);
  expect(noStack.stderr).toBe("revoke: stack staging does not exist; nothing was revoked");
  expect(sandbox.counters().total).toBe(0);
});
