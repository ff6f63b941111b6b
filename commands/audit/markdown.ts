/**
 * The audit report in GitLab Flavored Markdown: a summary, what was listed, the token inventory, the
 * unmanaged and missing tokens, tokens expiring soon or unused, and the policy findings grouped by
 * token. It holds names, scopes, dates and findings only: never a token value, never the credential.
 * Pure.
 */
import { describeGranular, type Finding } from "../../policies/rules";
import { isoDate } from "../../components/gitlab/facts";
import { TARGET_FIELDS, kindOf } from "../../components/kinds";
import { code, policyFindingLabel, table } from "../shared/markdown";
import { summarizeAudit } from "./judge";
import type { Audit, AuditNotice, AuditedToken, MissingToken, NoticeCode } from "./model";

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `❌ mandatory violation`, `ℹ️ exempted`, … for a policy finding (the review's labels). */
export function auditFindingLabel(f: Finding): string {
  return policyFindingLabel(f);
}

function findingLine(f: Finding): string {
  const field = f.field !== undefined ? ` · field ${code(f.field)}` : "";
  return `- ${auditFindingLabel(f)} · ${code(f.policy)}${field}: ${f.message}`;
}

/** `on acme/web` for project and group tokens, `of user alice` for personal ones. */
function where(kind: AuditedToken["kind"], target: string): string {
  const d = kindOf(kind);
  return d.targetField === "user" ? `of ${d.targetLabel} ${target}` : `on ${target}`;
}

/** `project token 'deploy' on acme/web (id 12)`. */
function describe(t: AuditedToken): string {
  return `${t.kind} token '${t.name}' ${where(t.kind, t.target)} (id ${t.id})`;
}

function summaryLine(audit: Audit): string {
  const s = summarizeAudit(audit);
  const who =
    audit.gitlab.user !== undefined
      ? ` (credential of ${code(audit.gitlab.user)}${audit.gitlab.admin ? ", an administrator" : ""})`
      : "";
  const kinds = TARGET_FIELDS.map((k) => plural(audit.targets.filter((t) => t.kind === k).length, k)).join(
    ", ",
  );
  const inactive = audit.settings.includeInactive ? ` and ${plural(s.inactive, "inactive token")}` : "";
  const managed = audit.declarationsPath
    ? `${s.managed} managed by ${code(audit.declarationsPath)}, **${s.unmanaged} unmanaged**`
    : "no declarations read, so none known to be managed";
  const verdict =
    s.mandatory > 0
      ? `❌ **${plural(s.mandatory, "mandatory violation")}** on ${plural(s.failingTokens, "token")}`
      : "✅ no mandatory violations";
  const extras = [
    plural(s.otherFindings, "other finding"),
    `${s.expiringSoon} expiring within ${plural(audit.settings.expiringWithinDays, "day")}`,
    `${s.unused} unused for more than ${plural(audit.settings.unusedDays, "day")}`,
    `${s.neverUsed} never used`,
    ...(audit.declarationsPath ? [`${plural(s.missing, "declared token")} missing from GitLab`] : []),
    ...(s.unchecked > 0 ? [`${s.unchecked} not checked`] : []),
    ...(s.notListed > 0 ? [`**${plural(s.notListed, "target")} could not be listed**`] : []),
  ];
  return (
    `${code(audit.gitlab.url)}${who}, as of ${audit.now.toISOString()}: ` +
    `**${plural(s.active, "active token")}**${inactive} in ${kinds} — ${managed}. ` +
    `${verdict}; ${extras.join("; ")}.`
  );
}

function scopeSection(audit: Audit): string[] {
  if (audit.targets.length === 0) return ["Nothing was audited."];
  const head = ["Kind", "Target", "Id", "Named by", "Tokens", "Status"];
  const from = (f: string) => (f === "flag" ? "command line" : (audit.declarationsPath ?? "declarations"));
  return table(
    head,
    audit.targets.map((t) => [
      t.kind,
      t.name,
      t.id !== undefined ? String(t.id) : "—",
      t.from.map(from).join(", "),
      t.problem === undefined ? String(t.tokens) : "—",
      t.problem === undefined ? "listed" : `❌ ${t.problem}`,
    ]),
  );
}

const STATE_MARK: Record<AuditedToken["state"], string> = {
  active: "",
  revoked: " (revoked)",
  expired: " (expired)",
};

/** One inventory row's cells (plain: the table escapes them). */
export function tokenCells(t: AuditedToken): string[] {
  return [
    `${code(t.key)}${STATE_MARK[t.state]}`,
    t.kind,
    t.target,
    t.name || "—",
    // A fine-grained token: its granular scopes instead of its one scope `granular`.
    t.granular === "not listed"
      ? "fine-grained (GitLab did not list its granular scopes)"
      : t.granular !== undefined
        ? `fine-grained: ${describeGranular(t.granular, true).join("; ") || "no granular scopes"}`
        : t.scopes.join(", ") || "—",
    t.accessLevel ?? "—",
    t.createdAt === null ? "—" : isoDate(new Date(t.createdAt)),
    t.expiresAt ?? "never",
    t.lastUsedAt !== null ? isoDate(new Date(t.lastUsedAt)) : "never",
    t.state !== "active" ? "—" : t.managed ? "yes" : "**no**",
  ];
}

function tokenTable(audit: Audit): string[] {
  if (audit.tokens.length === 0) return ["GitLab listed no tokens."];
  const head = [
    "Key",
    "Kind",
    "Target",
    "Name",
    "Scopes",
    "Level",
    "Created",
    "Expires",
    "Last used",
    "Managed",
  ];
  return table(head, audit.tokens.map(tokenCells));
}

/** A list of the tokens with a notice of one of `codes`, or `none`. */
function noticeList(audit: Audit, codes: readonly NoticeCode[], none: string): string[] {
  const lines: string[] = [];
  for (const t of audit.tokens) {
    const mine = t.notices.filter((n: AuditNotice) => codes.includes(n.code));
    for (const n of mine) lines.push(`- ${code(t.key)} — ${describe(t)}: ${n.message}`);
  }
  return lines.length > 0 ? lines : [none];
}

function missingLine(m: MissingToken): string {
  const mark = m.status === "unchecked" ? "⚠️ " : "";
  return `- ${mark}${code(m.key)} — ${m.kind} token '${m.name}' ${where(m.kind, m.target)}: ${m.message}`;
}

function findingsSection(audit: Audit): string[] {
  const lines: string[] = [];
  for (const t of audit.tokens) {
    if (t.findings.length === 0) continue;
    lines.push(`### ${code(t.key)}`, "", `${describe(t)}${t.managed ? "" : ", unmanaged"}:`, "");
    lines.push(...t.findings.map(findingLine), "");
  }
  if (audit.configFindings.length > 0) {
    lines.push("### Policy configuration", "", ...audit.configFindings.map(findingLine), "");
  }
  if (lines.length === 0) return ["No findings: every active token meets every policy."];
  const s = summarizeAudit(audit);
  lines.push(
    s.mandatory > 0
      ? `${plural(s.mandatory, "mandatory violation")} above: fix or revoke those tokens (or add an exception with a reason and an expiry to the policy configuration).`
      : "None of the findings above is a mandatory violation.",
  );
  return lines;
}

/** The whole report. */
export function renderAuditMarkdown(audit: Audit): string {
  const lines = ["# gitlab-tokens audit", "", summaryLine(audit), ""];
  lines.push("## Scope", "", ...scopeSection(audit), "");
  lines.push("## Tokens", "", ...tokenTable(audit), "");
  if (audit.declarationsPath !== undefined) {
    lines.push(
      "## Unmanaged tokens",
      "",
      ...noticeList(
        audit,
        ["unmanaged"],
        `None: every active token is declared in ${code(audit.declarationsPath)}.`,
      ),
      "",
      "## Declared tokens missing from GitLab",
      "",
      ...(audit.missing.length > 0
        ? audit.missing.map(missingLine)
        : ["None: every declared token has an active token in GitLab."]),
      "",
    );
  }
  if (audit.tokens.some((t) => t.notices.some((n) => n.code === "duplicate"))) {
    lines.push("## Duplicates", "", ...noticeList(audit, ["duplicate"], ""), "");
  }
  lines.push(
    `## Expiring within ${plural(audit.settings.expiringWithinDays, "day")}`,
    "",
    ...noticeList(audit, ["expiring-soon"], "None."),
    "",
    `## Unused (never, or not in the last ${plural(audit.settings.unusedDays, "day")})`,
    "",
    ...noticeList(audit, ["never-used", "unused"], "None."),
    "",
  );
  if (audit.settings.includeInactive) {
    lines.push("## Revoked and expired", "", ...noticeList(audit, ["inactive"], "None."), "");
  }
  lines.push("## Policy findings", "", ...findingsSection(audit), "");
  lines.push(
    audit.policyConfigPath !== undefined
      ? `Policy configuration: ${code(audit.policyConfigPath)}.`
      : "Policy configuration: the pack's defaults.",
  );
  return `${lines.join("\n").trimEnd()}\n`;
}
