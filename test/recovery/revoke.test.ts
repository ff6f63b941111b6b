/**
 * `npm run revoke` with the real engine against the sandbox: the day a token leaks. Two tokens are
 * made and delivered; the leaked one is used once (so GitLab records its last use and IP), then
 * revoked with a reason. The old token is revoked BEFORE its replacement is created (the order of
 * the API requests), the variable holds a new working value, the other token is untouched, the
 * incident note says what the token could do, when and from where it was used, who revoked it and
 * why, and what replaced it — and no token value or credential appears in any output or the note.
 * Bad input (an unknown key, no stack) is one error with zero GitLab calls and nothing revoked.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../commands/revoke/cli";
import type { PulumiRunner } from "../../commands/shared/pulumi";
import { expectNoSecrets, ok, startE2E, tokenValues, type E2E } from "../e2e/helpers";

jest.setTimeout(600_000);

const YAML = `
tokens:
  leaky-reader:
    kind: personal
    user: provisioner
    serviceAccount: true
    scopes: [read_api]
    lifetimeDays: 30
    deliverTo:
      - { project: acme/web, variable: LEAKY_TOKEN }
  web-deploy:
    kind: project
    project: acme/web
    scopes: [read_api]
    accessLevel: reporter
    lifetimeDays: 30
    deliverTo:
      - { project: acme/web, variable: WEB_DEPLOY_TOKEN }
`;

let e2e: E2E;
let run: PulumiRunner;
let dir: string;
const secrets = new Set<string>();

beforeAll(async () => {
  e2e = await startE2E("revoke", YAML);
  secrets.add(e2e.sandbox.adminToken);
  // Commands that read the stack's config get the workspace's config file (as the harness's own).
  // What they print goes into the transcript that is searched for secrets, but for `config get`:
  // its output is the credential, read by the command itself and never shown.
  run = async (args) => {
    const full =
      args[0] === "config" || args[0] === "up" ? [...args, "--config-file", e2e.ws.configFile] : args;
    const step = () => e2e.ws.run(full, { env: e2e.clockEnv() });
    return args[0] === "config" ? step() : e2e.run(step);
  };
  ok(await e2e.run(() => e2e.ws.up([], e2e.clockEnv())));
  for (const v of Object.values(await tokenValues(e2e))) secrets.add(v);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "gitlab-tokens-revoke-"));
});

afterAll(async () => {
  await e2e?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs the command as `npm run revoke -- …` would, capturing its output. */
