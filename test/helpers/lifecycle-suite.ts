/**
 * The lifecycle suite, end to end with the real `pulumi` binary running this repository's program
 * against the sandbox: create, no-op, rotation by trigger, rotation by time, recovery from a token
 * revoked behind Pulumi's back, destroy — and no token value, credential or backend password in
 * plaintext anywhere. One function, run on each state backend: the file backend
 * (test/e2e/lifecycle.test.ts) and PostgreSQL (test/e2e/lifecycle.postgres.test.ts).
 */
import * as fs from "node:fs";
import {
  ACCESS_TOKEN,
  CI_VARIABLE,
  ok,
  startE2E,
  tokenValues,
  type E2E,
  type TestBackend,
} from "../e2e/helpers";

const declarations = (apiReason: string) => `
tokens:
  web-pull:
    kind: project
    project: acme/web
    scopes: [read_registry, read_repository]
    accessLevel: reporter
    lifetimeDays: 60
    rotateBeforeDays: 14
    owner: team-web
    deliverTo:
      - { project: acme/web, variable: WEB_PULL_TOKEN }
  api-push:
    kind: project
    project: acme/api
    scopes: [write_repository]
    accessLevel: developer
    lifetimeDays: 30
    rotateBeforeDays: 7
    rotateWhenChanged: { reason: "${apiReason}" }
    deliverTo:
      - { project: acme/api, variable: API_PUSH_TOKEN }
  group-read:
    kind: group
    group: acme
    scopes: [read_api]
    accessLevel: reporter
    lifetimeDays: 60
    deliverTo:
      - { group: acme, variable: GROUP_READ_TOKEN }
  svc-read:
    kind: personal
    user: provisioner
    scopes: [read_api]
    lifetimeDays: 60
`;

const VARIABLES = {
  "web-pull": ["project", "acme/web", "WEB_PULL_TOKEN"],
  "api-push": ["project", "acme/api", "API_PUSH_TOKEN"],
  "group-read": ["group", "acme", "GROUP_READ_TOKEN"],
} as const;

