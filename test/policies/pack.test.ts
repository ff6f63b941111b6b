/**
 * The pack's own entry points: each policy object's validateResource (and max-lifetime's
 * validateStack), called with argument objects shaped like the ones @pulumi/policy builds, for this
 * project's tokens and the official provider's; the metadata, schemas and example config.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ResourceValidationPolicy } from "../../policies/node_modules/@pulumi/policy";
import { accessLevel } from "../../policies/accessLevel";
import { leastPrivilegePermissions } from "../../policies/leastPrivilegePermissions";
import { leastPrivilegeScopes } from "../../policies/leastPrivilegeScopes";
import { maxLifetime } from "../../policies/maxLifetime";
import { noHumanPersonalTokens } from "../../policies/noHumanPersonalTokens";
import { ownership } from "../../policies/ownership";
import { rotationWindow } from "../../policies/rotationWindow";
import { unjudged } from "../../policies/unjudged";
import { DEFAULTS, POLICY_IDS, RULE_IDS, resolveConfig, type RuleId } from "../../policies/rules";
import {
  NOW,
  NotApplicable,
  OURS_TYPE,
  UNKNOWN,
  officialProps,
  officialType,
  oursProps,
  resourceArgs,
  stackArgs,
  validate,
  validateStack,
} from "./helpers";

const RULE_POLICIES: Record<RuleId, ResourceValidationPolicy> = {
  [POLICY_IDS.maxLifetime]: maxLifetime,
  [POLICY_IDS.leastPrivilegeScopes]: leastPrivilegeScopes,
  [POLICY_IDS.leastPrivilegePermissions]: leastPrivilegePermissions,
  [POLICY_IDS.accessLevel]: accessLevel,
  [POLICY_IDS.rotationWindow]: rotationWindow,
  [POLICY_IDS.ownership]: ownership,
  [POLICY_IDS.noHumanPersonalTokens]: noHumanPersonalTokens,
};
const ALL = [...Object.values(RULE_POLICIES), unjudged];

const savedNow = process.env.GITLAB_TOKENS_NOW;
beforeAll(() => {
  process.env.GITLAB_TOKENS_NOW = NOW.toISOString();
});
afterAll(() => {
  if (savedNow === undefined) delete process.env.GITLAB_TOKENS_NOW;
  else process.env.GITLAB_TOKENS_NOW = savedNow;
});

/** The official provider's token as a fully compliant resource (its owner comes from config). */
const OFFICIAL_OWNED = { owners: { "ci-reader": "team-release" } };

type Case = [
  label: string,
  policy: ResourceValidationPolicy,
  type: string,
  props: Record<string, unknown>,
  config: object,
  expected: string[],
];

