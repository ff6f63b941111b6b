/**
 * The provider shell: what Pulumi stores in every dynamic resource's state (`__provider`). The shell
 * itself is the plain-JS package provider-shell/ (gitlab-tokens-shell), installed into node_modules,
 * so state holds only `require("gitlab-tokens-shell/access-token.js")`; it reads the credential in
 * `configure` (stack config), never from inputs, and calls the compiled implementation's `entry`.
 *
 * The implementation's `entry` is a contract with OLD state: refresh and destroy run the shell a
 * resource was last written with (docs/architecture.md, "The persisted interface"). Older shells
 * (serialised code, before gitlab-tokens-shell) call `check`, `diff`, `create`, `read`, `update`
 * and `remove`; gitlab-tokens-shell calls `updateWith` instead of the two differently shaped
 * `update`s.
 */
import type * as pulumi from "@pulumi/pulumi";
import accessTokenShell from "gitlab-tokens-shell/access-token.js";
import ciVariableShell from "gitlab-tokens-shell/ci-variable.js";
import type { ProviderConfig } from "./runtime-env";

/** What an implementation module exports as `entry` for the shell; Props are its inputs, Outs its state. */
export interface ShellEntry<Props, Outs> {
  check(olds: Props, news: Props): pulumi.dynamic.CheckResult | Promise<pulumi.dynamic.CheckResult>;
  diff(olds: Outs, news: Props): pulumi.dynamic.DiffResult | Promise<pulumi.dynamic.DiffResult>;
  create(config: ProviderConfig, inputs: Props): Promise<pulumi.dynamic.CreateResult>;
  read(config: ProviderConfig, id: string, props: Outs): Promise<pulumi.dynamic.ReadResult>;
  updateWith(
    config: ProviderConfig,
    olds: Outs,
    news: Props,
  ): pulumi.dynamic.UpdateResult | Promise<pulumi.dynamic.UpdateResult>;
  remove(config: ProviderConfig, props: Outs): Promise<void>;
}

/**
 * The providers the dynamic resources register: the modules of the gitlab-tokens-shell package
 * (provider-shell/), installed in node_modules, so Pulumi serialises each as a `require` of its
 * module path (~260 bytes) rather than its code. One object per resource type.
 */
export const ACCESS_TOKEN_PROVIDER = accessTokenShell;
export const CI_VARIABLE_PROVIDER = ciVariableShell;
