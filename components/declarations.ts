/**
 * Reads and validates `tokens.yaml`: the reviewed list of every token. Validation is complete
 * before any API call: unknown keys, wrong types, scopes invalid for the kind, lifetimes beyond
 * GitLab's limit, dates in the past — each error names the file, the line, the token key and the
 * field, and says what to change. Pure apart from reading the file; no Pulumi imports (the review
 * report and the policy pack's tooling use it too).
 */
import * as fs from "node:fs";
import { LineCounter, parseDocument, isMap, isSeq, type Node } from "yaml";
import { z } from "zod";
import {
  ACCESS_LEVEL_NAMES,
  DEFAULT_LIFETIME_DAYS,
  DEFAULT_ROTATE_BEFORE_DAYS,
  TOKEN_KINDS,
  type AccessLevelName,
  type TokenKind,
} from "./gitlab/facts";
import { validateTokenSpec } from "./validation";

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

const target = z.union([z.string().min(1), z.number().int().positive()]);

const deliverySchema = z.strictObject({
  project: target.optional(),
  group: target.optional(),
  variable: z.string().regex(/^[A-Za-z0-9_]{1,255}$/, "use letters, digits and _ (at most 255)"),
  protected: z.boolean().optional(),
  masked: z.boolean().optional(),
  hidden: z.boolean().optional(),
  raw: z.boolean().optional(),
  environmentScope: z.string().min(1).optional(),
  description: z.string().optional(),
});

const tokenSchema = z.strictObject({
  kind: z.enum(TOKEN_KINDS),
  project: target.optional(),
  group: target.optional(),
  user: target.optional(),
  name: z.string().min(1).optional(),
  scopes: z.array(z.string()).min(1, "list at least one scope"),
  accessLevel: z.enum(ACCESS_LEVEL_NAMES as [AccessLevelName, ...AccessLevelName[]]).optional(),
  lifetimeDays: z.number().int().optional(),
  expiresAt: z.string().optional(),
  rotateBeforeDays: z.number().int().optional(),
  rotateWhenChanged: z.record(z.string(), z.string()).optional(),
  description: z.string().optional(),
  owner: z.string().optional(),
  justification: z.string().optional(),
  serviceAccount: z.boolean().optional(),
  deliverTo: z.array(deliverySchema).optional(),
});

const defaultsSchema = z.strictObject({
  lifetimeDays: z.number().int().optional(),
  rotateBeforeDays: z.number().int().optional(),
  accessLevel: z.enum(ACCESS_LEVEL_NAMES as [AccessLevelName, ...AccessLevelName[]]).optional(),
  owner: z.string().optional(),
});

const fileSchema = z.strictObject({
  defaults: defaultsSchema.optional(),
  tokens: z.record(z.string(), z.unknown()),
});

export type Delivery = z.infer<typeof deliverySchema>;

/** One validated declaration, defaults applied. */
export interface TokenDeclaration {
  key: string;
  kind: TokenKind;
  /** Project path/id, group path/id or username/id, as written. */
  target: string;
  name: string;
  scopes: string[];
  accessLevel?: AccessLevelName;
  /** Exactly one of lifetimeDays and expiresAt is set. */
  lifetimeDays?: number;
  expiresAt?: string;
  rotateBeforeDays: number;
  rotateWhenChanged: Record<string, string>;
  description: string;
  owner?: string;
  justification?: string;
  serviceAccount?: boolean;
  deliverTo: Delivery[];
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

const TARGET_FIELD: Record<TokenKind, "project" | "group" | "user"> = {
  project: "project",
  group: "group",
  personal: "user",
};

function pathString(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

function zodMessage(issue: z.core.$ZodIssue, field: string): string {
  switch (issue.code) {
    case "unrecognized_keys":
      return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}; remove ${issue.keys.length > 1 ? "them" : "it"} or fix the spelling`;
    case "invalid_value":
      return `${field || "value"} must be one of ${issue.values.map((v) => String(v)).join(", ")}`;
    case "invalid_type":
      return `${field || "value"} must be ${issue.expected === "int" ? "a whole number" : `a ${issue.expected}`}`;
    case "too_small":
      return `${field || "value"}: ${issue.message}`;
    default:
      return `${field || "value"}: ${issue.message}`;
  }
}

/** Reads the file and returns the declarations, or throws DeclarationsError listing every problem. */
export function loadDeclarations(file: string, now: Date, displayName = file): TokenDeclaration[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new DeclarationsError([
      {
        file: displayName,
        line: 1,
        message: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? e})`,
      },
    ]);
  }
  return parseDeclarations(text, now, displayName);
}

