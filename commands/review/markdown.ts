/**
 * The merge-request report of a review, in GitLab Flavored Markdown: a summary line, the token table,
 * the changes against the current state, the new bot users those changes make (a warning), the
 * policy findings grouped by token, and the timeline
 * (Mermaid). It shows declarations, dates and findings only: a review never holds a token value.
 * Pure.
 */
import { isoDate } from "../../components/gitlab/facts";
import { describeGranular } from "../../policies/rules";
import {
  DECLARATIONS_CHECK,
  isBlocking,
  summarize,
  type ChangeKind,
  type IdentityWarning,
  type Review,
  type ReviewFinding,
  type TokenChange,
  type TokenRow,
} from "./plan";
import { code, policyFindingLabel, table } from "../shared/markdown";
import { mermaidGantt } from "./timeline";

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const CHANGE_WORDS: Record<ChangeKind, string> = {
  new: "new",
  rotate: "rotated",
  update: "updated in place",
  revoke: "revoked",
  unchanged: "unchanged",
};

function summaryLine(review: Review): string {
  const s = summarize(review);
  const against = review.stateLabel ? ` against ${review.stateLabel}` : "";
  const changes = review.declarationsLoaded
    ? `; ${(Object.keys(CHANGE_WORDS) as ChangeKind[]).map((k) => `${s.changes[k]} ${CHANGE_WORDS[k]}`).join(", ")}`
    : "";
  const verdict =
    s.blocking > 0
      ? `❌ **${plural(s.blocking, "blocking finding")}** (mandatory violations and errors)`
      : "✅ no mandatory violations";
  return (
    `${code(review.declarationsPath)}${against}, as of ${review.now.toISOString()}: ` +
    `**${plural(s.tokens, "token")}**${changes}. ${verdict}; ${plural(s.other, "other finding")}.`
  );
}

const TABLE_HEAD = [
  "Key",
  "Kind",
  "Target",
  "Scopes",
  "Access level",
  "Lifetime",
  "Expires",
  "Next rotation",
  "Delivered to",
];

const ROW_MARK: Partial<Record<ChangeKind, string>> = {
  new: " (new)",
  rotate: " (rotated)",
  update: " (updated)",
};

/** One table row's cells, in TABLE_HEAD's order (plain: the table escapes them). */
export function rowCells(row: TokenRow): string[] {
  return [
    `${code(row.key)}${ROW_MARK[row.change] ?? ""}`,
    row.kind,
    row.targetField === undefined ? row.target : `${row.target} (${row.targetField})`,
    // A fine-grained token's permissions, one granular scope after another; a kind without scopes
    // (a pipeline trigger token) has none to show.
    row.granular !== undefined
      ? `fine-grained: ${describeGranular(row.granular).join("; ") || "no granular scopes"}`
      : row.scopes.join(", ") || "—",
    row.accessLevel ?? "—",
    `${row.lifetimeDays} days${row.fixedExpiry ? " (fixed expiresAt)" : ""}`,
    row.expiresAt,
    row.nextRotation ?? "never (fixed expiresAt)",
    row.deliveredTo.join(", ") || "—",
  ];
}

function tokenTable(review: Review): string[] {
  if (review.rows.length === 0) return ["No tokens are declared."];
  return [
    ...table(TABLE_HEAD, review.rows.map(rowCells)),
    "",
    `Dates of new and rotated tokens are those of the token \`pulumi up\` creates, counted from ${isoDate(review.now)}. ` +
      "A token rotates on the first `pulumi up` on or after its next-rotation date.",
  ];
}

/** One change-list entry, or undefined for an unchanged token (they are counted, not listed). */
export function changeLine(c: TokenChange): string | undefined {
  const what = `${c.tokenKind} token on ${c.target}`;
  switch (c.kind) {
    case "new":
      return `- **new** ${code(c.key)} — ${what}: \`pulumi up\` creates it`;
    case "rotate":
      return `- **rotated** ${code(c.key)} — ${c.reasons.map((r) => r.text).join("; ")}`;
    case "update": {
      const fields = c.reasons.map((r) => r.property).join(", ");
      return `- **updated in place** ${code(c.key)} — same token, new ${fields || "metadata"}`;
    }
    case "revoke":
      return `- **revoked** ${code(c.key)} — ${what}, ${c.reasons.map((r) => r.text).join("; ")}: \`pulumi up\` revokes it`;
    case "unchanged":
      return undefined;
  }
}

