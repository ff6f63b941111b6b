/**
 * `npm run audit -- --suggest`: a declaration for each unmanaged live token, so adopting what a team
 * already holds starts from what GitLab says rather than from a blank file. Each takes over its
 * token (`replaces: <id>`): `pulumi up` makes the declared token, delivers it, and only then revokes
 * the hand-made one. Scopes, access level, boundary and user are the live token's; the lifetime is
 * the policy's ceiling; what cannot be declared as it is (a scope gitlab-tokens does not know) is
 * left out and said in a comment. Pure: audited tokens in, YAML text out.
 */
import YAML from "yaml";
import { POLICY_MAX_LIFETIME_DAYS, isKnownScope } from "../../components/gitlab/facts";
import { isNamed, kindOf } from "../../components/kinds";
import type { AuditedToken } from "./model";

/** A declaration key from a token's name: letters, digits, `-` and `_`, unique in the file. */
function keyFor(t: AuditedToken, taken: Set<string>): string {
  const base =
    `${t.name || t.kind}`
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, "-")
      .replace(/^-+|-+$/g, "") || t.kind;
  let key = base;
  for (let i = 2; taken.has(key); i++) key = `${base}-${i}`;
  taken.add(key);
  return key;
}

/** A numeric id as GitLab gave it (text in the audit's granular scopes) becomes a number in YAML. */
const idOrPath = (v: string): string | number => (/^\d+$/.test(v) ? Number(v) : v);

/** The declaration for one unmanaged token, and what had to be left out of it. */
function declarationOf(t: AuditedToken): { decl: Record<string, unknown>; notes: string[] } {
  const d = kindOf(t.kind);
  const notes: string[] = [];
  const decl: Record<string, unknown> = { kind: t.kind, [t.targetField]: t.target };
  if (isNamed(d)) decl.name = t.name;
  if (t.kind === "personal" && t.serviceAccount) decl.serviceAccount = true;
  if (Array.isArray(t.granular)) {
    decl.granular = t.granular.map((g) => ({
      access: g.access,
      ...(g.projects ? { projects: g.projects.map(idOrPath) } : {}),
      ...(g.groups ? { groups: g.groups.map(idOrPath) } : {}),
      permissions: g.permissions,
    }));
  } else if (t.granular === "not listed") {
    notes.push("GitLab did not list its granular scopes: add granular: by hand");
  } else if (d.scopes !== undefined) {
    const known = t.scopes.filter((s) => isKnownScope(s) && d.scopes!.includes(s));
    const dropped = t.scopes.filter((s) => !known.includes(s));
    if (dropped.length > 0) notes.push(`left out scopes gitlab-tokens cannot declare: ${dropped.join(", ")}`);
    decl.scopes = known;
  }
  if (d.accessLevels !== undefined && t.accessLevel !== undefined) {
    if ((d.accessLevels as readonly string[]).includes(t.accessLevel)) decl.accessLevel = t.accessLevel;
    else notes.push(`left out access level ${t.accessLevel}, which gitlab-tokens cannot declare`);
  }
  if (t.kind === "trigger" && t.description) decl.description = t.description;
  decl.lifetimeDays = POLICY_MAX_LIFETIME_DAYS;
  decl.replaces = t.id;
  return { decl, notes };
}

/** The suggested declarations file for the audit's unmanaged active tokens, or undefined when there are none. */
export function suggestDeclarations(tokens: readonly AuditedToken[]): string | undefined {
  const unmanaged = tokens.filter((t) => !t.managed && t.state === "active");
  if (unmanaged.length === 0) return undefined;
  const taken = new Set<string>();
  const blocks = unmanaged.map((t) => {
    const { decl, notes } = declarationOf(t);
    const key = keyFor(t, taken);
    const body = YAML.stringify({ [key]: decl }, { lineWidth: 0 })
      .trimEnd()
      .split("\n")
      .map((l) => `  ${l}`);
    const used = t.lastUsedAt === null ? "never used" : `last used ${t.lastUsedAt.slice(0, 10)}`;
    return [
      `  # ${t.kind} token "${t.name}" (id ${t.id}) of ${t.target}: ${used}, expires ${t.expiresAt ?? "never"}`,
      ...notes.map((n) => `  # ${n}`),
      "  # deliverTo: the CI/CD variables that hold it today (pulumi up overwrites them, then revokes it)",
      ...body,
    ].join("\n");
  });
  return [
    "# Declarations for the tokens the audit found unmanaged. Review each, add its deliverTo, and move",
    "# it into tokens.yaml: pulumi up then makes the declared token, delivers it, and revokes the old one.",
    "tokens:",
    blocks.join("\n\n"),
    "",
  ].join("\n");
}
