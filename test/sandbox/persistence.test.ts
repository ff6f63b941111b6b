/** Persistence: state survives restarts, only token digests are stored, writes are atomic. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startSandbox } from "../../sandbox";
import { loadDataFile, saveDataFile } from "../../sandbox/persistence";
import { Client } from "./helpers";

describe("sandbox persistence", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sandbox-data-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("keeps users, tokens, variables and the clock across a restart", async () => {
    const dataFile = path.join(dir, "state.json");
    const adminToken = "glpat-persistadmin000000";
    const first = await startSandbox({
      dataFile,
      adminToken,
      now: "2030-03-01T00:00:00Z",
      freezeClock: true,
    });
    const api = new Client(first.url, adminToken);
    const alice = first.user("alice")?.id;
    const made = await api.post(`/users/${alice}/personal_access_tokens`, { name: "kept", scopes: ["api"] });
    await api.post("/projects/acme%2Fweb/variables", { key: "KEPT", value: "yes" });
    const sa = await api.post("/service_accounts", { username: "kept-sa" });
    first.advanceDays(3);
    await first.stop();

    const second = await startSandbox({
      dataFile,
      adminToken,
      seed: { users: [{ username: "ignored", admin: true }] },
    });
    try {
      const again = new Client(second.url, adminToken);
      expect(second.now().toISOString()).toBe("2030-03-04T00:00:00.000Z");
      expect(second.user("ignored")).toBeUndefined();
      expect((await again.get("/user", { token: made.body.token })).body.username).toBe("alice");
      expect((await again.get("/projects/acme%2Fweb/variables/KEPT")).body.value).toBe("yes");
      expect((await again.get(`/users/${sa.body.id}`)).body.username).toBe("kept-sa");
      const next = await again.post(`/users/${alice}/personal_access_tokens`, {
        name: "next",
        scopes: ["api"],
      });
      expect(next.body.id).toBeGreaterThan(made.body.id);
    } finally {
      await second.stop();
    }
  });

  it("revokes the generated admin token of an earlier run on restart", async () => {
    const dataFile = path.join(dir, "state.json");
    const first = await startSandbox({ dataFile });
    await first.stop();
    const second = await startSandbox({ dataFile });
    try {
      expect(second.adminToken).not.toBe(first.adminToken);
      expect(second.tokenStatus(first.adminToken)).toBe("revoked");
      expect(second.tokenStatus(second.adminToken)).toBe("active");
    } finally {
      await second.stop();
    }
  });

  it("stores token digests, never token values", async () => {
    const dataFile = path.join(dir, "state.json");
    const sandbox = await startSandbox({ dataFile });
    const api = new Client(sandbox.url, sandbox.adminToken);
    const made = await api.post("/projects/acme%2Fweb/access_tokens", { name: "secret", scopes: ["api"] });
    await sandbox.stop();
    const text = fs.readFileSync(dataFile, "utf8");
    expect(text).not.toContain(made.body.token);
    expect(text).not.toContain(sandbox.adminToken);
    expect(text).not.toMatch(/glpat-/);
    const saved = loadDataFile(dataFile);
    expect(saved?.state.tokens.every((t) => /^[0-9a-f]{64}$/.test(t.digest))).toBe(true);
    expect((fs.statSync(dataFile).mode & 0o777).toString(8)).toBe("600");
  });

  it("writes atomically: a reader never sees a torn file while changes are written", async () => {
    const dataFile = path.join(dir, "state.json");
    const sandbox = await startSandbox({ dataFile });
    const api = new Client(sandbox.url, sandbox.adminToken);
    let reads = 0;
    let stop = false;
    const reader = (async () => {
      while (!stop) {
        JSON.parse(fs.readFileSync(dataFile, "utf8"));
        reads += 1;
        await new Promise((r) => setImmediate(r));
      }
    })();
    for (let i = 0; i < 40; i += 1) {
      await api.post("/projects/acme%2Fweb/variables", { key: `V${i}`, value: "x".repeat(2000) });
    }
    stop = true;
    await reader;
    await sandbox.stop();
    expect(reads).toBeGreaterThan(0);
    expect(loadDataFile(dataFile)?.state.variables).toHaveLength(40);
    expect(fs.readdirSync(dir)).toEqual(["state.json"]);
  });

  it.each([
    ["while writing the temporary file", "writeFileSync"],
    ["before the rename", "renameSync"],
  ] as const)("leaves the previous state intact after a crash %s", (_case, fn) => {
    const file = path.join(dir, "state.json");
    const clock = { offsetMs: 0 };
    const state = (n: number) => ({ version: 1, marker: n }) as never;
    saveDataFile(file, { savedAt: "x", clock, state: state(1) });
    // The real module object (the `import * as fs` namespace has read-only bindings onto it).
    const nodeFs = jest.requireActual<typeof fs>("node:fs");
    const spy = jest.spyOn(nodeFs, fn).mockImplementation(() => {
      throw new Error("simulated crash");
    });
    try {
      expect(() => saveDataFile(file, { savedAt: "y", clock, state: state(2) })).toThrow("simulated crash");
    } finally {
      spy.mockRestore();
    }
    expect((loadDataFile(file)?.state as unknown as { marker: number }).marker).toBe(1);
    expect(fs.readdirSync(dir)).toEqual(["state.json"]);
  });

  it("ignores and removes a temporary file left by a crashed writer", async () => {
    const dataFile = path.join(dir, "state.json");
    const first = await startSandbox({ dataFile, adminToken: "glpat-crashadmin00000000" });
    await first.stop();
    fs.writeFileSync(path.join(dir, ".state.json.999.1.tmp"), '{"format":"gitlab-tokens-sandbox","ver');
    const second = await startSandbox({ dataFile, adminToken: "glpat-crashadmin00000000" });
    try {
      expect(fs.readdirSync(dir)).toEqual(["state.json"]);
      expect(second.user("alice")).toBeDefined();
    } finally {
      await second.stop();
    }
  });

  it("refuses a data file that is not valid", async () => {
    const dataFile = path.join(dir, "bad.json");
    fs.writeFileSync(dataFile, '{"format":"gitlab-tokens-sandbox","version":1,"state":');
    await expect(startSandbox({ dataFile })).rejects.toThrow(/not valid JSON/);
    fs.writeFileSync(dataFile, '{"hello":"world"}');
    await expect(startSandbox({ dataFile })).rejects.toThrow(/not a sandbox data file/);
  });

  it("keeps everything in memory without --data", async () => {
    const sandbox = await startSandbox();
    const api = new Client(sandbox.url, sandbox.adminToken);
    await api.post("/service_accounts", { username: "memory-only" });
    await sandbox.stop();
    const fresh = await startSandbox();
    try {
      expect(fresh.user("memory-only")).toBeUndefined();
    } finally {
      await fresh.stop();
    }
  });
});
