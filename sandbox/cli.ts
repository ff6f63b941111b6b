/**
 * `npm run sandbox -- [--port N] [--admin-token T] [--seed FILE] [--data FILE] [--now TIME]
 *  [--freeze-clock] [--faults JSON|FILE] [--latency-ms N]`
 *
 * Starts the GitLab sandbox on 127.0.0.1 and, when it is ready, prints exactly one JSON line on stdout:
 * {"url":"http://127.0.0.1:N","adminToken":"…"}. Ctrl-C or SIGTERM stops it cleanly.
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import YAML from "yaml";
import { type FaultConfig, parseFaultConfig } from "./faults";
import { type Sandbox, startSandbox } from "./index";

const USAGE = `usage: npm run sandbox -- [options]

  --port N            port on 127.0.0.1 (default 0: any free port)
  --admin-token T     the admin's token value (default: generated)
  --seed FILE         YAML or JSON seed (default: built-in seed, see sandbox/README.md)
  --data FILE         keep the state in FILE across restarts (written atomically)
  --now TIME          start the clock at this ISO 8601 time
  --freeze-clock      the clock moves only through PUT /-/sandbox/clock
  --faults JSON|FILE  fault configuration (inline JSON or a JSON/YAML file)
  --latency-ms N      add N ms to every API request
  -h, --help          this help

Prints one line {"url":"http://127.0.0.1:N","adminToken":"…"} on stdout when ready.`;

function fail(message: string, code = 2): never {
  process.stderr.write(`sandbox: ${message}\n`);
  process.exit(code);
}

function readFaults(arg: string): FaultConfig {
  let text = arg;
  if (!arg.trim().startsWith("{")) {
    try {
      text = fs.readFileSync(arg, "utf8");
    } catch (e) {
      fail(`--faults: cannot read ${arg}: ${(e as Error).message}`);
    }
  }
  let data: unknown;
  try {
    data = YAML.parse(text);
  } catch (e) {
    fail(`--faults: ${(e as Error).message}`);
  }
  return parseFaultConfig(data);
}

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) fail(`${name} expects a non-negative integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: "string" },
        "admin-token": { type: "string" },
        seed: { type: "string" },
        data: { type: "string" },
        now: { type: "string" },
        "freeze-clock": { type: "boolean" },
        faults: { type: "string" },
        "latency-ms": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    fail(`${(e as Error).message}\n\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = integer("--port", values.port);
  const latency = integer("--latency-ms", values["latency-ms"]);
  let faults: FaultConfig | undefined;
  try {
    faults = values.faults !== undefined ? readFaults(values.faults) : undefined;
  } catch (e) {
    fail((e as Error).message);
  }
  if (latency !== undefined) faults = { ...(faults ?? {}), latencyMs: latency };

  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({
      port,
      adminToken: values["admin-token"],
      seed: values.seed,
      dataFile: values.data,
      now: values.now,
      freezeClock: values["freeze-clock"] ?? false,
      faults,
    });
  } catch (e) {
    fail((e as Error).message, 1);
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`sandbox: ${signal}, shutting down\n`);
    sandbox.stop().then(
      () => process.exit(0),
      (e: unknown) => fail(`shutdown failed: ${(e as Error).message}`, 1),
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));

  process.stdout.write(`${JSON.stringify({ url: sandbox.url, adminToken: sandbox.adminToken })}\n`);
}

main().catch((e: unknown) => fail(e instanceof Error ? (e.stack ?? e.message) : String(e), 1));