/** Registers the lifecycle suite on `backend` (stack `e2e-lifecycle`, or `e2e-lifecycle-postgres`). */
export function describeLifecycle(backend: TestBackend): void {
  describe(`pulumi up against the sandbox (${backend} backend)`, () => {
    let e2e: E2E;
    /** Every token value seen during the test, the credential and the backend's password: none may appear in plaintext. */
    const secrets = new Set<string>();
    /** The backend's stored objects while tokens exist (destroy empties the current state). */
    let stateWhileLive = "";
    /** `pulumi stack export` while tokens exist. */
    let exportWhileLive = "";

    beforeAll(async () => {
      const name = backend === "file" ? "lifecycle" : `lifecycle-${backend}`;
      e2e = await startE2E(name, declarations("initial"), { now: new Date() }, { backend });
      secrets.add(e2e.sandbox.adminToken);
      const password = e2e.ws.backendPassword();
      if (password) secrets.add(password);
    });

    afterAll(async () => {
      await e2e?.close();
    });

    const up = () => e2e.run(() => e2e.ws.up([], e2e.clockEnv()));

    async function tokenIds(): Promise<Record<string, number>> {
      const ids: Record<string, number> = {};
      for (const r of await e2e.tokensInState()) ids[r.outputs?.key as string] = r.outputs?.tokenId as number;
      return ids;
    }

    async function remember(): Promise<Record<string, string>> {
      const values = await tokenValues(e2e);
      Object.values(values).forEach((v) => secrets.add(v));
      return values;
    }

    function variableValue(key: keyof typeof VARIABLES): string | undefined {
      const [kind, target, variable] = VARIABLES[key];
      return e2e.sandbox.variableValue(kind, target, variable);
    }

    let first: Record<string, string>;

    it("1. creates every token and variable; each token works and each variable holds its token", async () => {
      const r = ok(await up());
      expect(r.stdout).toMatch(/\+ 12 created/); // stack + 4 components + 4 tokens + 3 variables
      // The checkpoint is in the backend (a file, or a row of PostgreSQL's pulumi_state table).
      const checkpoint = e2e.ws
        .backendObjects(".pulumi/stacks/")
        .filter((o) => o.key.endsWith(`/${e2e.ws.stack}.json`));
      expect(checkpoint).toHaveLength(1);
      expect(checkpoint[0]!.text).toContain(ACCESS_TOKEN);
      first = await remember();
      expect(Object.keys(first).sort()).toEqual(["api-push", "group-read", "svc-read", "web-pull"]);
      for (const value of Object.values(first)) {
        expect(e2e.sandbox.tokenStatus(value)).toBe("active");
        const self = await fetch(`${e2e.sandbox.url}/api/v4/personal_access_tokens/self`, {
          headers: { "PRIVATE-TOKEN": value },
        });
        expect(self.status).toBe(200);
      }
      for (const key of Object.keys(VARIABLES) as (keyof typeof VARIABLES)[]) {
        expect(variableValue(key)).toBe(first[key]);
      }
      const web = e2e.sandbox.findTokenByValue(first["web-pull"]!)!;
      const shown = await fetch(`${e2e.sandbox.url}/api/v4/projects/acme%2Fweb/access_tokens/${web.id}`, {
        headers: { "PRIVATE-TOKEN": e2e.sandbox.adminToken },
      });
      expect(await shown.json()).toMatchObject({
        name: "web-pull",
        scopes: ["read_registry", "read_repository"],
        access_level: 20,
        active: true,
      });
    });

    it("2. a second up reports no changes and makes zero GitLab API calls (and so does preview)", async () => {
      e2e.sandbox.resetCounters();
      const r = ok(await up());
      expect(r.stdout).toMatch(/12 unchanged/);
      expect(r.stdout).not.toMatch(/created|updated|replaced|deleted/);
      const p = ok(await e2e.run(() => e2e.ws.preview([], e2e.clockEnv())));
      expect(p.stdout).toMatch(/12 unchanged/);
      expect(e2e.sandbox.counters().total).toBe(0);
    });

    it("3. changing rotateWhenChanged rotates that token only, with a valid token delivered at every moment", async () => {
      const before = await tokenIds();
      const old = first["api-push"]!;
      e2e.writeDeclarations(declarations("2026-11 incident"));

      // Watch the variable while pulumi works: whatever it holds must always be an active token.
      const observed: string[] = [];
      let watching = true;
      const watcher = (async () => {
        while (watching) {
          const v = variableValue("api-push");
          observed.push(v === undefined ? "missing" : e2e.sandbox.tokenStatus(v));
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      const r = await up();
      watching = false;
      await watcher;
      ok(r);

      expect(r.stdout).toMatch(/\+-.*api-push.*replaced/);
      const after = await tokenIds();
      expect(after["api-push"]).not.toBe(before["api-push"]);
      for (const key of ["web-pull", "group-read", "svc-read"]) expect(after[key]).toBe(before[key]);

      const values = await remember();
      expect(values["api-push"]).not.toBe(old);
      expect(e2e.sandbox.tokenStatus(values["api-push"]!)).toBe("active");
      expect(e2e.sandbox.tokenStatus(old)).toBe("revoked");
      expect(variableValue("api-push")).toBe(values["api-push"]);
      expect(observed.length).toBeGreaterThan(10);
      expect(new Set(observed)).toEqual(new Set(["active"]));
    });

    it("4. moving the clock into the rotation window rotates exactly the tokens that are due", async () => {
      const before = await tokenIds();
      // api-push: 30-day lifetime, rotates 7 days before expiry (day 23); the others: day 46.
      e2e.sandbox.advanceDays(24);
      const r = ok(await up());
      const after = await tokenIds();
      expect(after["api-push"]).not.toBe(before["api-push"]);
      for (const key of ["web-pull", "group-read", "svc-read"]) expect(after[key]).toBe(before[key]);
      expect(r.stdout).toMatch(/1 replaced/);
      const values = await remember();
      expect(variableValue("api-push")).toBe(values["api-push"]);
      const state = await e2e.tokensInState();
      const api = state.find((s) => s.outputs?.key === "api-push")!;
      expect(api.outputs?.expiresAt).toBe(
        new Date(Date.parse(e2e.sandbox.now().toISOString().slice(0, 10)) + 30 * 86400_000)
          .toISOString()
          .slice(0, 10),
      );

      // The same day again: nothing is due any more.
      e2e.sandbox.resetCounters();
      expect(ok(await up()).stdout).toMatch(/12 unchanged/);
      expect(e2e.sandbox.counters().total).toBe(0);
    });

    it("5. a token revoked behind Pulumi's back is found by refresh and recreated and redelivered by up", async () => {
      const values = await remember();
      const revoked = e2e.sandbox.findTokenByValue(values["group-read"]!)!;
      const del = await fetch(`${e2e.sandbox.url}/api/v4/groups/acme/access_tokens/${revoked.id}`, {
        method: "DELETE",
        headers: { "PRIVATE-TOKEN": e2e.sandbox.adminToken },
      });
      expect(del.status).toBe(204);

      const refresh = ok(await e2e.run(() => e2e.ws.refresh([], e2e.clockEnv())));
      expect(refresh.stdout).toMatch(/group-read.*deleted/);
      const r = ok(await up());
      expect(r.stdout).toMatch(/group-read.*created/);
      const now = await remember();
      expect(now["group-read"]).not.toBe(values["group-read"]);
      expect(e2e.sandbox.tokenStatus(now["group-read"]!)).toBe("active");
      expect(variableValue("group-read")).toBe(now["group-read"]);
      stateWhileLive = e2e.ws.readStateFiles();
      exportWhileLive = (await e2e.ws.exportState()).text;
      expect(stateWhileLive).toContain('"ciphertext"');
    });

    it("6. destroy leaves zero active managed tokens and removes the variables", async () => {
      ok(await e2e.run(() => e2e.ws.destroy([], e2e.clockEnv())));
      const managed = new Set(["web-pull", "api-push", "group-read", "svc-read"]);
      const active = e2e.sandbox.listTokens().filter((t) => managed.has(t.name) && t.active);
      expect(active).toEqual([]);
      for (const key of Object.keys(VARIABLES) as (keyof typeof VARIABLES)[]) {
        expect(variableValue(key)).toBeUndefined();
      }
      const { deployment } = await e2e.ws.exportState();
      expect(
        (deployment.deployment.resources ?? []).filter((r) => [ACCESS_TOKEN, CI_VARIABLE].includes(r.type)),
      ).toEqual([]);
    });

    it("7. no token value and not the credential appear in plaintext: state files, CLI output, stack config", async () => {
      // the credential + 4 tokens + 3 rotations (+ the backend's password)
      expect(secrets.size).toBeGreaterThanOrEqual(e2e.ws.backendPassword() ? 9 : 8);
      const places: Record<string, string> = {
        "the exported state (live)": exportWhileLive,
        [`the ${backend} backend's objects (live)`]: stateWhileLive,
        [`the ${backend} backend's objects (after destroy)`]: e2e.ws.readStateFiles(),
        "the CLI's stdout and stderr": e2e.transcript.join("\n"),
        "the stack config file": fs.readFileSync(e2e.ws.configFile, "utf8"),
      };
      for (const [where, text] of Object.entries(places)) {
        for (const secret of secrets) {
          if (text.includes(secret)) throw new Error(`a secret (${secret.slice(0, 8)}…) appears in ${where}`);
        }
      }
      expect(stateWhileLive.length).toBeGreaterThan(1000);
    });
  });
}
