/**
 * What to audit: the projects, groups and users named on the command line, plus every one a
 * declaration in tokens.yaml names. Pure.
 */
import type { TokenDeclaration } from "../../components/declarations";
import type { TokenKind } from "../../components/gitlab/facts";
import type { AuditTargetKind, TargetRef, TargetSource } from "./model";

const TARGET_KIND_OF: Record<TokenKind, AuditTargetKind> = {
  project: "project",
  group: "group",
  personal: "user",
};

/** The target kind a declaration's token lives on. */
export function targetKindOf(kind: TokenKind): AuditTargetKind {
  return TARGET_KIND_OF[kind];
}

/** Flags first, then declarations in file order; each (kind, name) once (names compare case-insensitively). */
export function auditTargets(
  flags: { projects: readonly string[]; groups: readonly string[]; users: readonly string[] },
  declarations: readonly TokenDeclaration[] = [],
): TargetRef[] {
  const out: TargetRef[] = [];
  const add = (kind: AuditTargetKind, ref: string, from: TargetSource) => {
    const name = ref.trim();
    if (name === "") return;
    const known = out.find((t) => t.kind === kind && t.ref.toLowerCase() === name.toLowerCase());
    if (known === undefined) out.push({ kind, ref: name, from: [from] });
    else if (!known.from.includes(from)) known.from.push(from);
  };
  for (const p of flags.projects) add("project", p, "flag");
  for (const g of flags.groups) add("group", g, "flag");
  for (const u of flags.users) add("user", u, "flag");
  for (const d of declarations) add(targetKindOf(d.kind), d.target, "declarations");
  return out;
}
