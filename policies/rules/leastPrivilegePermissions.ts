/**
 * `gitlab-token-least-privilege-permissions`: a fine-grained personal access token's granular
 * scopes (`granular:`; GitLab's `granular_scopes`) grant no more than the token needs. The `instance`
 * boundary, the `all_memberships` boundary (every group and project the user is or becomes a member
 * of) and every permission that changes something (all but `read_*`) need a justification; a
 * justification that speaks only of reading does not cover a write. A permission or access GitLab's
 * catalogue (components/gitlab/permissions.ts) does not hold is reported as unknown on a live token
 * (a newer GitLab's), and as invalid on a declared one (most likely a typo). Pure.
 */
import { GRANULAR_ACCESS, granularPermission, isReadPermission } from "../../components/gitlab/facts";
import {
  justificationField,
  justificationOf,
  unjudged,
  unrecognised,
  violation,
  type Check,
  type Rule,
} from "./check";
import { POLICY_IDS, type LeastPrivilegePermissionsConfig } from "./config";
import { statedNeed } from "./leastPrivilegeScopes";
import {
  describeToken,
  isLive,
  isUnknown,
  liveFix,
  type GranularScopeEntry,
  type NormalisedToken,
} from "./token";

const plural = (items: readonly unknown[], one: string, many: string) => (items.length === 1 ? one : many);
const quote = (text: string) => JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);

/** Whether an access is one GitLab's catalogue (this version) knows. */
export function isKnownAccess(access: string): boolean {
  return (GRANULAR_ACCESS as readonly string[]).includes(access);
}

/**
 * The namespaces a scope names: `acme/web, group acme` (projects first, then groups), or "";
 * `ids`: GitLab's ids, each named (`project 7, group 3`), as a live token has them.
 */
export function granularNamespaces(scope: GranularScopeEntry, ids = false): string {
  const projects = (scope.projects ?? []).map((p) => (ids ? `project ${p}` : p));
  return [...projects, ...(scope.groups ?? []).map((g) => `group ${g}`)].join(", ");
}

/**
 * One granular scope in words, e.g. `selected_memberships (acme/web, group acme): read_job,
 * create_release (writes)`: the access, the namespaces it names, the permissions, and which of them
 * write. The review and the audit show it.
 */
export function describeGranularScope(scope: GranularScopeEntry, ids = false): string {
  const where = granularNamespaces(scope, ids);
  const writes = scope.permissions.filter((p) => !isReadPermission(p));
  const note =
    writes.length === 0
      ? ""
      : writes.length === scope.permissions.length
        ? writes.length === 1
          ? " (write)"
          : " (all write)"
        : ` (writes: ${writes.join(", ")})`;
  return `${scope.access}${where ? ` (${where})` : ""}: ${scope.permissions.join(", ") || "no permissions"}${note}`;
}

/** A fine-grained token's granular scopes in words, one per scope (`ids`: see granularNamespaces). */
export function describeGranular(scopes: readonly GranularScopeEntry[], ids = false): string[] {
  return scopes.map((s) => describeGranularScope(s, ids));
}

/** How to change a token's granular scopes: in its declaration, or (a live token) by replacing it. */
function changeGranular(token: NormalisedToken, declared: string, replacement: string): string {
  if (!isLive(token)) return declared.charAt(0).toUpperCase() + declared.slice(1);
  return liveFix(token, declared, replacement);
}

