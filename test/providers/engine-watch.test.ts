/**
 * A provider process ends when its engine is gone: the engine's RPC port stops answering, or the
 * process that started it dies. And a process that has lost its engine starts no GitLab call.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";
import { ENGINE_GONE_EXIT } from "../../components/providers/engine-watch";

const REPO = path.join(__dirname, "..", "..");

/** A node process that installs the watch as a dynamic-provider process would, with `address`. */
function provider(address: string, via: "direct" | "shell"): ChildProcess {
  const script =
    `process.argv = [process.argv[0], "/x/@pulumi/pulumi/cmd/dynamic-provider/index.js", ${JSON.stringify(address)}];` +
    `require("./components/providers/engine-watch").watchEngine();` +
    `console.log("watching"); setInterval(() => {}, 1000);`;
  const nodeArgs = ["-r", "ts-node/register/transpile-only", "-e", script];
  if (via === "direct")
    return spawn(process.execPath, nodeArgs, { cwd: REPO, stdio: ["ignore", "pipe", "inherit"] });
  // An intermediate parent that is killed: the provider is re-parented, as when the engine dies.
  const quoted = nodeArgs.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
  return spawn("sh", ["-c", `'${process.execPath}' ${quoted} & echo $!; wait`], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "inherit"],
  });
}

/** The child's stdout lines once `count` of them have arrived. */
const lines = (c: ChildProcess, count: number) =>
  new Promise<string[]>((resolve) => {
    let text = "";
    const onData = (d: Buffer) => {
      text += d.toString();
      const got = text.split("\n").filter(Boolean);
      if (got.length >= count) {
        c.stdout!.off("data", onData);
        resolve(got);
      }
    };
    c.stdout!.on("data", onData);
  });

const exitOf = (pid: number, timeoutMs: number) =>
  new Promise<boolean>((resolve) => {
    const start = Date.now();
    const t = setInterval(() => {
      try {
        process.kill(pid, 0);
        if (Date.now() - start > timeoutMs) {
          clearInterval(t);
          resolve(false);
        }
      } catch {
        clearInterval(t);
        resolve(true);
      }
    }, 50);
  });

it("exits (code 70) within a few seconds once the engine's port is closed", async () => {
  const engine = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => engine.listen(0, "127.0.0.1", r));
  const port = (engine.address() as net.AddressInfo).port;
  const child = provider(`127.0.0.1:${port}`, "direct");
  expect(await lines(child, 1)).toEqual(["watching"]);
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  // Still alive while the engine answers.
  await new Promise((r) => setTimeout(r, 1500));
  expect(child.exitCode).toBeNull();
  await new Promise<void>((r) => engine.close(() => r()));
  expect(await exited).toBe(ENGINE_GONE_EXIT);
  child.stdout!.destroy();
}, 30_000);

it("exits once the process that started it is gone", async () => {
  const engine = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => engine.listen(0, "127.0.0.1", r));
  const port = (engine.address() as net.AddressInfo).port;
  const shell = provider(`127.0.0.1:${port}`, "shell");
  const [pidLine, watching] = await lines(shell, 2);
  expect(watching).toBe("watching");
  const pid = Number(pidLine);
  shell.kill("SIGKILL");
  // The engine still answers: only the lost parent can end it.
  const gone = await exitOf(pid, 5_000);
  if (!gone) process.kill(pid, "SIGKILL");
  engine.close();
  expect(gone).toBe(true);
}, 30_000);
