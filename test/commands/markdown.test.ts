/**
 * The reports' Markdown helpers (commands/shared/markdown.ts): tables with escaped cells and
 * alignment, and inline code.
 */
import { cell, code, table } from "../../commands/shared/markdown";

describe("table", () => {
  it("writes a header, a delimiter row and one line per row", () => {
    expect(
      table(
        ["Key", "Scopes"],
        [
          ["`a`", "api, read_api"],
          ["b", ""],
        ],
      ),
    ).toEqual(["| Key | Scopes |", "| --- | --- |", "| `a` | api, read_api |", "| b |  |"]);
  });

  it("aligns the columns asked for", () => {
    expect(
      table(
        [
          "None",
          { header: "Left", align: "left" },
          { header: "Mid", align: "center" },
          { header: "N", align: "right" },
        ],
        [],
      ),
    ).toEqual(["| None | Left | Mid | N |", "| --- | :--- | :---: | ---: |"]);
  });

  it("escapes | and turns newlines into spaces, in cells and headers", () => {
    expect(table(["a|b"], [["x | y\r\nz\nw"]])).toEqual(["| a\\|b |", "| --- |", "| x \\| y z w |"]);
    expect(cell("p|q\nr")).toBe("p\\|q r");
  });

  it("refuses a row without one cell per column", () => {
    expect(() => table(["a", "b"], [["1", "2"], ["3"]])).toThrow("table row 2 has 1 cells for 2 columns");
  });
});

it("code quotes a backtick, which would end the code", () => {
  expect(code("a`b")).toBe("`a'b`");
});
