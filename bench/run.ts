/**
 * `npm run bench`: our program against a same-run baseline, with the real engine and the sandbox
 * (see bench/bench.ts for what is measured, bench/baseline/ for the baseline). Writes
 * `<out>/<name>.md` and `.json` and prints where they went (with --json, prints the JSON too).
 *
 *   npm run bench -- --sizes 10,100,500 --latencies 0,50 --out bench/results --name 2025-01-01 --json
 *
 * Defaults: sizes 10,100,500; latencies 0,50 ms; out bench/results; name today's date (YYYY-MM-DD).
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { runBenchmark } from "./bench";
import { writeReport } from "./report";

function numbers(flag: string, text: string): number[] {
  const list = text.split(",").map((s) => Number(s.trim()));
  if (list.length === 0 || list.some((x) => !Number.isInteger(x) || x < 0)) {
    throw new Error(`--${flag} takes a comma-separated list of whole numbers, got ${JSON.stringify(text)}`);
  }
  return list;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: "string", default: "10,100,500" },
      latencies: { type: "string", default: "0,50" },
      out: { type: "string", default: path.join(__dirname, "results") },
      name: { type: "string", default: new Date().toISOString().slice(0, 10) },
      json: { type: "boolean", default: false },
    },
  });
  const sizes = numbers("sizes", values.sizes);
  if (sizes.some((n) => n < 1)) throw new Error("--sizes must be at least 1");
  const result = await runBenchmark({
    sizes,
    latencies: numbers("latencies", values.latencies),
    log: (line) => console.error(line),
  });
  const files = await writeReport(result, path.resolve(values.out), values.name);
  const where = `report: ${files.md}\njson:   ${files.json}`;
  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
    console.error(where);
  } else {
    console.log(where);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
