/**
 * `npm run review`: the merge-request review of the token declarations. Reads `tokens.yaml` and, when
 * given, the current stack's state (`--state FILE` from `pulumi stack export`, or `--stack NAME` to
 * export it here), and writes `<out>/report.md` (token table, changes, policy findings, timeline) and
 * `<out>/gl-code-quality-report.json` (GitLab Code Quality). Exit code 1 when a mandatory policy is
 * violated or the declarations have errors (unless `--no-fail`), 2 when the review cannot run.
 * See docs/review.md.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import {
  ReviewInputError,
  codeQualityReport,
  declarationsFromFile,
  isBlocking,
  readStateExport,
  renderMarkdown,
  reviewDeclarations,
  summarize,
  type Review,
  type ReviewInput,
} from ".";
import { CLI_EXIT, command, runIfMain, type CliIo, type CliValues } from "../shared/cli";
import { displayPath, loadPolicyConfig, readText, timeOption } from "../shared/inputs";
import { ensureEngine } from "../shared/engine";
import * as report from "../shared/report";

export const REPORT_FILE = "report.md";
export const CODE_QUALITY_FILE = "gl-code-quality-report.json";

/** Exit codes: clean, blocking findings, the review could not run. */
export const EXIT = { ok: CLI_EXIT.ok, blocking: 1, error: CLI_EXIT.error } as const;

const USAGE = `Usage: npm run review -- [options]

  --declarations FILE   token declarations (default: tokens.yaml)
  --state FILE          a \`pulumi stack export\` document to compare against (- reads standard input)
  --stack NAME          run \`pulumi stack export --stack NAME\` and compare against it
                        (default: $PULUMI_STACK when --state is not given; neither: every token is new)
  --policy-config FILE  policy pack configuration (default: $POLICY_PACK_CONFIG, else
                        policies/config.json, when the file exists; else the pack's defaults)
  --rotation-epoch VAL  the stack's gitlab-tokens:rotationEpoch (default: Pulumi.<stack>.yaml's, else unchanged)
  --out DIR             output folder (default: review-out)
  --now ISO             the time to review at (default: $GITLAB_TOKENS_NOW, else now)
  --no-fail             exit 0 even with mandatory violations or declaration errors
  --help                this text

Writes <out>/${REPORT_FILE} and <out>/${CODE_QUALITY_FILE}. Exit code 0: no blocking finding;
1: a mandatory violation or a declaration error; 2: the review could not run.`;

const OPTIONS = {
  declarations: { type: "string" },
  state: { type: "string" },
  stack: { type: "string" },
  "rotation-epoch": { type: "string" },
  ...report.REPORT_OPTIONS,
} as const;

export interface ReviewOptions extends report.ReportOptions {
  declarations: string;
  state?: string;
  stack?: string;
  rotationEpoch?: string;
}

/** The options with their defaults. */
export function reviewOptions(values: CliValues<typeof OPTIONS>, env: NodeJS.ProcessEnv): ReviewOptions {
  if (values.state !== undefined && values.stack !== undefined) {
    throw new ReviewInputError("give --state or --stack, not both");
  }
  return {
    declarations: values.declarations ?? "tokens.yaml",
    state: values.state,
    stack: values.stack ?? (values.state === undefined ? env.PULUMI_STACK || undefined : undefined),
    rotationEpoch: values["rotation-epoch"],
    ...report.reportOptions(values, "review-out"),
  };
}

/** What the command touches outside its pure core; tests replace parts of it. */
export interface ReviewIo extends CliIo {
  /** The `pulumi stack export` text of a stack, or undefined when the stack does not exist yet. */
  exportStack: (stack: string, io: ReviewIo) => string | undefined;
  /** Standard input, for `--state -` (`pulumi stack export | npm run review -- --state -`). */
  readStdin?: () => string;
}

const readStdin = (): string => readText("/dev/stdin", "standard input");

/**
 * `pulumi stack export --stack NAME` with the user's backend, run in the working folder (a short
 * stack name needs the project's Pulumi.yaml there). Never with `--show-secrets`, and never given the
 * passphrase: an export without it needs only read access to the state (secrets stay ciphertext), so
 * the review can run where no secret is (the merge-request job, docs/security.md). Uses the project's
 * engine (`ensureEngine`), else any `pulumi` on PATH: an export needs no particular version.
 */
export function pulumiStackExport(stack: string, io: ReviewIo): string | undefined {
  let pulumi = "pulumi";
  let env: NodeJS.ProcessEnv = { ...io.env };
  delete env.PULUMI_CONFIG_PASSPHRASE;
  delete env.PULUMI_CONFIG_PASSPHRASE_FILE;
  try {
    const bin = ensureEngine();
    pulumi = path.join(bin, "pulumi");
    env = { ...env, PATH: `${bin}${path.delimiter}${io.env.PATH ?? ""}` };
  } catch {
    // No engine could be provided; try the PATH.
  }
  const r = spawnSync(pulumi, ["stack", "export", "--stack", stack, "--non-interactive"], {
    cwd: io.cwd,
    env,
    encoding: "utf8",
    maxBuffer: 512 * 1024 * 1024,
  });
  if (r.error)
    throw new ReviewInputError(`cannot run pulumi stack export (${r.error.message}); install the Pulumi CLI`);
  if (r.status !== 0) {
    if (/no stack named/i.test(r.stderr)) return undefined;
    const detail = r.stderr.trim().split("\n").slice(0, 5).join("\n");
    throw new ReviewInputError(`pulumi stack export --stack ${stack} failed (exit ${r.status}):\n${detail}`);
  }
  return r.stdout;
}

