/**
 * The provider shell: what Pulumi stores in every dynamic resource's state (`__provider`). The shell
 * itself is plain JS (provider-shell/), loaded from node_modules, so state holds only a `require` of
 * its module path; it reads the credential in `configure` (stack config), never from inputs, and
 * calls the compiled implementation's `entry`.
 *
 * Which module path state holds depends on where this code runs (docs/architecture.md, "The
 * persisted interface"):
 *   - in this repository (or a copy of its program): the package gitlab-tokens-shell, installed
 *     into node_modules by `npm ci` — `require("gitlab-tokens-shell/access-token.js")`;
 *   - in an installed gitlab-tokens (this file under `node_modules/gitlab-tokens/`): the shell files
 *     the package ships in its own provider-shell/ folder — `require("gitlab-tokens/provider-shell/access-token.js")`,
 *     which resolves from the consumer's program folder (the nested gitlab-tokens-shell would not).
 * Pulumi derives the path from the file the module was loaded from, so loading the right file is
 * all it takes.
 *
 * The implementation's `entry` is a contract with OLD state: refresh and destroy run the shell a
 * resource was last written with. Older shells (serialised code, before gitlab-tokens-shell) call
 * `check`, `diff`, `create`, `read`, `update` and `remove`; the module shells call `updateWith`
 * instead of the two differently shaped `update`s.
 */
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
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

/** The name of the package this project is published as. */
export const PACKAGE_NAME = "gitlab-tokens";

/**
 * The root of the installed gitlab-tokens package `dir` lies in (`…/node_modules/gitlab-tokens`), or
 * undefined when `dir` is not inside one (this repository, a copy of its program).
 */
export function installedPackageRoot(dir: string): string | undefined {
  const parts = path.resolve(dir).split(path.sep);
  for (let i = parts.length - 1; i > 0; i--) {
    if (parts[i] === PACKAGE_NAME && parts[i - 1] === "node_modules") {
      return parts.slice(0, i + 1).join(path.sep) || path.sep;
    }
  }
  return undefined;
}

/**
 * The module the shell `name` (`access-token.js`, `ci-variable.js`) is loaded from when the
 * component code lives in `dir`: a file of the installed package's provider-shell/, else the
 * gitlab-tokens-shell package.
 */
export function shellModule(name: string, dir: string = __dirname): string {
  const root = installedPackageRoot(dir);
  return root === undefined ? `gitlab-tokens-shell/${name}` : path.join(root, "provider-shell", name);
}

function loadShell(name: string): pulumi.dynamic.ResourceProvider {
  // A computed require: which file is loaded decides the module path state records (see above).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(shellModule(name)) as pulumi.dynamic.ResourceProvider;
}

/**
 * The providers the dynamic resources register: modules loaded from node_modules, so Pulumi
 * serialises each as a `require` of its module path (~260 bytes) rather than its code. One object
 * per resource type.
 */
export const ACCESS_TOKEN_PROVIDER = loadShell("access-token.js");
export const CI_VARIABLE_PROVIDER = loadShell("ci-variable.js");
export const RETIREMENT_PROVIDER = loadShell("retirement.js");