describe("validateResource", () => {
  const cases: Case[] = [
    // gitlab-token-max-lifetime
    ["max-lifetime, ours, compliant", maxLifetime, OURS_TYPE, oursProps(), {}, []],
    [
      "max-lifetime, ours, too long",
      maxLifetime,
      OURS_TYPE,
      oursProps({ lifetimeDays: 120 }),
      {},
      [
        "project token 'web-deploy' lives 120 days (lifetimeDays: 120); tokens must expire within 90 days of creation. Set lifetimeDays to 90 or less.",
      ],
    ],
    [
      "max-lifetime, ours, no expiry",
      maxLifetime,
      OURS_TYPE,
      oursProps({ lifetimeDays: undefined }),
      {},
      [
        "project token 'web-deploy' has no expiry; tokens must expire within 90 days of creation. Set lifetimeDays to 90 or less, or set expiresAt at most 90 days ahead.",
      ],
    ],
    [
      "max-lifetime, ours, past expiry",
      maxLifetime,
      OURS_TYPE,
      oursProps({ lifetimeDays: undefined, fixedExpiresAt: "2026-09-01" }),
      {},
      [
        "project token 'web-deploy' expires on 2026-09-01, which is not after today (2026-09-03); a token stops working at 00:00 UTC on its expiry date, so it would be expired from the start. Set lifetimeDays to 90 or less, or set expiresAt to 2026-12-02 or earlier.",
      ],
    ],
    [
      "max-lifetime, official, compliant",
      maxLifetime,
      officialType("project"),
      officialProps("project"),
      {},
      [],
    ],
    [
      "max-lifetime, official, too long",
      maxLifetime,
      officialType("group"),
      officialProps("group", { rotationConfiguration: { expirationDays: 180, rotateBeforeDays: 7 } }),
      {},
      [
        "group token 'ci-reader' lives 180 days (rotationConfiguration.expirationDays: 180); tokens must expire within 90 days of creation. Set rotationConfiguration.expirationDays to 90 or less.",
      ],
    ],
    [
      "max-lifetime, official, no expiry",
      maxLifetime,
      officialType("personal"),
      officialProps("personal", { rotationConfiguration: undefined }),
      {},
      [
        "personal token 'ci-reader' has no expiry; tokens must expire within 90 days of creation. Use rotationConfiguration { expirationDays: 90 or less, rotateBeforeDays }, or set expiresAt at most 90 days ahead.",
      ],
    ],
    [
      "max-lifetime, official, past expiry",
      maxLifetime,
      officialType("project"),
      officialProps("project", { rotationConfiguration: undefined, expiresAt: "2026-09-03" }),
      {},
      [
        "project token 'ci-reader' expires on 2026-09-03, which is not after today (2026-09-03); a token stops working at 00:00 UTC on its expiry date, so it would be expired from the start. Use rotationConfiguration { expirationDays: 90 or less, rotateBeforeDays }, or set expiresAt to 2026-12-02 or earlier.",
      ],
    ],
    [
      "max-lifetime, configured lower",
      maxLifetime,
      OURS_TYPE,
      oursProps(),
      { maxLifetimeDays: 30 },
      [
        "project token 'web-deploy' lives 60 days (lifetimeDays: 60); tokens must expire within 30 days of creation. Set lifetimeDays to 30 or less.",
      ],
    ],
    // gitlab-token-least-privilege-scopes
    ["scopes, ours, compliant", leastPrivilegeScopes, OURS_TYPE, oursProps(), {}, []],
    [
      "scopes, ours, forbidden",
      leastPrivilegeScopes,
      OURS_TYPE,
      oursProps({
        kind: "personal",
        accessLevel: undefined,
        serviceAccount: true,
        scopes: ["read_api", "sudo"],
      }),
      {},
      [
        "personal token 'web-deploy' has scope sudo, which no automation token may carry (forbidden: sudo, admin_mode, read_service_ping). Remove it.",
      ],
    ],
    [
      "scopes, ours, invalid for the kind",
      leastPrivilegeScopes,
      OURS_TYPE,
      oursProps({ kind: "group", scopes: ["read_user", "read_api"] }),
      {},
      [
        "group token 'web-deploy' has scope read_user, which GitLab does not accept on a group token (read_user exists only on personal tokens). Remove it; valid scopes: api, read_api, create_runner, manage_runner, k8s_proxy, self_rotate, read_repository, write_repository, read_registry, write_registry, read_virtual_registry, write_virtual_registry, read_observability, write_observability, ai_features.",
      ],
    ],
    [
      "scopes, ours, redundant",
      leastPrivilegeScopes,
      OURS_TYPE,
      oursProps({ scopes: ["read_repository", "write_repository"], justification: "Pushes generated docs" }),
      {},
      [
        "project token 'web-deploy' has read_repository beside write_repository, which already grants it. Remove read_repository.",
      ],
    ],
    [
      "scopes, ours, unjustified",
      leastPrivilegeScopes,
      OURS_TYPE,
      oursProps({ scopes: ["write_registry", "read_registry"] }),
      {},
      [
        "project token 'web-deploy' has high-risk scope write_registry without a justification. Add justification saying what the token does that needs it, or use narrower scopes (write_registry → read_registry).",
      ],
    ],
    [
      "scopes, ours, narrower scope covers the need",
      leastPrivilegeScopes,
      OURS_TYPE,
      oursProps({ scopes: ["api"], justification: "Reads pipeline status for the dashboard" }),
      {},
      [
        `project token 'web-deploy' has api, but its justification and description state a read-only need ("Reads pipeline status for the dashboard"). Replace api with read_api (or read_repository / read_registry for that access alone), or say in the justification what the token changes.`,
      ],
    ],
    [
      "scopes, official, compliant",
      leastPrivilegeScopes,
      officialType("group"),
      officialProps("group"),
      {},
      [],
    ],
    [
      "scopes, official, forbidden",
      leastPrivilegeScopes,
      officialType("personal"),
      officialProps("personal", { scopes: ["admin_mode", "read_service_ping"] }),
      {},
      [
        "personal token 'ci-reader' has scopes admin_mode, read_service_ping, which no automation token may carry (forbidden: sudo, admin_mode, read_service_ping). Remove them.",
      ],
    ],
    [
      "scopes, official, invalid for the kind",
      leastPrivilegeScopes,
      officialType("project"),
      officialProps("project", { scopes: ["read_api", "write_things"] }),
      {},
      [
        "project token 'ci-reader' has scope write_things, which GitLab does not accept on a project token. Remove it; valid scopes: api, read_api, create_runner, manage_runner, k8s_proxy, self_rotate, read_repository, write_repository, read_registry, write_registry, read_virtual_registry, write_virtual_registry, read_observability, write_observability, ai_features.",
      ],
    ],
    [
      "scopes, official, redundant",
      leastPrivilegeScopes,
      officialType("group"),
      officialProps("group", { scopes: ["write_virtual_registry", "read_virtual_registry"] }),
      { justifications: { "ci-reader": "Publishes packages through the proxy" } },
      [
        "group token 'ci-reader' has read_virtual_registry beside write_virtual_registry, which already grants it. Remove read_virtual_registry.",
      ],
    ],
    [
      "scopes, official, unjustified",
      leastPrivilegeScopes,
      officialType("project"),
      officialProps("project", { scopes: ["k8s_proxy"] }),
      {},
      [
        `project token 'ci-reader' has high-risk scope k8s_proxy without a justification. Add justifications["ci-reader"] in the gitlab-token-least-privilege-scopes policy config saying what the token does that needs it.`,
      ],
    ],
    [
      "scopes, official, narrower scope covers the need",
      leastPrivilegeScopes,
      officialType("project"),
      officialProps("project", { scopes: ["write_repository"], description: "Mirror job" }),
      { justifications: { "ci-reader": "Clones the repository for the mirror" } },
      [
        `project token 'ci-reader' has write_repository, but its justification and description state a read-only need ("Clones the repository for the mirror"). Replace write_repository with read_repository, or say in the justification what the token changes.`,
      ],
    ],
    [
      "scopes, ours, none",
      leastPrivilegeScopes,
      OURS_TYPE,
      oursProps({ scopes: [] }),
      {},
      [
        "project token 'web-deploy' has no scopes; GitLab rejects a token without any. List the narrowest scopes it needs, for example [read_repository].",
      ],
    ],
    [
      "scopes, official, none",
      leastPrivilegeScopes,
      officialType("group"),
      officialProps("group", { scopes: [] }),
      {},
      [
        "group token 'ci-reader' has no scopes; GitLab rejects a token without any. List the narrowest scopes it needs, for example [read_repository].",
      ],
    ],
    // gitlab-token-access-level
    ["access level, ours, compliant", accessLevel, OURS_TYPE, oursProps(), {}, []],
    [
      "access level, ours, owner",
      accessLevel,
      OURS_TYPE,
      oursProps({ kind: "group", target: "acme", accessLevel: "owner" }),
      {},
      [
        "group token 'web-deploy' has owner access; Owner-level group tokens are not allowed (they can change members and settings and delete the group). Set accessLevel to maintainer or lower.",
      ],
    ],
    [
      "access level, ours, unjustified maintainer",
      accessLevel,
      OURS_TYPE,
      oursProps({ accessLevel: "maintainer" }),
      {},
      [
        "project token 'web-deploy' has maintainer access without a justification; maintainer and above need one. Add justification saying why the token needs maintainer, or set accessLevel to developer or lower.",
      ],
    ],
    [
      "access level, ours, justified maintainer",
      accessLevel,
      OURS_TYPE,
      oursProps({ accessLevel: "maintainer", justification: "Manages protected branches" }),
      {},
      [],
    ],
    [
      "access level, official, compliant",
      accessLevel,
      officialType("project"),
      officialProps("project"),
      {},
      [],
    ],
    [
      "access level, official, owner",
      accessLevel,
      officialType("project"),
      officialProps("project", { accessLevel: "owner" }),
      {},
      [
        "project token 'ci-reader' has owner access; Owner-level project tokens are not allowed (they can change members and settings and delete the project). Set accessLevel to maintainer or lower.",
      ],
    ],
    [
      "access level, official, provider default maintainer",
      accessLevel,
      officialType("group"),
      officialProps("group", { accessLevel: undefined }),
      {},
      [
        `group token 'ci-reader' has maintainer access (accessLevel is not set, and the provider defaults to maintainer) without a justification; maintainer and above need one. Add justifications["ci-reader"] in the gitlab-token-access-level policy config saying why the token needs maintainer, or set accessLevel to developer or lower.`,
      ],
    ],
    [
      "access level, ours, invalid",
      accessLevel,
      OURS_TYPE,
      oursProps({ accessLevel: "admin" }),
      {},
      [
        `project token 'web-deploy' has accessLevel "admin", which GitLab does not give to tokens. Use one of guest, planner, reporter, developer, maintainer.`,
      ],
    ],
    [
      "access level, ours, above the configured maximum",
      accessLevel,
      OURS_TYPE,
      oursProps({ accessLevel: "developer" }),
      { maxAccessLevel: "reporter" },
      [
        "project token 'web-deploy' has developer access; the highest level allowed is reporter. Set accessLevel to reporter or lower.",
      ],
    ],
    [
      "access level, official, invalid",
      accessLevel,
      officialType("project"),
      officialProps("project", { accessLevel: "no one" }),
      {},
      [
        `project token 'ci-reader' has accessLevel "no one", which GitLab does not give to tokens. Use one of guest, planner, reporter, developer, maintainer.`,
      ],
    ],
    [
      "access level, official, above the configured maximum",
      accessLevel,
      officialType("group"),
      officialProps("group", { accessLevel: "maintainer" }),
      { maxAccessLevel: "developer", justifications: { "ci-reader": "Manages protected branches" } },
      [
        "group token 'ci-reader' has maintainer access; the highest level allowed is developer. Set accessLevel to developer or lower.",
      ],
    ],
    [
      "access level, official, maintainer justified in config",
      accessLevel,
      officialType("group"),
      officialProps("group", { accessLevel: "maintainer" }),
      { justifications: { "ci-reader": "Manages protected branches" } },
      [],
    ],
    // gitlab-token-rotation-window
    ["rotation, ours, compliant", rotationWindow, OURS_TYPE, oursProps(), {}, []],
    [
      "rotation, ours, not configured",
      rotationWindow,
      OURS_TYPE,
      oursProps({ rotateBeforeDays: undefined }),
      {},
      [
        "project token 'web-deploy' has no rotation configured, so `pulumi up` never replaces it before it expires. Set rotateBeforeDays to at least 1 and below the lifetime (the project default is 14).",
      ],
    ],
    [
      "rotation, ours, window too short",
      rotationWindow,
      OURS_TYPE,
      oursProps({ rotateBeforeDays: 0 }),
      {},
      [
        "project token 'web-deploy' has rotateBeforeDays: 0; rotation must start at least 1 day before expiry so the daily `pulumi up` replaces the token while it still works. Set rotateBeforeDays to 1 or more.",
      ],
    ],
    [
      "rotation, ours, window not below the lifetime",
      rotationWindow,
      OURS_TYPE,
      oursProps({ lifetimeDays: 7, rotateBeforeDays: 7 }),
      {},
      [
        "project token 'web-deploy' has rotateBeforeDays: 7 but it lives 7 days (lifetimeDays: 7), so it is due for rotation as soon as it exists and every run replaces it. Set rotateBeforeDays below 7 (for example 2).",
      ],
    ],
    [
      "rotation, official, compliant",
      rotationWindow,
      officialType("personal"),
      officialProps("personal"),
      {},
      [],
    ],
    [
      "rotation, official, not configured",
      rotationWindow,
      officialType("group"),
      officialProps("group", { rotationConfiguration: undefined, expiresAt: "2026-10-01" }),
      {},
      [
        "group token 'ci-reader' has no rotation configured, so `pulumi up` never replaces it before it expires. Replace expiresAt with rotationConfiguration { expirationDays: 90, rotateBeforeDays: 14 }.",
      ],
    ],
    [
      "rotation, official, window too short",
      rotationWindow,
      officialType("project"),
      officialProps("project", { rotationConfiguration: { expirationDays: 30, rotateBeforeDays: 2 } }),
      { minRotateBeforeDays: 3 },
      [
        "project token 'ci-reader' has rotationConfiguration.rotateBeforeDays: 2; rotation must start at least 3 days before expiry so the daily `pulumi up` replaces the token while it still works. Set rotationConfiguration.rotateBeforeDays to 3 or more.",
      ],
    ],
    [
      "rotation, official, window not below the lifetime",
      rotationWindow,
      officialType("project"),
      officialProps("project", { rotationConfiguration: { expirationDays: 30, rotateBeforeDays: 30 } }),
      {},
      [
        "project token 'ci-reader' has rotationConfiguration.rotateBeforeDays: 30 but it lives 30 days (rotationConfiguration.expirationDays: 30), so it is due for rotation as soon as it exists and every run replaces it. Set rotationConfiguration.rotateBeforeDays below 30 (for example 10).",
      ],
    ],
    // gitlab-token-ownership
    ["ownership, ours, compliant", ownership, OURS_TYPE, oursProps(), {}, []],
    [
      "ownership, ours, no owner",
      ownership,
      OURS_TYPE,
      oursProps({ owner: undefined }),
      {},
      [
        "project token 'web-deploy' has no owner; every token needs a team or person accountable for it. Set owner to the team or person accountable for it.",
      ],
    ],
    [
      "ownership, ours, no description",
      ownership,
      OURS_TYPE,
      oursProps({ description: "" }),
      {},
      [
        "project token 'web-deploy' has no description; every token must say what it is for. Set description to what the token does and which job or service uses it.",
      ],
    ],
    [
      "ownership, official, compliant",
      ownership,
      officialType("group"),
      officialProps("group"),
      OFFICIAL_OWNED,
      [],
    ],
    [
      "ownership, official, no owner",
      ownership,
      officialType("group"),
      officialProps("group"),
      {},
      [
        `group token 'ci-reader' has no owner; every token needs a team or person accountable for it. Add "ci-reader": "<team or person>" under owners in the gitlab-token-ownership policy config.`,
      ],
    ],
    [
      "ownership, official, no description",
      ownership,
      officialType("project"),
      officialProps("project", { description: undefined }),
      OFFICIAL_OWNED,
      [
        "project token 'ci-reader' has no description; every token must say what it is for. Set description to what the token does and which job or service uses it.",
      ],
    ],
    // gitlab-token-no-human-personal-tokens
    [
      "no human tokens, ours, service account",
      noHumanPersonalTokens,
      OURS_TYPE,
      oursProps({ kind: "personal", accessLevel: undefined, target: "release-bot", serviceAccount: true }),
      {},
      [],
    ],
    [
      "no human tokens, ours, a person",
      noHumanPersonalTokens,
      OURS_TYPE,
      oursProps({ kind: "personal", accessLevel: undefined, target: "alice" }),
      {},
      [
        "personal token 'web-deploy' belongs to user 'alice', which is not declared a service account; automation must not use a person's token. Issue it to a service account and set serviceAccount: true, or use a project or group token.",
      ],
    ],
    [
      "no human tokens, official, listed service account",
      noHumanPersonalTokens,
      officialType("personal"),
      officialProps("personal"),
      { serviceAccounts: [42] },
      [],
    ],
    [
      "no human tokens, official, a person",
      noHumanPersonalTokens,
      officialType("personal"),
      officialProps("personal", { userId: 7 }),
      { serviceAccounts: [42] },
      [
        "personal token 'ci-reader' belongs to user 7, which is not listed in serviceAccounts in the gitlab-token-no-human-personal-tokens policy config; automation must not use a person's token. Issue it to a service account and list that account's user id there, or use a project or group token.",
      ],
    ],
  ];

  it.each(cases)("%s", async (_label, policy, type, props, config, expected) => {
    const name = type === OURS_TYPE ? "web-deploy-token" : "ci-reader";
    expect(await validate(policy, resourceArgs(type, name, props, config))).toEqual(expected);
  });

  it.each(ALL.map((p) => [p.name, p] as const))(
    "%s is not applicable to other resources",
    async (_name, policy) => {
      const args = resourceArgs("gitlab:index/project:Project", "web", { name: "web" });
      await expect(validate(policy, args)).rejects.toThrow(new NotApplicable("not a GitLab access token"));
    },
  );
});

