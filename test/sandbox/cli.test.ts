/** The CLI: one JSON ready line, flags, seed files, clean shutdown on SIGTERM and Ctrl-C. */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "./helpers";

// Each test spawns ts-node; on a busy two-core machine that can take several seconds.
jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, "../..");
const TS_NODE = require.resolve("ts-node/dist/bin.js");

interface Running {
  child: ChildProcess;
  ready: Promise<{ url: string; adminToken: string }>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function run(command: string, args: string[], detached = false): Running {
  const child = spawn(command, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], detached });
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const ready = new Promise<{ url: string; adminToken: string }>((resolve, reject) => {
    child.stdout?.on("data", (d: Buffer) => {
      stdout += d.toString();
      const line = stdout.split("\n")[0];
      if (stdout.includes("\n") && line !== undefined) {
        try {
          resolve(JSON.parse(line) as { url: string; adminToken: string });
        } catch (e) {
          reject(e);
        }
      }
    });
    child.on("exit", () => reject(new Error(`exited before ready: ${stderr}`)));
  });
  ready.catch(() => undefined);
  const exit = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, ready, exit };
}

const cli = (args: string[]) =>
  run(process.execPath, [TS_NODE, "--transpile-only", "sandbox/cli.ts", ...args]);

describe("sandbox CLI", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sandbox-cli-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("prints exactly one JSON line when ready, serves the API, and stops on SIGTERM", async () => {
    const seed = path.join(dir, "seed.yaml");
    fs.writeFileSync(
      seed,
      [
        "users:",
        "  - { username: boss, admin: true }",
        "  - username: ci",
        "    tokens:",
        "      - { name: known, value: glpat-knownvalue0000000, scopes: [read_api], expiresAt: 2099-01-01 }",
        "groups:",
        "  - { path: demo, members: { ci: developer } }",
        "projects:",
        "  - { path: demo/app }",
        "",
      ].join("\n"),
    );
    const p = cli([
      "--port",
      "0",
      "--admin-token",
      "glpat-cliadmin0000000000",
      "--seed",
      seed,
      "--now",
      "2030-01-01T00:00:00Z",
    ]);
    const { url, adminToken } = await p.ready;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(adminToken).toBe("glpat-cliadmin0000000000");
    const api = new Client(url, adminToken);
    expect((await api.get("/user")).body.username).toBe("boss");
    const ci = await api.get("/projects/demo%2Fapp", { token: "glpat-knownvalue0000000" });
    expect(ci.body.path_with_namespace).toBe("demo/app");
    expect(ci.headers.get("date")).toMatch(/ 2030 /);
    p.child.kill("SIGTERM");
    const { code, stdout, stderr } = await p.exit;
    expect(code).toBe(0);
    expect(stdout.trim().split("\n")).toHaveLength(1);
    expect(stderr).toContain("SIGTERM, shutting down");
  });

  it("runs through `npm run sandbox` with the default seed and stops on Ctrl-C", async () => {
    const p = run("npm", ["run", "--silent", "sandbox", "--", "--port", "0"], true);
    const { url, adminToken } = await p.ready;
    expect(adminToken).toMatch(/^glpat-[A-Za-z0-9_-]{20}$/);
    const api = new Client(url, adminToken);
    const projects = await api.get("/projects?order_by=path&sort=asc");
    expect(projects.body.map((x: { path_with_namespace: string }) => x.path_with_namespace)).toEqual([
      "acme/api",
      "acme/web",
    ]);
    const users = await api.get("/users?order_by=id&sort=asc");
    expect(users.body.map((u: { username: string }) => u.username)).toEqual(["root", "alice", "provisioner"]);
    // Ctrl-C: SIGINT to the whole process group. npm re-raises the signal after its child exits.
    process.kill(-(p.child.pid ?? 0), "SIGINT");
    const { code, signal, stdout, stderr } = await p.exit;
    expect(code === 0 || signal === "SIGINT").toBe(true);
    expect(stderr).toContain("SIGINT, shutting down");
    expect(stdout.trim().split("\n")).toHaveLength(1);
    await expect(fetch(`${url}/api/v4/user`)).rejects.toThrow();
  });

  it.concurrent.each([
    [["--port", "eighty"], 2, /--port expects a non-negative integer/],
    [["--bogus"], 2, /Unknown option '--bogus'/],
    [["--seed", "/nonexistent/seed.yaml"], 1, /ENOENT/],
    [["--faults", '{"error":{"status":99}}'], 2, /invalid fault configuration/],
  ])("fails clearly on %j", async (args, expectedCode, message) => {
    const { code, stdout, stderr } = await cli(args).exit;
    expect(code).toBe(expectedCode);
    expect(stdout).toBe("");
    expect(stderr).toMatch(message);
  });
});
