/**
 * The bad-input corpus: every malformed declarations file in test/fixtures/bad/ (plus the binary
 * and huge ones generated here) is refused with exactly the issues in expected.json — one clear
 * line per problem naming the file, line, token and field — as a DeclarationsError, never a stack
 * trace. A few of them also go through the real program path: the Pulumi CLI running index.ts
 * against the sandbox, which must see no API call at all.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  DeclarationsError,
  MAX_DECLARATIONS_BYTES,
  formatIssue,
  loadDeclarations,
  parseDeclarations,
  suggestFields,
} from "../../components/declarations";
import { startE2E, type E2E } from "../e2e/helpers";

const NOW = new Date("2026-11-25T10:00:00Z");
const BAD = path.join(__dirname, "..", "fixtures", "bad");
const EXPECTED = JSON.parse(fs.readFileSync(path.join(BAD, "expected.json"), "utf8")) as Record<
  string,
  string[]
>;

const VALID = "tokens:\n  web-deploy:\n    kind: project\n    project: acme/web\n    scopes: [read_api]\n";

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bad-inputs-"));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The error loadDeclarations throws for `file`, shown as `name`. */
function refusal(file: string, name = path.basename(file)): DeclarationsError {
  let thrown: unknown;
  try {
    loadDeclarations(file, NOW, name);
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(DeclarationsError);
  return thrown as DeclarationsError;
}

/** No stack trace, no exception name: only the issue lines. */
function expectClean(e: DeclarationsError) {
  expect(e.message).not.toMatch(/^\s+at /m);
  expect(e.message).not.toMatch(/ReferenceError|RangeError|TypeError|SyntaxError|YAMLParseError/);
  expect(e.message).not.toContain("\uFFFD");
  expect(e.message.split("\n")).toHaveLength(e.issues.length + 1);
}

function expectIssues(e: DeclarationsError, expected: string[]) {
  expect(e.issues.map(formatIssue)).toEqual(expected);
  expectClean(e);
  for (const i of e.issues) {
    expect(i.line).toBeGreaterThanOrEqual(1);
    expect(i.message).not.toBe("");
  }
}

function write(name: string, content: string | Uint8Array): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, content);
  return file;
}

describe("the committed corpus", () => {
  const fixtures = fs
    .readdirSync(BAD)
    .filter((f) => f.endsWith(".yaml"))
    .sort();

  it("has at least 40 fixtures, each with its expected issues and no stale expectation", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(40);
    expect(Object.keys(EXPECTED).sort()).toEqual(fixtures);
  });

  it.each(fixtures)("%s is refused with exactly its expected issues", (name) => {
    expectIssues(refusal(path.join(BAD, name)), EXPECTED[name]!);
  });

  it("names the token, the field and the other declaration of a duplicate", () => {
    const dup = refusal(path.join(BAD, "dup-field.yaml")).issues[0]!;
    expect(dup).toMatchObject({ file: "dup-field.yaml", line: 6, token: "web-deploy", field: "scopes" });
    const target = refusal(path.join(BAD, "dup-delivery-across-tokens.yaml")).issues[0]!;
    expect(target).toMatchObject({ line: 13, token: "web-deploy-2", field: "deliverTo[0]" });
    expect(target.message).toContain('token "web-deploy"');
    expect(target.message).toContain("line 7");
  });

  it("gives the same issues from text as from the file (the review reads text)", () => {
    const text = fs.readFileSync(path.join(BAD, "dup-token-key.yaml"), "utf8");
    expect(() => parseDeclarations(text, NOW, "dup-token-key.yaml")).toThrow(DeclarationsError);
  });
});