describe("exceptions through the pack", () => {
  const tooLong = oursProps({ lifetimeDays: 120 });
  const entry = { token: "web-deploy", reason: "legacy integration, replaced by JIRA-42" };

  it("silence a violation until the exception expires", async () => {
    const active = { exceptions: [{ ...entry, expires: "2026-10-01" }] };
    expect(await validate(maxLifetime, resourceArgs(OURS_TYPE, "web-deploy-token", tooLong, active))).toEqual(
      [],
    );
  });

  it("no longer apply once expired, and the violation says so", async () => {
    const expired = { exceptions: [{ ...entry, expires: "2026-09-01" }] };
    expect(
      await validate(maxLifetime, resourceArgs(OURS_TYPE, "web-deploy-token", tooLong, expired)),
    ).toEqual([
      "project token 'web-deploy' lives 120 days (lifetimeDays: 120); tokens must expire within 90 days of creation. Set lifetimeDays to 90 or less. (The exception for 'web-deploy' expired on 2026-09-01.)",
    ]);
  });

  it("name official-provider tokens by resource name", async () => {
    const props = officialProps("group", { accessLevel: "owner" });
    const config = { exceptions: [{ token: "ci-reader", expires: "2026-09-04", reason: "group migration" }] };
    expect(
      await validate(accessLevel, resourceArgs(officialType("group"), "ci-reader", props, config)),
    ).toEqual([]);
  });
});

