/**
 * `gitlab-token-least-privilege-scopes`: no administrator scopes; high-risk scopes only with a written
 * justification, and only when no narrower scope covers the stated need; no redundant scopes; no
 * scopes GitLab does not accept for the token's kind.
 */
import {
  FORBIDDEN_SCOPES,
  GRANULAR_SCOPE,
  NARROWER_ALTERNATIVES,
  SCOPE_IMPLIES,
  isKnownScope,
} from "../../components/gitlab/facts";
import { hasScopes, kindOf, scopesElsewhereHint } from "../../components/kinds";
import {
  justificationField,
  justificationOf,
  unjudged,
  unrecognised,
  violation,
  type Check,
  type Rule,
} from "./check";
import { POLICY_IDS, type LeastPrivilegeScopesConfig } from "./config";
import { describeToken, isLive, isUnknown, liveFix, type NormalisedToken } from "./token";

/** Words that state a read-only need ("pulls images", "clones the repo", "read-only"). */
const READ_NEED =
  /\b(read|reads|reading|read-only|readonly|pull|pulls|pulling|fetch|fetches|fetching|clone|clones|cloning|download|downloads|downloading|list|lists|listing|scan|scans|scanning|inspect|inspects|view|views|query|queries|querying|mirror|mirrors|mirroring|audit|audits|auditing)\b/i;
/**
 * Words that state a need to change something; any of them keeps the broader scope justified. Verbs
 * only, not nouns a read-only job also talks about ("reads tags", "lists releases").
 */
const WRITE_NEED =
  /\b(write|writes|writing|push|pushes|pushing|create|creates|creating|update|updates|updating|delete|deletes|deleting|remove|removes|removing|modify|modifies|modifying|edit|edits|editing|merges|merging|approve|approves|approving|tagging|releasing|publish|publishes|publishing|upload|uploads|uploading|register|registers|registering|commenting|posting|committing|manage|manages|managing|trigger|triggers|triggering|rotate|rotates|rotating|configure|configures|configuring|changing|opens|opening|closes|closing|administer|administers)\b/i;

/** GitLab nouns that contain a write verb but name something read ("merge requests"). */
const NOUNS = /\bmerge[- ]requests?\b/gi;

/**
 * What a justification (with the token's description) says the token needs: `read-only` when it
 * speaks only of reading, `write` when it names any change, `unstated` otherwise.
 */
export function statedNeed(text: string): "read-only" | "write" | "unstated" {
  const plain = text.replace(NOUNS, "MRs");
  if (WRITE_NEED.test(plain)) return "write";
  if (READ_NEED.test(plain)) return "read-only";
  return "unstated";
}

/** The read-only scopes that cover a read need otherwise met with `scope` (`api` → `read_api`, …). */
export function readOnlyAlternatives(scope: string): string[] {
  return (NARROWER_ALTERNATIVES[scope] ?? []).filter((s) => s.startsWith("read_"));
}

const plural = (items: readonly string[], one: string, many: string) => (items.length === 1 ? one : many);
const quote = (text: string) => JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);

/** How to drop scopes: from the declaration, or (a live token) by replacing the token. */
function removeScopes(token: NormalisedToken, scopes: readonly string[], pronoun: string): string {
  if (!isLive(token)) return `Remove ${pronoun}`;
  return liveFix(token, `remove ${scopes.join(", ")} from scopes`, `without ${scopes.join(", ")}`);
}

