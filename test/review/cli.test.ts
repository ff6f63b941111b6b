/**
 * `npm run review` end to end: arguments, the state from a file or from `pulumi stack export`, the
 * policy configuration, both output files, the summary, the exit code, and no token value anywhere.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ReviewInputError } from "../../commands/review";
import { CODE_QUALITY_FILE, EXIT, REPORT_FILE, main, type ReviewIo } from "../../commands/review/cli";
import { codeQualityReportSchema, fieldLine, fixture, readFixture, secretValuesInState } from "./helpers";

const REPO_ROOT = path.join(__dirname, "..", "..");
const NOW_ARG = ["--now", "2026-09-03T12:00:00Z"];
const yaml = readFixture("tokens-after.yaml");

const root = fs.mkdtempSync(path.join(os.tmpdir(), "gitlab-tokens-review-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  dir: string;
  report: string;
  quality: unknown;
  exported: string[];
}

let runs = 0;
/** Runs the command in a fresh folder holding tokens.yaml (the merge request's) and state.json. */
function run(
  argv: string[],
  opts: {
    env?: NodeJS.ProcessEnv;
    files?: Record<string, string>;
    /** What `pulumi stack export` gives: the state text, or undefined for a stack that does not exist. */
    stack?: string | (() => never);
    /** Standard input (`--state -`). */
    stdin?: string;
  } = {},
): Run {
  const dir = path.join(root, `run-${++runs}`);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "tokens.yaml"), yaml);
  fs.copyFileSync(fixture("state.json"), path.join(dir, "state.json"));
  for (const [name, text] of Object.entries(opts.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  const out: string[] = [];
  const err: string[] = [];
  const exported: string[] = [];
  const io: Partial<ReviewIo> = {
    cwd: dir,
    env: opts.env ?? {},
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    exportStack: (stack) => {
      exported.push(stack);
      return typeof opts.stack === "function" ? opts.stack() : opts.stack;
    },
    readStdin: () => {
      if (opts.stdin === undefined) throw new Error("the test gave no standard input");
      return opts.stdin;
    },
  };
  const code = main(argv, io);
  const read = (f: string) =>
    fs.existsSync(path.join(dir, "review-out", f))
      ? fs.readFileSync(path.join(dir, "review-out", f), "utf8")
      : "";
  const quality = read(CODE_QUALITY_FILE);
  return {
    code,
    stdout: out.join("\n"),
    stderr: err.join("\n"),
    dir,
    report: read(REPORT_FILE),
    quality: quality ? (JSON.parse(quality) as unknown) : undefined,
    exported,
  };
}

describe("npm run review", () => {
  const r = run(["--state", "state.json", ...NOW_ARG]);

  it("writes both reports, prints a summary, and exits 1 on mandatory violations", () => {
    expect(r.code).toBe(EXIT.blocking);
    expect(r.stdout).toBe(
      [
        "gitlab-tokens review of tokens.yaml against state file state.json",
        "  9 tokens; 1 new, 5 rotated, 1 updated, 1 revoked, 2 unchanged",
        "  3 blocking (mandatory violations and errors), 0 other findings",
        "  report:       review-out/report.md",
        "  code quality: review-out/gl-code-quality-report.json",
      ].join("\n"),
    );
    expect(r.stderr.split("\n")).toEqual([
      expect.stringMatching(
        /^tokens\.yaml:\d+: gitlab-token-max-lifetime: group token 'long-lived-reader' lives 120 days/,
      ),
      expect.stringMatching(/^tokens\.yaml:\d+: gitlab-token-max-lifetime: project token 'audit-export'/),
      expect.stringMatching(
        /^tokens\.yaml:\d+: gitlab-token-least-privilege-scopes: project token 'ci-admin'/,
      ),
    ]);
    expect(r.report).toMatch(/^# gitlab-tokens review\n/);
    expect(r.report).toContain("## Changes against state file `state.json`");
    expect(r.report).toContain("```mermaid\ngantt\n");
  });

  it("writes a Code Quality report GitLab accepts, pointing at tokens.yaml's lines", () => {
    const parsed = codeQualityReportSchema.parse(r.quality);
    expect(parsed.map((i) => `${i.location.path}:${i.location.lines.begin}`)).toEqual([
      `tokens.yaml:${fieldLine(yaml, "long-lived-reader", "lifetimeDays")}`,
      `tokens.yaml:${fieldLine(yaml, "audit-export", "expiresAt")}`,
      `tokens.yaml:${fieldLine(yaml, "ci-admin", "scopes")}`,
    ]);
  });

  it("never prints or writes a token value, even from a --show-secrets export", () => {
    for (const s of secretValuesInState()) {
      for (const text of [r.report, JSON.stringify(r.quality), r.stdout, r.stderr])
        expect(text).not.toContain(s);
    }
  });

  it("writes the same files on a second run", () => {
    const again = run(["--state", "state.json", ...NOW_ARG]);
    expect(again.report).toBe(r.report);
    expect(again.quality).toEqual(r.quality);
  });

  it("exits 0 with --no-fail, and says why", () => {
    const noFail = run(["--state", "state.json", "--no-fail", ...NOW_ARG]);
    expect(noFail.code).toBe(EXIT.ok);
    expect(noFail.stderr).toContain("exiting 0 because of --no-fail");
  });

  it("exits 0 when nothing blocks", () => {
    const clean = run(
      ["--declarations", "before.yaml", "--state", "state.json", "--now", "2026-08-26T12:00:00Z"],
      {
        files: { "before.yaml": readFixture("tokens-before.yaml").replace(/\n {2}audit-export:[^]*$/, "\n") },
      },
    );
    expect(clean.stderr).toBe("");
    expect(clean.code).toBe(EXIT.ok);
    expect(clean.stdout).toContain("0 new, 0 rotated, 0 updated, 1 revoked, 8 unchanged");
  });

  it("exits 1 on declaration errors and reports them as Code Quality blockers", () => {
    const broken = run(["--declarations", "broken.yaml", ...NOW_ARG], {
      files: {
        "broken.yaml":
          "tokens:\n  web:\n    kind: project\n    project: acme/web\n    scopes: [read_api]\n    colour: blue\n",
      },
    });
    expect(broken.code).toBe(EXIT.blocking);
    expect(broken.quality).toEqual([
      expect.objectContaining({
        check_name: "gitlab-tokens-declarations",
        severity: "blocker",
        location: { path: "broken.yaml", lines: { begin: 6 } },
      }),
    ]);
    expect(broken.report).toContain("## Declaration errors");
  });
});

describe("the state", () => {
  it("comes from `pulumi stack export --stack NAME`", () => {
    const r = run(["--stack", "review", ...NOW_ARG], { stack: readFixture("state.json") });
    expect(r.exported).toEqual(["review"]);
    expect(r.report).toContain("## Changes against stack `review`");
    expect(r.stdout).toContain("1 new, 5 rotated, 1 updated, 1 revoked, 2 unchanged");
  });

  it("comes from standard input with --state - (`pulumi stack export | npm run review -- --state -`)", () => {
    const r = run(["--state", "-", ...NOW_ARG], {
      env: { PULUMI_STACK: "prod" },
      stdin: readFixture("state.json"),
    });
    expect(r.exported).toEqual([]);
    expect(r.stdout).toContain(
      "gitlab-tokens review of tokens.yaml against the state export on standard input",
    );
    expect(r.stdout).toContain("1 new, 5 rotated, 1 updated, 1 revoked, 2 unchanged");
    expect(r.report).toContain("## Changes against the state export on standard input");
  });

  it("comes from $PULUMI_STACK when no --state is given (the CI job's `npm run review`)", () => {
    const r = run(NOW_ARG, {
      env: { PULUMI_STACK: "acme/gitlab-tokens/prod" },
      stack: readFixture("state.json"),
    });
    expect(r.exported).toEqual(["acme/gitlab-tokens/prod"]);
    expect(r.code).toBe(EXIT.blocking);
  });

  it("is empty for a stack that does not exist yet: every token is new", () => {
    const r = run(["--stack", "fresh", ...NOW_ARG]);
    expect(r.stdout).toContain("(stack fresh does not exist yet: every token is new)");
    expect(r.stdout).toContain("9 new, 0 rotated");
  });

  it("takes the stack's rotationEpoch from Pulumi.<stack>.yaml", () => {
    const r = run(["--stack", "acme/gitlab-tokens/review", ...NOW_ARG], {
      stack: readFixture("state.json"),
      files: { "Pulumi.review.yaml": 'config:\n  gitlab-tokens:rotationEpoch: "2026-09"\n' },
    });
    expect(r.stdout).toContain("1 new, 8 rotated, 0 updated, 1 revoked, 0 unchanged");
    expect(r.report).toContain("stack-wide rotation: rotationEpoch changed (none → 2026-09)");
  });
});

describe("the policy configuration", () => {
  const config = JSON.stringify({
    "gitlab-token-max-lifetime": "advisory",
    "gitlab-token-least-privilege-scopes": "advisory",
  });

  it("comes from $POLICY_PACK_CONFIG when the file exists (the CI variable)", () => {
    const r = run(["--state", "state.json", ...NOW_ARG], {
      env: { POLICY_PACK_CONFIG: "pack.json" },
      files: { "pack.json": config },
    });
    expect(r.code).toBe(EXIT.ok);
    expect(r.report).toContain("Policy configuration: `pack.json`.");
    expect((r.quality as { severity: string }[]).map((i) => i.severity)).toEqual(["minor", "minor", "minor"]);
  });

  it("is the pack's defaults when the default file does not exist", () => {
    const r = run(["--state", "state.json", ...NOW_ARG], {
      env: { POLICY_PACK_CONFIG: "policies/config.json" },
    });
    expect(r.report).toContain("Policy configuration: the pack's defaults.");
  });

  it("comes from policies/config.json when it exists", () => {
    const r = run(["--state", "state.json", ...NOW_ARG], { files: { "policies/config.json": config } });
    expect(r.code).toBe(EXIT.ok);
    expect(r.report).toContain("Policy configuration: `policies/config.json`.");
  });

  it("comes from --policy-config before anything else", () => {
    const r = run(["--state", "state.json", "--policy-config", "pack.json", ...NOW_ARG], {
      env: { POLICY_PACK_CONFIG: "policies/config.json" },
      files: { "pack.json": "{}", "policies/config.json": config },
    });
    expect(r.code).toBe(EXIT.blocking);
    expect(r.report).toContain("Policy configuration: `pack.json`.");
  });
});

describe("a review that cannot run", () => {
  it.each([
    ["an unknown option", ["--colour"], /Unknown option '--colour'/],
    [
      "both --state and --stack",
      ["--state", "state.json", "--stack", "x"],
      /give --state or --stack, not both/,
    ],
    ["a --now that is not a time", ["--now", "tomorrow"], /--now "tomorrow" is not a time/],
    [
      "a missing state file",
      ["--state", "missing.json", ...NOW_ARG],
      /cannot read state file .*missing\.json \(ENOENT\)/,
    ],
    [
      "a state file that is not an export",
      ["--state", "tokens.yaml", ...NOW_ARG],
      /state file `tokens\.yaml` is not JSON/,
    ],
    [
      "a missing --policy-config",
      ["--policy-config", "nope.json", ...NOW_ARG],
      /cannot read policy configuration .*nope\.json/,
    ],
  ])("exits 2 on %s", (_what, argv, message) => {
    const r = run(argv);
    expect(r.code).toBe(EXIT.error);
    expect(r.stderr).toMatch(message);
    expect(r.report).toBe("");
  });

  it("exits 2 when pulumi stack export fails", () => {
    const r = run(["--stack", "prod", ...NOW_ARG], {
      stack: () => {
        throw new ReviewInputError(
          "pulumi stack export --stack prod failed (exit 255):\nerror: passphrase must be set",
        );
      },
    });
    expect(r.code).toBe(EXIT.error);
    expect(r.stderr).toBe(
      "review: pulumi stack export --stack prod failed (exit 255):\nerror: passphrase must be set",
    );
  });

  it("prints the usage with --help", () => {
    const r = run(["--help"]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toMatch(/^Usage: npm run review -- \[options\]/);
  });
});

describe("the npm script", () => {
  it("runs as `npm run review` and exits 1 on the fixture's violations", () => {
    const out = path.join(root, "npm-out");
    const env = { ...process.env };
    for (const k of ["PULUMI_STACK", "POLICY_PACK_CONFIG", "GITLAB_TOKENS_NOW"]) delete env[k];
    const r = spawnSync(
      "npm",
      [
        "run",
        "--silent",
        "review",
        "--",
        "--declarations",
        fixture("tokens-after.yaml"),
        "--state",
        fixture("state.json"),
        "--policy-config",
        "policies/config.example.json",
        "--out",
        out,
        ...NOW_ARG,
      ],
      { cwd: REPO_ROOT, env, encoding: "utf8", timeout: 120_000 },
    );
    expect(r.stderr).toContain("gitlab-token-least-privilege-scopes");
    expect(r.status).toBe(EXIT.blocking);
    expect(r.stdout).toContain(
      "gitlab-tokens review of test/review/fixtures/tokens-after.yaml against state file test/review/fixtures/state.json",
    );
    const quality = codeQualityReportSchema.parse(
      JSON.parse(fs.readFileSync(path.join(out, CODE_QUALITY_FILE), "utf8")),
    );
    expect(quality.every((i) => i.location.path === "test/review/fixtures/tokens-after.yaml")).toBe(true);
    expect(fs.readFileSync(path.join(out, REPORT_FILE), "utf8")).toContain(
      "Policy configuration: `policies/config.example.json`.",
    );
  }, 120_000);
});
