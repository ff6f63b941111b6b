/**
 * End to end, credential hygiene: `pulumi up` given a wrong, an expired, a revoked and an
 * under-scoped provisioning credential, a non-maintainer's credential and an unreachable GitLab.
 * Each fails with one clear line that names what to fix, makes no token and prints no stack trace;
 * then a good run, and no credential or token value anywhere in output, state or export.
 */
import * as net from "node:net";
import { DEFAULT_SEED } from "../../sandbox/seed";
import type { RunResult } from "../../scripts/pulumi-engine";
import { ok, startE2E, tokenValues, type E2E } from "./helpers";

jest.setTimeout(600_000);

const YAML = `
tokens:
  c-web:
    kind: project
    project: acme/web
    scopes: [read_repository]
    deliverTo:
      - { project: acme/web, variable: C_WEB_TOKEN }
  c-api:
    kind: project
    project: acme/api
    scopes: [read_api]
    deliverTo:
      - { project: acme/api, variable: C_API_TOKEN }
`;

const REFUSED =
  "GitLab refused the provisioning credential (401): %s; set gitlab-tokens:token or GITLAB_TOKEN to a valid token with api scope";

let e2e: E2E;
/** The credentials tried and every token value made: none may appear in plaintext anywhere. */
const secrets = new Set<string>();
const timings: Record<string, number> = {};

beforeAll(async () => {
  e2e = await startE2E("credentials", YAML, {
    now: new Date(),
    // bob: a Developer of acme, who may not create access tokens.
    seed: {
      ...DEFAULT_SEED,
      users: [...(DEFAULT_SEED.users ?? []), { username: "bob" }],
      groups: [{ path: "acme", members: { alice: "owner", provisioner: "maintainer", bob: "developer" } }],
    },
  });
  secrets.add(e2e.sandbox.adminToken);
});

afterAll(async () => {
  if (Object.keys(timings).length > 0) console.log(`pulumi up wall times (ms): ${JSON.stringify(timings)}`);
  await e2e?.close();
});

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function activeTokenIds(): number[] {
  return e2e.sandbox
    .listTokens()
    .filter((t) => t.active)
    .map((t) => t.id)
    .sort((a, b) => a - b);
}

/** The distinct `error:` lines of the CLI's Diagnostics, without Pulumi's own "update failed". */
function errorLines(r: RunResult): string[] {
  const lines = `${r.stdout}\n${r.stderr}`
    .split("\n")
    .map((l) => /^\s+error: (.*)$/.exec(l)?.[1]?.trim())
    .filter((l): l is string => l !== undefined && l !== "update failed");
  return [...new Set(lines)];
}

/** `pulumi up` with this credential (as secret stack config) and base URL; expects a clean failure. */
async function upFailing(label: string, credential: string, baseUrl = e2e.sandbox.url): Promise<string[]> {
  secrets.add(credential);
  await e2e.ws.setConfig("gitlab-tokens:token", credential, { secret: true });
  await e2e.ws.setConfig("gitlab-tokens:baseUrl", baseUrl);
  const before = activeTokenIds();
  const t0 = Date.now();
  const r = await e2e.run(() => e2e.ws.up([], e2e.clockEnv()));
  timings[label] = Date.now() - t0;
  const output = `${r.stdout}\n${r.stderr}`;
  expect(r.code).not.toBe(0);
  // No stack trace, no raw JavaScript error.
  expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(output).not.toMatch(/(TypeError|ReferenceError|Error):|node_modules|\.js:\d+/);
  // Nothing made: no new active token, no delivery.
  expect(activeTokenIds()).toEqual(before);
  expect(e2e.sandbox.variableValue("project", "acme/web", "C_WEB_TOKEN")).toBeUndefined();
  expect(e2e.sandbox.variableValue("project", "acme/api", "C_API_TOKEN")).toBeUndefined();
  return errorLines(r);
}