describe("values unknown at preview", () => {
  const props = oursProps({
    scopes: ["read_api", UNKNOWN.string],
    lifetimeDays: undefined,
    fixedExpiresAt: UNKNOWN.string,
    description: UNKNOWN.string,
  });
  const officialUnknown = officialProps("personal", {
    rotationConfiguration: undefined,
    expiresAt: UNKNOWN.string,
    userId: UNKNOWN.number,
  });

  it.each(Object.entries(RULE_POLICIES))("never throw and keep %s silent about them", async (_id, policy) => {
    expect(await validate(policy, resourceArgs(OURS_TYPE, "web-deploy-token", props))).toEqual([]);
  });

  it("still judge what is known", async () => {
    const mixed = oursProps({ scopes: ["sudo", UNKNOWN.string], description: UNKNOWN.string });
    expect(await validate(leastPrivilegeScopes, resourceArgs(OURS_TYPE, "web-deploy-token", mixed))).toEqual([
      "project token 'web-deploy' has scope sudo, which no automation token may carry (forbidden: sudo, admin_mode, read_service_ping). Remove it.",
    ]);
    expect(
      await validate(rotationWindow, resourceArgs(officialType("personal"), "ci-reader", officialUnknown)),
    ).toEqual([
      "personal token 'ci-reader' has no rotation configured, so `pulumi up` never replaces it before it expires. Replace expiresAt with rotationConfiguration { expirationDays: 90, rotateBeforeDays: 14 }.",
    ]);
  });

  it("are named by the advisory gitlab-token-unjudged policy", async () => {
    expect(unjudged.enforcementLevel).toBe("advisory");
    expect(await validate(unjudged, resourceArgs(OURS_TYPE, "web-deploy-token", props))).toEqual([
      "gitlab-token-max-lifetime: could not judge the lifetime of project token 'web-deploy': expiresAt is not known until apply",
      "gitlab-token-least-privilege-scopes: could not judge every scope of project token 'web-deploy': scopes is not known until apply",
      "gitlab-token-rotation-window: could not judge whether the rotation window fits the lifetime of project token 'web-deploy': expiresAt is not known until apply",
      "gitlab-token-ownership: could not judge the description of project token 'web-deploy': description is not known until apply",
    ]);
    expect(
      await validate(unjudged, resourceArgs(officialType("personal"), "ci-reader", officialUnknown)),
    ).toEqual([
      "gitlab-token-max-lifetime: could not judge the lifetime of personal token 'ci-reader': expiresAt is not known until apply",
      "gitlab-token-no-human-personal-tokens: could not judge whether the user is a service account of personal token 'ci-reader': userId is not known until apply",
    ]);
    expect(await validate(unjudged, resourceArgs(OURS_TYPE, "web-deploy-token", oursProps()))).toEqual([]);
  });
});

