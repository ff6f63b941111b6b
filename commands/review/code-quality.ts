/**
 * The GitLab Code Quality report of a review (`artifacts:reports:codequality`), so each finding shows
 * in the merge request's Code Quality widget, pointing at the line of the declarations file to change.
 * Format: GitLab's "Code Quality report format" (doc/ci/testing/code_quality.md), a subset of the
 * Code Climate issue spec. Pure.
 */
import { repoPath } from "../shared/inputs";
import { createHash } from "node:crypto";
import type { Review, ReviewFinding } from "./plan";

export const CODE_QUALITY_SEVERITIES = ["info", "minor", "major", "critical", "blocker"] as const;
export type CodeQualitySeverity = (typeof CODE_QUALITY_SEVERITIES)[number];

export interface CodeQualityIssue {
  type: "issue";
  description: string;
  check_name: string;
  /** Stable across runs and unique in the report: GitLab compares reports by it. */
  fingerprint: string;
  severity: CodeQualitySeverity;
  categories: string[];
  location: { path: string; lines: { begin: number } };
}

/** Mandatory violations that give a token power no automation should have. */
export const CRITICAL_CODES: readonly string[] = [
  "forbidden-scope",
  "owner-access-level",
  // A fine-grained token's permissions over the whole instance, unjustified.
  "unjustified-instance-access",
];

/**
 * - declaration errors and provider check failures → `blocker` (`pulumi up` refuses the file);
 * - mandatory violations → `critical` for administrator scopes, Owner level and an unjustified
 *   fine-grained `instance` access, else `major`;
 * - advisory violations, expired and malformed exceptions → `minor`;
 * - exempted violations and parts not judged → `info`.
 */
export function codeQualitySeverity(f: ReviewFinding): CodeQualitySeverity {
  switch (f.status) {
    case "error":
      return "blocker";
    case "violation":
      if (f.severity === "advisory") return "minor";
      return CRITICAL_CODES.includes(f.code) ? "critical" : "major";
    case "exception-expired":
    case "exception-invalid":
      return "minor";
    case "exempted":
    case "unjudged":
      return "info";
  }
}

function description(f: ReviewFinding): string {
  if (f.source !== "declarations") return f.message;
  const where = [
    f.tokenKey !== undefined ? `token "${f.tokenKey}"` : undefined,
    f.field !== undefined ? `field "${f.field}"` : undefined,
  ].filter(Boolean);
  return where.length > 0 ? `${where.join(", ")}: ${f.message}` : f.message;
}

/**
 * What identifies a finding independently of its wording and of line numbers: the check, the kind of
 * finding, the token and the field. `occurrence` tells apart findings that share all four.
 */
export function fingerprint(f: ReviewFinding, occurrence: number): string {
  const identity = [f.check, f.code, f.tokenKey ?? "", f.field ?? "", String(occurrence)];
  return createHash("sha256").update(JSON.stringify(identity)).digest("hex");
}

export function codeQualityReport(review: Review): CodeQualityIssue[] {
  const seen = new Map<string, number>();
  return review.findings.map((f) => {
    const identity = JSON.stringify([f.check, f.code, f.tokenKey ?? "", f.field ?? ""]);
    const occurrence = seen.get(identity) ?? 0;
    seen.set(identity, occurrence + 1);
    return {
      type: "issue",
      description: description(f),
      check_name: f.check,
      fingerprint: fingerprint(f, occurrence),
      severity: codeQualitySeverity(f),
      categories: ["Security"],
      location: { path: repoPath(f.location.path), lines: { begin: f.location.line } },
    };
  });
}
