/**
 * The one runner of the commands (`npm run review`, `audit`, `recover`, `revoke`), on
 * `node:util` parseArgs. A command is its name, its usage text, its option table and a `run(values,
 * io)` that returns the exit code; the runner does the rest the same way for each:
 *   - `--help` prints the usage and exits 0;
 *   - an unknown option, a missing option value or a positional argument the command does not take
 *     (`positionals`): the parser's message and the usage, exit 2;
 *   - a CliInputError, or one of the command's own input-error classes: `<name>: <message>` on one
 *     line, no stack trace, exit 2 (the command could not run);
 *   - any other error (a bug): `<name>: <stack>`, exit 2;
 *   - `runIfMain(module, main)`: run it with the process's arguments when it is the program.
 * `io` holds what a command touches outside its core (folder, environment, output); tests replace it.
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { CliInputError } from "./inputs";

/** The exit codes every command shares: it ran (and found nothing blocking), it could not run. */
export const CLI_EXIT = { ok: 0, error: 2 } as const;

/** What every command touches outside its core. */
export interface CliIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Writes one line (or several) to standard output. */
  stdout: (text: string) => void;
  /** Writes one line (or several) to standard error. */
  stderr: (text: string) => void;
}

const HELP = { help: { type: "boolean" } } as const;

type Parsed<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O & typeof HELP; strict: true; allowPositionals: false }>
>["values"];

/** The parsed options, as parseArgs types them (`--help` is the runner's). */
export type CliValues<O extends ParseArgsOptionsConfig> = Omit<Parsed<O>, "help">;

/** An error class whose instances are input errors: shown as their message alone. */
export type ErrorClass = abstract new (...args: never[]) => Error;

export interface CommandSpec<O extends ParseArgsOptionsConfig, Io extends CliIo, R> {
  /** The command's name, the prefix of its error lines (`review: …`). */
  name: string;
  /** Printed by `--help` and after a usage error. */
  usage: string;
  /** The parseArgs option table, without `help`. */
  options: O;
  /** Besides CliInputError, the errors that mean bad input, not a bug (no stack trace). */
  inputErrors?: readonly ErrorClass[];
  /** The defaults of the command's own parts of `io`. */
  io: Omit<Io, keyof CliIo>;
  /**
   * How many positional arguments the command takes at most (`revoke <key>`). Default - 0: any
   * positional argument is a usage error.
   */
  positionals?: number;
  /** The command proper; returns the exit code. `positionals`: the positional arguments given. */
  run: (values: CliValues<O>, io: Io, positionals: string[]) => R;
}

/** A command as tests and `runIfMain` call it; `io` replaces parts of the process's. */
export type CommandMain<Io extends CliIo, R> = (argv: string[], io?: Partial<Io>) => R;

const processIo = (): CliIo => ({
  cwd: process.cwd(),
  env: process.env,
  stdout: (t) => process.stdout.write(`${t}\n`),
  stderr: (t) => process.stderr.write(`${t}\n`),
});

type Start<O extends ParseArgsOptionsConfig, Io> = {
  io: Io;
  /** Reports an error that stopped the command; returns the exit code. */
  fail: (e: unknown) => number;
} & ({ exit: number } | { exit?: undefined; values: CliValues<O>; positionals: string[] });

/** Everything before `run`: the io, the options, `--help` and usage errors. */
function start<O extends ParseArgsOptionsConfig, Io extends CliIo>(
  spec: CommandSpec<O, Io, unknown>,
  argv: string[],
  ioIn: Partial<Io>,
): Start<O, Io> {
  const io = { ...processIo(), ...spec.io, ...ioIn } as Io;
  const inputErrors = [CliInputError, ...(spec.inputErrors ?? [])];
  const fail = (e: unknown): number => {
    const detail = inputErrors.some((c) => e instanceof c)
      ? (e as Error).message
      : e instanceof Error
        ? (e.stack ?? e.message)
        : String(e);
    io.stderr(`${spec.name}: ${detail}`);
    return CLI_EXIT.error;
  };
  let parsed: Parsed<O>;
  let positionals: string[];
  const most = spec.positionals ?? 0;
  try {
    ({ values: parsed, positionals } = parseArgs({
      args: argv,
      options: { ...spec.options, ...HELP },
      strict: true,
      allowPositionals: most > 0,
    }) as { values: Parsed<O>; positionals: string[] });
    if (positionals.length > most) {
      throw new Error(`Unexpected argument '${positionals[most]}': it takes at most ${most}`);
    }
  } catch (e) {
    return { io, fail, exit: fail(new CliInputError(`${(e as Error).message}\n\n${spec.usage}`)) };
  }
  const { help, ...values } = parsed as Parsed<O> & { help?: boolean };
  if (help) {
    io.stdout(spec.usage);
    return { io, fail, exit: CLI_EXIT.ok };
  }
  return { io, fail, values, positionals };
}

/** A command whose `run` returns its exit code. */
export function command<O extends ParseArgsOptionsConfig, Io extends CliIo>(
  spec: CommandSpec<O, Io, number>,
): CommandMain<Io, number> {
  return (argv, ioIn = {}) => {
    const s = start(spec, argv, ioIn);
    if (s.exit !== undefined) return s.exit;
    try {
      return spec.run(s.values, s.io, s.positionals);
    } catch (e) {
      return s.fail(e);
    }
  };
}

/** A command whose `run` resolves to its exit code. */
export function asyncCommand<O extends ParseArgsOptionsConfig, Io extends CliIo>(
  spec: CommandSpec<O, Io, Promise<number>>,
): CommandMain<Io, Promise<number>> {
  return async (argv, ioIn = {}) => {
    const s = start(spec, argv, ioIn);
    if (s.exit !== undefined) return s.exit;
    try {
      return await spec.run(s.values, s.io, s.positionals);
    } catch (e) {
      return s.fail(e);
    }
  };
}

/**
 * Runs `main` with the process's arguments when `mod` is the program (`ts-node commands/x/cli.ts`),
 * and sets the exit code it returns.
 */
export function runIfMain(mod: NodeJS.Module, main: (argv: string[]) => number | Promise<number>): void {
  if (require.main !== mod) return;
  void Promise.resolve(main(process.argv.slice(2))).then((code) => {
    process.exitCode = code;
  });
}
