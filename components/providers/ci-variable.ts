/**
 * The CI/CD-variable dynamic resource: delivers a token value into a project or group variable.
 * Its provider is gitlab-tokens-shell (./shell.ts) over the compiled ./ci-variable-impl.
 */
import * as pulumi from "@pulumi/pulumi";
import { CI_VARIABLE_PROVIDER } from "./shell";
import { DYNAMIC_MODULE, DYNAMIC_RESOURCES } from "../types";

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
      CI_VARIABLE_PROVIDER,
      name,
      { ...args, value: pulumi.secret(args.value) },
      { ...opts, additionalSecretOutputs: ["value"] },
      DYNAMIC_MODULE,
      DYNAMIC_RESOURCES.ciVariable,
    );
  }
}
