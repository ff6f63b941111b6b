/**
 * `npm run revoke -- <key> [--reason "…"] [--stack S] [--note FILE] [--no-up]`: the day a token
 * leaks (see ./index.ts). In this order:
 *   1. reads the stack's state (`pulumi stack export`, no secrets shown) and finds the token
 *      declared as `<key>` — an unknown key or stack is one error, before any GitLab call;
 *   2. reads from GitLab, with the provisioning credential, what the token could do and when and
 *      from where it was last used;
 *   3. revokes it with its kind's route and checks with a GET that GitLab shows it revoked or gone;
 *   4. runs `pulumi up --refresh --run-program --yes` on the stack (as the CI template's daily job):
 *      the refresh finds the token gone, and the up makes its replacement and delivers it to the
 *      token's CI/CD variables in the same run (`--no-up` skips this and says what to run);
 *   5. writes the incident note (`--note`, default `incident-<key>-<UTC time>.md`) and a summary.
 * Exit code 0: revoked and replaced (or revoked, with `--no-up`); 1: revoked, but the replacement
 * failed (the note says what to run); 2: nothing was revoked (the message says why).
 *
 * The credential: $GITLAB_TOKEN, else the stack's `gitlab-tokens:token`; GitLab: $GITLAB_BASE_URL,
 * else the stack's `gitlab-tokens:baseUrl`, else https://gitlab.com — as `npm run recover`. Pulumi:
 * the project's engine, else `pulumi` on PATH. No token value and no credential is ever printed or
 * written: the state is read without `--show-secrets`, and GitLab's answers are read field by field.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { GitLabClient } from "../../components/gitlab/client";
import { connectionFrom, missingCredential } from "../../components/providers/runtime-env";
import { CONFIG_NAMESPACE } from "../../components/types";
import { asyncCommand, runIfMain, type CliIo } from "../shared/cli";
import { CliInputError, displayPath, timeOption } from "../shared/inputs";
import { enginePulumi, lastLines, type PulumiRunner } from "../shared/pulumi";
import {
  deliveriesOf,
  describeIncident,
  findToken,
  incidentNote,
  inspectToken,
  revokeToken,
  RevokeInputError,
  upCommand,
  type ExportedStack,
  type Incident,
} from ".";

const USAGE = `Usage: npm run revoke -- KEY [--reason "…"] [--stack STACK] [--note FILE] [--no-up]

For the day a token leaks: revokes the token declared as KEY in tokens.yaml FIRST, then runs
\`pulumi up --refresh --run-program --yes\` so its replacement is made and delivered to its CI/CD
variables in the same run, and writes an incident note (what the token could do, when and from
where it was last used, who revoked it and why, the replacement, what is left to do).

  KEY              the token's declaration key (as in tokens.yaml)
  --reason TEXT    why it is revoked, for the note
  --stack STACK    the stack (default: $PULUMI_STACK)
  --note FILE      where to write the note (default: incident-KEY-<UTC time>.md here)
  --no-up          revoke only; the note and the output say what to run for the replacement

Exit code 0: revoked (and replaced); 1: revoked, but the replacement failed; 2: nothing revoked.`;

/** Exit code: the token is revoked but its replacement failed (the note says what to run). */
export const REVOKED_NOT_REPLACED = 1;

const OPTIONS = {
  stack: { type: "string" },
  reason: { type: "string" },
  note: { type: "string" },
  "no-up": { type: "boolean" },
} as const;

/** What the command touches outside its core. */
export interface RevokeIo extends CliIo {
  /** Runs pulumi. Default - the project's engine (else `pulumi` on PATH) in the working folder. */
  pulumi?: PulumiRunner;
}

async function exportState(run: PulumiRunner, stack: string): Promise<ExportedStack> {
  const r = await run(["stack", "export", "--stack", stack]);
  if (r.code !== 0) {
    if (/no stack named/i.test(r.stderr))
      throw new RevokeInputError(`stack ${stack} does not exist; nothing was revoked`);
    throw new RevokeInputError(
      `cannot read stack ${stack}'s state (pulumi stack export: ${lastLines(r.stderr)}); nothing was revoked`,
    );
  }
  return JSON.parse(r.stdout) as ExportedStack;
}

async function stackConfig(run: PulumiRunner, stack: string, key: string): Promise<string | undefined> {
  const r = await run(["config", "get", `${CONFIG_NAMESPACE}:${key}`, "--stack", stack]);
  return r.code === 0 ? r.stdout.replace(/\n$/, "") : undefined;
}

/** The GitLab client of the credential: $GITLAB_TOKEN, else the stack's config (as recover). */
async function client(run: PulumiRunner, stack: string, env: NodeJS.ProcessEnv): Promise<GitLabClient> {
  const conn = connectionFrom(() => undefined, env);
  const token = conn.token ?? (await stackConfig(run, stack, "token"));
  if (!token) throw missingCredential();
  const baseUrl = env.GITLAB_BASE_URL || (await stackConfig(run, stack, "baseUrl")) || conn.baseUrl;
  return new GitLabClient({ baseUrl, token });
}

