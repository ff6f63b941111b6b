/**
 * Recovery after an interrupted `pulumi up` or `pulumi destroy` (a cancelled CI job, a lost runner,
 * SIGKILL). The engine writes each operation into the state *before* it calls the provider, so an
 * interrupted run leaves "pending operations" behind, and Pulumi refuses the next run until they
 * are cleared. A pending create of an access token may have made a token in GitLab that no state
 * knows: the creation reference in its inputs (`components/gitlab/marker.ts`) names the tokens its
 * resource's creates made; those the state does not hold (the token a replacement was replacing
 * carries the same reference and is still in state) are revoked here before the pending operations
 * are cleared. Tokens of any other origin are never touched: only that resource knew its reference.
 *
 * Pure over the state it is given and the GitLab client; the CLI (commands/recover/cli.ts) reads the
 * state with `pulumi stack export` and writes it back with `pulumi stack import`.
 */
import type { GitLabClient } from "../../components/gitlab/client";
import { isNotFound } from "../../components/gitlab/errors";
import { isCreateRef } from "../../components/gitlab/marker";
import { isTokenKind, sameTokenIds, type TokenKind } from "../../components/kinds";
import { resolveTarget, revokeMarked } from "../../components/providers/access-token-impl";
import { ACCESS_TOKEN_TYPE, type AccessTokenProps } from "../../components/types";

/** A pending operation as `pulumi stack export` writes it. */
export interface PendingOperation {
  type: string;
  resource: { urn: string; type: string; inputs?: Record<string, unknown> };
}

/** The part of an exported stack this module reads and rewrites. */
export interface ExportedStack {
  version: number;
  deployment: {
    pending_operations?: PendingOperation[];
    resources?: { type: string; outputs?: Record<string, unknown> }[];
    [k: string]: unknown;
  };
}

/** The ids of the access tokens the state holds (live, or waiting to be deleted after a replacement). */
function heldTokenIds(state: ExportedStack, kind: TokenKind): Set<number> {
  const ids = new Set<number>();
  for (const r of state.deployment.resources ?? []) {
    if (r.type !== ACCESS_TOKEN_TYPE || typeof r.outputs?.tokenId !== "number") continue;
    // A deploy token's id and an access token's may be the same number: only ids of one table count.
    const held = r.outputs.kind;
    if (isTokenKind(held) && !sameTokenIds(held, kind)) continue;
    ids.add(r.outputs.tokenId);
  }
  return ids;
}

export interface RecoveredCreate {
  urn: string;
  kind: TokenKind;
  target: string;
  name: string;
  /** Ids of the tokens that create had made and that are now revoked. */
  revoked: number[];
}

export interface Recovery {
  /** Every pending operation found, by type ("creating", "updating", "deleting", …). */
  pending: { urn: string; type: string }[];
  /** The interrupted token creates, and what each had made. */
  creates: RecoveredCreate[];
  /** The state without its pending operations (undefined when there were none). */
  cleared?: ExportedStack;
}

/** The pending operations of an exported stack. */
export function pendingOperations(state: ExportedStack): PendingOperation[] {
  return state.deployment.pending_operations ?? [];
}

function interruptedCreate(op: PendingOperation): { props: AccessTokenProps; ref: string } | undefined {
  if (op.type !== "creating" || op.resource.type !== ACCESS_TOKEN_TYPE) return undefined;
  const inputs = op.resource.inputs ?? {};
  if (!isTokenKind(inputs.kind)) return undefined;
  if (typeof inputs.target !== "string" || typeof inputs.name !== "string") return undefined;
  // State written before creation markers has no reference: nothing can be told apart, so nothing is touched.
  if (!isCreateRef(inputs.createRef)) return undefined;
  return { props: inputs as unknown as AccessTokenProps, ref: inputs.createRef };
}

/**
 * Revokes what every interrupted token create made and returns the state with its pending
 * operations cleared. GitLab is called only when there is an interrupted create: one call to find
 * the target, one list, one revoke per token found; `gl` is asked for a client only then.
 */
export async function recover(state: ExportedStack, gl: () => Promise<GitLabClient>): Promise<Recovery> {
  const ops = pendingOperations(state);
  const recovery: Recovery = {
    pending: ops.map((op) => ({ urn: op.resource.urn, type: op.type })),
    creates: [],
  };
  if (ops.length === 0) return recovery;
  for (const op of ops) {
    const create = interruptedCreate(op);
    if (!create) continue;
    const { props, ref } = create;
    const client = await gl();
    let revoked: number[];
    try {
      // The routes the interrupted create used: the same declaration and credential choose them again.
      const target = await resolveTarget(client, props);
      const held = heldTokenIds(state, props.kind);
      revoked = await revokeMarked(client, props.kind, target, props.name, (m) => m.ref === ref, held);
    } catch (e) {
      // A target that no longer exists holds no token.
      if (!isNotFound(e)) throw e;
      revoked = [];
    }
    recovery.creates.push({
      urn: op.resource.urn,
      kind: props.kind,
      target: props.target,
      name: props.name,
      revoked,
    });
  }
  const { pending_operations: _cleared, ...rest } = state.deployment;
  recovery.cleared = { ...state, deployment: rest };
  return recovery;
}

/** One line per fact, for the terminal and the CI log. No token value is known here to print. */
export function describeRecovery(r: Recovery): string[] {
  if (r.pending.length === 0) return ["recover: no interrupted operation; nothing to do"];
  const lines = [`recover: ${r.pending.length} operation(s) pending from an interrupted run:`];
  for (const p of r.pending) lines.push(`  ${p.type} ${p.urn}`);
  for (const c of r.creates) {
    lines.push(
      c.revoked.length === 0
        ? `  ${c.kind} token "${c.name}" on ${c.target}: the interrupted create had made no token`
        : `  ${c.kind} token "${c.name}" on ${c.target}: revoked ${c.revoked.length} token(s) the interrupted create had made (id ${c.revoked.join(", ")})`,
    );
  }
  lines.push("recover: pending operations cleared; run `pulumi up` (or `pulumi destroy`) again");
  return lines;
}
