/**
 * The token-retirement dynamic resource: revokes a token made by hand once the declared token that
 * replaces it (`replaces:`) is made and delivered. Its provider is gitlab-tokens-shell (./shell.ts)
 * over ./retirement-impl.
 */
import * as pulumi from "@pulumi/pulumi";
import { RETIREMENT_PROVIDER } from "./shell";
import type { Inputs } from "../model";
import type { RetirementProps } from "./retirement-impl";
import { DYNAMIC_MODULE, DYNAMIC_RESOURCES } from "../types";

export class TokenRetirementResource extends pulumi.dynamic.Resource {
  declare readonly retired: pulumi.Output<boolean>;
  declare readonly retiredTokenId: pulumi.Output<number | undefined>;

  constructor(name: string, args: Inputs<RetirementProps>, opts?: pulumi.CustomResourceOptions) {
    super(
      RETIREMENT_PROVIDER,
      name,
      { ...args, retired: undefined, retiredTokenId: undefined },
      opts,
      DYNAMIC_MODULE,
      DYNAMIC_RESOURCES.tokenRetirement,
    );
  }
}
