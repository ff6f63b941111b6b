/**
 * Shared pieces of the review tests: the fixed time, the fixtures (a state export and the
 * declarations before and after a merge request), lines looked up in the YAML text independently of
 * the code under test, and GitLab's Code Quality report format as a zod schema.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import {
  declarationsFromText,
  readStateExport,
  reviewDeclarations,
  type Review,
  type ReviewInput,
} from "../../commands/review";

/** The fixed "now" of every review test: 2026-09-03, 12:00 UTC. */
export const NOW = new Date("2026-09-03T12:00:00Z");

export const FIXTURES = path.join(__dirname, "fixtures");
export const fixture = (name: string) => path.join(FIXTURES, name);
export const readFixture = (name: string) => fs.readFileSync(fixture(name), "utf8");

export const AFTER_PATH = "tokens.yaml";
export const STATE_LABEL = "stack `review`";

/** Every value the state fixture holds for a secret: planted plaintext values and ciphertexts. */
export function secretValuesInState(): string[] {
  const text = readFixture("state.json");
  const values = new Set<string>();
  for (const m of text.matchAll(/"(?:ciphertext|plaintext)": "((?:[^"\\]|\\.)*)"/g)) {
    values.add(JSON.parse(`"${m[1]!}"`) as string);
  }
  for (const m of text.matchAll(/"token": "([^"]+)"/g)) values.add(m[1]!);
  return [...values].flatMap((v) => [v, v.replace(/^"|"$/g, "")]);
}

/** The review of the merge request's declarations against the state fixture. */
export function reviewFixture(
  overrides: Partial<ReviewInput> = {},
  yaml = readFixture("tokens-after.yaml"),
): Review {
  return reviewDeclarations({
    declarations: declarationsFromText(yaml, AFTER_PATH, NOW),
    state: { label: STATE_LABEL, tokens: readStateExport(readFixture("state.json"), STATE_LABEL) },
    now: NOW,
    ...overrides,
  });
}

/** The 1-based line of a token's key in declarations text (written without the code under test). */
export function tokenLine(yaml: string, key: string): number {
  const index = yaml.split("\n").findIndex((l) => l === `  ${key}:`);
  if (index < 0) throw new Error(`no token ${key} in the YAML`);
  return index + 1;
}

/** The 1-based line of `field:` inside a token's block. */
export function fieldLine(yaml: string, key: string, field: string): number {
  const lines = yaml.split("\n");
  const start = tokenLine(yaml, key);
  for (let i = start; i < lines.length && !/^ {2}\S/.test(lines[i] ?? ""); i++) {
    if (lines[i]!.startsWith(`    ${field}:`)) return i + 1;
  }
  throw new Error(`token ${key} has no ${field}`);
}

/**
 * GitLab's Code Quality report format, from doc/ci/testing/code_quality.md ("Code Quality report
 * format"): a JSON array of objects, each with a `description`, a `check_name` (the rule), a
 * `fingerprint` (unique per violation), a `severity` of info, minor, major, critical or blocker, and a
 * `location` with the file's `path` relative to the repository (not prefixed with `./`) and the line
 * (`lines.begin`). Other Code Climate properties are allowed and ignored by GitLab.
 */
export const codeQualityIssueSchema = z.looseObject({
  description: z.string().min(1),
  check_name: z.string().min(1),
  fingerprint: z.string().min(1),
  severity: z.enum(["info", "minor", "major", "critical", "blocker"]),
  location: z.looseObject({
    path: z
      .string()
      .min(1)
      .refine((p) => !p.startsWith("./") && !path.isAbsolute(p) && !p.includes("\\"), {
        message: "a path relative to the repository, without ./",
      }),
    lines: z.looseObject({ begin: z.number().int().min(1) }),
  }),
});

export const codeQualityReportSchema = z
  .array(codeQualityIssueSchema)
  .refine((issues) => new Set(issues.map((i) => i.fingerprint)).size === issues.length, {
    message: "fingerprints must be unique",
  });
