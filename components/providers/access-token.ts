/**
 * The access-token dynamic resource: one GitLab project, group or personal access token.
 *
 * The provider class below is serialised into every resource's state, so it is a thin shell: it
 * captures nothing and loads the compiled implementation (./access-token-impl) with `require`
 * inside each method. The credential is read in `configure` (stack config) or from the
 * environment, never from inputs; it never reaches state.
 */
import * as pulumi from "@pulumi/pulumi";
import { providerModule } from "./loader";
import type { ProviderConfig } from "./runtime-env";
import type { TokenKind } from "../gitlab/facts";
import type { Inputs } from "../model";
import type { RegisteredTokenProps } from "../props";
import { DYNAMIC_MODULE, DYNAMIC_RESOURCES, type AccessTokenOutputs, type AccessTokenProps } from "../types";

type Entry = (typeof import("./access-token-impl"))["entry"];
const impl = (): Entry => (providerModule("access-token-impl") as { entry: Entry }).entry;

class AccessTokenProvider implements pulumi.dynamic.ResourceProvider {
  private config: ProviderConfig = {};

  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.config = {
      baseUrl: req.config.get("gitlab-tokens:baseUrl"),
      token: req.config.get("gitlab-tokens:token"),
    };
  }

  async check(olds: AccessTokenProps, news: AccessTokenProps): Promise<pulumi.dynamic.CheckResult> {
    return impl().check(olds, news);
  }

  async diff(
    _id: string,
    olds: AccessTokenOutputs,
    news: AccessTokenProps,
  ): Promise<pulumi.dynamic.DiffResult> {
    return impl().diff(olds, news);
  }

  async create(inputs: AccessTokenProps): Promise<pulumi.dynamic.CreateResult> {
    return impl().create(this.config, inputs);
  }

  async read(id: string, props: AccessTokenOutputs): Promise<pulumi.dynamic.ReadResult> {
    return impl().read(this.config, id, props);
  }

  async update(
    _id: string,
    olds: AccessTokenOutputs,
    news: AccessTokenProps,
  ): Promise<pulumi.dynamic.UpdateResult> {
    return impl().update(olds, news);
  }

  async delete(_id: string, props: AccessTokenOutputs): Promise<void> {
    return impl().remove(this.config, props);
  }
}

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
  declare readonly userId: pulumi.Output<number>;
  declare readonly targetId: pulumi.Output<number>;

  constructor(name: string, args: AccessTokenInputs, opts?: pulumi.CustomResourceOptions) {
    super(
      new AccessTokenProvider(),
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
        targetId: undefined,
      },
      { ...opts, additionalSecretOutputs: ["token"] },
      DYNAMIC_MODULE,
      DYNAMIC_RESOURCES.accessToken,
    );
  }
}
