/**
 * `recover` after a replacement (a rotation) killed during its create, over real HTTP against the
 * sandbox. The resource keeps its creation reference across replacements, so the token being
 * replaced — still in state, still delivered — carries the same reference as what the interrupted
 * create made: recover revokes only the tokens the state does not hold.
 */
import { startSandbox, type Sandbox } from "../../sandbox";
import { GitLabClient } from "../../components/gitlab/client";
import { addDays } from "../../components/gitlab/facts";
import { markedDescription, newCreateNonce, newCreateRef } from "../../components/gitlab/marker";
import { recover, type ExportedStack } from "../../commands/recover";
import { ACCESS_TOKEN_TYPE } from "../../components/types";

const NOW = new Date("2026-11-25T09:00:00Z");

let sandbox: Sandbox;
let gl: GitLabClient;

beforeAll(async () => {
  sandbox = await startSandbox({ now: NOW, freezeClock: true });
  gl = new GitLabClient({ baseUrl: sandbox.url, token: sandbox.adminToken });
});

afterAll(async () => {
  await sandbox?.stop();
});

async function make(name: string, ref: string): Promise<number> {
  const t = await gl.createResourceToken("project", sandbox.projectId("acme/web")!, {
    name,
    scopes: ["read_api"],
    expiresAt: addDays(NOW, 30),
    description: markedDescription("rotated", ref, newCreateNonce()),
  });
  return t.id;
}

it("revokes what the interrupted create made, never the token it was replacing (same reference, in state)", async () => {
  const ref = newCreateRef();
  const replaced = await make("rotating", ref);
  const orphan = await make("rotating", ref); // the killed replacement's create had reached GitLab
  const other = await make("rotating", newCreateRef()); // another resource's (or stack's) token
  const inputs = { kind: "project", target: "acme/web", name: "rotating", createRef: ref };
  const state: ExportedStack = {
    version: 3,
    deployment: {
      resources: [{ type: ACCESS_TOKEN_TYPE, outputs: { ...inputs, tokenId: replaced } }],
      pending_operations: [{ type: "creating", resource: { urn: "urn:x", type: ACCESS_TOKEN_TYPE, inputs } }],
    },
  };
  const r = await recover(state, async () => gl);
  expect(r.creates).toEqual([expect.objectContaining({ name: "rotating", revoked: [orphan] })]);
  const active = sandbox
    .listTokens()
    .filter((t) => t.name === "rotating" && t.active)
    .map((t) => t.id);
  expect(active.sort()).toEqual([replaced, other].sort());
  expect(r.cleared?.deployment.pending_operations).toBeUndefined();
});

it("a deploy token: finds what the interrupted create made by the marker in its name, whatever access token ids the state holds", async () => {
  const ref = newCreateRef();
  const made = await gl.createDeployToken("group", sandbox.groupId("acme")!, {
    name: `packages ${markedDescription("", ref, newCreateNonce())}`,
    scopes: ["read_package_registry"],
    expiresAt: addDays(NOW, 30),
  });
  const kept = await gl.createDeployToken("group", sandbox.groupId("acme")!, {
    name: `packages ${markedDescription("", newCreateRef(), newCreateNonce())}`,
    scopes: ["read_package_registry"],
    expiresAt: addDays(NOW, 30),
  });
  const inputs = { kind: "deploy", target: "acme", targetField: "group", name: "packages", createRef: ref };
  const state: ExportedStack = {
    version: 3,
    deployment: {
      // A project access token in state whose id is the same number as the orphan deploy token's:
      // ids of different GitLab tables, so it does not hold the deploy token.
      resources: [{ type: ACCESS_TOKEN_TYPE, outputs: { kind: "project", tokenId: made.id } }],
      pending_operations: [{ type: "creating", resource: { urn: "urn:d", type: ACCESS_TOKEN_TYPE, inputs } }],
    },
  };
  const r = await recover(state, async () => gl);
  expect(r.creates).toEqual([
    expect.objectContaining({ kind: "deploy", name: "packages", revoked: [made.id] }),
  ]);
  expect(sandbox.listDeployTokens().map((t) => t.id)).toEqual([kept.id]);
});
