/**
 * The CI/CD-variable dynamic resource: delivers a token value into a project or group variable.
 * Thin serialised shell; the logic is in ./ci-variable-impl (loaded with `require` at run time).
 */
import * as pulumi from "@pulumi/pulumi";
import { providerModule } from "./loader";
import type { CiVariableProps } from "./ci-variable-impl";
import { DYNAMIC_MODULE, DYNAMIC_RESOURCES } from "../types";

type Impl = typeof import("./ci-variable-impl");
type Env = typeof import("./runtime-env");

class CiVariableProvider implements pulumi.dynamic.ResourceProvider {
  private config: Record<string, string | undefined> = {};

  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.config = {
      baseUrl: req.config.get("gitlab-tokens:baseUrl"),
      token: req.config.get("gitlab-tokens:token"),
    };
  }

  private connection() {
    const env = providerModule("runtime-env") as Env;
    return env.connectionFrom((k) => (k.endsWith(":token") ? this.config.token : this.config.baseUrl));
  }

  async check(olds: CiVariableProps, news: CiVariableProps): Promise<pulumi.dynamic.CheckResult> {
    return (providerModule("ci-variable-impl") as Impl).check(olds, news);
  }

  async diff(_id: string, olds: CiVariableProps, news: CiVariableProps): Promise<pulumi.dynamic.DiffResult> {
    return (providerModule("ci-variable-impl") as Impl).diff(olds, news);
  }

  async create(inputs: CiVariableProps): Promise<pulumi.dynamic.CreateResult> {
    return (providerModule("ci-variable-impl") as Impl).create(this.connection(), inputs);
  }

  async read(id: string, props: CiVariableProps): Promise<pulumi.dynamic.ReadResult> {
    return (providerModule("ci-variable-impl") as Impl).read(this.connection(), id, props);
  }

  async update(
    _id: string,
    _olds: CiVariableProps,
    news: CiVariableProps,
  ): Promise<pulumi.dynamic.UpdateResult> {
    return (providerModule("ci-variable-impl") as Impl).update(this.connection(), news);
  }

  async delete(_id: string, props: CiVariableProps): Promise<void> {
    return (providerModule("ci-variable-impl") as Impl).remove(this.connection(), props);
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
