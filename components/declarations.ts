/**
 * Reads and validates `tokens.yaml`: the reviewed list of every token. Validation is complete
 * before any API call: unknown keys, wrong types, scopes invalid for the kind, lifetimes beyond
 * GitLab's limit, dates in the past — each error names the file, the line, the token key and the
 * field, and says what to change. Hostile or broken files (not UTF-8, too big, duplicate keys, YAML
 * anchors and alias bombs, several documents) get one such error per problem, never an exception.
 * Pure apart from reading the file; no Pulumi imports (the review report and the policy pack's
 * tooling use it too).
 */
import * as fs from "node:fs";
import { isAlias, isMap, isScalar, isSeq, type Document, type Node, type Pair } from "yaml";
import { z } from "zod";
import { yamlLines } from "./yaml-lines";
import { DEFAULT_LIFETIME_DAYS, DEFAULT_ROTATE_BEFORE_DAYS, TOKEN_KINDS } from "./gitlab/facts";
import {
  KIND_FIELDS,
  KIND_FIELD_NAMES,
  TARGET_FIELDS,
  hasField,
  hasScopes,
  kindOf,
  kindsWith,
  kindsWithScopes,
  ownFields,
  scopesStandIn,
  targetFieldsOf,
  targetFieldsText,
  type TargetField,
} from "./kinds";
import { accessLevelSchema, commonTokenFields, deliverySchema, targetSchema, type Delivery } from "./model";
import type { DeclaredToken } from "./types";
import { validateTokenSpec } from "./validation";

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** Every kind's target field (`project`, `group`, `user`); the declaration must give its kind's one. */
const targetFields = Object.fromEntries(TARGET_FIELDS.map((f) => [f, targetSchema.optional()])) as Record<
  TargetField,
  ReturnType<typeof targetSchema.optional>
>;

/** A token as written: the shared fields (./model), every kind's target and kind-specific fields. */
const tokenSchema = z.strictObject({
  kind: z.enum(TOKEN_KINDS),
  ...targetFields,
  ...commonTokenFields,
  ...KIND_FIELDS,
  deliverTo: z.array(deliverySchema).optional(),
});

const defaultsSchema = z.strictObject({
  lifetimeDays: z.number().int().optional(),
  rotateBeforeDays: z.number().int().optional(),
  accessLevel: accessLevelSchema.optional(),
  owner: z.string().optional(),
});

const fileSchema = z.strictObject({
  defaults: defaultsSchema.optional(),
  tokens: z.record(z.string(), z.unknown()),
});

export type { Delivery };

/** One validated declaration, defaults applied (its fields' types come from the schemas in ./model). */
export interface TokenDeclaration extends DeclaredToken {
  deliverTo: Delivery[];
  /** A token made by hand that this one takes over: revoked once this one is made and delivered. */
  replaces?: string | number;
  /** 1-based line of the token's key in the file. */
  line: number;
}

export interface DeclarationIssue {
  file: string;
  line: number;
  /** Token key, or undefined for file-level problems. */
  token?: string;
  /** Field path inside the token (`scopes[1]`), or the top-level key. */
  field?: string;
  message: string;
}

export class DeclarationsError extends Error {
  readonly issues: DeclarationIssue[];
  constructor(issues: DeclarationIssue[]) {
    super(
      `${issues.length} problem${issues.length === 1 ? "" : "s"} in the token declarations:\n` +
        issues.map((i) => `  ${formatIssue(i)}`).join("\n"),
    );
    this.name = "DeclarationsError";
    this.issues = issues;
  }
}

export function formatIssue(i: DeclarationIssue): string {
  const where = [
    i.token !== undefined ? `token "${i.token}"` : undefined,
    i.field ? `field "${i.field}"` : undefined,
  ]
    .filter(Boolean)
    .join(", ");
  return `${i.file}:${i.line}: ${where ? `${where}: ` : ""}${i.message}`;
}

/**
 * The largest declarations file read (4 MiB): room for some 15,000 tokens with a description and a
 * delivery each (5,000 take 1.3 MiB and parse in about 2 s); anything bigger is the wrong file.
 */
export const MAX_DECLARATIONS_BYTES = 4 * 1024 * 1024;

const TOKEN_FIELDS = Object.keys(tokenSchema.shape);
const DELIVERY_FIELDS = Object.keys(deliverySchema.shape);
const DEFAULTS_FIELDS = Object.keys(defaultsSchema.shape);
const FILE_FIELDS = Object.keys(fileSchema.shape);

