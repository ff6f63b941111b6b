/**
 * `npm run audit`: an inventory of the access tokens that live in GitLab, held against the
 * declarations (`tokens.yaml`) and the policy pack's rules. Lists the access tokens of every project
 * and group and the personal tokens of every user named on the command line or in the declarations,
 * and writes `<out>/audit.md` (report) and `<out>/inventory.json`. Exit code 1 when a live token breaks
 * a mandatory policy (unless `--no-fail`), 2 when the audit cannot run. See docs/audit.md.
 */
import * as path from "node:path";
import {
  GitLabUnreachableError,
  auditTargets,
  auditTokens,
  collectTargets,
  credentialUser,
  inventory,
  isMandatoryViolation,
  renderAuditMarkdown,
  summarizeAudit,
  type Audit,
  type AuditConnection,
} from ".";
import { DeclarationsError, loadDeclarations, type TokenDeclaration } from "../../components/declarations";
import { GitLabClient } from "../../components/gitlab/client";
import { GitLabApiError } from "../../components/gitlab/errors";
import type { RetryPolicy } from "../../components/gitlab/requester";
import { connectionFrom } from "../../components/providers/runtime-env";
import { CLI_EXIT, asyncCommand, runIfMain, type CliIo, type CliValues } from "../shared/cli";
import { CliInputError, displayPath, loadPolicyConfig, timeOption } from "../shared/inputs";
import * as report from "../shared/report";
import { suggestDeclarations } from "./suggest";

export const REPORT_FILE = "audit.md";
export const INVENTORY_FILE = "inventory.json";
export const SUGGESTIONS_FILE = "suggested-tokens.yaml";

/** Exit codes: no mandatory violation, a mandatory violation, the audit could not run. */
export const EXIT = { ok: CLI_EXIT.ok, violations: 1, error: CLI_EXIT.error } as const;

const USAGE = `Usage: npm run audit -- [options]

  --project P              audit the access and deploy tokens of project P (full path or id); repeatable
  --group G                audit the access and deploy tokens of group G; repeatable
  --user U                 audit the personal tokens of user U (username or id; needs an
                           administrator's credential for other users); repeatable
  --declarations FILE      token declarations: which live tokens are managed, and every project,
                           group and user they name is audited too (default: tokens.yaml)
  --no-declarations        read no declarations: audit only the targets given, none is managed
  --all                    also list revoked and expired tokens (marked, not judged)
  --expiring-within N      report tokens that expire within N days (default: 14)
  --unused-days N          report tokens not used for more than N days (default: 90)
  --policy-config FILE     policy pack configuration (default: $POLICY_PACK_CONFIG, else
                           policies/config.json, when the file exists; else the pack's defaults)
  --base-url URL           GitLab (default: $GITLAB_BASE_URL, else https://gitlab.com)
  --out DIR                output folder (default: audit-out)
  --now ISO                the time to audit at (default: $GITLAB_TOKENS_NOW, else now)
  --suggest                also write <out>/${SUGGESTIONS_FILE}: a declaration for each unmanaged
                           token that takes it over (replaces: <id>), to review and move into tokens.yaml
  --no-fail                exit 0 even with mandatory violations
  --help                   this text

The credential is read from $GITLAB_TOKEN only (read_api scope; Maintainer or Owner of the projects
and groups; an administrator's token for other users' personal tokens). Writes <out>/${REPORT_FILE}
and <out>/${INVENTORY_FILE}. Exit code 0: no mandatory violation; 1: a live token breaks a mandatory
policy; 2: the audit could not run.`;

/** A problem with the audit's inputs or with reaching GitLab: the audit cannot run (exit 2). */
export class AuditInputError extends CliInputError {
  constructor(message: string) {
    super(message);
    this.name = "AuditInputError";
  }
}

export interface AuditOptions extends report.ReportOptions {
  projects: string[];
  groups: string[];
  users: string[];
  /** Undefined with `--no-declarations`. */
  declarations?: string;
  all: boolean;
  expiringWithin: number;
  unusedDays: number;
  baseUrl?: string;
  /** Also write the suggested declarations of the unmanaged tokens. */
  suggest: boolean;
}

