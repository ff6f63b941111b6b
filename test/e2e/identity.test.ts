/**
 * End to end with the real `pulumi` binary: who each token acts as. After `up`, each token's
 * component and the program's stack outputs carry its user's `userId`, `username` and (with this
 * administrator's credential) `commitEmail`, read with one `GET /users/:id` per created token; a
 * rotation gives a project token a new bot user and leaves a service account's personal token its
 * user; a refresh reads no identity again; and no token value reaches the stack outputs, the CLI's
 * output or the state files.
 */
import * as fs from "node:fs";
import { ok, startE2E, tokenValues, type E2E } from "./helpers";

jest.setTimeout(600_000);

const declarations = (reason: string) => `
tokens:
  web-push:
    kind: project
    project: acme/web
    scopes: [write_repository]
    accessLevel: developer
    lifetimeDays: 30
    rotateWhenChanged: { reason: "${reason}" }
  svc-read:
    kind: personal
    user: provisioner
    serviceAccount: true
    scopes: [read_api]
    lifetimeDays: 30
    rotateWhenChanged: { reason: "${reason}" }
`;

const USER_BY_ID = "GET /api/v4/users/:id";

interface Summary {
  tokenId: number;
  userId: number;
  username?: string;
  commitEmail?: string;
}

describe("identity outputs: userId, username, commitEmail", () => {
  let e2e: E2E;
  const secrets = new Set<string>();

  beforeAll(async () => {
    e2e = await startE2E("identity", declarations("initial"), { now: new Date() });
    secrets.add(e2e.sandbox.adminToken);
  });

  afterAll(async () => {
    await e2e?.close();
  });

  const up = () => e2e.run(() => e2e.ws.up([], e2e.clockEnv()));
  /** The program's `tokens` stack output, read without --show-secrets. */
  const summaries = async () => (await e2e.ws.outputs()).tokens as Record<string, Summary>;
  const host = () => new URL(e2e.sandbox.url).hostname;

  let first: Record<string, Summary>;

  it("1. up exports each token's user: a project token's own bot, the service account's personal token its account", async () => {
    e2e.sandbox.resetCounters();
    ok(await up());
    Object.values(await tokenValues(e2e)).forEach((v) => secrets.add(v));
    first = await summaries();

    const web = first["web-push"]!;
    const bot = e2e.sandbox.user(web.userId)!;
    expect(bot.kind).toBe("project_bot");
    expect(web.username).toBe(bot.username);
    expect(web.username).toMatch(
      new RegExp(`^project_${e2e.sandbox.projectId("acme/web")}_bot_[0-9a-f]{32}$`),
    );
    expect(web.commitEmail).toBe(`${web.username}@noreply.${host()}`);

    const account = e2e.sandbox.user("provisioner")!;
    expect(first["svc-read"]).toMatchObject({
      userId: account.id,
      username: "provisioner",
      commitEmail: account.email,
    });

    // The state holds the same, and the tokens' users are GitLab's.
    for (const r of await e2e.tokensInState()) {
      const key = r.outputs?.key as string;
      expect(r.outputs).toMatchObject({ userId: first[key]!.userId, identityUsername: first[key]!.username });
      expect(e2e.sandbox.findTokenByValue(r.outputs?.token as string)?.userId).toBe(first[key]!.userId);
    }
    // One identity read per created token.
    expect(e2e.sandbox.counters().byRoute[USER_BY_ID]).toBe(2);
  });

  it("2. a rotation gives the project token a new bot user; the service account's token keeps its user", async () => {
    e2e.sandbox.resetCounters();
    e2e.writeDeclarations(declarations("2026-12 incident"));
    const r = ok(await up());
    expect(r.stdout).toMatch(/web-push.*replaced/);
    expect(r.stdout).toMatch(/svc-read.*replaced/);
    Object.values(await tokenValues(e2e)).forEach((v) => secrets.add(v));
    const next = await summaries();

    expect(next["web-push"]!.tokenId).not.toBe(first["web-push"]!.tokenId);
    expect(next["web-push"]!.userId).not.toBe(first["web-push"]!.userId);
    expect(next["web-push"]!.username).not.toBe(first["web-push"]!.username);
    expect(next["web-push"]!.username).toBe(e2e.sandbox.user(next["web-push"]!.userId)!.username);
    expect(next["web-push"]!.commitEmail).toBe(`${next["web-push"]!.username}@noreply.${host()}`);

    expect(next["svc-read"]!.tokenId).not.toBe(first["svc-read"]!.tokenId);
    expect(next["svc-read"]).toMatchObject({
      userId: first["svc-read"]!.userId,
      username: "provisioner",
      commitEmail: first["svc-read"]!.commitEmail,
    });
    expect(e2e.sandbox.counters().byRoute[USER_BY_ID]).toBe(2);
  });

  it("3. a refresh keeps the identities without reading them again", async () => {
    const before = await summaries();
    e2e.sandbox.resetCounters();
    const r = ok(await e2e.run(() => e2e.ws.refresh([], e2e.clockEnv())));
    expect(r.stdout).not.toMatch(/deleted/);
    expect(e2e.sandbox.counters().byRoute[USER_BY_ID]).toBeUndefined();
    for (const res of await e2e.tokensInState()) {
      const key = res.outputs?.key as string;
      expect(res.outputs).toMatchObject({
        userId: before[key]!.userId,
        identityUsername: before[key]!.username,
        commitEmail: before[key]!.commitEmail,
      });
    }
  });

  it("4. no token value and not the credential appear in the stack outputs, the CLI's output or the state files", async () => {
    expect(secrets.size).toBe(5); // the credential and four token values
    const places = {
      "the stack outputs (--show-secrets)": JSON.stringify(await e2e.ws.outputs({ showSecrets: true })),
      "the CLI's stdout and stderr": e2e.transcript.join("\n"),
      "the stack config file": fs.readFileSync(e2e.ws.configFile, "utf8"),
      "the state files": e2e.ws.readStateFiles(),
    };
    for (const [where, text] of Object.entries(places)) {
      for (const secret of secrets) {
        if (text.includes(secret)) throw new Error(`a secret (${secret.slice(0, 8)}…) appears in ${where}`);
      }
    }
    ok(await e2e.run(() => e2e.ws.destroy([], e2e.clockEnv())));
  });
});