/** Explicit YAML tags that only restate a plain value's type; every other tag is refused. */
const CORE_TAGS = new Set(
  ["str", "int", "float", "bool", "null", "map", "seq"].map((t) => `tag:yaml.org,2002:${t}`),
);

function pathString(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

function tooBig(bytes: number): string {
  const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  return `the file is ${mib(bytes)} (${bytes} bytes); a declarations file may be at most ${mib(MAX_DECLARATIONS_BYTES)} (${MAX_DECLARATIONS_BYTES} bytes) — is this the right file?`;
}

/** A value as the file shows it, for "found …" in messages. */
function describe(v: unknown): string {
  if (v === undefined || v === null) return "nothing";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a map";
  if (typeof v === "string") {
    if (v === "") return "an empty string";
    return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  }
  return String(v);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** A field as messages write it (`granular[0].permissions[1]`) as a YAML path (`["granular", 0, …]`). */
function fieldPath(field: string): (string | number)[] {
  return field
    .split(/[.[\]]/)
    .filter(Boolean)
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/** Other names people use for a field. */
const FIELD_ALIASES: Record<string, string> = {
  key: "variable",
  type: "kind",
  ttl: "lifetimeDays",
  level: "accessLevel",
  role: "accessLevel",
  expiry: "expiresAt",
  expires: "expiresAt",
  env: "environmentScope",
};

/** The known fields an unknown one is probably a misspelling of (best first; ties all). */
export function suggestFields(unknown: string, known: readonly string[]): string[] {
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");
  const n = norm(unknown);
  if (!n) return [];
  const alias = FIELD_ALIASES[n];
  if (alias && known.includes(alias)) return [alias];
  let best: string[] = [];
  let bestDistance = Infinity;
  for (const field of known) {
    const f = norm(field);
    const distance =
      f === n
        ? 0
        : (f.startsWith(n) && n.length >= 4) || (n.startsWith(f) && f.length >= 4)
          ? 1
          : levenshtein(n, f);
    if (distance < bestDistance) [best, bestDistance] = [[field], distance];
    else if (distance === bestDistance) best.push(field);
  }
  return bestDistance <= (n.length >= 6 ? 2 : 1) ? best : [];
}

type Place = "file" | "defaults" | "token" | "delivery";

function knownFields(place: Place): readonly string[] {
  return { file: FILE_FIELDS, defaults: DEFAULTS_FIELDS, token: TOKEN_FIELDS, delivery: DELIVERY_FIELDS }[
    place
  ];
}

function unknownFieldMessage(k: string, place: Place): string {
  const guesses = suggestFields(k, knownFields(place));
  if (guesses.length > 0) {
    return `unknown field ${JSON.stringify(k)}; did you mean ${guesses.map((g) => JSON.stringify(g)).join(" or ")}?`;
  }
  if (place === "token" && DELIVERY_FIELDS.includes(k)) {
    return `unknown field ${JSON.stringify(k)} on a token; it belongs in a deliverTo entry`;
  }
  if (place === "defaults" && TOKEN_FIELDS.includes(k)) {
    return `${JSON.stringify(k)} has no default; set it on each token (defaults take ${DEFAULTS_FIELDS.join(", ")})`;
  }
  return `unknown field ${JSON.stringify(k)}; remove it or fix the spelling`;
}

function placeOf(path: readonly PropertyKey[]): Place {
  if (path[0] === "defaults") return "defaults";
  if (path[0] !== "tokens" || path.length < 2) return "file";
  return path[2] === "deliverTo" && path.length >= 4 ? "delivery" : "token";
}

const EXPECTED: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "a map",
  record: "a map",
  array: "a list",
};

/** What to write when a required field is missing or a string is empty. */
const HINTS: Record<string, string> = {
  kind: `use one of ${TOKEN_KINDS.join(", ")}`,
  scopes: "list at least one scope, e.g. [read_api]",
  variable: "name the CI/CD variable that receives the token",
  environmentScope: 'use "*" for every environment, or an environment name',
  name: "give the token a name GitLab will show, or leave the field out to use the key",
  tokens: 'declare the tokens under "tokens:" (write "tokens: {}" to manage none)',
};

/** How to write a field that has the wrong type. */
const TYPE_HINTS: Record<string, string> = {
  expiresAt: "write a date as YYYY-MM-DD",
  scopes: "e.g. [read_api, read_repository]",
  rotateWhenChanged: "e.g. { reason: 2026-11 incident }",
  deliverTo: "e.g. [{ project: acme/web, variable: DEPLOY_TOKEN }]",
};

const TARGET_FIELD_SET: ReadonlySet<string> = new Set(TARGET_FIELDS);

/** One zod issue in the file's words; `path` is the issue's full path from the file's top. */
function zodMessage(
  issue: z.core.$ZodIssue,
  path: readonly PropertyKey[],
  field: string,
  root: unknown,
): string {
  const value = valueAt(root, path);
  const leaf = [...path].reverse().find((p) => typeof p === "string") ?? "";
  const hint = HINTS[leaf] ? `; ${HINTS[leaf]}` : "";
  const name = field || "value";
  if (value === undefined) return `${name} is missing${hint}`;
  if (TARGET_FIELD_SET.has(leaf) && typeof path[path.length - 1] === "string") {
    return `${name} must be a full path (e.g. acme/web) or a numeric id; found ${describe(value)}`;
  }
  if (leaf === "tokens" && path.length === 1) {
    return value === null
      ? `tokens is empty; declare at least one token under it, or write "tokens: {}" to manage none`
      : `tokens must be a map of token keys to declarations (web-deploy: { kind: … }); found ${describe(value)}`;
  }
  switch (issue.code) {
    case "invalid_type":
      return (
        `${name} must be ${EXPECTED[issue.expected] ?? `a ${issue.expected}`}; found ${describe(value)}` +
        (TYPE_HINTS[leaf] && path.length <= 3 ? `; ${TYPE_HINTS[leaf]}` : "")
      );
    case "invalid_value": {
      const lower = typeof value === "string" ? value.toLowerCase() : undefined;
      const close = issue.values.find((v) => String(v) === lower);
      return (
        `${name} must be one of ${issue.values.map((v) => String(v)).join(", ")}; found ${describe(value)}` +
        (close !== undefined ? ` (did you mean ${JSON.stringify(close)}?)` : "")
      );
    }
    case "too_small":
      if (issue.origin === "string" || issue.origin === "array") return `${name} is empty${hint}`;
      return `${name} is ${describe(value)}: ${issue.message}`;
    case "invalid_format":
      return `${name} is ${describe(value)}; ${issue.message}`;
    default:
      return `${name} is ${describe(value)}: ${issue.message}`;
  }
}

interface Explained {
  /** Path inside the object that was parsed. */
  path: PropertyKey[];
  field: string;
  message: string;
}

/**
 * Zod's issues for the object at `base` (a path from the file's top) in the file's words. An
 * unknown field that is a misspelling of a missing one is one problem: it is reported as the
 * misspelling, and the missing field's path is returned in `misspelt`.
 */
function explain(
  zodIssues: readonly z.core.$ZodIssue[],
  base: readonly PropertyKey[],
  root: unknown,
): { explained: Explained[]; misspelt: Set<string> } {
  const explained: Explained[] = [];
  const misspelt = new Set<string>();
  for (const issue of zodIssues) {
    if (issue.code !== "unrecognized_keys") continue;
    for (const k of issue.keys) {
      const path = [...issue.path, k];
      const place = placeOf([...base, ...path]);
      explained.push({ path, field: pathString(path), message: unknownFieldMessage(k, place) });
      const guesses = suggestFields(k, knownFields(place));
      if (guesses.length === 1) misspelt.add(pathString([...issue.path, guesses[0]!]));
    }
  }
  for (const issue of zodIssues) {
    if (issue.code === "unrecognized_keys") continue;
    const field = pathString(issue.path);
    const full = [...base, ...issue.path];
    if (misspelt.has(field) && valueAt(root, full) === undefined) continue;
    explained.push({ path: [...issue.path], field, message: zodMessage(issue, full, field, root) });
  }
  return { explained, misspelt };
}

/** Where the first byte that is not UTF-8 is: 1-based line and character column, and its value. */
function firstBadByte(bytes: Uint8Array): { line: number; column: number; byte: number } {
  let line = 1;
  let start = 0;
  const fails = (seg: Uint8Array, stream: boolean) => {
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(seg, { stream });
      return false;
    } catch {
      return true;
    }
  };
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    const seg = bytes.subarray(start, end);
    if (fails(seg, false)) {
      // The shortest prefix that fails ends at the bad byte (a cut-off sequence at the very end
      // of the line never fails in stream mode: then the line's last bytes are to blame).
      let lo = 1;
      let hi = seg.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (fails(seg.subarray(0, mid), true)) hi = mid;
        else lo = mid + 1;
      }
      let at = fails(seg.subarray(0, lo), true) ? lo - 1 : seg.length;
      // A sequence left unfinished before that byte is the culprit: point at its first byte.
      if (at > 0 && fails(seg.subarray(0, at), false)) {
        at--;
        while (at > 0 && (seg[at]! & 0xc0) === 0x80) at--;
      }
      const column = new TextDecoder("utf-8").decode(seg.subarray(0, at)).length + 1;
      return { line, column, byte: seg[at]! };
    }
    line++;
    start = end + 1;
  }
  return { line: 1, column: 1, byte: bytes[0] ?? 0 };
}

