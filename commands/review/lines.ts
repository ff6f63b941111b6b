/**
 * Where things are declared in `tokens.yaml`: the line of a token's field, so a finding about a
 * token's scopes points at its `scopes:` line rather than at the token. Pure.
 */
import { LineCounter, isMap, isScalar, parseDocument, type Node } from "yaml";

/** The 1-based line of `tokens.<key>.<field>`'s key, or undefined when the token does not set it. */
export type FieldLineLookup = (tokenKey: string, field: string) => number | undefined;

/** The top-level name of a field path (`deliverTo[0].variable` → `deliverTo`). */
function topField(field: string): string {
  return field.split(/[.[]/)[0] ?? field;
}

/** Looks fields up in the YAML text of a declarations file; a text that does not parse finds nothing. */
export function fieldLines(text: string): FieldLineLookup {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  return (tokenKey, field) => {
    if (doc.errors.length > 0) return undefined;
    const token = doc.getIn(["tokens", tokenKey], true) as Node | undefined;
    if (!isMap(token)) return undefined;
    const name = topField(field);
    const pair = token.items.find((p) => isScalar(p.key) && p.key.value === name);
    const start = isScalar(pair?.key) ? pair.key.range?.[0] : undefined;
    return start === undefined ? undefined : lineCounter.linePos(start).line;
  };
}
