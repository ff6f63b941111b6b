/**
 * GitLab's own Go client (gitlab.com/gitlab-org/api/client-go, test/sandbox/go-client/main.go)
 * against the sandbox's pipeline trigger endpoints, unchanged: it decodes what the sandbox sends as
 * GitLab's entity and gets GitLab's 404 for a deleted trigger. Go is a prerequisite of the project
 * (the engine is built with it); the client's module comes from the Go module proxy.
 */
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Sandbox, startSandbox } from "../../sandbox";

jest.setTimeout(600_000);

describe("the sandbox with GitLab's Go client", () => {
  let sandbox: Sandbox;
  let bin: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ now: "2030-01-15T08:00:00Z", freezeClock: true });
    bin = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "go-client-")), "go-client");
    execFileSync("go", ["build", "-o", bin, "."], {
      cwd: path.join(__dirname, "go-client"),
      stdio: ["ignore", "ignore", "inherit"],
    });
  });
  afterAll(async () => {
    await sandbox?.stop();
    if (bin) fs.rmSync(path.dirname(bin), { recursive: true, force: true });
  });

  it("adds, gets, edits, lists and deletes a pipeline trigger token", async () => {
    // Asynchronously: the sandbox answers from this process's event loop.
    const { stdout } = await promisify(execFile)(bin, [], {
      env: { ...process.env, SANDBOX_URL: sandbox.url, SANDBOX_TOKEN: sandbox.adminToken },
      encoding: "utf8",
      timeout: 120_000,
    });
    const out = JSON.parse(stdout) as Record<string, { [k: string]: unknown }>;
    const root = sandbox.user("root")!;
    expect(out.added).toMatchObject({
      id: expect.any(Number),
      description: "from the Go client",
      token: expect.stringMatching(/^glptt-[0-9a-f]{40}$/),
      created_at: "2030-01-15T08:00:00Z",
      owner: expect.objectContaining({ id: root.id, username: "root" }),
    });
    expect(out.got).toMatchObject({ id: out.added!.id, token: out.added!.token });
    expect(out.editedDescription).toBe("edited");
    expect(out.listedIds).toContain(out.added!.id);
    expect(out.afterDelete).toEqual({ status: 404, notFound: true });
    expect(sandbox.listTriggers()).toEqual([]);
  });
});
