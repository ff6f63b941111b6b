/**
 * `pulumi refresh --run-program` and `pulumi destroy --run-program` with the real engine, after the
 * provisioning credential in the stack config was rotated (the old one revoked). Without
 * `--run-program` the engine configures the dynamic provider from the config recorded in state by
 * the last `up` — the revoked credential — so refresh and destroy fail with 401 (and the daily
 * rotate job would fail until someone ran `up` by hand). With `--run-program` the program runs and
 * the provider gets the current stack config. The CI template's rotate job and the README use it.
 */
import { ACCESS_TOKEN, ok, startE2E, type E2E } from "./helpers";

jest.setTimeout(600_000);

const DECLARATIONS = `
tokens:
  web-pull:
    kind: project
    project: acme/web
    scopes: [read_registry, read_repository]
    accessLevel: reporter
    lifetimeDays: 60
    rotateBeforeDays: 14
    deliverTo:
      - { project: acme/web, variable: WEB_PULL_TOKEN }
  group-read:
    kind: group
    group: acme
    scopes: [read_api]
    accessLevel: reporter
    lifetimeDays: 60
`;

let e2e: E2E;
/** Every provisioning credential the test used: none may be printed. */
const credentials: string[] = [];

/** Puts a new provisioning credential (an admin's token) in the stack config and revokes the old one. */
async function rotateCredential(): Promise<void> {
  const next = e2e.sandbox.mintPersonalToken("root", {
    name: `provisioning-${credentials.length + 1}`,
    scopes: ["api"],
    expiresAt: null,
  }).token;
  await e2e.ws.setConfig("gitlab-tokens:token", next, { secret: true });
  const previous = credentials[credentials.length - 1];
  credentials.push(next);
  if (!previous) return;
  const revoke = await fetch(`${e2e.sandbox.url}/api/v4/personal_access_tokens/self`, {
    method: "DELETE",
    headers: { "PRIVATE-TOKEN": previous },
  });
  expect(revoke.status).toBe(204);
  expect(e2e.sandbox.tokenStatus(previous)).toBe("revoked");
}

beforeAll(async () => {
  e2e = await startE2E("run-program", DECLARATIONS, { now: new Date() });
  await rotateCredential(); // the first credential: revocable, unlike the sandbox's own admin token
});

afterAll(async () => {
  await e2e?.close();
});

const env = () => e2e.clockEnv();
const managedActive = () =>
  e2e.sandbox.listTokens().filter((t) => /\[gitlab-tokens:/.test(t.description ?? "") && t.active);
const failedWith401 = (r: { code: number; stdout: string; stderr: string }) =>
  r.code !== 0 && /401|unauthori[sz]ed/i.test(r.stdout + r.stderr);
const tokenIds = async () => (await e2e.tokensInState()).map((r) => r.outputs?.tokenId as number).sort();

it("after the credential in config is rotated, refresh and up --refresh work with --run-program (and fail without)", async () => {
  ok(await e2e.run(() => e2e.ws.up([], env())));
  const before = await tokenIds();
  expect(before).toHaveLength(2);
  expect(managedActive()).toHaveLength(2);

  await rotateCredential();
  // The state's recorded config (the revoked credential) fails ...
  expect(failedWith401(await e2e.run(() => e2e.ws.refresh([], env())))).toBe(true);
  expect(failedWith401(await e2e.run(() => e2e.ws.up(["--refresh"], env())))).toBe(true);
  // ... the program's config works, and keeps every token.
  const refresh = ok(await e2e.run(() => e2e.ws.refresh(["--run-program"], env())));
  expect(refresh.stdout).not.toMatch(/deleted/);
  expect(await tokenIds()).toEqual(before);

  await rotateCredential();
  // What the CI template's rotate job runs. Nothing is due, so nothing changes.
  const rotate = ok(await e2e.run(() => e2e.ws.up(["--refresh", "--run-program"], env())));
  expect(rotate.stdout).not.toMatch(/replaced|created|deleted/);
  expect(await tokenIds()).toEqual(before);
  expect(managedActive()).toHaveLength(2);
});

it("after the credential in config is rotated, destroy --run-program revokes every token (plain destroy cannot)", async () => {
  await rotateCredential();
  expect(failedWith401(await e2e.run(() => e2e.ws.destroy([], env())))).toBe(true);
  expect(managedActive()).toHaveLength(2);

  ok(await e2e.run(() => e2e.ws.destroy(["--run-program"], env())));
  expect(managedActive()).toHaveLength(0);
  expect(e2e.sandbox.variableValue("project", "acme/web", "WEB_PULL_TOKEN")).toBeUndefined();
  const resources = (await e2e.ws.exportState()).deployment.deployment.resources ?? [];
  expect(resources.filter((r) => r.type === ACCESS_TOKEN)).toEqual([]);
});

it("prints no provisioning credential", () => {
  const transcript = e2e.transcript.join("\n");
  for (const c of credentials) expect(transcript).not.toContain(c);
});
