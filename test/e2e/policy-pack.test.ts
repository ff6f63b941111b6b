/**
 * End to end with the real `pulumi preview --policy-pack policies` on this repository's program,
 * against the sandbox: the shipped example passes, and so does a deploy token (not asked for a
 * description, which GitLab keeps none of); a 120-day lifetime, an `api` scope without a
 * justification, an Owner-level token and a deploy token's unjustified write_package_registry each
 * fail, naming the policy.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../../scripts/pulumi-engine";
import { startE2E, type E2E } from "./helpers";

jest.setTimeout(600_000);

const PACK = path.join(REPO_ROOT, "policies");
const EXAMPLE = fs.readFileSync(path.join(REPO_ROOT, "tokens.yaml"), "utf8");

const one = (extra: string) => `
tokens:
  ci-token:
    kind: project
    project: acme/web
    description: Reads the web project for the CI job
    owner: team-web
    rotateBeforeDays: 14
${extra.replace(/^/gm, "    ")}
`;

const deploy = (extra: string) => `
tokens:
  ci-token:
    kind: deploy
    project: acme/web
    owner: team-web
    rotateBeforeDays: 14
${extra.replace(/^/gm, "    ")}
`;

let e2e: E2E;

beforeAll(async () => {
  e2e = await startE2E("policy", EXAMPLE, { now: new Date() });
});

afterAll(async () => {
  await e2e?.close();
});

const preview = () => e2e.run(() => e2e.ws.preview(["--policy-pack", PACK], e2e.clockEnv()));

it("passes the shipped example declarations, without any API call", async () => {
  e2e.sandbox.resetCounters();
  const r = await preview();
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/Policies:\s+✅ gitlab-tokens@v\d+\.\d+\.\d+ \(local: .*policies\)/);
  expect(r.stdout).not.toContain("[mandatory]");
  expect(e2e.sandbox.counters().total).toBe(0);
});

it("passes a compliant deploy token, without any API call", async () => {
  e2e.writeDeclarations(
    deploy(
      "scopes: [read_registry]\nlifetimeDays: 30\ndeliverTo:\n  - { project: acme/web, variable: U, value: username }",
    ),
  );
  e2e.sandbox.resetCounters();
  const r = await preview();
  expect(r.code).toBe(0);
  expect(r.stdout).not.toContain("[mandatory]");
  expect(e2e.sandbox.counters().total).toBe(0);
});

it.each([
  [
    "a deploy token's write_package_registry without a justification",
    deploy("scopes: [write_package_registry]\nlifetimeDays: 30"),
    "gitlab-token-least-privilege-scopes",
    "write_package_registry",
  ],
  [
    "a 120-day lifetime",
    one("scopes: [read_repository]\naccessLevel: reporter\nlifetimeDays: 120"),
    "gitlab-token-max-lifetime",
    "120 days",
  ],
  [
    "an api scope without a justification",
    one("scopes: [api]\naccessLevel: reporter\nlifetimeDays: 30"),
    "gitlab-token-least-privilege-scopes",
    "api",
  ],
  [
    "an Owner-level token",
    one("scopes: [read_repository]\naccessLevel: owner\nlifetimeDays: 30"),
    "gitlab-token-access-level",
    "owner",
  ],
])("fails a preview of %s, naming the policy", async (_what, yaml, policy, detail) => {
  e2e.writeDeclarations(yaml);
  const r = await preview();
  expect(r.code).not.toBe(0);
  const line = new RegExp(
    `\\[mandatory\\][^\\n]*  ${policy}  \\(pulumi-nodejs:dynamic/gitlab-tokens:AccessToken: ci-token\\)`,
  );
  expect(r.stdout).toMatch(line);
  expect(r.stdout.slice(r.stdout.search(line))).toMatch(new RegExp(detail, "i"));
});
