/**
 * The provider shell: what Pulumi serialises into every dynamic resource's state (`__provider`). It
 * captures nothing but the name of its implementation module and the loader, reads the credential
 * in `configure` (stack config), never from inputs, and loads the compiled implementation with
 * `require` inside each method — so state carries a few KB of shell per resource, and a change to
 * the implementation never touches state. One shell serves every dynamic resource.
 *
 * The implementation's `entry` is a contract with OLD state: refresh and destroy run the shell a
 * resource was last written with (docs/architecture.md, "The persisted interface"). This shell calls
 * `check`, `diff`, `create`, `read`, `remove` as the older shells did, and `updateWith` — added beside
 * the two older, differently shaped `update`s, which stay for the old shells.
 */
import type * as pulumi from "@pulumi/pulumi";
import { providerModule } from "./loader";
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

/** The compiled implementation modules (`dist/components/providers/<name>.js`); never rename one. */
export type Implementation = "access-token-impl" | "ci-variable-impl";

export class ProviderShell<Props, Outs> implements pulumi.dynamic.ResourceProvider {
  private config: ProviderConfig = {};

  constructor(private readonly implementation: Implementation) {}

  private entry(): ShellEntry<Props, Outs> {
    return (providerModule(this.implementation) as { entry: ShellEntry<Props, Outs> }).entry;
  }

  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.config = {
      baseUrl: req.config.get("gitlab-tokens:baseUrl"),
      token: req.config.get("gitlab-tokens:token"),
    };
  }

  async check(olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
    return this.entry().check(olds, news);
  }

  async diff(_id: string, olds: Outs, news: Props): Promise<pulumi.dynamic.DiffResult> {
    return this.entry().diff(olds, news);
  }

  async create(inputs: Props): Promise<pulumi.dynamic.CreateResult> {
    return this.entry().create(this.config, inputs);
  }

  async read(id: string, props: Outs): Promise<pulumi.dynamic.ReadResult> {
    return this.entry().read(this.config, id, props);
  }

  async update(_id: string, olds: Outs, news: Props): Promise<pulumi.dynamic.UpdateResult> {
    return this.entry().updateWith(this.config, olds, news);
  }

  async delete(_id: string, props: Outs): Promise<void> {
    return this.entry().remove(this.config, props);
  }
}