function wholeNumber(flag: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min) {
    throw new AuditInputError(
      `${flag} is ${JSON.stringify(value)}; give a whole number of days, at least ${min}`,
    );
  }
  return Number(value);
}

const OPTIONS = {
  project: { type: "string", multiple: true },
  group: { type: "string", multiple: true },
  user: { type: "string", multiple: true },
  declarations: { type: "string" },
  "no-declarations": { type: "boolean" },
  all: { type: "boolean" },
  "expiring-within": { type: "string" },
  "unused-days": { type: "string" },
  "base-url": { type: "string" },
  suggest: { type: "boolean" },
  ...report.REPORT_OPTIONS,
} as const;

/** The options with their defaults. */
export function auditOptions(values: CliValues<typeof OPTIONS>): AuditOptions {
  if (values.declarations !== undefined && values["no-declarations"]) {
    throw new AuditInputError("give --declarations or --no-declarations, not both");
  }
  return {
    projects: values.project ?? [],
    groups: values.group ?? [],
    users: values.user ?? [],
    declarations: values["no-declarations"] ? undefined : (values.declarations ?? "tokens.yaml"),
    all: values.all ?? false,
    expiringWithin: wholeNumber("--expiring-within", values["expiring-within"], 14, 0),
    unusedDays: wholeNumber("--unused-days", values["unused-days"], 90, 1),
    baseUrl: values["base-url"],
    suggest: values.suggest ?? false,
    ...report.reportOptions(values, "audit-out"),
  };
}

/** What the command touches outside its core; tests replace parts of it. */
export interface AuditIo extends CliIo {
  /** The GitLab client's retry policy (tests shorten it). Default - the client's. */
  retry?: Partial<RetryPolicy>;
}

/** GitLab's URL as the report shows it; one with a user or password in it is refused. */
export function displayUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new AuditInputError(`the GitLab URL is not a URL; give one like https://gitlab.example.com`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new AuditInputError(`the GitLab URL must start with https:// (or http://)`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new AuditInputError(
      "the GitLab URL has a user or password in it; give the URL alone and the credential in GITLAB_TOKEN",
    );
  }
  return url.toString().replace(/\/+$/, "");
}

function loadDeclarationsOption(
  opts: AuditOptions,
  io: AuditIo,
  now: Date,
): { path: string; tokens: TokenDeclaration[] } | undefined {
  if (opts.declarations === undefined) return undefined;
  const shown = displayPath(opts.declarations, io.cwd);
  try {
    return { path: shown, tokens: loadDeclarations(path.resolve(io.cwd, opts.declarations), now, shown) };
  } catch (e) {
    if (e instanceof DeclarationsError) {
      throw new AuditInputError(`${e.message}\n(fix the declarations, or run with --no-declarations)`);
    }
    throw e;
  }
}

function connection(opts: AuditOptions, io: AuditIo): AuditConnection & { url: string } {
  const conn = connectionFrom(() => undefined, io.env);
  const baseUrl = opts.baseUrl ?? conn.baseUrl;
  const url = displayUrl(baseUrl);
  if (!conn.token) {
    throw new AuditInputError(
      "no GitLab credential: set the GITLAB_TOKEN environment variable (read_api scope; an administrator's token to list users' personal tokens)",
    );
  }
  return { baseUrl, url, token: conn.token, retry: { ...conn.retry, ...io.retry } };
}

/** GitLab's answer to the credential check, as an error that stops the audit. */
function gitlabRefused(e: unknown, url: string): never {
  if (!GitLabApiError.is(e)) throw e;
  throw new AuditInputError(
    e.status === 0
      ? `GitLab at ${url} did not answer: ${e.gitlabMessage}`
      : `GitLab at ${url} refused the credential: ${e.gitlabMessage}`,
  );
}

