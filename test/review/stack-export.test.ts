/**
 * `--stack NAME` against the real `pulumi` CLI with a file backend: an existing stack's export is
 * read, a stack that does not exist yet means every token is new, other failures stop the review.
 */
import { readStateExport } from "../../commands/review";
import { PulumiWorkspace } from "../../scripts/pulumi-engine";
import { pulumiStackExport, type ReviewIo } from "../../commands/review/cli";

jest.setTimeout(120_000);

let ws: PulumiWorkspace;
let io: ReviewIo;
beforeAll(async () => {
  ws = PulumiWorkspace.create({ stack: "review" });
  ws.writeProject({ "Pulumi.yaml": "name: gitlab-tokens\nruntime: nodejs\n" }, { linkNodeModules: false });
  await ws.stackInit();
  io = {
    cwd: ws.projectDir,
    env: ws.processEnv(),
    stdout: () => undefined,
    stderr: () => undefined,
    exportStack: pulumiStackExport,
  };
});
afterAll(() => ws.remove());

describe("pulumiStackExport", () => {
  it("exports an existing stack", () => {
    const text = pulumiStackExport("review", io);
    expect(text).toBeDefined();
    expect(readStateExport(text!, "stack review")).toEqual([]);
  });

  it("says a stack that does not exist yet has no state", () => {
    expect(pulumiStackExport("not-created-yet", io)).toBeUndefined();
  });

  it("stops the review on any other failure, with pulumi's message", () => {
    expect(() =>
      pulumiStackExport("review", { ...io, env: { ...io.env, PULUMI_BACKEND_URL: "nope://x" } }),
    ).toThrow(/^pulumi stack export --stack review failed \(exit \d+\):\n/);
  });
});
