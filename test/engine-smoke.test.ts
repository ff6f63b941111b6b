/**
 * Proves, with the real Pulumi CLI (no mocks), the three engine paths the project relies on:
 * a TypeScript program with a dynamic resource of its own type name goes through its whole
 * lifecycle; its secret output is encrypted in state; a local policy pack blocks a preview.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PulumiWorkspace, REPO_ROOT } from "../scripts/pulumi-engine";

jest.setTimeout(240_000);

const fixture = (name: string, file: string) =>
  fs.readFileSync(path.join(__dirname, "fixtures", name, file), "utf8");

describe("real Pulumi engine", () => {
  let ws: PulumiWorkspace;
  let marker: string;

  beforeAll(async () => {
    ws = PulumiWorkspace.create();
    ws.writeProject({
      "Pulumi.yaml": fixture("smoke-program", "Pulumi.yaml"),
      "package.json": fixture("smoke-program", "package.json"),
      "index.ts": fixture("smoke-program", "index.ts"),
    });
    marker = path.join(ws.root, "calls.log");
    fs.writeFileSync(marker, "");
    await ws.stackInit();
    await ws.setConfig("markerFile", marker);
  });

  afterAll(() => ws?.remove());

  const calls = () => fs.readFileSync(marker, "utf8").trim().split("\n").filter(Boolean);

  it("previews, creates, keeps a no-change second up, refreshes through read, and destroys", async () => {
    const preview = await ws.preview();
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain("pulumi-nodejs:dynamic/smoke:Greeting");
    expect(preview.stdout).toMatch(/\+ 2 to create/);
    expect(calls()).toEqual([]); // preview never creates

    const up = await ws.up();
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/\+ 2 created/);
    expect(calls()).toEqual(["create"]);

    const { deployment } = await ws.exportState();
    const greeting = deployment.deployment.resources?.find(
      (r) => r.type === "pulumi-nodejs:dynamic/smoke:Greeting",
    );
    expect(greeting?.outputs?.greeting).toBe("hello");

    const second = await ws.up();
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/2 unchanged/);
    expect(second.stdout).not.toMatch(/created|updated|replaced|deleted/);
    expect(calls()).toEqual(["create"]);

    const refresh = await ws.refresh();
    expect(refresh.code).toBe(0);
    expect(calls()).toEqual(["create", "read"]);

    // The secret is encrypted in the exported state and in every file of the backend.
    const outputs = await ws.outputs({ showSecrets: true });
    const secret = outputs.secret as string;
    expect(secret).toMatch(/^smoke-secret-[0-9a-f]{24}$/);
    const exported = await ws.exportState();
    expect(exported.text).not.toContain(secret);
    expect(ws.readStateFiles()).not.toContain(secret);
    const secretOut = exported.deployment.deployment.resources?.find((r) => r.type.endsWith(":Greeting"))
      ?.outputs?.secret as Record<string, unknown>;
    expect(secretOut["4dabf18193072939515e22adb298388d"]).toBe("1b47061264138c4ac30d75fd1eb44270");
    expect(typeof secretOut.ciphertext).toBe("string");
    const plainOutputs = await ws.outputs();
    expect(JSON.stringify(plainOutputs)).not.toContain(secret);

    const destroy = await ws.destroy();
    expect(destroy.code).toBe(0);
    expect(destroy.stdout).toMatch(/- 2 deleted/);
    expect(calls()).toEqual(["create", "read", "delete"]);
  });

  it("fails a preview whose resources break a mandatory policy, and passes once fixed", async () => {
    const pack = path.join(ws.root, "smoke-policy");
    fs.mkdirSync(pack);
    for (const f of ["PulumiPolicy.yaml", "package.json", "index.ts"]) {
      fs.writeFileSync(path.join(pack, f), fixture("smoke-policy", f));
    }
    fs.symlinkSync(path.join(REPO_ROOT, "policies", "node_modules"), path.join(pack, "node_modules"), "dir");

    await ws.setConfig("greeting", "forbidden");
    const failing = await ws.preview(["--policy-pack", pack]);
    expect(failing.code).not.toBe(0);
    expect(failing.stdout).toContain("smoke-no-forbidden-greeting");
    expect(failing.stdout).toContain("[mandatory]");
    expect(failing.stdout).toContain("greeting is 'forbidden'; choose another word");

    await ws.setConfig("greeting", "hello");
    const passing = await ws.preview(["--policy-pack", pack]);
    expect(passing.code).toBe(0);
    expect(passing.stdout).not.toContain("smoke-no-forbidden-greeting");
  });
});