/**
 * The file's text: UTF-8 (a byte-order mark is accepted and dropped), at most
 * MAX_DECLARATIONS_BYTES. Anything else is refused with the line of the first bad byte.
 */
export function decodeDeclarations(bytes: Uint8Array, file = "tokens.yaml"): string {
  const refuse = (line: number, message: string): never => {
    throw new DeclarationsError([{ file, line, message }]);
  };
  if (bytes.length > MAX_DECLARATIONS_BYTES) refuse(1, tooBig(bytes.length));
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    refuse(1, "the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8");
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const bad = firstBadByte(bytes);
    const hex = bad.byte.toString(16).toUpperCase().padStart(2, "0");
    const latin1 =
      bad.byte >= 0xa0 ? `, where 0x${hex} is ${JSON.stringify(String.fromCharCode(bad.byte))}` : "";
    return refuse(
      bad.line,
      `the file is not UTF-8: byte 0x${hex} at column ${bad.column} is not valid UTF-8 (was it saved as Latin-1 or Windows-1252${latin1}?); save it as UTF-8`,
    );
  }
}

/** Reads the file and returns the declarations, or throws DeclarationsError listing every problem. */
export function loadDeclarations(file: string, now: Date, displayName = file): TokenDeclaration[] {
  let bytes: Buffer;
  try {
    const stat = fs.statSync(file);
    if (stat.isFile() && stat.size > MAX_DECLARATIONS_BYTES) {
      throw new DeclarationsError([{ file: displayName, line: 1, message: tooBig(stat.size) }]);
    }
    bytes = fs.readFileSync(file);
  } catch (e) {
    if (e instanceof DeclarationsError) throw e;
    throw new DeclarationsError([
      {
        file: displayName,
        line: 1,
        message: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? e})`,
      },
    ]);
  }
  return parseDeclarations(decodeDeclarations(bytes, displayName), now, displayName);
}

/** How a delivery target is compared: ids as numbers, paths without case or edge slashes. */
function targetKey(t: string | number): string {
  const s = String(t).trim();
  return /^\d+$/.test(s) ? `#${Number(s)}` : s.toLowerCase().replace(/^\/+|\/+$/g, "");
}

/** Parses declarations from YAML text (see loadDeclarations). */
export function parseDeclarations(text: string, now: Date, file = "tokens.yaml"): TokenDeclaration[] {
  const refuse = (line: number, message: string): never => {
    throw new DeclarationsError([{ file, line, message }]);
  };
  if (Buffer.byteLength(text, "utf8") > MAX_DECLARATIONS_BYTES) refuse(1, tooBig(Buffer.byteLength(text)));
  if (text.startsWith("\uFEFF")) text = text.slice(1);
  const nul = text.indexOf("\u0000");
  if (nul >= 0) {
    refuse(
      text.slice(0, nul).split("\n").length,
      "the file contains a NUL byte: it is UTF-16 or binary, not UTF-8 text; save it as UTF-8",
    );
  }

  const lines = yamlLines(text, { uniqueKeys: false, prettyErrors: false });
  const { doc, lineAt } = lines;
  const issues: DeclarationIssue[] = [];

  // Syntax: the first error only; the ones after it are mostly its echoes.
  const syntax = doc.errors[0];
  if (syntax) {
    // An error at the very end (an unclosed bracket) is shown on the last line with content.
    const pos = lines.position(Math.min(syntax.pos[0], Math.max(0, text.trimEnd().length - 1)));
    const message =
      syntax.code === "MULTIPLE_DOCS"
        ? 'the file holds more than one YAML document (a second "---"); keep every declaration in one document'
        : syntax.code === "TAB_AS_INDENT"
          ? `not valid YAML: a tab indents this line (column ${pos.col}); YAML indents with spaces only`
          : /call stack/i.test(syntax.message)
            ? "not valid YAML: the file is nested too deeply to read; declarations need only a few levels"
            : `not valid YAML: ${syntax.message.split("\n")[0]} (column ${pos.col})`;
    refuse(pos.line, message);
  }

  // Structure, before the document becomes data: duplicate keys (the later one would silently
  // win), anchors and aliases (never needed here; an alias bomb would exhaust memory), tags and
  // collection keys. Also remembers every map's keys for the line lookups below.
  const issueAt = (path: readonly PropertyKey[], line: number, message: string): DeclarationIssue => {
    if (path[0] === "tokens" && path.length >= 2 && typeof path[1] === "string") {
      return { file, line, token: path[1], field: pathString(path.slice(2)) || undefined, message };
    }
    return { file, line, field: pathString(path) || undefined, message };
  };
  let aliases = 0;
  let firstAlias: { path: PropertyKey[]; line: number } | undefined;
  const checkNode = (node: Node, path: PropertyKey[]) => {
    if (isAlias(node) || node.anchor) {
      aliases++;
      firstAlias ??= { path, line: lineAt(node) ?? 1 };
    }
    if (!isAlias(node) && node.tag && !CORE_TAGS.has(node.tag)) {
      issues.push(
        issueAt(
          path,
          lineAt(node) ?? 1,
          `the YAML tag ${node.tag.replace("tag:yaml.org,2002:", "!!")} is not allowed in a declarations file; write a plain value`,
        ),
      );
    }
  };
  const visit = (node: unknown, path: PropertyKey[]) => {
    if (!node || typeof node !== "object") return;
    checkNode(node as Node, path);
    if (isMap(node)) {
      const seen = new Map<string, Pair>();
      for (const pair of node.items) {
        const k = pair.key as unknown;
        if (!isScalar(k)) {
          if (isAlias(k)) checkNode(k, path);
          else {
            issues.push(
              issueAt(
                path,
                lineAt(k) ?? lineAt(pair.value) ?? 1,
                "a key must be a plain name, not a list or map",
              ),
            );
          }
          continue;
        }
        const name = k.value === null || k.value === undefined ? "" : String(k.value);
        checkNode(k, [...path, name]);
        const first = seen.get(name);
        if (first) {
          const line = lineAt(k) ?? 1;
          const firstLine = lineAt(first.key) ?? 1;
          const where = path.length === 1 && path[0] === "tokens" ? "token" : "field";
          issues.push(
            issueAt(
              [...path, name],
              line,
              where === "token"
                ? `token ${JSON.stringify(name)} is declared twice (first at line ${firstLine}); give each token its own key`
                : `${JSON.stringify(name)} is given twice (first at line ${firstLine}); keep one`,
            ),
          );
        } else seen.set(name, pair);
        visit(pair.value, [...path, name]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => visit(item, [...path, i]));
    }
  };
  visit(doc.contents, []);
  if (firstAlias) {
    issues.push(
      issueAt(
        firstAlias.path,
        firstAlias.line,
        `YAML anchors and aliases (&name, *name) are not allowed in a declarations file${aliases > 1 ? ` (this file has ${aliases})` : ""}; write every value out`,
      ),
    );
  }
  issues.sort((a, b) => a.line - b.line);
  if (issues.length > 0) throw new DeclarationsError(issues);

  /** The line of the deepest existing key on `path`. */
  const lineOf = (path: readonly PropertyKey[]): number => lines.keyLine(path).line;

  let root: unknown;
  try {
    // No aliases are left to expand; the limit is a second line of defence.
    root = (doc as Document).toJS({ maxAliasCount: 0 });
  } catch (e) {
    return refuse(1, `cannot read the YAML: ${(e as Error).message}`);
  }
  if (doc.contents === null || root === undefined) {
    refuse(1, 'the file is empty; declare the tokens under "tokens:" (write "tokens: {}" to manage none)');
  }
  if (root === null || typeof root !== "object" || Array.isArray(root)) {
    refuse(lineAt(doc.contents) ?? 1, `the file must be a map with a "tokens:" key; found ${describe(root)}`);
  }

  const top = fileSchema.safeParse(root);
  if (!top.success) {
    for (const e of explain(top.error.issues, [], root).explained) {
      issues.push({ file, line: lineOf(e.path), field: e.field || undefined, message: e.message });
    }
    issues.sort((a, b) => a.line - b.line);
    throw new DeclarationsError(issues);
  }

  const defaults = top.data.defaults ?? {};
  const out: TokenDeclaration[] = [];
  /** Every CI/CD variable delivered to so far: who delivers it, where. */
  const deliveredTo = new Map<string, { token: string; index: number; line: number; target: string }>();

  for (const [key, raw] of Object.entries(top.data.tokens)) {
    const base = ["tokens", key];
    const add = (field: string | undefined, message: string, path: readonly PropertyKey[] = []) =>
      issues.push({ file, line: lineOf([...base, ...path]), token: key, field, message });

    if (!KEY_PATTERN.test(key)) {
      add(
        undefined,
        "token keys use letters, digits, '.', '_' and '-', start with a letter or digit, at most 100",
      );
      continue;
    }
    if (raw === null || raw === undefined) {
      add(undefined, "the token is empty; give it kind, its target and scopes");
      continue;
    }
    if (typeof raw !== "object" || Array.isArray(raw)) {
      add(undefined, `a token must be a map of fields (kind, scopes, …); found ${describe(raw)}`);
      continue;
    }
    let bad = false;
    const parsed = tokenSchema.safeParse(raw);
    let misspelt = new Set<string>();
    if (!parsed.success) {
      const explained = explain(parsed.error.issues, base, root);
      for (const e of explained.explained) add(e.field || undefined, e.message, e.path);
      misspelt = explained.misspelt;
      bad = true;
    }
    // Unknown fields aside, keep judging the token so every problem is reported at once.
    const loose = tokenSchema.strip().safeParse(raw);
    if (!loose.success) continue;
    const t = loose.data;
    const kind = kindOf(t.kind);
    const ownTargets = targetFieldsOf(kind);
    // A field may be one kind's target and another's own field (`group`: a group token's target, a
    // personal token's service-account group); it is refused only where it is neither.
    for (const f of TARGET_FIELDS) {
      if (!ownTargets.includes(f) && !Object.hasOwn(kind.fields, f) && t[f] !== undefined) {
        add(f, `a ${t.kind} token takes ${targetFieldsText(kind)}, not "${f}"`, [f]);
        bad = true;
      }
    }
    // The field naming the target: the one given (a kind with several takes exactly one of them).
    const given = ownTargets.filter((f) => t[f] !== undefined);
    const targetField = given[0] ?? kind.targetField;
    if (given.length > 1) {
      add(given[1], `a ${t.kind} token takes one of ${targetFieldsText(kind, "and")}, not both`, [given[1]!]);
      bad = true;
    }
    const targetValue = t[targetField];
    if (targetValue === undefined && !ownTargets.some((f) => misspelt.has(f))) {
      add(targetField, `a ${t.kind} token needs ${targetFieldsText(kind)} (full path or numeric id)`);
      bad = true;
    }
    for (const f of KIND_FIELD_NAMES) {
      if (!hasField(kind, f) && !(TARGET_FIELDS as readonly string[]).includes(f) && t[f] !== undefined) {
        add(f, `${f} applies to ${kindsWith(f)} tokens only; remove it`, [f]);
        bad = true;
      }
    }
    for (const f of kind.checkFields?.(ownFields(kind, t)) ?? []) {
      add(f.field, f.reason, fieldPath(f.field));
      bad = true;
    }
    // Scopes are the kind's matter: required where it has them (unless the kind's stand-in for them
    // is given: a fine-grained token's granular scopes), refused where it has none.
    const scopesInstead = scopesStandIn(kind, t);
    if (hasScopes(kind) && t.scopes === undefined && scopesInstead === undefined && !misspelt.has("scopes")) {
      add(
        "scopes",
        `scopes is missing; ${HINTS.scopes}` +
          (kind.scopesInstead === undefined ? "" : ` (or ${kind.scopesInstead}: for a fine-grained token)`),
      );
      bad = true;
    }
    if (!hasScopes(kind) && t.scopes !== undefined) {
      add(
        "scopes",
        `a ${t.kind} token has no scopes in GitLab (scopes apply to ${kindsWithScopes()} tokens); remove scopes`,
        ["scopes"],
      );
      bad = true;
    }
    const firstScope = new Map<string, number>();
    (hasScopes(kind) ? (t.scopes ?? []) : []).forEach((s, i) => {
      const j = firstScope.get(s);
      if (j === undefined) firstScope.set(s, i);
      else {
        add(`scopes[${i}]`, `scope ${JSON.stringify(s)} is listed twice (also scopes[${j}]); remove one`, [
          "scopes",
          i,
        ]);
        bad = true;
      }
    });
    (t.deliverTo ?? []).forEach((d, i) => {
      if ((d.project === undefined) === (d.group === undefined)) {
        add(
          `deliverTo[${i}]`,
          d.project === undefined
            ? "give exactly one of project or group: the project or group whose CI/CD variable receives the token"
            : "give exactly one of project or group, not both",
          ["deliverTo", i],
        );
        bad = true;
        return;
      }
      if (d.value === "username" && !hasField(kind, "username")) {
        add(
          `deliverTo[${i}].value`,
          `value username applies to ${kindsWith("username")} tokens only (their username); a ${t.kind} token delivers its token — remove value`,
          ["deliverTo", i, "value"],
        );
        bad = true;
      }
      // Two deliveries to one variable would overwrite each other on every run.
      const [where, target] = d.project !== undefined ? ["project", d.project] : ["group", d.group!];
      const scope = d.environmentScope ?? "*";
      const id = [where, targetKey(target), d.variable, scope].join("\u0000");
      const line = lineOf([...base, "deliverTo", i]);
      const first = deliveredTo.get(id);
      if (first === undefined) {
        deliveredTo.set(id, { token: key, index: i, line, target: String(target) });
        return;
      }
      const spelled = first.target === String(target) ? "" : ` (as ${first.target})`;
      const variable = `variable ${d.variable} of ${where} ${target} (environment scope ${JSON.stringify(scope)})`;
      add(
        `deliverTo[${i}]`,
        first.token === key
          ? `deliverTo[${first.index}] (line ${first.line}) already delivers this token to ${variable}; remove the duplicate`
          : `token ${JSON.stringify(first.token)} already delivers to ${variable} at line ${first.line}${spelled}; a variable holds one token — use another variable or environmentScope`,
        ["deliverTo", i],
      );
      bad = true;
    });

    const lifetimeDays =
      t.expiresAt !== undefined
        ? t.lifetimeDays
        : (t.lifetimeDays ?? defaults.lifetimeDays ?? DEFAULT_LIFETIME_DAYS);
    const rotateBeforeDays = t.rotateBeforeDays ?? defaults.rotateBeforeDays ?? DEFAULT_ROTATE_BEFORE_DAYS;
    const accessLevel = kind.accessLevels ? (t.accessLevel ?? defaults.accessLevel) : undefined;

    for (const f of validateTokenSpec(
      {
        kind: t.kind,
        target: targetValue,
        targetField,
        name: t.name,
        description: t.description,
        scopes: hasScopes(kind) ? t.scopes : undefined,
        scopesInstead,
        accessLevel,
        lifetimeDays,
        expiresAt: t.expiresAt,
        rotateBeforeDays,
        rotateWhenChanged: t.rotateWhenChanged,
        replaces: t.replaces,
      },
      now,
    )) {
      // A default that breaks a rule is reported on the token it applies to.
      add(f.property, f.reason, fieldPath(f.property));
      bad = true;
    }
    if (bad || targetValue === undefined) continue;

    out.push({
      key,
      kind: t.kind,
      target: String(targetValue),
      // Kept only where several fields may name the target (deploy: project or group).
      ...(ownTargets.length > 1 ? { targetField } : {}),
      name: t.name ?? key,
      scopes: t.scopes ?? [],
      lifetimeDays,
      expiresAt: t.expiresAt,
      rotateBeforeDays,
      rotateWhenChanged: t.rotateWhenChanged ?? {},
      description: t.description ?? "",
      owner: t.owner ?? defaults.owner,
      justification: t.justification,
      ...(t.replaces === undefined ? {} : { replaces: t.replaces }),
      // Given only where the kind has them (checked above); a target field is not one of them.
      ...ownFields(kind, t),
      accessLevel, // with the file's default
      deliverTo: t.deliverTo ?? [],
      line: lineOf(base),
    });
  }

  if (issues.length > 0) throw new DeclarationsError(issues);
  return out;
}
