/**
 * A provider process must not outlive the Pulumi engine that started it: when the engine is killed
 * (a cancelled CI job, a lost runner), nothing would record what the provider still creates. The
 * engine starts the dynamic-provider process with its RPC address as the first argument; this
 * watch probes that address and the parent process, and ends the process as soon as either is
 * gone. Until then `assertEngineAlive` lets GitLab calls start; after, none does.
 *
 * Installed once per process by the first provider call (see the `entry` objects); inert in tests
 * that call the implementation directly (no engine address on the command line).
 */
import * as net from "node:net";

/** How often the parent process is checked, and the engine's port probed. */
const PARENT_CHECK_MS = 200;
const PROBE_MS = 1_000;
/** Exit code of a provider that stopped because its engine was gone. */
export const ENGINE_GONE_EXIT = 70;

let watching = false;
let parentAtStart: number | undefined;

function engineAddress(argv: readonly string[]): { host: string; port: number } | undefined {
  if (!argv.some((a) => /dynamic-provider/.test(a))) return undefined;
  const m = /^(?:(.+):)?(\d+)$/.exec(argv[2] ?? "");
  if (!m) return undefined;
  return { host: m[1] && m[1] !== "" ? m[1].replace(/^\[|\]$/g, "") : "127.0.0.1", port: Number(m[2]) };
}

function stop(): void {
  // No message on stdout/stderr: nobody is reading them any more.
  process.exit(ENGINE_GONE_EXIT);
}

/** Starts watching the engine (idempotent); does nothing outside a dynamic-provider process. */
export function watchEngine(argv: readonly string[] = process.argv): void {
  if (watching) return;
  watching = true;
  const address = engineAddress(argv);
  if (!address) return;
  const parent = process.ppid;
  parentAtStart = parent;
  setInterval(() => {
    if (process.ppid !== parent) stop();
  }, PARENT_CHECK_MS).unref();
  setInterval(() => {
    const socket = net.connect(address.port, address.host);
    socket.setTimeout(PROBE_MS);
    socket.once("connect", () => socket.destroy());
    socket.once("timeout", () => socket.destroy());
    socket.once("error", (e: NodeJS.ErrnoException) => {
      socket.destroy();
      if (e.code === "ECONNREFUSED") stop();
    });
  }, PROBE_MS).unref();
}

/** Throws when the engine is gone: no GitLab call may start then. */
export function assertEngineAlive(): void {
  if (parentAtStart !== undefined && process.ppid !== parentAtStart)
    throw new Error("the Pulumi engine has exited; no GitLab call is started");
}