function loadState(opts: ReviewOptions, io: ReviewIo): { state?: ReviewInput["state"]; note?: string } {
  if (opts.state === "-") {
    const label = "the state export on standard input";
    return { state: { label, tokens: readStateExport((io.readStdin ?? readStdin)(), label) } };
  }
  if (opts.state !== undefined) {
    const file = path.resolve(io.cwd, opts.state);
    const label = `state file \`${displayPath(opts.state, io.cwd)}\``;
    return { state: { label, tokens: readStateExport(readText(file, "state file"), label) } };
  }
  if (opts.stack !== undefined) {
    const label = `stack \`${opts.stack}\``;
    const text = io.exportStack(opts.stack, io);
    if (text === undefined) return { note: `stack ${opts.stack} does not exist yet: every token is new` };
    return { state: { label, tokens: readStateExport(text, label) } };
  }
  return {};
}

/** The stack's `gitlab-tokens:rotationEpoch` from `Pulumi.<stack>.yaml`, when the file sets it. */
export function stackRotationEpoch(stack: string, cwd: string): string | undefined {
  const file = path.join(cwd, `Pulumi.${stack.split("/").pop() ?? stack}.yaml`);
  if (!fs.existsSync(file)) return undefined;
  let doc: { config?: Record<string, unknown> } | null;
  try {
    doc = parseYaml(fs.readFileSync(file, "utf8")) as typeof doc;
  } catch (e) {
    throw new ReviewInputError(`cannot read the stack configuration ${file}: ${(e as Error).message}`);
  }
  const value = doc?.config?.["gitlab-tokens:rotationEpoch"];
  return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
}

/** Runs the review and writes both reports; returns the review. */
export function runReview(
  opts: ReviewOptions,
  io: ReviewIo,
): { review: Review; files: string[]; note?: string } {
  const now = timeOption(opts.now, io.env);
  const policy = loadPolicyConfig(opts.policyConfig, io.env, io.cwd);
  const { state, note } = loadState(opts, io);
  const rotationEpoch =
    opts.rotationEpoch ?? (opts.stack !== undefined ? stackRotationEpoch(opts.stack, io.cwd) : undefined);
  const declarations = declarationsFromFile(
    path.resolve(io.cwd, opts.declarations),
    displayPath(opts.declarations, io.cwd),
    now,
  );
  const review = reviewDeclarations({ declarations, state, policy, now, rotationEpoch });

  const files = report.writeOutputs(io.cwd, opts.out, {
    [REPORT_FILE]: renderMarkdown(review),
    [CODE_QUALITY_FILE]: report.jsonFile(codeQualityReport(review)),
  });
  return { review, files, note };
}

function summaryText(review: Review, files: string[], note: string | undefined): string {
  const s = summarize(review);
  const against = review.stateLabel ? ` against ${review.stateLabel.replace(/`/g, "")}` : "";
  const changes = `${s.changes.new} new, ${s.changes.rotate} rotated, ${s.changes.update} updated, ${s.changes.revoke} revoked, ${s.changes.unchanged} unchanged`;
  return [
    `gitlab-tokens review of ${review.declarationsPath}${against}`,
    ...(note ? [`  (${note})`] : []),
    `  ${s.tokens} tokens; ${review.declarationsLoaded ? changes : "declarations not loaded"}`,
    `  ${s.blocking} blocking (mandatory violations and errors), ${s.other} other findings`,
    `  report:       ${files[0]}`,
    `  code quality: ${files[1]}`,
  ].join("\n");
}

/** The command; returns its exit code. */
export const main = command<typeof OPTIONS, ReviewIo>({
  name: "review",
  usage: USAGE,
  options: OPTIONS,
  // Not a finding: the review could not run (bad arguments, unreadable state, no pulumi).
  inputErrors: [ReviewInputError],
  io: { exportStack: pulumiStackExport, readStdin },
  run: (values, io) => {
    const opts = reviewOptions(values, io.env);
    const { review, files, note } = runReview(opts, io);
    io.stdout(summaryText(review, files, note));
    const blocking = review.findings
      .filter(isBlocking)
      .map((f) => `${f.location.path}:${f.location.line}: ${f.check}: ${f.message}`);
    return report.exitOnBlocking(io, blocking, {
      ...opts,
      what: "blocking findings",
      failCode: EXIT.blocking,
    });
  },
});

runIfMain(module, main);
