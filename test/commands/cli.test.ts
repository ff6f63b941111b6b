/**
 * The commands' shared runner (commands/shared/cli.ts): --help, usage errors, input errors as one
 * line and exit 2, other errors with their stack, sync and async commands, and the io defaults.
 */
import { CLI_EXIT, asyncCommand, command, type CliIo, type CliValues } from "../../commands/shared/cli";
import { CliInputError } from "../../commands/shared/inputs";

const USAGE = "Usage: greet [--name NAME] [--loud]";
const OPTIONS = {
  name: { type: "string" },
  loud: { type: "boolean" },
  tag: { type: "string", multiple: true },
} as const;

class GreetError extends Error {}

interface GreetIo extends CliIo {
  greeting: string;
}

function greet(values: CliValues<typeof OPTIONS>, io: GreetIo): number {
  // The values are typed by the option table.
  const name: string | undefined = values.name;
  const tags: string[] | undefined = values.tag;
  // @ts-expect-error -- --help is the runner's, not the command's
  void values.help;
  if (name === "bug") throw new Error("a bug");
  if (name === "nobody") throw new GreetError("nobody to greet");
  if (name === "") throw new CliInputError("--name is empty");
  const text = `${io.greeting}, ${name ?? "world"}${tags ? ` [${tags.join(",")}]` : ""}`;
  io.stdout(values.loud ? text.toUpperCase() : text);
  return name === "again" ? 1 : CLI_EXIT.ok;
}

const spec = {
  name: "greet",
  usage: USAGE,
  options: OPTIONS,
  inputErrors: [GreetError],
  io: { greeting: "hello" },
};
const sync = command<typeof OPTIONS, GreetIo>({ ...spec, run: greet });
const async = asyncCommand<typeof OPTIONS, GreetIo>({
  ...spec,
  run: async (values, io) => {
    await Promise.resolve();
    return greet(values, io);
  },
});

function capture(): { io: Partial<GreetIo>; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { env: {}, stdout: (t) => out.push(t), stderr: (t) => err.push(t) }, out, err };
}

describe.each([
  ["a command", (argv: string[], io: Partial<GreetIo>) => Promise.resolve(sync(argv, io))],
  ["an async command", (argv: string[], io: Partial<GreetIo>) => async(argv, io)],
])("%s on the runner", (_what, main) => {
  it("runs with the parsed options and the io defaults, and returns run's exit code", async () => {
    const c = capture();
    expect(await main(["--name", "ada", "--loud", "--tag", "a", "--tag", "b"], c.io)).toBe(0);
    expect(await main(["--name", "again"], { ...c.io, greeting: "hi" })).toBe(1);
    expect(c.out).toEqual(["HELLO, ADA [A,B]", "hi, again"]);
    expect(c.err).toEqual([]);
  });

  it("prints the usage with --help, runs nothing and exits 0", async () => {
    const c = capture();
    expect(await main(["--name", "bug", "--help"], c.io)).toBe(CLI_EXIT.ok);
    expect(c.out).toEqual([USAGE]);
    expect(c.err).toEqual([]);
  });

  it.each([
    ["an unknown option", ["--colour"], /^Unknown option '--colour'/],
    ["a missing value", ["--name"], /^Option '--name <value>' argument missing/],
    ["a positional argument", ["bob"], /^Unexpected argument 'bob'/],
    ["a value given to a flag", ["--loud=yes"], /^Option '--loud' does not take an argument/],
  ])("exits 2 on %s, with the parser's message and the usage", async (_case, argv, message) => {
    const c = capture();
    expect(await main(argv, c.io)).toBe(CLI_EXIT.error);
    expect(c.out).toEqual([]);
    expect(c.err).toHaveLength(1);
    const [first, ...rest] = c.err[0]!.replace(/^greet: /, "").split("\n\n");
    expect(c.err[0]).toMatch(/^greet: /);
    expect(first).toMatch(message);
    expect(rest).toEqual([USAGE]);
  });

  it.each([
    ["a CliInputError", "", "greet: --name is empty"],
    ["the command's own input error", "nobody", "greet: nobody to greet"],
  ])("exits 2 on %s, with its message alone and no stack trace", async (_case, name, line) => {
    const c = capture();
    expect(await main(["--name", name], c.io)).toBe(CLI_EXIT.error);
    expect(c.err).toEqual([line]);
  });

  it("exits 2 on any other error, with its stack (a bug to report)", async () => {
    const c = capture();
    expect(await main(["--name", "bug"], c.io)).toBe(CLI_EXIT.error);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toMatch(/^greet: Error: a bug\n\s+at /);
  });
});

it("keeps a synchronous command synchronous", () => {
  const c = capture();
  expect(sync(["--help"], c.io)).toBe(0);
  expect(sync(["--bogus"], c.io)).toBe(2);
  expect(sync([], c.io)).toBe(0);
});

describe("positional arguments (`positionals`)", () => {
  const named = asyncCommand<typeof OPTIONS, GreetIo>({
    ...spec,
    positionals: 1,
    run: async (values, io, positionals) => {
      io.stdout(`${io.greeting}, ${positionals[0] ?? values.name ?? "world"}`);
      return Promise.resolve(CLI_EXIT.ok);
    },
  });

  it("hands the command up to `positionals` of them, beside the options", async () => {
    const c = capture();
    expect(await named(["bob", "--loud"], c.io)).toBe(0);
    expect(await named(["--name", "ada"], c.io)).toBe(0);
    expect(c.out).toEqual(["hello, bob", "hello, ada"]);
  });

  it("exits 2 on one more than it takes, with the usage", async () => {
    const c = capture();
    expect(await named(["bob", "carol"], c.io)).toBe(CLI_EXIT.error);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toMatch(/^greet: Unexpected argument 'carol': it takes at most 1\n\n/);
  });
});