export const checkLeastPrivilegePermissions: Rule<LeastPrivilegePermissionsConfig> = (token, config) => {
  if (token.fineGrained !== true) return [];
  const who = describeToken(token);
  const checks: Check[] = [];
  if (isUnknown(token, "granular")) {
    checks.push(unjudged(token, "every granular scope", "granular"));
  }
  const scopes = token.granular;
  if (scopes === undefined) {
    // A live token GitLab says is fine-grained but whose granular scopes it did not list (the
    // create response, a GitLab that lists none): its permissions cannot be judged.
    if (!isUnknown(token, "granular")) {
      checks.push({
        status: "unjudged",
        code: "granular-scopes-not-listed",
        field: "granular_scopes",
        message: `${who} is a fine-grained token (GitLab reports granular: true), but GitLab did not list its granular scopes, so the least privilege of its permissions could not be verified`,
      });
    }
    return checks;
  }

  // Accesses and permissions GitLab's catalogue does not hold: a newer GitLab's on a live token
  // (reported, never judged compliant), an invalid value on a declared one.
  const unknownAccess = [...new Set(scopes.map((s) => s.access).filter((a) => !isKnownAccess(a)))];
  const unknownPermissions = [
    ...new Set(scopes.flatMap((s) => s.permissions).filter((p) => granularPermission(p) === undefined)),
  ];
  if (isLive(token)) {
    if (unknownAccess.length > 0) {
      const list = `granular ${plural(unknownAccess, "access", "accesses")} ${unknownAccess.join(", ")}`;
      checks.push(unrecognised(token, "granular_scopes", list, "least privilege"));
    }
    if (unknownPermissions.length > 0) {
      const list = `${plural(unknownPermissions, "permission", "permissions")} ${unknownPermissions.join(", ")}`;
      checks.push(unrecognised(token, "granular_scopes", list, "least privilege"));
    }
  } else {
    if (unknownAccess.length > 0) {
      checks.push(
        violation(
          "invalid-granular-access",
          "granular",
          `${who} has granular ${plural(unknownAccess, "access", "accesses")} ${unknownAccess.join(", ")}, which GitLab does not accept. Use one of ${GRANULAR_ACCESS.join(", ")}.`,
        ),
      );
    }
    if (unknownPermissions.length > 0) {
      checks.push(
        violation(
          "invalid-permission",
          "granular",
          `${who} has ${plural(unknownPermissions, "permission", "permissions")} ${unknownPermissions.join(", ")}, which GitLab's catalogue of fine-grained permissions does not hold. Remove ${plural(unknownPermissions, "it", "them")} or correct the spelling.`,
        ),
      );
    }
  }

  // What needs a justification: the instance boundary, all memberships, and every known write.
  const instance = scopes.filter((s) => s.access === "instance");
  const allMemberships = config.justifyAllMemberships
    ? scopes.filter((s) => s.access === "all_memberships")
    : [];
  const writes = [
    ...new Set(
      scopes
        .flatMap((s) => s.permissions)
        .filter((p) => granularPermission(p) !== undefined && !isReadPermission(p)),
    ),
  ];
  if (instance.length === 0 && allMemberships.length === 0 && writes.length === 0) return checks;

  const justification = justificationOf(token, config.justifications);
  const where = justificationField(token, POLICY_IDS.leastPrivilegePermissions);
  const field = isLive(token) ? "granular_scopes" : "granular";
  const needs: { code: string; what: string; instead: string }[] = [];
  if (instance.length > 0) {
    needs.push({
      code: "unjustified-instance-access",
      what: "access instance (permissions over the whole GitLab instance)",
      instead: changeGranular(
        token,
        "give the permissions at a narrower access (selected_memberships, personal_projects, user) if they apply there",
        "whose scopes stop short of the instance",
      ),
    });
  }
  if (allMemberships.length > 0) {
    needs.push({
      code: "unjustified-all-memberships",
      what: "access all_memberships (every group and project the user is, or later becomes, a member of)",
      instead: changeGranular(
        token,
        "use access selected_memberships naming the projects and groups it works on (projects: [acme/web], groups: [acme])",
        "with access selected_memberships on the projects and groups it works on",
      ),
    });
  }
  if (writes.length > 0) {
    needs.push({
      code: "unjustified-write-permission",
      what: `write ${plural(writes, "permission", "permissions")} ${writes.join(", ")}`,
      instead: changeGranular(
        token,
        `keep only read_* permissions if it only reads`,
        "with read_* permissions only, if it only reads",
      ),
    });
  }

  if (justification.unknown) {
    checks.push(
      unjudged(
        token,
        `whether ${needs.map((n) => n.what.split(" (")[0]).join(", ")} is justified`,
        "justification",
      ),
    );
    return checks;
  }
  const text = justification.text;
  if (text === undefined || text.length < config.minJustificationLength) {
    const given =
      text === undefined
        ? "without a justification"
        : `with a justification of ${text.length} characters (${quote(text)}), shorter than ${config.minJustificationLength}`;
    for (const n of needs) {
      checks.push(
        violation(
          n.code,
          field,
          `${who} has ${n.what} ${given}. Add ${where} saying what the token does that needs it, or ${n.instead.charAt(0).toLowerCase()}${n.instead.slice(1)}.`,
        ),
      );
    }
    return checks;
  }
  // Justified; but a justification that speaks only of reading does not cover a write.
  if (writes.length > 0 && statedNeed(`${text} ${token.description ?? ""}`) === "read-only") {
    checks.push(
      violation(
        "write-permission-not-needed",
        field,
        `${who} has write ${plural(writes, "permission", "permissions")} ${writes.join(", ")}, but its justification and description state a read-only need (${quote(text)}). ${changeGranular(token, `remove ${writes.join(", ")} from granular`, `without ${writes.join(", ")}`)}, or say in ${where} what the token changes.`,
      ),
    );
  }
  return checks;
};