/** Runs the audit and writes both files; returns the audit and the files' paths. */
export async function runAudit(opts: AuditOptions, io: AuditIo): Promise<{ audit: Audit; files: string[] }> {
  const now = timeOption(opts.now, io.env);
  const policy = loadPolicyConfig(opts.policyConfig, io.env, io.cwd);
  const declarations = loadDeclarationsOption(opts, io, now);
  const targets = auditTargets(
    { projects: opts.projects, groups: opts.groups, users: opts.users },
    declarations?.tokens,
  );
  if (targets.length === 0) {
    throw new AuditInputError(
      "nothing to audit: name projects, groups or users with --project, --group, --user, or declare tokens in the declarations file",
    );
  }
  const conn = connection(opts, io);
  const me = await credentialUser(conn).catch((e: unknown) => gitlabRefused(e, conn.url));
  let listed;
  try {
    listed = await collectTargets(new GitLabClient(conn), targets);
  } catch (e) {
    if (e instanceof GitLabUnreachableError) throw new AuditInputError(`${e.message} (${conn.url})`);
    throw e;
  }
  const audit = auditTokens({
    targets: listed,
    declarations,
    policy,
    now,
    settings: {
      includeInactive: opts.all,
      expiringWithinDays: opts.expiringWithin,
      unusedDays: opts.unusedDays,
    },
    gitlab: { url: conn.url, user: me.username, admin: me.admin },
  });

  const suggested = opts.suggest ? suggestDeclarations(audit.tokens) : undefined;
  const files = report.writeOutputs(io.cwd, opts.out, {
    [REPORT_FILE]: renderAuditMarkdown(audit),
    [INVENTORY_FILE]: report.jsonFile(inventory(audit)),
    ...(suggested === undefined ? {} : { [SUGGESTIONS_FILE]: suggested }),
  });
  return { audit, files };
}

function summaryText(audit: Audit, files: string[]): string {
  const s = summarizeAudit(audit);
  const who = audit.gitlab.user
    ? ` as ${audit.gitlab.user}${audit.gitlab.admin ? " (administrator)" : ""}`
    : "";
  const inactive = audit.settings.includeInactive ? ` (+${s.inactive} revoked or expired)` : "";
  const managed = audit.declarationsPath
    ? `${s.managed} managed, ${s.unmanaged} unmanaged; ${s.missing} declared token${s.missing === 1 ? "" : "s"} missing from GitLab${s.unchecked > 0 ? ` (${s.unchecked} not checked)` : ""}`
    : "no declarations read";
  return [
    `gitlab-tokens audit of ${audit.gitlab.url}${who}, as of ${audit.now.toISOString()}`,
    `  ${s.active} active tokens${inactive} in ${audit.targets.length} projects, groups and users: ${managed}`,
    `  ${s.mandatory} mandatory violations on ${s.failingTokens} tokens, ${s.otherFindings} other findings`,
    `  ${s.expiringSoon} expiring within ${audit.settings.expiringWithinDays} days, ${s.unused} unused for more than ${audit.settings.unusedDays} days, ${s.neverUsed} never used`,
    ...audit.targets
      .filter((t) => t.problem !== undefined)
      .map((t) => `  ${t.kind} ${t.name}: ${t.problem ?? ""}`),
    `  report:    ${files[0]}`,
    `  inventory: ${files[1]}`,
    ...(files[2] === undefined ? [] : [`  suggested declarations of the unmanaged tokens: ${files[2]}`]),
  ].join("\n");
}

/** The command; resolves to its exit code. */
export const main = asyncCommand<typeof OPTIONS, AuditIo>({
  name: "audit",
  usage: USAGE,
  options: OPTIONS,
  // AuditInputError (a CliInputError) is not a finding: the audit could not run (bad arguments, no
  // credential, GitLab unreachable); it exits 2 with its message alone.
  io: {},
  run: async (values, io) => {
    const opts = auditOptions(values);
    const { audit, files } = await runAudit(opts, io);
    io.stdout(summaryText(audit, files));
    const blocking = audit.tokens.flatMap((t) =>
      t.findings.filter(isMandatoryViolation).map((f) => `${t.ref}: ${f.policy}: ${f.message}`),
    );
    return report.exitOnBlocking(io, blocking, {
      ...opts,
      what: "mandatory violations",
      failCode: EXIT.violations,
    });
  },
});

runIfMain(module, main);
