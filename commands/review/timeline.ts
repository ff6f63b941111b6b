/**
 * The timeline picture of the report: a Mermaid gantt chart (GitLab renders ```mermaid blocks) with
 * one section per token — its lifetime, its rotation window, and for a rotated or revoked token the
 * current token until `pulumi up` replaces or revokes it. Pure.
 */
import { isoDate } from "../../components/gitlab/facts";
import { isBlocking, type Review } from "./plan";

export interface GanttTask {
  name: string;
  /** Mermaid task tags: `done`, `active`, `crit`. */
  tags: string[];
  /** `YYYY-MM-DD`. */
  start: string;
  /** `YYYY-MM-DD`, never before `start`. */
  end: string;
}

export interface GanttSection {
  name: string;
  tasks: GanttTask[];
}

/**
 * Text Mermaid can take as a section or task name: `:` ends a task's name, `#` starts an entity,
 * `;` ends a statement and `%%` a comment, so anything but letters, digits and a few marks becomes `_`.
 */
export function mermaidText(text: string): string {
  const safe = text.replace(/[^A-Za-z0-9 _.()/+-]/g, "_").trim();
  return safe === "" ? "_" : safe;
}

const later = (a: string, b: string) => (a > b ? a : b);

function task(name: string, tags: string[], start: string, end: string): GanttTask {
  return { name, tags, start, end: later(end, start) };
}

/** One section per declared token (file order), then one per token that is revoked. */
export function timelineSections(review: Review): GanttSection[] {
  const today = isoDate(review.now);
  const blocking = new Set(review.findings.filter(isBlocking).map((f) => f.tokenKey));
  const changes = new Map(review.changes.map((c) => [c.key, c] as const));
  const sections: GanttSection[] = review.rows.map((row) => {
    const tasks: GanttTask[] = [];
    const previous = changes.get(row.key)?.previous;
    if (row.change === "rotate" && previous?.createdAt !== undefined) {
      tasks.push(task("current token until rotated", ["done"], isoDate(new Date(previous.createdAt)), today));
    }
    const start = row.createdAt ?? today;
    const created = row.change === "new" || row.change === "rotate";
    tasks.push(
      task(created ? "new token" : "token", blocking.has(row.key) ? ["crit"] : [], start, row.expiresAt),
    );
    if (row.nextRotation !== undefined) {
      tasks.push(task("rotation window", ["active"], later(row.nextRotation, start), row.expiresAt));
    }
    return { name: row.key, tasks };
  });
  for (const c of review.changes) {
    if (c.kind !== "revoke") continue;
    const start = c.previous?.createdAt !== undefined ? isoDate(new Date(c.previous.createdAt)) : today;
    sections.push({
      name: `${c.key} (revoked)`,
      tasks: [task("token until revoked", ["done"], start, today)],
    });
  }
  return sections;
}

/** The ```mermaid gantt block, or undefined when there is nothing to draw. */
export function mermaidGantt(review: Review): string | undefined {
  const sections = timelineSections(review).filter((s) => s.tasks.length > 0);
  if (sections.length === 0) return undefined;
  const lines = [
    "```mermaid",
    "gantt",
    `    title Token lifetimes and rotation windows (as of ${isoDate(review.now)})`,
    "    dateFormat YYYY-MM-DD",
    "    axisFormat %Y-%m-%d",
  ];
  for (const s of sections) {
    lines.push(`    section ${mermaidText(s.name)}`);
    for (const t of s.tasks) {
      const meta = [...t.tags, t.start, t.end].join(", ");
      lines.push(`    ${mermaidText(t.name)} :${meta}`);
    }
  }
  lines.push("```");
  return lines.join("\n");
}
