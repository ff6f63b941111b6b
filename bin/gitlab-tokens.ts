#!/usr/bin/env node
/**
 * `gitlab-tokens <command> [options]`: the installed package's command line (package.json `bin`),
 * one dispatcher over the commands this repository runs as `npm run <command>`:
 *
 *   review    the merge-request review of the declarations (commands/review/cli.ts)
 *   audit     the tokens that live in GitLab, against the declarations and the policies
 *   recover   after an interrupted `pulumi up`/`destroy`: revoke what it made, clear pending operations
 *   revoke    the day a token leaks: revoke it first, then `pulumi up` makes and delivers its replacement
 *   rotate-credential   the provisioning credential rotates itself before it expires (commands/credential)
 *   sandbox   the GitLab-compatible sandbox server (sandbox/cli.ts)
 *
 * Each command is loaded only when named, and keeps its own options, `--help` and exit codes.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The commands, each loaded on demand. */
const COMMANDS: Record<string, { summary: string; run: (argv: string[]) => Promise<number | undefined> }> = {
  review: {
    summary: "the merge-request review of a declarations file: report.md and Code Quality",
    run: async (argv) => (await import("../commands/review/cli")).main(argv),
  },
  audit: {
    summary: "the tokens that live in GitLab, against the declarations and the policies",
    run: async (argv) => (await import("../commands/audit/cli")).main(argv),
  },
  recover: {
    summary: "after an interrupted pulumi up/destroy: revoke what it made, clear pending operations",
    run: async (argv) => (await import("../commands/recover/cli")).main(argv),
  },
  revoke: {
    summary: "the day a token leaks: revoke it first, then pulumi up makes and delivers its replacement",
    run: async (argv) => (await import("../commands/revoke/cli")).main(argv),
  },
  "rotate-credential": {
    summary: "the provisioning credential rotates itself before it expires, into its CI/CD variable",
    run: async (argv) => (await import("../commands/credential/cli")).main(argv),
  },
  sandbox: {
    summary: "a GitLab-compatible sandbox server for tests and dry runs",
    run: async (argv) => {
      // sandbox/cli.ts is a program: it reads process.argv and runs when loaded, and keeps the
      // process alive while it serves.
      process.argv = [process.argv[0] ?? "node", "gitlab-tokens-sandbox", ...argv];
      await import("../sandbox/cli");
      return undefined;
    },
  },
};

/** The package's version, from its package.json (two folders up from dist/bin/, one from bin/). */
function version(): string {
  for (const rel of ["../../package.json", "../package.json"]) {
    const file = path.join(__dirname, rel);
    if (fs.existsSync(file))
      return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
  }
  return "unknown";
}

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    "Usage: gitlab-tokens <command> [options]   (gitlab-tokens <command> --help for its options)",
    "",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
  ].join("\n");
}

/** Runs the command line `argv` (without node and the script); resolves to the exit code, if any. */
export async function dispatch(argv: string[]): Promise<number | undefined> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-v") {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(`gitlab-tokens: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  return command.run(rest);
}

if (require.main === module) {
  dispatch(process.argv.slice(2)).then(
    (code) => {
      if (code !== undefined) process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`gitlab-tokens: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
