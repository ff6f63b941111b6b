import { yamlLines } from "../../components/yaml-lines";

const text = [
  "tokens:", // 1
  "  web:", // 2
  "    scopes: [read_api]", // 3
  "    deliverTo:", // 4
  "      - project: acme/web", // 5
  "        variable: A", // 6
  "      - group: acme", // 7
  "  web:", // 8 (given twice: the first one counts)
  "    scopes: [api]", // 9
].join("\n");

describe("yamlLines", () => {
  const lines = yamlLines(text, { uniqueKeys: false });

  it.each([
    [["tokens"], 1],
    [["tokens", "web"], 2],
    [["tokens", "web", "scopes"], 3],
    [["tokens", "web", "deliverTo", 1], 7],
    [["tokens", "web", "deliverTo", 0, "variable"], 6],
  ])("finds the key at %j on line %i", (path, line) => {
    expect(lines.keyLine(path)).toEqual({ line, found: true });
  });

  it.each([
    [["tokens", "api"], 1],
    [["tokens", "web", "owner"], 2],
    [["tokens", "web", "deliverTo", 5], 4],
    [["tokens", "web", "scopes", "x"], 3],
  ])("for a missing %j gives the deepest existing key's line (%i)", (path, line) => {
    expect(lines.keyLine(path)).toEqual({ line, found: false });
  });

  it("gives the position of an offset, and the line a node starts on", () => {
    expect(lines.position(text.indexOf("variable"))).toEqual({ line: 6, col: 9 });
    expect(lines.lineAt(lines.doc.contents)).toBe(1);
  });
});
