/**
 * What the report commands (`npm run review`, `npm run audit`) share around their cores: the options
 * `--policy-config`, `--out`, `--now` and `--no-fail`, writing the output files, and the exit code on
 * blocking findings.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { CliIo, CliValues } from "./cli";
import { displayPath } from "./inputs";

/** The option table entries every report command has (spread into its own table). */
export const REPORT_OPTIONS = {
  "policy-config": { type: "string" },
  out: { type: "string" },
  now: { type: "string" },
  "no-fail": { type: "boolean" },
} as const;

export interface ReportOptions {
  policyConfig?: string;
  /** The output folder. */
  out: string;
  now?: string;
  /** Exit 0 even with blocking findings. */
  noFail: boolean;
}

/** The report options with their defaults; `out` is the command's default output folder. */
export function reportOptions(values: CliValues<typeof REPORT_OPTIONS>, out: string): ReportOptions {
  return {
    policyConfig: values["policy-config"],
    out: values.out ?? out,
    now: values.now,
    noFail: values["no-fail"] ?? false,
  };
}

/** Writes `files` (name → text) into the output folder, made if need be; returns their shown paths. */
export function writeOutputs(cwd: string, outDir: string, files: Record<string, string>): string[] {
  const out = path.resolve(cwd, outDir);
  fs.mkdirSync(out, { recursive: true });
  return Object.entries(files).map(([name, text]) => {
    const file = path.join(out, name);
    fs.writeFileSync(file, text);
    return displayPath(file, cwd);
  });
}

/** A JSON output file's text. */
export const jsonFile = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/**
 * The exit code after the report: writes each blocking finding's line to standard error; with any,
 * `failCode`, or 0 with `--no-fail` (saying so, with `what` naming the findings).
 */
export function exitOnBlocking(
  io: CliIo,
  blocking: string[],
  opts: { noFail: boolean; what: string; failCode: number },
): number {
  for (const line of blocking) io.stderr(line);
  if (blocking.length === 0) return 0;
  if (opts.noFail) {
    io.stderr(`${opts.what} above; exiting 0 because of --no-fail`);
    return 0;
  }
  return opts.failCode;
}