/** `incident-<key>-20261204T174512Z.md`: the key made safe for a file name. */
export function defaultNoteFile(key: string, at: string): string {
  const stamp = at.replace(/\.\d+Z$/, "Z").replace(/[-:]/g, "");
  return `incident-${key.replace(/[^A-Za-z0-9._-]+/g, "_")}-${stamp}.md`;
}

/** Runs the up that makes the replacement; reads it back from the state. */
async function replace(
  run: PulumiRunner,
  stack: string,
  key: string,
  oldTokenId: number,
  log: (text: string) => void,
): Promise<Incident["replacement"]> {
  const command = upCommand(stack);
  try {
    const r = await run(["up", "--stack", stack, "--refresh", "--run-program", "--yes", "--skip-preview"]);
    // What the up did, for the responder (Pulumi shows no secret value).
    if (r.stdout.trim() !== "") log(r.stdout.trimEnd());
    if (r.code !== 0) return { failed: `exit ${r.code}: ${lastLines(r.stderr || r.stdout)}`, command };
    const after = await exportState(run, stack);
    const made = findToken(after, key, stack);
    if (made.tokenId === oldTokenId)
      return { failed: "the state after it still holds the revoked token's id", command };
    return {
      made: {
        tokenId: made.tokenId,
        ...(made.declared.expiresAt ? { expiresAt: made.declared.expiresAt } : {}),
        ...(made.declared.rotatesAt ? { rotatesAt: made.declared.rotatesAt } : {}),
        deliveries: deliveriesOf(after, made),
      },
    };
  } catch (e) {
    return { failed: (e as Error).message, command };
  }
}

/** The command; resolves to its exit code. */
export const main = asyncCommand<typeof OPTIONS, RevokeIo>({
  name: "revoke",
  usage: USAGE,
  options: OPTIONS,
  positionals: 1,
  // Every failure is shown as its message alone: each says what stopped the command.
  inputErrors: [Error],
  io: {},
  run: async (values, io, positionals) => {
    const stack = values.stack ?? io.env.PULUMI_STACK;
    if (!stack)
      throw new CliInputError(`name the stack (--stack, or $PULUMI_STACK); nothing was revoked\n\n${USAGE}`);
    const key = positionals[0];
    if (!key)
      throw new CliInputError(
        `name the token to revoke (its key in tokens.yaml); nothing was revoked\n\n${USAGE}`,
      );
    const run = io.pulumi ?? enginePulumi(io.cwd, io.env);

    // 1. The token, from the state: an unknown key stops here, before any GitLab call.
    const state = await exportState(run, stack);
    const token = findToken(state, key, stack);
    const deliveries = deliveriesOf(state, token);

    // 2. Who revokes, and what the token could do and when it was used — before it is revoked.
    const gl = await client(run, stack, io.env);
    const me = await gl.currentUser();
    const now = timeOption(undefined, io.env);
    const before = await inspectToken(gl, token, now);

    // 3. Revoke, and check GitLab shows it revoked or gone.
    const revokedAt = timeOption(undefined, io.env).toISOString();
    const outcome = await revokeToken(gl, token, before);
    io.stderr(
      `revoke: ${token.kind} token "${key}" (id ${token.tokenId}) ${outcome.already ? "was already" : "is now"} ${outcome.verified} in GitLab`,
    );

    // 4. The replacement, in the same run.
    let replacement: Incident["replacement"];
    if (values["no-up"]) replacement = { skipped: "--no-up was given" };
    else {
      io.stderr(`revoke: running ${upCommand(stack)} for the replacement…`);
      replacement = await replace(run, stack, key, token.tokenId, io.stderr);
    }

    // 5. The note and the summary.
    const incident: Incident = {
      stack,
      token,
      deliveries,
      ...(values.reason === undefined ? {} : { reason: values.reason }),
      revokedAt,
      revokedBy: { username: me.username, id: me.id },
      before,
      outcome,
      replacement,
    };
    const noteFile = path.resolve(io.cwd, values.note ?? defaultNoteFile(key, revokedAt));
    let shown = displayPath(noteFile, io.cwd);
    try {
      fs.mkdirSync(path.dirname(noteFile), { recursive: true });
      fs.writeFileSync(noteFile, incidentNote(incident));
    } catch (e) {
      shown = `NOT WRITTEN (${(e as NodeJS.ErrnoException).code ?? e}); the note follows`;
      io.stdout(incidentNote(incident));
    }
    for (const line of describeIncident(incident, shown)) io.stdout(line);
    return "made" in replacement || "skipped" in replacement ? 0 : REVOKED_NOT_REPLACED;
  },
});

runIfMain(module, main);
