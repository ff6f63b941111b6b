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
import type { AccessLevelName, TokenKind } from "../gitlab/facts";
import { DYNAMIC_MODULE, DYNAMIC_RESOURCES, type AccessTokenOutputs, type AccessTokenProps } from "../types";

type Impl = typeof import("./access-token-impl");
type Env = typeof import("./runtime-env");

class AccessTokenProvider implements pulumi.dynamic.ResourceProvider {
  private config: Record<string, string | undefined> = {};

  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    const get = (k: string) => req.config.get(k);
    this.config = { baseUrl: get("gitlab-tokens:baseUrl"), token: get("gitlab-tokens:token") };
  }

  private connection() {
    const env = providerModule("runtime-env") as Env;
    return env.connectionFrom((k) => (k.endsWith(":token") ? this.config.token : this.config.baseUrl));
  }

  private now(): Date {
    return (providerModule("runtime-env") as Env).currentTime();
  }

  async check(olds: AccessTokenProps, news: AccessTokenProps): Promise<pulumi.dynamic.CheckResult> {
    return (providerModule("access-token-impl") as Impl).check(olds, news, this.now());
  }

  async diff(
    _id: string,
    olds: AccessTokenOutputs,
    news: AccessTokenProps,
  ): Promise<pulumi.dynamic.DiffResult> {
    return (providerModule("access-token-impl") as Impl).diff(olds, news, this.now());
  }

  async create(inputs: AccessTokenProps): Promise<pulumi.dynamic.CreateResult> {
    return (providerModule("access-token-impl") as Impl).create(this.connection(), inputs, this.now());
  }

  async read(id: string, props: AccessTokenOutputs): Promise<pulumi.dynamic.ReadResult> {
    return (providerModule("access-token-impl") as Impl).read(this.connection(), id, props);
  }

  async update(
    _id: string,
    olds: AccessTokenOutputs,
    news: AccessTokenProps,
  ): Promise<pulumi.dynamic.UpdateResult> {
    return (providerModule("access-token-impl") as Impl).update(olds, news);
  }

  async delete(_id: string, props: AccessTokenOutputs): Promise<void> {
    return (providerModule("access-token-impl") as Impl).remove(this.connection(), props);
  }
}

/** Inputs of an AccessTokenResource (see AccessTokenProps for each field). */
export interface AccessTokenInputs {
  kind: pulumi.Input<TokenKind>;
  key: pulumi.Input<string>;
  target: pulumi.Input<string>;
  name: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  scopes: pulumi.Input<pulumi.Input<string>[]>;
  accessLevel?: pulumi.Input<AccessLevelName>;
  lifetimeDays?: pulumi.Input<number>;
  fixedExpiresAt?: pulumi.Input<string>;
  rotateBeforeDays?: pulumi.Input<number>;
  rotateWhenChanged?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  rotationEpoch?: pulumi.Input<string>;
  owner?: pulumi.Input<string>;
  justification?: pulumi.Input<string>;
  serviceAccount?: pulumi.Input<boolean>;
}

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
