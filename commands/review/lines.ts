/**
 * Where things are declared in `tokens.yaml`: the line of a token's field, so a finding about a
 * token's scopes points at its `scopes:` line rather than at the token. Pure.
 */
import { yamlLines } from "../../components/yaml-lines";

/** The 1-based line of `tokens.<key>.<field>`'s key, or undefined when the token does not set it. */
export type FieldLineLookup = (tokenKey: string, field: string) => number | undefined;

/** The top-level name of a field path (`deliverTo[0].variable` → `deliverTo`). */
function topField(field: string): string {
  return field.split(/[.[]/)[0] ?? field;
}

/** Looks fields up in the YAML text of a declarations file; a text that does not parse finds nothing. */
export function fieldLines(text: string): FieldLineLookup {
  const lines = yamlLines(text);
  return (tokenKey, field) => {
    if (lines.doc.errors.length > 0) return undefined;
    const at = lines.keyLine(["tokens", tokenKey, topField(field)]);
    return at.found ? at.line : undefined;
  };
}