/** Parses declarations from YAML text (see loadDeclarations). */
export function parseDeclarations(text: string, now: Date, file = "tokens.yaml"): TokenDeclaration[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const issues: DeclarationIssue[] = [];

  const lineOf = (path: readonly PropertyKey[]): number => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true) as Node | undefined;
      // For a map entry, point at its key: find the pair whose key matches.
      if (n > 0) {
        const parent = doc.getIn(path.slice(0, n - 1) as unknown[], true) as Node | undefined;
        const last = path[n - 1];
        if (parent && isMap(parent)) {
          const pair = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === last);
          const range = (pair?.key as Node | undefined)?.range;
          if (range) return lineCounter.linePos(range[0]).line;
        }
        if (parent && isSeq(parent) && typeof last === "number") {
          const item = parent.items[last] as Node | undefined;
          if (item?.range) return lineCounter.linePos(item.range[0]).line;
        }
      }
      if (node?.range) return lineCounter.linePos(node.range[0]).line;
    }
    return 1;
  };

  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      issues.push({
        file,
        line: e.linePos?.[0]?.line ?? 1,
        message: `not valid YAML: ${e.message.split("\n")[0]}`,
      });
    }
    throw new DeclarationsError(issues);
  }

  const top = fileSchema.safeParse(doc.toJS());
  if (!top.success) {
    for (const issue of top.error.issues) {
      const field = pathString(issue.path);
      issues.push({
        file,
        line: lineOf(issue.path),
        field: field || undefined,
        message: zodMessage(issue, field),
      });
    }
    throw new DeclarationsError(issues);
  }

  const defaults = top.data.defaults ?? {};
  const out: TokenDeclaration[] = [];

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
    let bad = false;
    const parsed = tokenSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        if (issue.code === "unrecognized_keys") {
          for (const k of issue.keys) {
            add(
              pathString([...issue.path, k]),
              `unknown field ${JSON.stringify(k)}; remove it or fix the spelling`,
              [...issue.path, k],
            );
          }
          continue;
        }
        const field = pathString(issue.path);
        add(field || undefined, zodMessage(issue, field), issue.path);
      }
      bad = true;
    }
    // Unknown fields aside, keep judging the token so every problem is reported at once.
    const loose = tokenSchema.strip().safeParse(raw);
    if (!loose.success) continue;
    const t = loose.data;
    const targetField = TARGET_FIELD[t.kind];
    for (const f of ["project", "group", "user"] as const) {
      if (f !== targetField && t[f] !== undefined) {
        add(f, `a ${t.kind} token takes "${targetField}", not "${f}"`, [f]);
        bad = true;
      }
    }
    const targetValue = t[targetField];
    if (targetValue === undefined) {
      add(targetField, `a ${t.kind} token needs "${targetField}" (full path or numeric id)`);
      bad = true;
    }
    if (t.kind === "personal" && t.accessLevel !== undefined) {
      add("accessLevel", "accessLevel applies to project and group tokens only; remove it", ["accessLevel"]);
      bad = true;
    }
    if (t.kind !== "personal" && t.serviceAccount !== undefined) {
      add("serviceAccount", "serviceAccount applies to personal tokens only; remove it", ["serviceAccount"]);
      bad = true;
    }
    (t.deliverTo ?? []).forEach((d, i) => {
      if ((d.project === undefined) === (d.group === undefined)) {
        add(`deliverTo[${i}]`, "give exactly one of project or group", ["deliverTo", i]);
        bad = true;
      }
    });

    const lifetimeDays =
      t.expiresAt !== undefined
        ? t.lifetimeDays
        : (t.lifetimeDays ?? defaults.lifetimeDays ?? DEFAULT_LIFETIME_DAYS);
    const rotateBeforeDays = t.rotateBeforeDays ?? defaults.rotateBeforeDays ?? DEFAULT_ROTATE_BEFORE_DAYS;
    const accessLevel = t.kind === "personal" ? undefined : (t.accessLevel ?? defaults.accessLevel);

    for (const f of validateTokenSpec(
      {
        kind: t.kind,
        target: targetValue,
        name: t.name,
        description: t.description,
        scopes: t.scopes,
        accessLevel,
        lifetimeDays,
        expiresAt: t.expiresAt,
        rotateBeforeDays,
        rotateWhenChanged: t.rotateWhenChanged,
      },
      now,
    )) {
      const path = f.property
        .split(/[.[\]]/)
        .filter(Boolean)
        .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
      // A default that breaks a rule is reported on the token it applies to.
      add(f.property, f.reason, path);
      bad = true;
    }
    if (bad || targetValue === undefined) continue;

    out.push({
      key,
      kind: t.kind,
      target: String(targetValue),
      name: t.name ?? key,
      scopes: t.scopes,
      accessLevel,
      lifetimeDays,
      expiresAt: t.expiresAt,
      rotateBeforeDays,
      rotateWhenChanged: t.rotateWhenChanged ?? {},
      description: t.description ?? "",
      owner: t.owner ?? defaults.owner,
      justification: t.justification,
      serviceAccount: t.kind === "personal" ? t.serviceAccount : undefined,
      deliverTo: t.deliverTo ?? [],
      line: lineOf(base),
    });
  }

  if (issues.length > 0) throw new DeclarationsError(issues);
  return out;
}