async function revoke(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", ...e2e.clockEnv() },
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    pulumi: run,
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

const useToken = (value: string) =>
  fetch(`${e2e.sandbox.url}/api/v4/user`, { headers: { "PRIVATE-TOKEN": value } });

const variable = (key: string) => e2e.sandbox.variableValue("project", "acme/web", key);

it("refuses an unknown key with one error naming the stack's keys: zero GitLab calls, nothing revoked", async () => {
  e2e.sandbox.resetCounters();
  const r = await revoke(["no-such-token", "--stack", e2e.ws.stack, "--reason", "test"]);
  expect(r.code).toBe(2);
  expect(r.stderr.split("\n")).toHaveLength(1);
  expect(r.stderr).toMatch(/no token "no-such-token" in stack .*'s state; nothing was revoked/);
  expect(r.stderr).toContain("leaky-reader, web-deploy");
  expect(e2e.sandbox.counters().total).toBe(0);
  for (const v of Object.values(await tokenValues(e2e))) expect(e2e.sandbox.tokenStatus(v)).toBe("active");
  expect(fs.readdirSync(dir)).toEqual([]);
});

it("refuses a stack that does not exist, and a missing stack or key, before any GitLab call", async () => {
  e2e.sandbox.resetCounters();
  const noStack = await revoke(["leaky-reader", "--stack", "no-such-stack"]);
  expect(noStack.code).toBe(2);
  expect(noStack.stderr).toMatch(/stack no-such-stack does not exist; nothing was revoked/);
  const unnamed = await revoke(["leaky-reader"]);
  expect(unnamed.code).toBe(2);
  expect(unnamed.stderr).toMatch(/name the stack/);
  const noKey = await revoke(["--stack", e2e.ws.stack]);
  expect(noKey.code).toBe(2);
  expect(noKey.stderr).toMatch(/name the token to revoke/);
  expect(e2e.sandbox.counters().total).toBe(0);
});

it("revokes the leaked token first, then the up makes and delivers its replacement, with an incident note", async () => {
  const before = await e2e.tokensInState();
  const old = before.find((t) => t.outputs?.key === "leaky-reader")!.outputs!;
  const other = before.find((t) => t.outputs?.key === "web-deploy")!.outputs!;
  const oldValue = variable("LEAKY_TOKEN")!;
  const otherValue = variable("WEB_DEPLOY_TOKEN")!;
  expect(oldValue).toBe(old.token);
  // Someone used the leaked value: GitLab records when and from where.
  expect((await useToken(oldValue)).status).toBe(200);

  const routes: string[] = [];
  const stop = e2e.sandbox.onApiRequest((_n, route) => routes.push(route));
  const note = path.join(dir, "note.md");
  let r: Awaited<ReturnType<typeof revoke>>;
  try {
    r = await revoke([
      "leaky-reader",
      "--stack",
      e2e.ws.stack,
      "--reason",
      "value printed in job 4711's log",
      "--note",
      note,
    ]);
  } finally {
    stop();
  }
  expect(r.code).toBe(0);

  // The order: read (GET /user, the token), revoke, verify — and only then the up's create.
  const revokedAt = routes.indexOf("DELETE /api/v4/personal_access_tokens/:id");
  const createdAt = routes.indexOf("POST /api/v4/users/:user_id/personal_access_tokens");
  expect(revokedAt).toBeGreaterThan(routes.indexOf("GET /api/v4/user"));
  expect(revokedAt).toBeGreaterThan(routes.indexOf("GET /api/v4/personal_access_tokens/:id"));
  expect(createdAt).toBeGreaterThan(revokedAt);
  expect(routes.filter((x) => x.startsWith("DELETE"))).toEqual(["DELETE /api/v4/personal_access_tokens/:id"]);

  // The old value is dead; the variable holds a new, working one; the other token is untouched.
  expect(e2e.sandbox.tokenStatus(oldValue)).toBe("revoked");
  const newValue = variable("LEAKY_TOKEN")!;
  secrets.add(newValue);
  expect(newValue).not.toBe(oldValue);
  expect(e2e.sandbox.tokenStatus(newValue)).toBe("active");
  expect((await useToken(newValue)).status).toBe(200);
  const after = await e2e.tokensInState();
  const made = after.find((t) => t.outputs?.key === "leaky-reader")!.outputs!;
  expect(made.tokenId).not.toBe(old.tokenId);
  expect(made.token).toBe(newValue);
  expect(after.find((t) => t.outputs?.key === "web-deploy")!.outputs!.tokenId).toBe(other.tokenId);
  expect(variable("WEB_DEPLOY_TOKEN")).toBe(otherValue);
  expect(e2e.sandbox.tokenStatus(otherValue)).toBe("active");

  // The note: which token, when, by whom, why, what it could do, last use, the replacement, what is left.
  const text = fs.readFileSync(note, "utf8");
  expect(text).toContain("# Incident: token `leaky-reader` revoked");
  expect(text).toContain(`personal token "leaky-reader" (id ${String(old.tokenId)}) on provisioner`);
  expect(text).toMatch(/\| Revoked at \| \d{4}-\d\d-\d\dT[\d:.]+Z \|/);
  expect(text).toMatch(/\| Revoked by \| root \(user id \d+\), the credential's user \(`GET \/user`\) \|/);
  expect(text).toContain("| Reason | value printed in job 4711's log |");
  expect(text).toContain("a GET after the revoke shows it revoked");
  expect(text).toContain("- Scopes: read_api");
  expect(text).toContain(`- Expiry: ${String(old.expiresAt)}`);
  expect(text).toMatch(/- Last used: \d{4}-\d\d-\d\dT/);
  expect(text).toContain("- Last IP addresses: 127.0.0.1");
  expect(text).toContain(`- New token id: ${String(made.tokenId)}`);
  expect(text).toContain(`- Expires: ${String(made.expiresAt)}`);
  expect(text).toContain("  - project acme/web: LEAKY_TOKEN");
  expect(text).toContain("`GET /groups/:id/audit_events` (Premium+)");
  expect(r.stdout).toContain(
    `revoke: personal token "leaky-reader" (id ${String(old.tokenId)}) on provisioner: revoked`,
  );
  expect(r.stdout).toContain(`replacement: token id ${String(made.tokenId)}`);
  expect(r.stdout).toContain("note: note.md");

  expectNoSecrets(e2e, secrets, {
    "revoke's stdout": r.stdout,
    "revoke's stderr": r.stderr,
    "the note": text,
  });
});

it("--no-up revokes only, and says what to run; a project token's IPs come from an administrator's GET", async () => {
  const value = variable("WEB_DEPLOY_TOKEN")!;
  expect((await useToken(value)).status).toBe(200);
  e2e.sandbox.resetCounters();
  const r = await revoke(["web-deploy", "--stack", e2e.ws.stack, "--no-up"]);
  expect(r.code).toBe(0);
  expect(e2e.sandbox.tokenStatus(value)).toBe("revoked");
  expect(e2e.sandbox.counters().byRoute["POST /api/v4/projects/:id/access_tokens"]).toBeUndefined();
  expect(r.stdout).toContain(`run: pulumi up --stack ${e2e.ws.stack} --refresh --run-program --yes`);
  const notes = fs.readdirSync(dir).filter((f) => /^incident-web-deploy-\d{8}T\d{6}Z\.md$/.test(f));
  expect(notes).toHaveLength(1);
  const text = fs.readFileSync(path.join(dir, notes[0]!), "utf8");
  expect(text).toContain("- Access level: reporter");
  expect(text).toContain("- Scopes: read_api");
  expect(text).toContain("- Last IP addresses: 127.0.0.1");
  expect(text).toContain("| Reason | (none given) |");
  expect(text).toContain("- Not made yet: --no-up was given");
  expect(text).toContain("`GET /projects/acme%2Fweb/audit_events`");
  expectNoSecrets(e2e, secrets, {
    "revoke's stdout": r.stdout,
    "revoke's stderr": r.stderr,
    "the note": text,
  });
});
