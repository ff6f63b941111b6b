/**
 * Inputs the review and the audit commands read the same way: files, the policy pack
 * configuration, the `--now` option. Problems are CliInputError: shown without a stack trace, and
 * the command exits 2 (it could not run).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { currentTime, type PackConfig } from "../../policies/rules";

export class CliInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliInputError";
  }
}

export function readText(file: string, what: string, shown: string = file): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new CliInputError(`cannot read ${what} ${shown} (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
}

/** `tokens.yaml`, never `./tokens.yaml` or a Windows path. */
export function repoPath(path: string): string {
  return path.replace(/\\/g, "/").replace(/^(\.\/)+/, "");
}

/** The path as reports show it: relative to the working folder when inside it. */
export function displayPath(file: string, cwd: string): string {
  if (!path.isAbsolute(file)) return repoPath(path.normalize(file));
  const rel = path.relative(cwd, file);
  return rel.startsWith("..") || path.isAbsolute(rel) ? file : repoPath(rel);
}

/**
 * The policy pack configuration: `--policy-config FILE` (must exist), else $POLICY_PACK_CONFIG, else
 * policies/config.json, each only when the file exists; undefined means the pack's defaults.
 */
export function loadPolicyConfig(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv,
  cwd: string,
): { path: string; config: PackConfig } | undefined {
  const candidates = explicit !== undefined ? [explicit] : [env.POLICY_PACK_CONFIG, "policies/config.json"];
  const given = candidates.find(
    (c): c is string => !!c && (explicit !== undefined || fs.existsSync(path.resolve(cwd, c))),
  );
  if (given === undefined) return undefined;
  const text = readText(path.resolve(cwd, given), "policy configuration", given);
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (e) {
    throw new CliInputError(`policy configuration ${given} is not JSON (${(e as Error).message})`);
  }
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new CliInputError(`policy configuration ${given} must be a JSON object keyed by policy id`);
  }
  return { path: displayPath(given, cwd), config: config as PackConfig };
}

/** `--now ISO`, else GITLAB_TOKENS_NOW, else the real time. */
export function timeOption(now: string | undefined, env: NodeJS.ProcessEnv): Date {
  if (now === undefined) {
    try {
      return currentTime(env);
    } catch (e) {
      throw new CliInputError((e as Error).message);
    }
  }
  const d = new Date(now);
  if (Number.isNaN(d.getTime())) {
    throw new CliInputError(
      `--now ${JSON.stringify(now)} is not a time; give ISO 8601, e.g. 2026-09-03T12:00:00Z`,
    );
  }
  return d;
}
