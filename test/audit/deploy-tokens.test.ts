/**
 * `npm run audit` lists a project's and a group's deploy tokens beside their access tokens, over
 * real HTTP against the sandbox: a declared one is managed (and its marker, in GitLab's name, is not
 * shown), an unmanaged one without expiry is a finding, and no value reaches the outputs.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startSandbox, type Sandbox } from "../../sandbox";
import { runAudit } from "./helpers";

const NOW = "2030-04-11T12:00:00.000Z";

describe("the audit with deploy tokens", () => {
  let sandbox: Sandbox;
  let dir: string;
  const values: string[] = [];

  const post = async (route: string, body: Record<string, unknown>) => {
    const r = await fetch(`${sandbox.url}/api/v4${route}`, {
      method: "POST",
      headers: { "PRIVATE-TOKEN": sandbox.adminToken, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const made = (await r.json()) as { id: number; token: string };
    values.push(made.token);
    return made;
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ now: NOW, freezeClock: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-deploy-"));
    // Made by gitlab-tokens (the marker at the end of the name) and declared.
    await post("/groups/acme/deploy_tokens", {
      name: "registry [gitlab-tokens:AAAAAAAAAAAAAAAA.BBBBBBB]",
      username: "ci-registry",
      scopes: ["read_registry"],
      expires_at: "2030-05-20",
    });
    // Made by hand, long ago, without expiry.
    await post("/projects/acme%2Fweb/deploy_tokens", {
      name: "legacy-pull",
      scopes: ["read_repository", "write_registry"],
    });
    fs.writeFileSync(
      path.join(dir, "tokens.yaml"),
      [
        "tokens:",
        "  registry:",
        "    kind: deploy",
        "    group: acme",
        "    username: ci-registry",
        "    scopes: [read_registry]",
        "    lifetimeDays: 60",
        "    owner: team-web",
      ].join("\n"),
    );
  });
  afterAll(async () => {
    await sandbox?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("lists them as deploy tokens, managed or not, and reports the one without expiry", async () => {
    const env = { GITLAB_BASE_URL: sandbox.url, GITLAB_TOKEN: sandbox.adminToken, GITLAB_TOKENS_NOW: NOW };
    const r = await runAudit(dir, ["--project", "acme/web", "--no-fail"], env);
    const inv = r.inventory!;
    expect(inv.targets.map((t) => `${t.kind} ${t.name} ${t.tokens}`)).toEqual([
      "project acme/web 1",
      "group acme 1",
    ]);
    const registry = inv.tokens.find((t) => t.name === "registry");
    expect(registry).toMatchObject({
      kind: "deploy",
      target: "acme",
      managed: true,
      createdAt: null,
      findings: [],
    });
    const legacy = inv.tokens.find((t) => t.name === "legacy-pull");
    expect(legacy).toMatchObject({ kind: "deploy", target: "acme/web", managed: false, expiresAt: null });
    expect(legacy?.findings.map((f) => `${f.policy}:${f.code}`)).toEqual(
      expect.arrayContaining([
        "gitlab-token-max-lifetime:no-expiry",
        "gitlab-token-least-privilege-scopes:unjustified-scope",
      ]),
    );
    expect(legacy?.ref).toMatch(/^deploy:acme\/web:legacy-pull#\d+$/);
    expect(r.report).toContain("legacy-pull");
    for (const text of [r.report, r.json, r.stdout, r.stderr]) {
      for (const v of [...values, sandbox.adminToken]) expect(text).not.toContain(v);
      expect(text).not.toContain("gitlab-tokens:AAAAAAAAAAAAAAAA");
    }
  });
});
