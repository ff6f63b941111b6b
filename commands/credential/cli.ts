/**
 * `npm run rotate-credential -- --project P --variable GITLAB_TOKEN --value-file F`: rotates the
 * provisioning credential ($GITLAB_TOKEN) through GitLab's self-rotation when it expires within
 * --before-days, writes the successor to the CI/CD variable the pipeline reads it from, and keeps
 * the successor's value in --value-file (mode 0600) for the job's later steps. See ./index.ts.
 * Exit code 0: rotated, or not due; 2: it could not (the message says whether anything changed).
 *
 * GitLab: $GITLAB_BASE_URL, else https://gitlab.com. The credential is read from $GITLAB_TOKEN only
 * (never an argument: arguments show in process lists and CI logs).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { GitLabClient } from "../../components/gitlab/client";
import { DEFAULT_BASE_URL } from "../../components/providers/runtime-env";
import { CLI_EXIT, asyncCommand, runIfMain, type CliIo } from "../shared/cli";
import { CliInputError, timeOption } from "../shared/inputs";
import { SelfRotationError, describeSelfRotation, rotateCredential } from ".";

const USAGE = `Usage: npm run rotate-credential -- (--project P | --group G) --variable KEY --value-file FILE
         [--environment-scope SCOPE] [--before-days 30] [--lifetime-days 90] [--now ISO]

Rotates the provisioning credential in $GITLAB_TOKEN (a personal or service account's token with the
api scope) when it expires within --before-days (default 30): GitLab's
POST /personal_access_tokens/self/rotate revokes it and returns a successor valid --lifetime-days
(default 90), which is written to the CI/CD variable KEY of the project or group (it must exist) and
to FILE (mode 0600), for the job's later steps: export GITLAB_TOKEN="$(cat FILE)"; rm FILE.
Neither value is printed. Not due: nothing changes, one GitLab call.`;

const OPTIONS = {
  project: { type: "string" },
  group: { type: "string" },
  variable: { type: "string" },
  "environment-scope": { type: "string" },
  "value-file": { type: "string" },
  "before-days": { type: "string" },
  "lifetime-days": { type: "string" },
  now: { type: "string" },
} as const;

function days(value: string | undefined, option: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new CliInputError(
      `--${option} is ${JSON.stringify(value)}; give a whole number of days, 1 to ${max}`,
    );
  }
  return n;
}

export const main = asyncCommand({
  name: "rotate-credential",
  usage: USAGE,
  options: OPTIONS,
  inputErrors: [SelfRotationError],
  io: {},
  run: async (values, io: CliIo) => {
    if ((values.project === undefined) === (values.group === undefined)) {
      throw new CliInputError(`give exactly one of --project and --group: where the variable is\n\n${USAGE}`);
    }
    if (!values.variable)
      throw new CliInputError(
        `--variable is missing: the CI/CD variable that holds the credential\n\n${USAGE}`,
      );
    if (!values["value-file"]) {
      throw new CliInputError(
        `--value-file is missing: where the job reads the new credential (GitLab revokes the old one as it rotates)\n\n${USAGE}`,
      );
    }
    const token = io.env.GITLAB_TOKEN;
    if (!token) throw new CliInputError("no credential: set the GITLAB_TOKEN environment variable");
    const baseUrl = io.env.GITLAB_BASE_URL || DEFAULT_BASE_URL;
    const now = timeOption(values.now, io.env);
    const valueFile = path.resolve(io.cwd, values["value-file"]);
    const result = await rotateCredential({
      now,
      beforeDays: days(values["before-days"], "before-days", 30, 365),
      lifetimeDays: days(values["lifetime-days"], "lifetime-days", 90, 365),
      variable: {
        kind: values.project !== undefined ? "project" : "group",
        target: (values.project ?? values.group)!,
        key: values.variable,
        environmentScope: values["environment-scope"] ?? "*",
      },
      client: new GitLabClient({ baseUrl, token }),
      clientWith: (t) => new GitLabClient({ baseUrl, token: t }),
      keepValue: (v) => fs.writeFileSync(valueFile, v, { mode: 0o600 }),
    });
    io.stdout(describeSelfRotation(result, now));
    return CLI_EXIT.ok;
  },
});

runIfMain(module, main);
