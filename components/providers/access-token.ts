/**
 * The access-token dynamic resource: one GitLab project, group or personal access token.
 *
 * Its provider is gitlab-tokens-shell (./shell.ts) over the compiled ./access-token-impl. The credential
 * is read in `configure` (stack config) or from the environment, never from inputs; it never
 * reaches state.
 */
import * as pulumi from "@pulumi/pulumi";
import { ACCESS_TOKEN_PROVIDER } from "./shell";
import type { TokenKind } from "../gitlab/facts";
import type { Inputs } from "../model";
import type { RegisteredTokenProps } from "../props";
import { DYNAMIC_MODULE, DYNAMIC_RESOURCES } from "../types";

/**
 * Inputs of an AccessTokenResource: the props tokenProps registers (see AccessTokenProps for each
 * field), Input-typed; the ones `check` defaults may be left out.
 */
export type AccessTokenInputs = Inputs<
  Omit<RegisteredTokenProps, Defaulted> & Partial<Pick<RegisteredTokenProps, Defaulted>>
>;
type Defaulted = "description" | "rotateBeforeDays" | "rotateWhenChanged" | "rotationEpoch";

/** One GitLab access token. Replacement is create-before-delete; `token` is a secret. */
export class AccessTokenResource extends pulumi.dynamic.Resource {
  declare readonly kind: pulumi.Output<TokenKind>;
  declare readonly key: pulumi.Output<string>;
  declare readonly target: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly scopes: pulumi.Output<string[]>;
  declare readonly tokenId: pulumi.Output<number>;
  declare readonly token: pulumi.Output<string>;
  declare readonly expiresAt: pulumi.Output<string>;
  declare readonly rotatesAt: pulumi.Output<string>;
  declare readonly active: pulumi.Output<boolean>;
  declare readonly createdAt: pulumi.Output<string>;
  declare readonly userId: pulumi.Output<number | undefined>;
  declare readonly identityUsername: pulumi.Output<string | undefined>;
  declare readonly commitEmail: pulumi.Output<string | undefined>;
  declare readonly targetId: pulumi.Output<number>;
  declare readonly expiryCappedFrom: pulumi.Output<string | undefined>;
  declare readonly serviceAccountGroupId: pulumi.Output<number | undefined>;
  declare readonly serviceAccountProjectId: pulumi.Output<number | undefined>;

  constructor(name: string, args: AccessTokenInputs, opts?: pulumi.CustomResourceOptions) {
    super(
      ACCESS_TOKEN_PROVIDER,
      name,
      {
        ...args,
        tokenId: undefined,
        token: undefined,
        expiresAt: undefined,
        rotatesAt: undefined,
        active: undefined,
        createdAt: undefined,
        userId: undefined,
        identityUsername: undefined,
        commitEmail: undefined,
        targetId: undefined,
        expiryCappedFrom: undefined,
        serviceAccountGroupId: undefined,
        serviceAccountProjectId: undefined,
      },
      { ...opts, additionalSecretOutputs: ["token"] },
      DYNAMIC_MODULE,
      DYNAMIC_RESOURCES.accessToken,
    );
  }
}
