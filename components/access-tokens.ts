/**
 * The token components: one generic component (AccessTokenComponent) parameterised by a kind's
 * descriptor (./kinds), and the exported classes — ProjectAccessToken, GroupAccessToken,
 * PersonalAccessToken and DeployToken — as thin subclasses that name their descriptor and their args type.
 * Each owns one AccessTokenResource and one CiVariableResource per `deliverTo` entry.
 */
import * as pulumi from "@pulumi/pulumi";
import type { AccessLevelName, GranularAccess } from "./gitlab/facts";
import {
  KINDS,
  hasField,
  hasScopes,
  scopesStandIn,
  isNamed,
  kindsWith,
  targetFieldsOf,
  targetFieldsText,
  type KindDescriptor,
  type KindFields,
  type TargetField,
} from "./kinds";
import { variableFlags, type DeliveredValue, type Inputs } from "./model";
import { AccessTokenResource } from "./providers/access-token";
import { TokenRetirementResource } from "./providers/retirement";
import { tokenProps } from "./props";
import { CiVariableResource } from "./providers/ci-variable";
import { currentTime } from "./clock";
import { CONFIG_NAMESPACE } from "./types";
import { validateTokenSpec } from "./validation";

/** Where a token value is delivered: a project or group CI/CD variable. */
export interface DeliveryTarget {
  /** Project full path or id. Give exactly one of `project` and `group`. */
  project?: string | number;
  /** Group full path or id. */
  group?: string | number;
  /** Variable key, e.g. `DEPLOY_TOKEN`. */
  variable: string;
  /**
   * What the variable receives: `token`, or `username` — a deploy token's username (not a secret:
   * its variable is neither masked nor hidden unless the delivery says so). Default - token
   */
  value?: DeliveredValue;
  /** Only protected branches and tags see it. Default - true */
  protected?: boolean;
  /** Masked in job logs. Default - true for a token, false for a username */
  masked?: boolean;
  /** Masked and hidden: never revealed in the UI (GitLab 17.4+). Default - true for a token, false for a username */
  hidden?: boolean;
  /** Not expanded (`$` kept literally). Default - true */
  raw?: boolean;
  /** Environment scope. Default - `*` */
  environmentScope?: string;
  /** Variable description. Default - "managed by gitlab-tokens: <token name>" */
  description?: string;
}

/** Arguments every token kind shares. */
export interface CommonTokenArgs {
  /** The token's name in GitLab (kinds GitLab names: not a pipeline trigger token). Default - the component name. */
  name?: pulumi.Input<string>;
  /** What the token is for, shown in GitLab (at most 214 characters: the creation marker takes the rest). Default - "" */
  description?: pulumi.Input<string>;
  /**
   * GitLab scopes, e.g. `["read_repository"]`; must be valid for the token kind. Required by the
   * kinds that have scopes (ScopedTokenArgs), refused by those that have none. Default - none
   */
  scopes?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Lifetime in days from creation; GitLab allows at most 365. Rotation gives the new token the same
   * lifetime. Default - 90 (unless `expiresAt` is given)
   */
  lifetimeDays?: pulumi.Input<number>;
  /** A fixed expiry date `YYYY-MM-DD` instead of a lifetime (no time-based rotation). Default - none */
  expiresAt?: pulumi.Input<string>;
  /** `pulumi up` rotates the token this many days before it expires. Default - 14 */
  rotateBeforeDays?: pulumi.Input<number>;
  /** Any change to this map replaces (rotates) the token. Default - {} */
  rotateWhenChanged?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Stack-wide rotation trigger. Default - config `gitlab-tokens:rotationEpoch`, else "" */
  rotationEpoch?: pulumi.Input<string>;
  /** CI/CD variables that receive the token value. Default - [] */
  deliverTo?: DeliveryTarget[];
  /** Team or person accountable for the token (read by the policy pack). Default - none */
  owner?: pulumi.Input<string>;
  /** Why a high-risk scope or access level is needed (read by the policy pack). Default - none */
  justification?: pulumi.Input<string>;
  /**
   * Adoption: a token made by hand (its id, or its name on the same target) that this one takes over.
   * It is revoked once this token is made and every delivery holds it. Default - none
   */
  replaces?: string | number;
  /** The declaration key, for reports. Default - the component name. */
  key?: string;
}

