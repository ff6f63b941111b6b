/**
 * Where things are in a YAML file, from the `yaml` library's own node ranges and LineCounter: the
 * line a node starts on, and the line of the key at a path (`tokens.web.scopes`, or a list item's
 * line for a number). The declarations loader points its errors with it; the review points its
 * findings at a token's field with it. Pure.
 */
import {
  LineCounter,
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
} from "yaml";

export interface YamlLines {
  /** The parsed document (`errors` says whether it parsed). */
  readonly doc: Document;
  /** Line and column (1-based) of an offset in the text, for errors the parser reports by offset. */
  position(offset: number): { line: number; col: number };
  /** The 1-based line a node starts on, or undefined for a node without a range. */
  lineAt(node: unknown): number | undefined;
  /**
   * The line of the key at `path` (its first occurrence, for a key given twice); `found` is false
   * when the path does not exist, and then `line` is the deepest existing key's (the document's
   * first line at worst).
   */
  keyLine(path: readonly PropertyKey[]): { line: number; found: boolean };
}

/** The key a map entry has, as a path names it (a null key is ""). */
function keyName(key: unknown): string | undefined {
  if (!isScalar(key)) return undefined;
  return key.value === null || key.value === undefined ? "" : String(key.value);
}

/** Parses `text` keeping line positions (options as `parseDocument` takes them). */
export function yamlLines(text: string, options: Parameters<typeof parseDocument>[1] = {}): YamlLines {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { ...options, lineCounter });
  const lineAt = (node: unknown): number | undefined => {
    const range = (node as Node | null | undefined)?.range;
    return range ? lineCounter.linePos(range[0]).line : undefined;
  };
  // Each map's keys, first occurrence kept, built when first asked: a lookup is O(1), so pointing
  // at every one of thousands of tokens stays linear.
  const pairs = new WeakMap<YAMLMap, Map<string, Pair>>();
  const pairsOf = (map: YAMLMap): Map<string, Pair> => {
    let byKey = pairs.get(map);
    if (!byKey) {
      byKey = new Map();
      for (const pair of map.items) {
        const name = keyName(pair.key);
        if (name !== undefined && !byKey.has(name)) byKey.set(name, pair);
      }
      pairs.set(map, byKey);
    }
    return byKey;
  };
  return {
    doc,
    position: (offset) => lineCounter.linePos(offset),
    lineAt,
    keyLine(path) {
      let node: unknown = doc.contents;
      let line = lineAt(node) ?? 1;
      for (const p of path) {
        if (isMap(node)) {
          const pair = pairsOf(node).get(String(p));
          if (!pair) return { line, found: false };
          line = lineAt(pair.key) ?? line;
          node = pair.value;
        } else if (isSeq(node) && typeof p === "number" && node.items[p]) {
          node = node.items[p];
          line = lineAt(node) ?? line;
        } else return { line, found: false };
      }
      return { line, found: true };
    },
  };
}
