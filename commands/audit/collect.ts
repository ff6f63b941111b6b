/**
 * Asks GitLab for the tokens of every target: resolves each project, group or user, then lists its
 * access tokens (project, group) or personal tokens (user) through the routes the kind chooses for
 * this credential, as `pulumi up` would (a group service account's through its group's routes
 * when the credential is an Owner of the group rather than an administrator). A target GitLab refuses (401, 403), does not know (404) or fails on is recorded with
 * GitLab's message and the audit goes on; only a GitLab that does not answer at all stops it.
 */
import { GitLabApiError } from "../../components/gitlab/errors";
import {
  KIND_LIST,
  kindOf,
  kindOfTarget,
  type ResolvedTarget,
  type TokenTarget,
} from "../../components/kinds";
import { liveToken, type AuditGitLab } from "./gitlab";
import type { ListedTarget, TargetRef } from "./model";

/** GitLab did not answer (no response after the client's retries): the audit cannot run. */
export class GitLabUnreachableError extends Error {
  constructor(detail: string) {
    super(`GitLab did not answer: ${detail}`);
    this.name = "GitLabUnreachableError";
  }
}

/** GitLab's refusal as the report shows it; anything that is not GitLab's answer is re-thrown. */
function refusal(e: unknown, what: string): string {
  if (!GitLabApiError.is(e)) throw e;
  if (e.status === 0) throw new GitLabUnreachableError(`${e.method} ${e.path}: ${e.gitlabMessage}`);
  return `${what}: ${e.gitlabMessage}`;
}

async function resolve(
  gitlab: AuditGitLab,
  ref: TargetRef,
): Promise<{ id: number; path: string; serviceAccount?: boolean; target: ResolvedTarget }> {
  const r = await kindOf(kindOfTarget(ref.kind)).resolve(gitlab, ref.ref);
  // A user counts as a service account when GitLab marks it a bot or a service account.
  return r.user === undefined
    ? { id: r.id, path: r.path, target: r }
    : { id: r.id, path: r.path, serviceAccount: r.user.bot || r.user.serviceAccount === true, target: r };
  // A target no route of this credential can reach (`unroutable`) is listed through the kind's
  // ordinary routes all the same: the report then shows GitLab's own refusal, as before.
}

/** The tokens of every kind that lives on this target (a project's access tokens and its trigger tokens). */
async function list(gitlab: AuditGitLab, target: ListedTarget, at: TokenTarget): Promise<void> {
  const own = kindOfTarget(target.kind);
  for (const d of KIND_LIST.filter((k) => k.targetField === target.kind)) {
    const tokens = await d.list(gitlab, at);
    target.tokens.push(
      ...tokens.map((t) => (d.kind === own ? liveToken(t) : { ...liveToken(t), kind: d.kind })),
    );
  }
}

/** Every target's tokens, in the order given; two names for one target are listed once. */
export async function collectTargets(
  gitlab: AuditGitLab,
  refs: readonly TargetRef[],
): Promise<ListedTarget[]> {
  const out: ListedTarget[] = [];
  for (const ref of refs) {
    const target: ListedTarget = { kind: ref.kind, refs: [ref.ref], from: [...ref.from], tokens: [] };
    let resolved: Awaited<ReturnType<typeof resolve>>;
    try {
      resolved = await resolve(gitlab, ref);
    } catch (e) {
      target.problem = refusal(e, "could not find it");
      out.push(target);
      continue;
    }
    const same = out.find((t) => t.kind === ref.kind && t.resolved?.id === resolved.id);
    if (same !== undefined) {
      same.refs.push(ref.ref);
      for (const f of ref.from) if (!same.from.includes(f)) same.from.push(f);
      continue;
    }
    target.resolved = { id: resolved.id, path: resolved.path };
    if (resolved.serviceAccount !== undefined) target.serviceAccount = resolved.serviceAccount;
    try {
      await list(gitlab, target, resolved.target);
    } catch (e) {
      target.problem = refusal(e, "could not list");
    }
    out.push(target);
  }
  return out;
}