function changeList(review: Review): string[] {
  if (review.stateLabel === undefined) {
    return ["No current state was given (`--state` or `--stack`): every declared token is new."];
  }
  const lines = review.changes.map(changeLine).filter((l): l is string => l !== undefined);
  const unchanged = review.changes.filter((c) => c.kind === "unchanged").map((c) => code(c.key));
  if (lines.length === 0) lines.push("No changes: `pulumi up` leaves every token as it is.");
  if (unchanged.length > 0) lines.push("", `Unchanged: ${unchanged.length} (${unchanged.join(", ")}).`);
  return lines;
}

/** One identity warning: the token, where it is declared, what breaks and what to do. */
export function identityLine(w: IdentityWarning): string {
  return `- ⚠️ ${code(w.tokenKey)} (${w.location.path} line ${w.location.line}): ${w.message}`;
}

/** The changes that make a new bot user; empty when there are none. */
function identitySection(review: Review): string[] {
  if (review.identity.length === 0) return [];
  return [
    "## New bot users",
    "",
    "GitLab gives every project and group token a bot user of its own, so these changes bring new identities " +
      "to git, protected branches and allow-lists:",
    "",
    ...review.identity.map(identityLine),
    "",
  ];
}

/** The declarations that take over a token made by hand; empty when there are none. */
function adoptionSection(review: Review): string[] {
  if (review.adoptions.length === 0) return [];
  return [
    "## Tokens taken over (`replaces:`)",
    "",
    "Merging this revokes live tokens made by hand, after their successors are delivered:",
    "",
    ...review.adoptions.map(
      (a) => `- ⚠️ ${code(a.tokenKey)} (${a.location.path} line ${a.location.line}): ${a.message}`,
    ),
    "",
  ];
}

/** `❌ declaration error`, `❌ mandatory violation`, `ℹ️ exempted`, … */
export function findingLabel(f: Pick<ReviewFinding, "status" | "severity"> & { check?: string }): string {
  if (f.status !== "error") return policyFindingLabel({ status: f.status, severity: f.severity });
  return f.check === DECLARATIONS_CHECK ? "❌ declaration error" : "❌ refused by the provider's check";
}

export function findingLine(f: ReviewFinding): string {
  const field = f.field !== undefined ? ` · field ${code(f.field)}` : "";
  const where = `${f.location.path} line ${f.location.line}`;
  return `- ${findingLabel(f)} · ${code(f.check)}${field} (${where}): ${f.message}`;
}

function findingsSection(review: Review): string[] {
  if (review.findings.length === 0) return ["No findings: every token meets every policy."];
  const keys = review.rows.map((r) => r.key);
  const lines: string[] = [];
  for (const key of keys) {
    const mine = review.findings.filter((f) => f.tokenKey === key);
    if (mine.length === 0) continue;
    const row = review.rows.find((r) => r.key === key);
    lines.push(
      `### ${code(key)} (${review.declarationsPath} line ${row?.line ?? 1})`,
      "",
      ...mine.map(findingLine),
      "",
    );
  }
  const other = review.findings.filter((f) => f.tokenKey === undefined || !keys.includes(f.tokenKey));
  if (other.length > 0)
    lines.push(
      review.declarationsLoaded ? "### Other" : "### Declarations",
      "",
      ...other.map(findingLine),
      "",
    );
  const blocking = review.findings.filter(isBlocking).length;
  lines.push(
    blocking > 0
      ? `The merge request must fix the ${plural(blocking, "blocking finding")} above before \`pulumi up\` can run.`
      : "Nothing above blocks `pulumi up`.",
  );
  return lines;
}

/** The whole report. */
export function renderMarkdown(review: Review): string {
  const lines = ["# gitlab-tokens review", "", summaryLine(review), ""];
  if (!review.declarationsLoaded) {
    lines.push(
      `**${code(review.declarationsPath)} has errors**, so no token was reviewed further. Fix them first.`,
      "",
    );
  } else {
    lines.push("## Tokens", "", ...tokenTable(review), "");
    const against = review.stateLabel !== undefined ? ` against ${review.stateLabel}` : "";
    lines.push(`## Changes${against}`, "", ...changeList(review), "");
    lines.push(...identitySection(review));
    lines.push(...adoptionSection(review));
  }
  const heading = review.declarationsLoaded ? "Policy findings" : "Declaration errors";
  lines.push(`## ${heading}`, "", ...findingsSection(review), "");
  if (review.policyConfigPath !== undefined) {
    lines.push(`Policy configuration: ${code(review.policyConfigPath)}.`, "");
  } else {
    lines.push("Policy configuration: the pack's defaults.", "");
  }
  const gantt = review.declarationsLoaded ? mermaidGantt(review) : undefined;
  if (gantt !== undefined) {
    lines.push(
      "## Timeline",
      "",
      "Each token's lifetime and its rotation window (when `pulumi up` replaces it).",
      "",
      gantt,
      "",
    );
  }
  return `${lines.join("\n").trimEnd()}\n`;
}