/** Arguments of the kinds whose tokens carry scopes (project, group, personal). */
export interface ScopedTokenArgs extends CommonTokenArgs {
  /** GitLab scopes, e.g. `["read_repository"]`; must be valid for the token kind. */
  scopes: pulumi.Input<pulumi.Input<string>[]>;
}

export interface ProjectAccessTokenArgs extends ScopedTokenArgs {
  /** Project full path (`acme/web`) or numeric id. */
  project: pulumi.Input<string | number>;
  /** The token's role in the project. Default - guest (least privilege; GitLab's own default is maintainer) */
  accessLevel?: pulumi.Input<AccessLevelName>;
}

export interface GroupAccessTokenArgs extends ScopedTokenArgs {
  /** Group full path (`acme`) or numeric id. */
  group: pulumi.Input<string | number>;
  /** The token's role in the group. Default - guest (least privilege; GitLab's own default is maintainer) */
  accessLevel?: pulumi.Input<AccessLevelName>;
}

/** One granular scope of a fine-grained personal access token. */
export interface GranularScopeArgs {
  /**
   * Where the permissions apply: `personal_projects` (the user's own projects), `all_memberships`
   * (every group and project the user is a member of), `selected_memberships` (the `groups` and
   * `projects` named), `user` (the user itself) or `instance`.
   */
  access: pulumi.Input<GranularAccess>;
  /** Permissions from GitLab's catalogue, e.g. `["read_job", "create_release"]`. */
  permissions: pulumi.Input<pulumi.Input<string>[]>;
  /** `selected_memberships` only: projects (full path or numeric id). */
  projects?: pulumi.Input<pulumi.Input<string | number>[]>;
  /** `selected_memberships` only: groups (full path or numeric id), with their subgroups and projects. */
  groups?: pulumi.Input<pulumi.Input<string | number>[]>;
}

/** A personal token's permissions: legacy `scopes`, or a fine-grained token's `granular` scopes — exactly one. */
export type PersonalTokenPermissions =
  | { scopes: pulumi.Input<pulumi.Input<string>[]>; granular?: undefined }
  | {
      scopes?: undefined;
      /**
       * A fine-grained token (GitLab 19.6+, an administrator's credential): access boundaries and
       * the permissions granted within each, instead of `scopes`.
       */
      granular: pulumi.Input<pulumi.Input<GranularScopeArgs>[]>;
    };

export type PersonalAccessTokenArgs = PersonalAccessTokenOwnArgs & PersonalTokenPermissions;

export interface PersonalAccessTokenOwnArgs extends CommonTokenArgs {
  /** Username or numeric id of the user or service account (an administrator's credential, a group Owner's for the group's service accounts, a project Maintainer's for the project's). */
  user: pulumi.Input<string | number>;
  /**
   * Declares that `user` is a service account: the provider checks it with GitLab before creating the
   * token, and the policy pack refuses personal tokens not declared so. Default - undeclared
   */
  serviceAccount?: pulumi.Input<boolean>;
  /**
   * The top-level group (full path or numeric id) that owns `user`, a group service account: its
   * tokens are then created, read and revoked through the group's routes
   * (`/groups/:id/service_accounts/:user_id/personal_access_tokens`), which an Owner of the group may
   * call — no administrator needed (gitlab.com). Default - the administrator's routes with an
   * administrator's credential; otherwise, for a service account, the owned top-level group that has it
   */
  group?: pulumi.Input<string | number>;
  /**
   * The project (full path or numeric id) that owns `user`, a project service account (GitLab
   * 18.11+): its tokens are then created, read and revoked through the project's routes
   * (`/projects/:id/service_accounts/:user_id/personal_access_tokens`), which a Maintainer or Owner
   * of the project may call — no administrator needed. Not with `group`. Default - not a project
   * service account's routes (a project service account is never searched for: name its project)
   */
  project?: pulumi.Input<string | number>;
}