describe("max-lifetime validateStack", () => {
  const state = (over: Record<string, unknown>) => ({
    ...oursProps({ lifetimeDays: undefined, fixedExpiresAt: "2026-11-01" }),
    tokenId: 7,
    token: "glpat-secret-value-never-printed",
    expiresAt: "2026-11-01",
    rotatesAt: "2026-10-25",
    active: true,
    ...over,
  });

  it("reports a token whose lifetime from its creation exceeds the limit", async () => {
    const args = stackArgs([
      [OURS_TYPE, "web-deploy-token", state({ createdAt: "2026-06-01T10:00:00Z" })],
      [OURS_TYPE, "fresh-token", state({ key: "fresh", createdAt: "2026-09-01T10:00:00Z" })],
      ["pulumi-nodejs:dynamic/gitlab-tokens:CiVariable", "var", { key: "x" }],
    ]);
    const reported = await validateStack(maxLifetime, args);
    expect(reported).toEqual([
      {
        message:
          "project token 'web-deploy' expires on 2026-11-01, 153 days after its creation on 2026-06-01; tokens must expire within 90 days of creation. Replace it: set lifetimeDays to 90 or less, or set expiresAt at most 90 days ahead.",
        urn: "urn:pulumi:dev::gitlab-tokens::pulumi-nodejs:dynamic/gitlab-tokens:AccessToken::web-deploy-token",
      },
    ]);
    expect(JSON.stringify(reported)).not.toContain("glpat");
  });

  it("judges official-provider tokens in state the same way", async () => {
    const props = {
      ...officialProps("project", { rotationConfiguration: undefined, expiresAt: "2026-11-01" }),
      createdAt: "2026-06-01T10:00:00Z",
    };
    const reported = await validateStack(
      maxLifetime,
      stackArgs([[officialType("project"), "ci-reader", props]]),
    );
    expect(reported.map((r) => r.message)).toEqual([
      "project token 'ci-reader' expires on 2026-11-01, 153 days after its creation on 2026-06-01; tokens must expire within 90 days of creation. Replace it: use rotationConfiguration { expirationDays: 90 or less, rotateBeforeDays }, or set expiresAt at most 90 days ahead.",
    ]);
  });

  it("leaves to validateResource what the inputs already show, and skips what is unknown", async () => {
    const args = stackArgs([
      // Too long even from today: validateResource reported it.
      [
        OURS_TYPE,
        "a",
        state({
          key: "a",
          fixedExpiresAt: "2027-03-01",
          expiresAt: "2027-03-01",
          createdAt: "2026-06-01T00:00:00Z",
        }),
      ],
      // A declared lifetime: judged on the inputs.
      [
        OURS_TYPE,
        "b",
        state({ key: "b", lifetimeDays: 60, fixedExpiresAt: undefined, createdAt: "2026-06-01T00:00:00Z" }),
      ],
      // Creation time unknown at preview.
      [OURS_TYPE, "c", state({ key: "c", createdAt: UNKNOWN.string })],
    ]);
    expect(await validateStack(maxLifetime, args)).toEqual([]);
  });

  it("honours configuration and exceptions", async () => {
    const resources: Parameters<typeof stackArgs>[0] = [
      [OURS_TYPE, "web-deploy-token", state({ createdAt: "2026-08-10T00:00:00Z" })],
    ];
    expect(await validateStack(maxLifetime, stackArgs(resources))).toEqual([]);
    expect((await validateStack(maxLifetime, stackArgs(resources, { maxLifetimeDays: 80 }))).length).toBe(1);
    const exempt = {
      maxLifetimeDays: 80,
      exceptions: [{ token: "web-deploy", expires: "2027-01-01", reason: "r" }],
    };
    expect(await validateStack(maxLifetime, stackArgs(resources, exempt))).toEqual([]);
  });
});