export const checkLeastPrivilegeScopes: Rule<LeastPrivilegeScopesConfig> = (token, config) => {
  const who = describeToken(token);
  // A fine-grained token has no scopes of its own to judge (GitLab reports the one scope `granular`):
  // gitlab-token-least-privilege-permissions judges its granular scopes.
  // Any other scope beside it (GitLab allows none) is judged as usual.
  const scopes = token.fineGrained === true ? token.scopes.filter((s) => s !== GRANULAR_SCOPE) : token.scopes;
  if (token.fineGrained === true && scopes.length === 0) return [];
  // A kind GitLab gives no scopes (a pipeline trigger token): nothing to judge, unless some are declared.
  if (!isUnknown(token, "kind") && !hasScopes(kindOf(token.kind))) {
    if (scopes.length === 0) return [];
    return [
      violation(
        "invalid-scope",
        "scopes",
        `${who} declares scopes ${scopes.join(", ")}, but a ${token.kind} token has no scopes in GitLab. Remove them.`,
      ),
    ];
  }
  if (scopes.length === 0) {
    if (isUnknown(token, "scopes")) return [unjudged(token, "the scopes", "scopes")];
    return [
      violation(
        "no-scopes",
        "scopes",
        `${who} has no scopes; GitLab rejects a token without any. List the narrowest scopes it needs, for example [read_repository].`,
      ),
    ];
  }
  const checks: Check[] = [];
  if (isUnknown(token, "scopes")) checks.push(unjudged(token, "every scope", "scopes"));

  // A live token's scopes GitLab accepted that gitlab-tokens does not know (a newer GitLab's): not
  // least-privilege-verified. A declared one (ours or the official provider's) is judged below as
  // a scope GitLab does not accept, as tokens.yaml's validation does: there it is most likely a typo.
  const unknownScopes = isLive(token) ? scopes.filter((s) => !isKnownScope(s)) : [];
  if (unknownScopes.length > 0) {
    const list = `${plural(unknownScopes, "scope", "scopes")} ${unknownScopes.join(", ")}`;
    checks.push(unrecognised(token, "scopes", list, "least privilege"));
  }

  // Administrator scopes (always) and any the configuration adds.
  const forbidden = [...new Set([...FORBIDDEN_SCOPES, ...config.additionalForbiddenScopes])];
  const bad = scopes.filter((s) => forbidden.includes(s));
  if (bad.length > 0) {
    checks.push(
      violation(
        "forbidden-scope",
        "scopes",
        `${who} has ${plural(bad, "scope", "scopes")} ${bad.join(", ")}, which no automation token may carry (forbidden: ${forbidden.join(", ")}). ${removeScopes(token, bad, plural(bad, "it", "them"))}.`,
      ),
    );
  }

  // Scopes GitLab does not accept for this kind of token.
  const d = kindOf(token.kind);
  if (!isUnknown(token, "kind") && hasScopes(d)) {
    const valid = d.scopes;
    const invalid = scopes.filter(
      (s) => !valid.includes(s) && !bad.includes(s) && !unknownScopes.includes(s),
    );
    if (invalid.length > 0) {
      const hint = scopesElsewhereHint(invalid);
      checks.push(
        violation(
          "invalid-scope",
          "scopes",
          `${who} has ${plural(invalid, "scope", "scopes")} ${invalid.join(", ")}, which GitLab does not accept on a ${token.kind} token${hint}. ${removeScopes(token, invalid, plural(invalid, "it", "them"))}; valid scopes: ${valid.join(", ")}.`,
        ),
      );
    }
  } else {
    checks.push(unjudged(token, "whether the scopes are valid for the token's kind", "kind"));
  }

  // Scopes another declared scope already grants.
  if (config.reportRedundantScopes) {
    const reported = new Set<string>();
    for (const broad of scopes) {
      for (const narrow of SCOPE_IMPLIES[broad] ?? []) {
        if (!scopes.includes(narrow) || reported.has(narrow)) continue;
        reported.add(narrow);
        checks.push(
          violation(
            "redundant-scope",
            "scopes",
            `${who} has ${narrow} beside ${broad}, which already grants it. ${removeScopes(token, [narrow], narrow)}.`,
          ),
        );
      }
    }
  }

  // High-risk scopes: a justification, and no narrower scope that covers the stated need.
  const risky = scopes.filter((s) => config.requireJustificationFor.includes(s) && !bad.includes(s));
  if (risky.length === 0) return checks;
  const justification = justificationOf(token, config.justifications);
  const where = justificationField(token, POLICY_IDS.leastPrivilegeScopes);
  const scopeWord = `high-risk ${plural(risky, "scope", "scopes")} ${risky.join(", ")}`;
  const narrower = risky
    .filter((s) => (NARROWER_ALTERNATIVES[s] ?? []).length > 0)
    .map((s) => `${s} → ${(NARROWER_ALTERNATIVES[s] ?? []).join(" / ")}`);
  const narrowerWay = !isLive(token)
    ? "use narrower scopes"
    : token.managed
      ? "use narrower scopes there"
      : "replace it with a token of narrower scopes";
  const orNarrower = narrower.length > 0 ? `, or ${narrowerWay} (${narrower.join("; ")})` : "";
  if (justification.unknown) {
    checks.push(
      unjudged(token, `whether ${risky.join(", ")} ${plural(risky, "is", "are")} justified`, "justification"),
    );
  } else if (justification.text === undefined) {
    checks.push(
      violation(
        "unjustified-scope",
        "scopes",
        `${who} has ${scopeWord} without a justification. Add ${where} saying what the token does that needs ${plural(risky, "it", "them")}${orNarrower}.`,
      ),
    );
  } else if (justification.text.length < config.minJustificationLength) {
    checks.push(
      violation(
        "unjustified-scope",
        "scopes",
        `${who} has ${scopeWord} with a justification of ${justification.text.length} characters (${quote(justification.text)}); write at least ${config.minJustificationLength} in ${where} saying what the token does that needs ${plural(risky, "it", "them")}${orNarrower}.`,
      ),
    );
  } else if (statedNeed(`${justification.text} ${token.description ?? ""}`) === "read-only") {
    for (const scope of risky) {
      const alternatives = readOnlyAlternatives(scope);
      const [first, ...rest] = alternatives;
      if (first === undefined) continue;
      const others = rest.length > 0 ? ` (or ${rest.join(" / ")} for that access alone)` : "";
      const fix = !isLive(token)
        ? `Replace ${scope} with ${first}${others}, or say in the justification what the token changes`
        : token.managed
          ? `On '${token.key}' in tokens.yaml, replace ${scope} with ${first}${others} (the next \`pulumi up\` replaces the token), or say in its justification what the token changes`
          : `${liveFix(token, `replace ${scope} with ${first}`, `with ${first} instead of ${scope}${others}`)}; or say in ${where} what the token changes`;
      checks.push(
        violation(
          "narrower-scope-available",
          "scopes",
          `${who} has ${scope}, but its justification and description state a read-only need (${quote(justification.text)}). ${fix}.`,
        ),
      );
    }
  }
  return checks;
};
