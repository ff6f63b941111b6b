/**
 * What to audit: the projects, groups and users named on the command line, plus every one a
 * declaration in tokens.yaml names. Pure.
 */
import type { TokenDeclaration } from "../../components/declarations";
import {
  TARGET_FIELDS,
  kindOf,
  type TargetField,
  type TargetHints,
  type TokenKind,
} from "../../components/kinds";
import type { AuditTargetKind, TargetRef, TargetSource } from "./model";

/** The target kind a declaration's token lives on (a deploy token's: the field that names it). */
export function targetKindOf(d: { kind: TokenKind; targetField?: TargetField }): AuditTargetKind {
  return d.targetField ?? kindOf(d.kind).targetField;
}

/** A declaration's fields that choose the routes to its target's tokens, if it has any. */
function hintsOf(d: TokenDeclaration): TargetHints | undefined {
  const hints: TargetHints = {};
  if (d.group !== undefined) hints.group = d.group;
  if (d.project !== undefined) hints.project = d.project;
  return Object.keys(hints).length > 0 ? hints : undefined;
}

/** Flags first, then declarations in file order; each (kind, name) once (names compare case-insensitively). */
export function auditTargets(
  flags: { projects: readonly string[]; groups: readonly string[]; users: readonly string[] },
  declarations: readonly TokenDeclaration[] = [],
): TargetRef[] {
  const out: TargetRef[] = [];
  const add = (kind: AuditTargetKind, ref: string, from: TargetSource, hints?: TargetHints) => {
    const name = ref.trim();
    if (name === "") return;
    const known = out.find((t) => t.kind === kind && t.ref.toLowerCase() === name.toLowerCase());
    if (known === undefined) out.push({ kind, ref: name, from: [from], ...(hints ? { hints } : {}) });
    else {
      if (!known.from.includes(from)) known.from.push(from);
      // The first declaration that names the routes decides them.
      if (known.hints === undefined && hints !== undefined) known.hints = hints;
    }
  };
  // --project, --group, --user: one flag per kind's target, in kind order.
  for (const targetField of TARGET_FIELDS) {
    for (const ref of flags[`${targetField}s`]) add(targetField, ref, "flag");
  }
  for (const d of declarations) add(targetKindOf(d), d.target, "declarations", hintsOf(d));
  return out;
}
