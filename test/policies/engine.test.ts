/**
 * The pack under the real Pulumi engine (`pulumi preview --policy-pack policies`), against a
 * throwaway program whose dynamic resources carry this project's access-token type and props (a
 * stand-in provider, no GitLab): mandatory violations fail the preview with their messages, values
 * unknown at preview reach the advisory channel instead of crashing, a configured exception and
 * limit apply, and a token in state is judged from its creation date.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PulumiWorkspace, REPO_ROOT } from "../../scripts/pulumi-engine";

jest.setTimeout(240_000);

const PROGRAM = `
import * as pulumi from "@pulumi/pulumi";

/** Stands in for the real provider: creates nothing, returns what state would hold. */
class StandIn implements pulumi.dynamic.ResourceProvider {
  async create(inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
    const createdAt = inputs.key === "old" ? "2026-06-01T00:00:00Z" : "2026-09-03T12:00:00Z";
    const expiresAt = (inputs.fixedExpiresAt as string | undefined) ?? "2026-11-02";
    const value = "Clones the docs repository for the docs job";
    return { id: String(inputs.key), outs: { ...inputs, value, createdAt, expiresAt, token: "glpat-standin-secret" } };
  }
}

class AccessToken extends pulumi.dynamic.Resource {
  constructor(name: string, props: Record<string, pulumi.Input<unknown>>) {
    super(new StandIn(), name, { ...props, token: undefined }, { additionalSecretOutputs: ["token"] }, "gitlab-tokens", "AccessToken");
  }
}

class Later extends pulumi.dynamic.Resource {
  /** An output the provider sets: unknown until apply. */
  declare readonly value: pulumi.Output<string>;
  constructor(name: string) {
    super(new StandIn(), name, { key: name, value: undefined }, {}, "standin", "Later");
  }
}

const base = {
  kind: "project", target: "acme/web", scopes: ["read_repository"], accessLevel: "reporter",
  lifetimeDays: 60, rotateBeforeDays: 7, rotateWhenChanged: {}, rotationEpoch: "", owner: "team-web",
  description: "Clones the web repository for the docs job",
};
const token = (key: string, props: Record<string, pulumi.Input<unknown>> = {}) =>
  new AccessToken(key + "-token", { ...base, key, name: key, ...props });

const variant = new pulumi.Config().get("variant") ?? "good";
token("good");
// The description depends on another resource's output: unknown until apply.
token("later", { description: new Later("later-source").value });
// Exempt by the configured exception.
token("legacy", { lifetimeDays: 80 });
// Fine from today (2026-09-03), 153 days from its creation (2026-06-01) once in state.
token("old", { lifetimeDays: undefined, fixedExpiresAt: "2026-11-01" });
if (variant === "bad") {
  token("bad", { scopes: ["api", "read_api"], accessLevel: "owner", lifetimeDays: 120, owner: undefined });
}
`;

const CONFIG = {
  "gitlab-token-max-lifetime": {
    maxLifetimeDays: 75,
    exceptions: [
      { token: "legacy", expires: "2026-10-01", reason: "vendor migration" },
      { token: "bad", expires: "2026-09-01", reason: "expired on purpose" },
    ],
  },
};

describe("the policy pack under the real engine", () => {
  let ws: PulumiWorkspace;
  let configFile: string;
  const env = { GITLAB_TOKENS_NOW: "2026-09-03T12:00:00Z" };
  const policyArgs = () => [
    "--policy-pack",
    path.join(REPO_ROOT, "policies"),
    "--policy-pack-config",
    configFile,
  ];

  beforeAll(async () => {
    ws = PulumiWorkspace.create();
    ws.writeProject({
      "Pulumi.yaml": "name: policy-pack-e2e\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n",
      "package.json": JSON.stringify({
        name: "policy-pack-e2e",
        version: "0.0.0",
        private: true,
        main: "index.ts",
      }),
      "index.ts": PROGRAM,
    });
    configFile = path.join(ws.root, "policy-config.json");
    fs.writeFileSync(configFile, JSON.stringify(CONFIG));
    await ws.stackInit();
  });

  afterAll(() => ws?.remove());

  it("fails a preview that breaks mandatory policies, with messages that say what to change", async () => {
    await ws.setConfig("variant", "bad");
    const r = await ws.preview(policyArgs(), env);
    expect(r.code).not.toBe(0);
    const out = r.stdout;
    expect(out).toContain("[mandatory]");
    expect(out).toContain(
      "project token 'bad' lives 120 days (lifetimeDays: 120); tokens must expire within 75 days of creation. Set lifetimeDays to 75 or less. (The exception for 'bad' expired on 2026-09-01.)",
    );
    expect(out).toContain(
      "project token 'bad' has owner access; Owner-level project tokens are not allowed (they can change members and settings and delete the project). Set accessLevel to maintainer or lower.",
    );
    expect(out).toContain(
      "project token 'bad' has read_api beside api, which already grants it. Remove read_api.",
    );
    expect(out).toContain("project token 'bad' has no owner;");
    // The exception covers 'legacy' (80 days > 75); nothing is said about it or the compliant tokens.
    expect(out).not.toMatch(/token '(legacy|good|old)'/);
    expect(out).not.toContain("glpat");
  });

  it("passes a compliant preview, naming what it could not judge as advisory", async () => {
    await ws.setConfig("variant", "good");
    const r = await ws.preview(policyArgs(), env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("[advisory]");
    expect(r.stdout).toContain(
      "gitlab-token-ownership: could not judge the description of project token 'later': description is not known until apply",
    );
    expect(r.stdout).not.toContain("[mandatory]");
    expect(r.stdout).not.toContain("can't run policy");
  });

  it("judges a token in state from its creation date", async () => {
    const up = await ws.up(policyArgs(), env);
    expect(up.stdout).toContain(
      "project token 'old' expires on 2026-11-01, 153 days after its creation on 2026-06-01; tokens must expire within 75 days of creation.",
    );
    const preview = await ws.preview(policyArgs(), env);
    expect(preview.code).not.toBe(0);
    expect(preview.stdout).toContain(
      "project token 'old' expires on 2026-11-01, 153 days after its creation on 2026-06-01",
    );
    expect(preview.stdout).not.toContain("glpat");
  });
});
