/**
 * End to end with the real `pulumi` binary: an instance whose maximum token lifetime (an
 * administrator's setting) is shorter than the declared lifetime. `up` makes the token with the last
 * date GitLab accepts instead of failing ("Expiration date must be before …", GitLab #548819) and
 * warns, naming the token and both dates; the rotation before that expiry — on the cap's day —
 * works the same way; a lifetime within the cap is made as declared, with no warning.
 */
import { addDays } from "../../components/gitlab/facts";
import { expectNoSecrets, ok, startE2E, tokenValues, type E2E } from "./helpers";

jest.setTimeout(600_000);

const declarations = `
tokens:
  web-read:
    kind: project
    project: acme/web
    scopes: [read_api]
    lifetimeDays: 60
    rotateBeforeDays: 7
  web-short:
    kind: project
    project: acme/web
    scopes: [read_repository]
    lifetimeDays: 10
    rotateBeforeDays: 3
`;

describe("the instance's maximum lifetime caps the expiry asked for", () => {
  let e2e: E2E;
  const secrets = new Set<string>();

  beforeAll(async () => {
    e2e = await startE2E("lifetime-cap", declarations, { now: new Date("2026-12-01T08:00:00Z") });
    e2e.sandbox.updateSettings({ maxPersonalAccessTokenLifetimeDays: 30 });
    secrets.add(e2e.sandbox.adminToken);
  });

  afterAll(async () => {
    await e2e?.close();
  });

  const up = () => e2e.run(() => e2e.ws.up([], e2e.clockEnv()));
  const expiries = async () =>
    Object.fromEntries((await e2e.tokensInState()).map((r) => [r.outputs!.key, r.outputs!.expiresAt]));

  it("1. up makes the token with the last date GitLab accepts and says so; the short one as declared", async () => {
    const r = ok(await up());
    const today = e2e.sandbox.now();
    expect(await expiries()).toEqual({ "web-read": addDays(today, 29), "web-short": addDays(today, 10) });
    expect(r.stdout + r.stderr).toContain(
      `web-read: expires ${addDays(today, 29)}, not ${addDays(today, 60)} as declared: this GitLab's maximum token lifetime is shorter`,
    );
    expect(r.stdout + r.stderr).not.toMatch(/web-short: expires/);
    Object.values(await tokenValues(e2e)).forEach((v) => secrets.add(v));
  });

  it("2. on its rotation day the token is rotated, again within the cap", async () => {
    const before = await tokenValues(e2e);
    e2e.sandbox.advanceDays(22); // rotation is due 7 days before the expiry of day 29
    const r = ok(await up());
    expect(r.stdout).toMatch(/web-read.*replaced/);
    const today = e2e.sandbox.now();
    expect((await expiries())["web-read"]).toBe(addDays(today, 29));
    const after = await tokenValues(e2e);
    expect(after["web-read"]).not.toBe(before["web-read"]);
    expect(e2e.sandbox.tokenStatus(after["web-read"]!)).toBe("active");
    expect(e2e.sandbox.tokenStatus(before["web-read"]!)).toBe("revoked");
    Object.values(after).forEach((v) => secrets.add(v));
  });

  it("3. no token value and not the credential appear in the CLI's output or the state", async () => {
    ok(await e2e.run(() => e2e.ws.destroy([], e2e.clockEnv())));
    expectNoSecrets(e2e, secrets);
  });
});