describe("pulumi up with a bad provisioning credential: one clear error, no token made", () => {
  it("a wrong credential", async () => {
    expect(await upFailing("wrong", "glpat-notAValidTokenAtAll0000")).toEqual([
      REFUSED.replace("%s", "it is wrong, expired or revoked"),
    ]);
  });

  it("an expired credential", async () => {
    const yesterday = new Date(e2e.sandbox.now().getTime() - 86400_000).toISOString().slice(0, 10);
    const expired = e2e.sandbox.mintPersonalToken("root", { scopes: ["api"], expiresAt: yesterday });
    expect(await upFailing("expired", expired.token)).toEqual([REFUSED.replace("%s", "it has expired")]);
  });

  it("a revoked credential", async () => {
    const revoked = e2e.sandbox.mintPersonalToken("root", { scopes: ["api"] });
    const del = await fetch(`${e2e.sandbox.url}/api/v4/personal_access_tokens/${revoked.id}`, {
      method: "DELETE",
      headers: { "PRIVATE-TOKEN": e2e.sandbox.adminToken },
    });
    expect(del.status).toBe(204);
    expect(await upFailing("revoked", revoked.token)).toEqual([REFUSED.replace("%s", "it was revoked")]);
  });

  it("a credential with only read_api", async () => {
    const readOnly = e2e.sandbox.mintPersonalToken("root", { scopes: ["read_api"] });
    expect(await upFailing("read_api", readOnly.token)).toEqual([
      "GitLab refused the provisioning credential (403 insufficient_scope): it lacks the api scope; " +
        "set gitlab-tokens:token or GITLAB_TOKEN to a token with api scope",
    ]);
  });

  it("a Developer's credential (not Maintainer or Owner)", async () => {
    const developer = e2e.sandbox.mintPersonalToken("bob", { scopes: ["api"] });
    const lines = await upFailing("developer", developer.token);
    // One line per project, each naming the call (which project) and the role needed.
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(2);
    for (const line of lines) {
      expect(line).toMatch(
        /^GitLab POST projects\/\d+\/access_tokens: HTTP 400: 400 Bad request - User does not have permission to create project access token; the provisioning credential's user lacks the role for this: it must be Maintainer or Owner of the project or group/,
      );
    }
  });

  it("an unreachable GitLab: named with its URL, and quickly (no minutes of retries)", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    expect(await upFailing("unreachable", e2e.sandbox.adminToken, url)).toEqual([
      `cannot reach GitLab at ${url} (ECONNREFUSED); check gitlab-tokens:baseUrl or GITLAB_BASE_URL`,
    ]);
    // Three quick connection attempts per call (< 1 s of backoff), not six backed off up to 20 s.
    expect(timings.unreachable).toBeLessThan(60_000);
  });
});

describe("then a good credential", () => {
  it("creates and delivers both tokens", async () => {
    await e2e.ws.setConfig("gitlab-tokens:token", e2e.sandbox.adminToken, { secret: true });
    await e2e.ws.setConfig("gitlab-tokens:baseUrl", e2e.sandbox.url);
    ok(await e2e.run(() => e2e.ws.up([], e2e.clockEnv())));
    const values = await tokenValues(e2e);
    expect(Object.keys(values).sort()).toEqual(["c-api", "c-web"]);
    for (const v of Object.values(values)) {
      secrets.add(v);
      expect(e2e.sandbox.tokenStatus(v)).toBe("active");
    }
    expect(e2e.sandbox.variableValue("project", "acme/web", "C_WEB_TOKEN")).toBe(values["c-web"]);
  });

  it("no credential and no token value in the CLI output, the state files or the export", async () => {
    expect(secrets.size).toBeGreaterThanOrEqual(8); // admin + 5 bad credentials + 2 tokens
    const places: Record<string, string> = {
      "the CLI's stdout and stderr": e2e.transcript.join("\n"),
      "the state backend files": e2e.ws.readStateFiles(),
      "pulumi stack export": (await e2e.ws.exportState()).text,
    };
    for (const [where, text] of Object.entries(places)) {
      expect(text.length).toBeGreaterThan(100);
      for (const secret of secrets) {
        if (text.includes(secret)) throw new Error(`a secret (${secret.slice(0, 6)}…) appears in ${where}`);
      }
    }
    ok(await e2e.run(() => e2e.ws.destroy([], e2e.clockEnv())));
    expect(e2e.sandbox.listTokens().filter((t) => ["c-web", "c-api"].includes(t.name) && t.active)).toEqual(
      [],
    );
  });
});
