/**
 * GitLab Flavored Markdown building blocks the review and audit reports share: inline code, tables
 * and the labels of policy findings. Pure.
 */
import type { Finding } from "../../policies/rules";

/** Inline code; a backtick inside would end it, so it becomes a quote. */
export function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

/** A table cell: `|` would end it and a newline the row. */
export function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** How a column's cells are aligned; `none` leaves it to the renderer (left, in GitLab). */
export type Align = "none" | "left" | "center" | "right";

/** A column: its header, or its header and alignment. */
export type Column = string | { header: string; align?: Align };

const DELIMITER: Record<Align, string> = { none: "---", left: ":---", center: ":---:", right: "---:" };

const row = (cells: readonly string[]): string => `| ${cells.map(cell).join(" | ")} |`;

/**
 * A table's lines: the header row, the delimiter row, one line per row. Cells are plain text
 * (Markdown inside is kept, `|` is escaped and a newline becomes a space); a row has a cell per column.
 */
export function table(columns: readonly Column[], rows: readonly (readonly string[])[]): string[] {
  const cols = columns.map((c) => (typeof c === "string" ? { header: c } : c));
  for (const [i, r] of rows.entries()) {
    if (r.length !== cols.length) {
      throw new Error(`table row ${i + 1} has ${r.length} cells for ${cols.length} columns`);
    }
  }
  return [
    row(cols.map((c) => c.header)),
    `| ${cols.map((c) => DELIMITER[c.align ?? "none"]).join(" | ")} |`,
    ...rows.map(row),
  ];
}

/** `❌ mandatory violation`, `ℹ️ exempted`, … for a policy finding. */
export function policyFindingLabel(f: Pick<Finding, "status" | "severity">): string {
  switch (f.status) {
    case "violation":
      return f.severity === "mandatory" ? "❌ mandatory violation" : "⚠️ advisory violation";
    case "exempted":
      return "ℹ️ exempted";
    case "unjudged":
      return "ℹ️ not judged";
    case "exception-expired":
      return "⚠️ exception expired";
    case "exception-invalid":
      return "⚠️ invalid exception";
  }
}