export interface DeployTokenArgs extends CommonTokenArgs {
  /** Project full path (`acme/web`) or numeric id: a project's deploy token. Give `project` or `group`. */
  project?: pulumi.Input<string | number>;
  /** Group full path (`acme`) or numeric id: a group's deploy token (its projects and subgroups). */
  group?: pulumi.Input<string | number>;
  /**
   * The username that goes with the token (letters, digits, `_`, `-`, `+`, `.`). Default - GitLab's
   * `gitlab+deploy-token-<id>`
   */
  username?: pulumi.Input<string>;
}

/**
 * A pipeline trigger token's arguments: no name, scopes or access level in GitLab — the
 * description is its only text. `lifetimeDays`/`expiresAt` become GitLab's `expires_at` (GitLab
 * 17.x+; before that GitLab ignores it and the provider deletes the token at its expiry itself).
 */
export interface PipelineTriggerTokenArgs extends Omit<CommonTokenArgs, "name" | "scopes"> {
  /** Project full path (`acme/web`) or numeric id; the credential must be a Maintainer of it. */
  project: pulumi.Input<string | number>;
}

/** What the generic component takes: the shared args, any kind's own fields, the kind's target field. */
export type AccessTokenComponentArgs = CommonTokenArgs &
  Inputs<KindFields> &
  Partial<Record<TargetField, pulumi.Input<string | number>>>;

/**
 * The name of the CiVariableResource delivering token `name` to `variable` of a project or group.
 * Today's names are kept for targets made of letters, digits, `.`, `-` and `/` (a `/` becomes `_`:
 * `acme/web` → `acme_web`). Any other target — one with `_`, which that form could not tell from a
 * `/`, or another character it collapsed — is percent-encoded (`_` → `%5F`, so `acme_web` →
 * `acme%5Fweb`), which the kept form never contains: two targets never share a name.
 */
