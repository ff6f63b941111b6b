/**
 * The CI/CD-variable dynamic resource: delivers a token value into a project or group variable.
 * Thin serialised shell; the logic is in ./ci-variable-impl (loaded with `require` at run time).
 */
import * as pulumi from "@pulumi/pulumi";
import { providerModule } from "./loader";
import type { ProviderConfig } from "./runtime-env";
import type { CiVariableProps } from "./ci-variable-impl";
import { DYNAMIC_MODULE, DYNAMIC_RESOURCES } from "../types";

type Entry = (typeof import("./ci-variable-impl"))["entry"];
const impl = (): Entry => (providerModule("ci-variable-impl") as { entry: Entry }).entry;

class CiVariableProvider implements pulumi.dynamic.ResourceProvider {
  private config: ProviderConfig = {};

  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.config = {
      baseUrl: req.config.get("gitlab-tokens:baseUrl"),
      token: req.config.get("gitlab-tokens:token"),
    };
  }

  async check(olds: CiVariableProps, news: CiVariableProps): Promise<pulumi.dynamic.CheckResult> {
    return impl().check(olds, news);
  }

  async diff(_id: string, olds: CiVariableProps, news: CiVariableProps): Promise<pulumi.dynamic.DiffResult> {
    return impl().diff(olds, news);
  }

  async create(inputs: CiVariableProps): Promise<pulumi.dynamic.CreateResult> {
    return impl().create(this.config, inputs);
  }

  async read(id: string, props: CiVariableProps): Promise<pulumi.dynamic.ReadResult> {
    return impl().read(this.config, id, props);
  }

  async update(
    _id: string,
    _olds: CiVariableProps,
    news: CiVariableProps,
  ): Promise<pulumi.dynamic.UpdateResult> {
    return impl().update(this.config, news);
  }

  async delete(_id: string, props: CiVariableProps): Promise<void> {
    return impl().remove(this.config, props);
  }
}

export interface CiVariableInputs {
  kind: pulumi.Input<"project" | "group">;
  target: pulumi.Input<string>;
  key: pulumi.Input<string>;
  value: pulumi.Input<string>;
  protected?: pulumi.Input<boolean>;
  masked?: pulumi.Input<boolean>;
  hidden?: pulumi.Input<boolean>;
  raw?: pulumi.Input<boolean>;
  environmentScope?: pulumi.Input<string>;
  description?: pulumi.Input<string>;
}

/** A GitLab CI/CD variable holding a token value (a secret in state, masked and hidden in GitLab). */
export class CiVariableResource extends pulumi.dynamic.Resource {
  declare readonly kind: pulumi.Output<"project" | "group">;
  declare readonly target: pulumi.Output<string>;
  declare readonly key: pulumi.Output<string>;
  declare readonly value: pulumi.Output<string>;
  declare readonly protected: pulumi.Output<boolean>;
  declare readonly environmentScope: pulumi.Output<string>;

  constructor(name: string, args: CiVariableInputs, opts?: pulumi.CustomResourceOptions) {
    super(
      new CiVariableProvider(),
      name,
      { ...args, value: pulumi.secret(args.value) },
      { ...opts, additionalSecretOutputs: ["value"] },
      DYNAMIC_MODULE,
      DYNAMIC_RESOURCES.ciVariable,
    );
  }
}
