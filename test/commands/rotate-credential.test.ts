/**
 * `npm run rotate-credential` over real HTTP against the sandbox: the provisioning credential (a
 * service account's token with the api scope, held in a project's CI/CD variable) is rotated through
 * GitLab's self-rotation only when it expires within --before-days; the successor is in the variable
 * and in the value file (mode 0600), the old one revoked; neither value is ever printed; whatever
 * can be refused is refused before the rotation, changing nothing.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startSandbox, type Sandbox } from "../../sandbox";
import { GitLabClient } from "../../components/gitlab/client";
import { addDays } from "../../components/gitlab/facts";
import { main } from "../../commands/credential/cli";

const NOW = new Date("2026-12-04T09:00:00Z");
const ROTATE = "POST /api/v4/personal_access_tokens/self/rotate";

let sandbox: Sandbox;
let dir: string;
let credential: { id: number; token: string };
const printed: string[] = [];

/** Runs the command with `token` as $GITLAB_TOKEN; returns its exit code. */
const run = (args: string[], token = credential.token) =>
  main(["--now", NOW.toISOString(), ...args], {
    cwd: dir,
    env: { GITLAB_TOKEN: token, GITLAB_BASE_URL: sandbox.url },
    stdout: (t) => printed.push(t),
    stderr: (t) => printed.push(t),
  });

const ARGS = ["--project", "acme/web", "--variable", "GITLAB_TOKEN", "--value-file", "new-token"];

beforeAll(async () => {
  sandbox = await startSandbox({ now: NOW, freezeClock: true });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "rotate-credential-"));
  credential = sandbox.mintPersonalToken("provisioner", {
    name: "gitlab-tokens provisioning",
    scopes: ["api"],
    expiresAt: addDays(NOW, 40),
  });
  const admin = new GitLabClient({ baseUrl: sandbox.url, token: sandbox.adminToken });
  await admin.createVariable("project", "acme/web", "GITLAB_TOKEN", {
    value: credential.token,
    protected: true,
    masked: true,
    hidden: true,
    raw: true,
    environmentScope: "*",
  });
});

afterAll(async () => {
  await sandbox?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  printed.length = 0;
  sandbox.resetCounters();
});

describe("rotate-credential", () => {
  it("changes nothing while the credential is not due: one GitLab call", async () => {
    expect(await run([...ARGS, "--before-days", "30"])).toBe(0);
    expect(printed.join("\n")).toContain(
      `credential token ${credential.id} ("gitlab-tokens provisioning") not rotated: expires ${addDays(NOW, 40)}, 40 days away: not within 30 days`,
    );
    expect(sandbox.counters().total).toBe(1);
    expect(sandbox.tokenStatus(credential.token)).toBe("active");
    expect(fs.existsSync(path.join(dir, "new-token"))).toBe(false);
  });

  it("refuses a variable that does not exist before rotating anything", async () => {
    expect(
      await run(["--project", "acme/web", "--variable", "NOPE", "--value-file", "x", "--before-days", "60"]),
    ).toBe(2);
    expect(printed.join("\n")).toMatch(
      /^rotate-credential: CI\/CD variable NOPE of project acme\/web \(environment scope "\*"\) does not exist, or the credential cannot see it; .* nothing was changed$/m,
    );
    expect(sandbox.counters().byRoute[ROTATE]).toBeUndefined();
    expect(sandbox.tokenStatus(credential.token)).toBe("active");
  });

  it("refuses a credential without the api scope (its successor could not write the variable)", async () => {
    const weak = sandbox.mintPersonalToken("provisioner", {
      name: "self-rotate only",
      scopes: ["self_rotate"],
      expiresAt: addDays(NOW, 5),
    });
    expect(await run([...ARGS, "--before-days", "30"], weak.token)).toBe(2);
    expect(printed.join("\n")).toContain("lacks the api scope");
    expect(sandbox.counters().byRoute[ROTATE]).toBeUndefined();
    expect(sandbox.tokenStatus(weak.token)).toBe("active");
  });

  it("rotates a credential within --before-days: the successor in the variable and the value file, the old one revoked, no value printed", async () => {
    expect(await run([...ARGS, "--before-days", "60", "--lifetime-days", "90"])).toBe(0);
    const file = path.join(dir, "new-token");
    const successor = fs.readFileSync(file, "utf8");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(successor).not.toBe(credential.token);
    expect(sandbox.tokenStatus(successor)).toBe("active");
    expect(sandbox.tokenStatus(credential.token)).toBe("revoked");
    expect(sandbox.variableValue("project", "acme/web", "GITLAB_TOKEN")).toBe(successor);
    const info = sandbox.findTokenByValue(successor)!;
    expect(info).toMatchObject({ expiresAt: addDays(NOW, 90), scopes: ["api"] });
    expect(sandbox.counters().byRoute[ROTATE]).toBe(1);
    expect(printed.join("\n")).toContain(
      `credential token ${credential.id} ("gitlab-tokens provisioning", expiring ${addDays(NOW, 40)}) rotated on 2026-12-04: ` +
        `successor token ${info.id} expires ${addDays(NOW, 90)}; written to CI/CD variable GITLAB_TOKEN of project acme/web`,
    );
    for (const secret of [credential.token, successor, sandbox.adminToken]) {
      expect(printed.join("\n")).not.toContain(secret);
    }
    // The next run, with the successor, finds nothing due.
    printed.length = 0;
    expect(await run([...ARGS, "--before-days", "60"], successor)).toBe(0);
    expect(printed.join("\n")).toMatch(/not rotated: expires .*, 90 days away/);
  });

  it("refuses bad input with one line and the usage", async () => {
    expect(await run(["--variable", "X", "--value-file", "f"])).toBe(2);
    expect(printed[0]).toMatch(/^rotate-credential: give exactly one of --project and --group/);
    printed.length = 0;
    expect(await run([...ARGS, "--before-days", "0"])).toBe(2);
    expect(printed[0]).toBe('rotate-credential: --before-days is "0"; give a whole number of days, 1 to 365');
    printed.length = 0;
    expect(await run(ARGS, "")).toBe(2);
    expect(printed[0]).toBe("rotate-credential: no credential: set the GITLAB_TOKEN environment variable");
  });
});