export function deliveryName(name: string, scope: string, where: string, variable: string): string {
  // encodeURIComponent leaves `_!~*'()` as they are: those are escaped too (`_` was a `/`).
  const encoded = where
    .split("/")
    .map((part) =>
      encodeURIComponent(part).replace(/[_!~*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join("_");
  return `${name}-${scope}-${encoded}-${variable}`;
}

/** The name a delivery had before names were made injective (collapsed every other character to `_`). */
export function legacyDeliveryName(name: string, scope: string, where: string, variable: string): string {
  return `${name}-${scope}-${where.replace(/[^A-Za-z0-9_.-]/g, "_")}-${variable}`;
}

/** The generic token component: everything kind-specific comes from its descriptor. */
export class AccessTokenComponent extends pulumi.ComponentResource {
  /** The token value (secret). */
  readonly token: pulumi.Output<string>;
  /** GitLab's id of the current token (changes on every rotation). */
  readonly tokenId: pulumi.Output<number>;
  /** `YYYY-MM-DD`; the token stops working at 00:00 UTC on this date. */
  readonly expiresAt: pulumi.Output<string>;
  /** `YYYY-MM-DD`: the first day `pulumi up` rotates the token. */
  readonly rotatesAt: pulumi.Output<string>;
  /** False once GitLab reports the token revoked or expired (after a refresh). */
  readonly active: pulumi.Output<boolean>;
  /**
   * GitLab's id of the user the token acts as: a project or group token's own bot user (a new one for
   * every token, so for every rotation), or the personal token's user (kept across rotations).
   */
  readonly userId: pulumi.Output<number | undefined>;
  /**
   * That user's username (`project_<id>_bot_<hex>`, `group_<id>_bot_<hex>`, or the account's own), for
   * allow-lists and git identities. Undefined when GitLab did not show the user to the credential,
   * and in state written before it until a refresh.
   */
  readonly username: pulumi.Output<string | undefined>;
  /**
   * That user's commit e-mail (a bot's `<username>@noreply.<host>`), for `git config user.email`.
   * Only an administrator's credential is shown it (`GET /users/:id`); otherwise undefined.
   */
  readonly commitEmail: pulumi.Output<string | undefined>;
  /** The CI/CD variables the value is delivered to. */
  readonly variables: CiVariableResource[];

  constructor(
    kind: KindDescriptor,
    name: string,
    args: AccessTokenComponentArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super(kind.componentType, name, {}, opts);

    // The field naming the target: the one given (a kind with several takes exactly one).
    const given = targetFieldsOf(kind).filter((f) => args[f] !== undefined);
    if (given.length > 1) {
      throw new pulumi.InputPropertyError({
        propertyPath: given[1]!,
        reason: `${name}: a ${kind.kind} token takes one of ${targetFieldsText(kind, "and")}, not both`,
      });
    }
    const targetField = given[0] ?? kind.targetField;
    const target = args[targetField];
    const config = new pulumi.Config(CONFIG_NAMESPACE);
    const props = tokenProps(
      kind.kind,
      name,
      pulumi.output(target).apply(String),
      { ...args, targetField },
      config.get("rotationEpoch"),
    );

    // GitLab's rules, checked now for every value already known; the provider's `check` repeats
    // them for values only known later.
    const plain = (v: unknown): unknown =>
      v === undefined || pulumi.Output.isInstance(v) || v instanceof Promise ? undefined : v;
    const failures = validateTokenSpec(
      {
        kind: kind.kind,
        target: plain(target),
        targetField,
        // A kind GitLab gives no name registers the component name: only a name given is judged.
        name: plain(isNamed(kind) ? props.name : args.name),
        description: plain(props.description),
        // A kind without scopes registers none: judge the ones given, to refuse them.
        scopes: plain(hasScopes(kind) ? props.scopes : args.scopes),
        scopesInstead: scopesStandIn(kind, args as unknown as Record<string, unknown>),
        // A kind without access levels registers none: judge the one given, to refuse it.
        accessLevel: plain(props.accessLevel ?? args.accessLevel),
        lifetimeDays: plain(props.lifetimeDays),
        expiresAt: plain(props.fixedExpiresAt),
        rotateBeforeDays: plain(props.rotateBeforeDays),
        rotateWhenChanged: plain(props.rotateWhenChanged),
        replaces: plain(args.replaces),
      },
      currentTime(),
    );
    // The kind's own fields taken together (a service account's group: and project: at once).
    const own = Object.fromEntries(
      Object.keys(kind.fields).map((f) => [f, plain((args as unknown as Record<string, unknown>)[f])]),
    );
    const first =
      failures[0] ?? kind.checkFields?.(own).map((f) => ({ property: f.field, reason: f.reason }))[0];
    if (first) {
      throw new pulumi.InputPropertyError({
        propertyPath: first.property,
        reason: `${name}: ${first.reason}`,
      });
    }
    const deliveries = args.deliverTo ?? [];
    for (const [i, d] of deliveries.entries()) {
      if ((d.project === undefined) === (d.group === undefined)) {
        throw new pulumi.InputPropertyError({
          propertyPath: `deliverTo[${i}]`,
          reason: `${name}: give exactly one of project or group for variable ${d.variable}`,
        });
      }
      if (d.value === "username" && !hasField(kind, "username")) {
        throw new pulumi.InputPropertyError({
          propertyPath: `deliverTo[${i}].value`,
          reason: `${name}: value username applies to ${kindsWith("username")} tokens only; a ${kind.kind} token delivers its token`,
        });
      }
    }

    const resource = new AccessTokenResource(name, props, { parent: this });
    // Said at every run while it holds: the token lives shorter than declared.
    pulumi.all([resource.expiryCappedFrom, resource.expiresAt]).apply(([asked, expires]) => {
      if (asked === undefined) return;
      void pulumi.log.warn(
        `${name}: expires ${expires}, not ${asked} as declared: this GitLab's maximum token lifetime is ` +
          "shorter (an administrator's setting), so it was made with the last date GitLab accepts; it is " +
          "rotated before that expiry as usual",
        this,
      );
    });

    this.token = pulumi.secret(resource.token);
    this.tokenId = resource.tokenId;
    this.expiresAt = resource.expiresAt;
    this.rotatesAt = resource.rotatesAt;
    this.active = resource.active;
    this.userId = resource.userId;
    this.username = resource.identityUsername;
    this.commitEmail = resource.commitEmail;

    const places = deliveries.map((d) => {
      const scope = d.project !== undefined ? "project" : "group";
      const where = String(d.project ?? d.group);
      return {
        d,
        scope,
        where,
        name: deliveryName(name, scope, where, d.variable),
        legacy: legacyDeliveryName(name, scope, where, d.variable),
      } as const;
    });
    const names = new Set(places.map((p) => p.name));
    this.variables = places.map(({ d, scope, where, name: childName, legacy }) => {
      // A name that changed keeps its resource (no delete-after-create of the same GitLab key),
      // unless another delivery of this token now carries the old name.
      const aliases = legacy !== childName && !names.has(legacy) ? [{ name: legacy }] : undefined;
      return new CiVariableResource(
        childName,
        {
          kind: scope,
          target: where,
          key: d.variable,
          value: d.value === "username" ? resource.identityUsername.apply((u) => u ?? "") : resource.token,
          ...variableFlags(d, d.value),
          description:
            d.description ??
            (d.value === "username"
              ? pulumi.interpolate`managed by gitlab-tokens: ${resource.name} (username)`
              : pulumi.interpolate`managed by gitlab-tokens: ${resource.name}`),
        },
        { parent: this, ...(aliases ? { aliases } : {}) },
      );
    });

    // Adoption: the token made by hand that this one takes over is revoked once this one is made
    // and every delivery holds it.
    if (args.replaces !== undefined) {
      new TokenRetirementResource(
        `${name}-replaces`,
        {
          key: props.key,
          kind: kind.kind,
          target: props.target,
          targetId: resource.targetId,
          serviceAccountGroupId: resource.serviceAccountGroupId as pulumi.Output<number>,
          serviceAccountProjectId: resource.serviceAccountProjectId as pulumi.Output<number>,
          ...(props.targetField === undefined ? {} : { targetField: props.targetField }),
          replaces: args.replaces,
          successorTokenId: resource.tokenId,
        },
        { parent: this, dependsOn: [resource, ...this.variables] },
      );
    }

    this.registerOutputs({
      token: this.token,
      tokenId: this.tokenId,
      expiresAt: this.expiresAt,
      rotatesAt: this.rotatesAt,
      active: this.active,
      userId: this.userId,
      username: this.username,
      commitEmail: this.commitEmail,
    });
  }
}

/** A project access token (a project bot user's token), rotated before expiry and delivered to CI/CD variables. */
export class ProjectAccessToken extends AccessTokenComponent {
  constructor(name: string, args: ProjectAccessTokenArgs, opts?: pulumi.ComponentResourceOptions) {
    super(KINDS.project, name, args, opts);
  }
}

/** A group access token (a group bot user's token); creating one needs an Owner of the group. */
export class GroupAccessToken extends AccessTokenComponent {
  constructor(name: string, args: GroupAccessTokenArgs, opts?: pulumi.ComponentResourceOptions) {
    super(KINDS.group, name, args, opts);
  }
}

/** A personal access token of a service account (or user), created with an admin or group-owner credential. */
export class PersonalAccessToken extends AccessTokenComponent {
  constructor(name: string, args: PersonalAccessTokenArgs, opts?: pulumi.ComponentResourceOptions) {
    super(KINDS.personal, name, args, opts);
  }
}

/**
 * A deploy token of a project (`project`) or a group (`group`) — Git reads and the container,
 * package and virtual registries — with its username; both may be delivered to CI/CD variables
 * (`deliverTo` entries with `value: username` receive the username). Creating one needs a
 * Maintainer of the project or an Owner of the group.
 */
export class DeployToken extends AccessTokenComponent {
  constructor(name: string, args: DeployTokenArgs, opts?: pulumi.ComponentResourceOptions) {
    super(KINDS.deploy, name, args, opts);
  }
}

/**
 * A project's pipeline trigger token (`POST /projects/:id/triggers`), with GitLab's `expires_at`
 * where the server has it and a lifetime the provider enforces where it does not; rotated,
 * delivered and deleted like the other kinds.
 */
export class PipelineTriggerToken extends AccessTokenComponent {
  constructor(name: string, args: PipelineTriggerTokenArgs, opts?: pulumi.ComponentResourceOptions) {
    super(KINDS.trigger, name, args, opts);
  }
}
