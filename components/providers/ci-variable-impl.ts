/**
 * The CI/CD-variable provider's logic (loaded by the thin shell in ./ci-variable.ts). The variable
 * holds a token value: it is written masked, hidden where GitLab supports it, and protected by
 * default; on rotation the engine updates it with the new value before the old token is revoked.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { ResourceKind, VariableParams } from "../gitlab/client";
import { GitLabApiError } from "../gitlab/errors";
import { VARIABLE_KEY_PATTERN, variableFlags } from "../model";
import type { ShellEntry } from "./shell";
import { connectionOf, clientFor, type Connection, type ProviderConfig } from "./runtime-env";

/** The variable's properties: where it lives, plus what GitLab stores (the client's VariableParams). */
export interface CiVariableProps extends VariableParams {
  /** project | group */
  kind: ResourceKind;
  /** Full path or numeric id of the project or group. */
  target: string;
  key: string;
  /** Secret. */
  value: string;
  /** "" when none. */
  description: string;
}

const IDENTITY = ["kind", "target", "key", "environmentScope"] as const;
const IN_PLACE = ["value", "protected", "masked", "raw", "description"] as const;

export function check(_olds: CiVariableProps, news: CiVariableProps): dynamic.CheckResult<CiVariableProps> {
  const failures: dynamic.CheckFailure[] = [];
  if (news.kind !== "project" && news.kind !== "group") {
    failures.push({
      property: "kind",
      reason: `deliver to a project or a group, not ${JSON.stringify(news.kind)}`,
    });
  }
  if (typeof news.key === "string" && !VARIABLE_KEY_PATTERN.test(news.key)) {
    failures.push({
      property: "variable",
      reason: `variable ${JSON.stringify(news.key)} is not a valid CI/CD variable key; use letters, digits and _ (at most 255)`,
    });
  }
  if (failures.length > 0) return { failures };
  return {
    inputs: {
      ...news,
      ...variableFlags(news),
      description: news.description ?? "",
    },
  };
}

export function diff(olds: CiVariableProps, news: CiVariableProps): dynamic.DiffResult {
  const replaces: string[] = IDENTITY.filter((k) => olds[k] !== news[k]);
  const sameIdentity = replaces.length === 0;
  if (olds.hidden !== news.hidden) replaces.push("hidden");
  const updates = IN_PLACE.filter((k) => olds[k] !== news[k]);
  return {
    changes: replaces.length > 0 || updates.length > 0,
    replaces,
    // A hidden flag cannot change in place; with the same key and scope the old one must go first.
    deleteBeforeReplace: replaces.length > 0 && sameIdentity,
    stables: [...IDENTITY],
  };
}

/** What GitLab stores; an empty description is sent as none. */
function params({ kind: _kind, target: _target, key: _key, ...p }: CiVariableProps): VariableParams {
  return { ...p, description: p.description || undefined };
}

export function variableId(p: CiVariableProps): string {
  return `${p.kind}/${p.target}/${p.key}/${p.environmentScope}`;
}

/** Creates the variable; one that already exists (a lost response, or made by hand) is overwritten. */
/** Creates of a variable whose outcome was unknown (5xx, response lost), each after a look. */
const CREATE_ATTEMPTS = 3;

export async function create(conn: Connection, inputs: CiVariableProps): Promise<dynamic.CreateResult> {
  const gl = clientFor(conn);
  for (let attempt = 1; ; attempt++) {
    try {
      await gl.createVariable(inputs.kind, inputs.target, inputs.key, params(inputs));
      break;
    } catch (e) {
      const taken = GitLabApiError.is(e) && e.status === 400 && /already been taken/i.test(e.gitlabMessage);
      const unknown = GitLabApiError.is(e) && e.outcomeUnknown;
      if (!taken && !unknown) throw e;
      // The variable may exist (an earlier attempt, or a run killed after creating it): then an
      // update (idempotent, retried on 5xx) writes the value; else create again.
      const existing = await gl.getVariable(inputs.kind, inputs.target, inputs.key, inputs.environmentScope);
      if (existing) {
        await gl.updateVariable(inputs.kind, inputs.target, inputs.key, params(inputs));
        break;
      }
      if (taken || attempt >= CREATE_ATTEMPTS) throw e;
    }
  }
  return { id: variableId(inputs), outs: inputs };
}

export async function read(
  conn: Connection,
  id: string,
  props: CiVariableProps,
): Promise<dynamic.ReadResult> {
  const gl = clientFor(conn);
  const v = await gl.getVariable(props.kind, props.target, props.key, props.environmentScope);
  if (!v) return {};
  return {
    id,
    props: {
      ...props,
      // A hidden variable's value is never returned; keep what we wrote.
      value: v.value ?? props.value,
      protected: v.protected,
      masked: v.masked,
      raw: v.raw,
    },
  };
}

export async function update(conn: Connection, news: CiVariableProps): Promise<dynamic.UpdateResult> {
  const gl = clientFor(conn);
  await gl.updateVariable(news.kind, news.target, news.key, params(news));
  return { outs: news };
}

export async function remove(conn: Connection, props: CiVariableProps): Promise<void> {
  const gl = clientFor(conn);
  await gl.deleteVariable(props.kind, props.target, props.key, props.environmentScope);
}

/**
 * The entry points the serialised shell calls (raw provider config in). A contract with OLD state:
 * `refresh` and `destroy` run the shell serialised in each resource's state against this module,
 * so keep these method names (check, diff, create, read, update, remove, updateWith) and their parameters
 * exactly as they are; add new entry points beside them, never change these.
 */
export const entry = {
  check,
  diff,
  create: (config: ProviderConfig, inputs: CiVariableProps) => create(connectionOf(config), inputs),
  read: (config: ProviderConfig, id: string, props: CiVariableProps) => read(connectionOf(config), id, props),
  update: (config: ProviderConfig, news: CiVariableProps) => update(connectionOf(config), news),
  remove: (config: ProviderConfig, props: CiVariableProps) => remove(connectionOf(config), props),
  /** The shared shell's update (./shell.ts); `update` above is the older shells'. */
  updateWith: (config: ProviderConfig, _olds: CiVariableProps, news: CiVariableProps) =>
    update(connectionOf(config), news),
};

/** The shared shell calls these through ShellEntry: checked here. */
const _forTheShell: ShellEntry<CiVariableProps, CiVariableProps> = entry;