describe("the pack's policies", () => {
  it("have the documented ids, levels and descriptions", () => {
    expect(ALL.map((p) => [p.name, p.enforcementLevel])).toEqual([
      ["gitlab-token-max-lifetime", "mandatory"],
      ["gitlab-token-least-privilege-scopes", "mandatory"],
      ["gitlab-token-least-privilege-permissions", "mandatory"],
      ["gitlab-token-access-level", "mandatory"],
      ["gitlab-token-rotation-window", "mandatory"],
      ["gitlab-token-ownership", "mandatory"],
      ["gitlab-token-no-human-personal-tokens", "mandatory"],
      ["gitlab-token-unjudged", "advisory"],
    ]);
    for (const p of ALL) expect(p.description).toMatch(/^Checks that /);
  });

  it.each(RULE_IDS)("%s: schema defaults are the code's defaults", (id) => {
    const schema = RULE_POLICIES[id].configSchema;
    const defaults = Object.fromEntries(
      Object.entries(schema?.properties ?? {}).map(([k, v]) => [
        k,
        typeof v === "object" ? v.default : undefined,
      ]),
    );
    expect(resolveConfig(id, defaults)).toEqual(DEFAULTS[id]);
    for (const key of Object.keys(DEFAULTS[id])) {
      if (key !== "invalidExceptions") expect(Object.keys(defaults)).toContain(key);
    }
  });

  it("policies/config.example.json uses only keys the schemas know, and valid exceptions", () => {
    const file = path.join(__dirname, "..", "..", "policies", "config.example.json");
    const example = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, Record<string, unknown>>;
    for (const [id, entry] of Object.entries(example)) {
      const policy = ALL.find((p) => p.name === id);
      expect(policy).toBeDefined();
      const known = Object.keys(policy?.configSchema?.properties ?? {});
      for (const key of Object.keys(entry)) if (key !== "enforcementLevel") expect(known).toContain(key);
      if (id !== POLICY_IDS.unjudged)
        expect(resolveConfig(id as RuleId, entry).invalidExceptions).toEqual([]);
    }
  });
});