describe("generated bad inputs", () => {
  it("refuses UTF-16 with a byte-order mark", () => {
    const bom = Buffer.from([0xff, 0xfe]);
    const file = write("utf16.yaml", Buffer.concat([bom, Buffer.from(VALID, "utf16le")]));
    expectIssues(refusal(file), [
      "utf16.yaml:1: the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8",
    ]);
    const be = write(
      "utf16be.yaml",
      Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(VALID, "utf16le").swap16()]),
    );
    expect(refusal(be).issues.map(formatIssue)).toEqual([
      "utf16be.yaml:1: the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8",
    ]);
  });

  it("refuses UTF-16 without a byte-order mark (NUL bytes)", () => {
    const file = write("utf16-no-bom.yaml", Buffer.from(VALID, "utf16le"));
    expectIssues(refusal(file), [
      "utf16-no-bom.yaml:1: the file contains a NUL byte: it is UTF-16 or binary, not UTF-8 text; save it as UTF-8",
    ]);
  });

  it("refuses Windows-1252 and truncated UTF-8, giving the line and column of the first bad byte", () => {
    const cp1252 = write(
      "cp1252.yaml",
      Buffer.concat([
        Buffer.from(VALID),
        Buffer.from([0x20, 0x20, 0x20, 0x20, 0x23, 0x20, 0x93, 0x71, 0x94, 0x0a]),
      ]),
    );
    expectIssues(refusal(cp1252), [
      "cp1252.yaml:6: the file is not UTF-8: byte 0x93 at column 7 is not valid UTF-8 (was it saved as Latin-1 or Windows-1252?); save it as UTF-8",
    ]);
    // "é" cut after its first byte, at the very end of a line.
    const cut = write(
      "cut.yaml",
      Buffer.concat([Buffer.from("# caf"), Buffer.from([0xc3]), Buffer.from("\n" + VALID)]),
    );
    expectIssues(refusal(cut), [
      'cut.yaml:1: the file is not UTF-8: byte 0xC3 at column 6 is not valid UTF-8 (was it saved as Latin-1 or Windows-1252, where 0xC3 is "Ã"?); save it as UTF-8',
    ]);
  });

  it("accepts a UTF-8 byte-order mark", () => {
    const file = write("bom.yaml", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(VALID)]));
    const [d] = loadDeclarations(file, NOW, "bom.yaml");
    expect(d).toMatchObject({ key: "web-deploy", line: 2 });
    expect(parseDeclarations(`\uFEFF${VALID}`, NOW)).toHaveLength(1);
  });

  it("refuses a file over 4 MiB before parsing it", () => {
    // Not YAML at all: a parse would report that instead of the size.
    const file = write("huge.yaml", "[".repeat(MAX_DECLARATIONS_BYTES + 1));
    const started = Date.now();
    expectIssues(refusal(file), [
      "huge.yaml:1: the file is 4.0 MiB (4194305 bytes); a declarations file may be at most 4.0 MiB (4194304 bytes) — is this the right file?",
    ]);
    const bigger = write("bigger.yaml", Buffer.alloc(10 * 1024 * 1024, 0x20));
    expect(refusal(bigger).issues.map(formatIssue)).toEqual([
      "bigger.yaml:1: the file is 10.0 MiB (10485760 bytes); a declarations file may be at most 4.0 MiB (4194304 bytes) — is this the right file?",
    ]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(() => parseDeclarations("#".repeat(MAX_DECLARATIONS_BYTES + 1), NOW)).toThrow(
      "tokens.yaml:1: the file is 4.0 MiB (4194305 bytes)",
    );
  });

  it("refuses YAML nested too deeply to read, without a stack overflow", () => {
    const file = write("deep.yaml", `tokens: ${"[".repeat(5000)}${"]".repeat(5000)}\n`);
    expectIssues(refusal(file), [
      "deep.yaml:1: not valid YAML: the file is nested too deeply to read; declarations need only a few levels",
    ]);
  });

  it("refuses a file that is not a regular file", () => {
    expectIssues(refusal(tmp, "tokens.yaml"), ["tokens.yaml:1: cannot read the file (EISDIR)"]);
  });
});

describe("scale", () => {
  it("reads 5,000 valid tokens, each at its line", () => {
    const lines = ["defaults: { lifetimeDays: 60, rotateBeforeDays: 14 }", "tokens:"];
    for (let i = 0; i < 5000; i++) {
      lines.push(
        `  token-${i}:`,
        "    kind: project",
        `    project: acme/app-${i}`,
        "    scopes: [read_registry, read_repository]",
        "    accessLevel: reporter",
        `    description: Pulls images for app ${i}`,
        "    owner: team-apps",
        "    deliverTo:",
        `      - { project: acme/app-${i}, variable: DEPLOY_TOKEN }`,
      );
    }
    const text = `${lines.join("\n")}\n`;
    expect(Buffer.byteLength(text)).toBeLessThan(MAX_DECLARATIONS_BYTES);
    const decls = parseDeclarations(text, NOW);
    expect(decls).toHaveLength(5000);
    expect(decls[4999]).toMatchObject({ key: "token-4999", line: 2 + 4999 * 9 + 1 });
  });
});

describe("near-miss suggestions", () => {
  const tokenFields = [
    "kind",
    "scopes",
    "lifetimeDays",
    "rotateBeforeDays",
    "rotateWhenChanged",
    "expiresAt",
  ];
  it.each([
    ["scope", ["scopes"]],
    ["lifetime_days", ["lifetimeDays"]],
    ["rotateBefore", ["rotateBeforeDays"]],
    ["rotate", ["rotateBeforeDays", "rotateWhenChanged"]],
    ["Kind", ["kind"]],
    ["expires", ["expiresAt"]],
    ["colour", []],
  ])("%s → %j", (unknown, expected) => {
    expect(suggestFields(unknown, tokenFields)).toEqual(expected);
  });
});

describe("through the real program (pulumi up against the sandbox)", () => {
  // `up`, not `preview`: a preview makes no API call even for a valid file, an `up` would create
  // the tokens — so zero calls here shows the program stopped at the declarations.
  const FIXTURES = [
    "dup-token-key.yaml",
    "dup-delivery-across-tokens.yaml",
    "alias-bomb.yaml",
    "latin1.yaml",
  ];
  let e2e: E2E;

  beforeAll(async () => {
    e2e = await startE2E("bad-inputs", VALID);
  }, 300_000);
  afterAll(async () => {
    await e2e?.close();
  });

  it.each(FIXTURES)(
    "%s: one clear error, no stack trace, zero GitLab API calls",
    async (name) => {
      fs.copyFileSync(path.join(BAD, name), e2e.declarations);
      const before = e2e.sandbox.counters().total;
      const tokensBefore = e2e.sandbox.listTokens();
      const r = await e2e.run(() => e2e.ws.up([], e2e.clockEnv()));
      const output = `${r.stdout}\n${r.stderr}`;

      expect(r.code).not.toBe(0);
      expect(e2e.sandbox.counters().total - before).toBe(0);
      expect(e2e.sandbox.listTokens()).toEqual(tokensBefore);
      // The issue as the loader words it, with the configured path instead of the fixture name.
      const issue = EXPECTED[name]![0]!.replace(name, e2e.declarations);
      expect(EXPECTED[name]).toHaveLength(1);
      expect(output).toContain("error: 1 problem in the token declarations:");
      expect(output.split(issue)).toHaveLength(2);
      expect(output).not.toMatch(/^\s+at /m);
      expect(output).not.toMatch(/unhandled|ReferenceError|RangeError|TypeError|\.[jt]s:\d+:\d+/i);
    },
    120_000,
  );
});
