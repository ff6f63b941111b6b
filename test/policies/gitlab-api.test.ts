/**
 * The third token family, `gitlab-api`: live tokens as GitLab's REST API lists them (the audit). The
 * adapter, then one table per policy — a compliant case and one case per violation, managed (a
 * declaration in tokens.yaml) and unmanaged — and the exact messages, which name GitLab's fields and
 * say what to change for a token GitLab cannot change in place.
 */
import {
  POLICY_IDS,
  fromGitLabApi,
  runPolicy,
  type Finding,
  type GitLabApiToken,
  type NormalisedToken,
  type RuleId,
} from "../../policies/rules";
import { NOW } from "./helpers";

/** A compliant live project token: 61 days from creation to expiry. */
const apiToken = (over: Partial<GitLabApiToken> = {}): GitLabApiToken => ({
  id: 12,
  name: "deploy",
  description: "Pulls images for the deploy job",
  scopes: ["read_registry"],
  created_at: "2026-08-01T10:00:00.000Z",
  expires_at: "2026-10-01",
  access_level: 20,
  user_id: 99,
  ...over,
});
const DECLARATION = { key: "web-deploy", rotateBeforeDays: 7, owner: "team-web" };
const LIVE_KEY = "project:acme/web:deploy#12";

/** Not declared in tokens.yaml. */
const unmanaged = (over: Partial<GitLabApiToken> = {}) =>
  fromGitLabApi(apiToken(over), "project", "acme/web");
/** Declared as `web-deploy`. */
const managed = (over: Partial<GitLabApiToken> = {}, declaration: object = {}) =>
  fromGitLabApi(apiToken(over), "project", "acme/web", { ...DECLARATION, ...declaration });
/** A personal token of `alice`; GitLab says whether she is a service account (bot). */
const personal = (serviceAccount: boolean | undefined, declaration?: object) =>
  fromGitLabApi(
    apiToken({ access_level: undefined }),
    "personal",
    "alice",
    declaration ? { ...DECLARATION, ...declaration } : undefined,
    { serviceAccount },
  );
/** Owners and justifications for the unmanaged token, as an auditor would configure them. */
const OWNED = { owners: { [LIVE_KEY]: "team-web" } };

type Case = [label: string, token: () => NormalisedToken, config: object, expected: string[]];
const outcomes = (findings: Finding[]) => findings.map((f) => `${f.status}:${f.code}:${f.field ?? ""}`);
const check =
  (policy: RuleId) => (_label: string, token: () => NormalisedToken, config: object, expected: string[]) =>
    expect(outcomes(runPolicy(policy, token(), config, NOW))).toEqual(expected);
const messages = (policy: RuleId, token: NormalisedToken, config: object = {}) =>
  runPolicy(policy, token, config, NOW).map((f) => f.message);

describe("fromGitLabApi", () => {
  it("normalises an unmanaged token: a key of kind, target, name and id; GitLab's facts only", () => {
    expect(unmanaged()).toEqual({
      key: LIVE_KEY,
      aliases: [],
      family: "gitlab-api",
      type: "gitlab-api:ProjectAccessToken",
      kind: "project",
      target: "acme/web",
      name: "deploy",
      description: "Pulls images for the deploy job",
      scopes: ["read_registry"],
      accessLevel: "reporter",
      expiresAt: "2026-10-01",
      createdAt: "2026-08-01T10:00:00.000Z",
      managed: false,
      unknown: [],
    });
  });

  it("takes key, owner, justification and rotation from the declaration of a managed token", () => {
    expect(managed({}, { justification: "Pulls images for the deploy job" })).toMatchObject({
      key: "web-deploy",
      aliases: [LIVE_KEY],
      owner: "team-web",
      justification: "Pulls images for the deploy job",
      rotation: { rotateBeforeDays: 7 },
      managed: true,
    });
  });

  it("reads no expiry, levels GitLab has no name for, blank descriptions and duplicate scopes", () => {
    const t = unmanaged({ expires_at: null, access_level: 5, description: "  ", scopes: ["api", "api"] });
    expect(t.expiresAt).toBeUndefined();
    expect(t.accessLevel).toBe("5");
    expect(t.description).toBeUndefined();
    expect(t.scopes).toEqual(["api"]);
  });

  it("takes a personal token's service account from GitLab before the declaration", () => {
    expect(personal(false, { serviceAccount: true })).toMatchObject({
      kind: "personal",
      serviceAccount: false,
      userId: "99",
    });
    expect(personal(undefined, { serviceAccount: true }).serviceAccount).toBe(true);
    expect(personal(true).accessLevel).toBeUndefined();
  });
});

describe(`${POLICY_IDS.maxLifetime} on live tokens`, () => {
  const cases: Case[] = [
    ["unmanaged: 61 days from creation", () => unmanaged(), {}, []],
    ["unmanaged: no expiry", () => unmanaged({ expires_at: null }), {}, ["violation:no-expiry:expires_at"]],
    [
      "unmanaged: 183 days from creation",
      () => unmanaged({ expires_at: "2027-01-31" }),
      {},
      ["violation:lifetime-too-long:expires_at"],
    ],
    ["managed: 61 days", () => managed(), {}, []],
    [
      "managed: 61 days, configured maximum 30",
      () => managed(),
      { maxLifetimeDays: 30 },
      ["violation:lifetime-too-long:expires_at"],
    ],
    ["managed: no expiry", () => managed({ expires_at: null }), {}, ["violation:no-expiry:expires_at"]],
  ];
  it.each(cases)("%s", check(POLICY_IDS.maxLifetime));

  it("states the lifetime from created_at to expires_at, and how to replace the token", () => {
    expect(messages(POLICY_IDS.maxLifetime, unmanaged({ expires_at: null }))).toEqual([
      `project token '${LIVE_KEY}' has no expiry (expires_at is null); tokens must expire within 90 days of creation. Revoke it and issue a replacement that expires within 90 days of its creation, best declared in tokens.yaml so \`pulumi up\` manages it.`,
    ]);
    expect(messages(POLICY_IDS.maxLifetime, unmanaged({ expires_at: "2027-01-31" }))).toEqual([
      `project token '${LIVE_KEY}' expires on 2027-01-31, 183 days after its creation on 2026-08-01; tokens must expire within 90 days of creation. Revoke it and issue a replacement that expires within 90 days of its creation, best declared in tokens.yaml so \`pulumi up\` manages it.`,
    ]);
    expect(messages(POLICY_IDS.maxLifetime, managed({ expires_at: "2027-01-31" }))).toEqual([
      "project token 'web-deploy' expires on 2027-01-31, 183 days after its creation on 2026-08-01; tokens must expire within 90 days of creation. On 'web-deploy' in tokens.yaml, set lifetimeDays to 90 or less; the next `pulumi up` replaces the token.",
    ]);
  });
});

describe(`${POLICY_IDS.leastPrivilegeScopes} on live tokens`, () => {
  const justified = { justifications: { [LIVE_KEY]: "Creates merge requests for dependency updates" } };
  const cases: Case[] = [
    ["unmanaged: read_registry", () => unmanaged(), {}, []],
    ["unmanaged: api justified in config", () => unmanaged({ scopes: ["api"] }), justified, []],
    [
      "unmanaged: administrator scope",
      () => unmanaged({ scopes: ["sudo", "read_api"] }),
      {},
      ["violation:forbidden-scope:scopes"],
    ],
    [
      "unmanaged: scope invalid for the kind",
      () => unmanaged({ scopes: ["read_user"] }),
      {},
      ["violation:invalid-scope:scopes"],
    ],
    [
      "unmanaged: read_api beside api",
      () => unmanaged({ scopes: ["api", "read_api"] }),
      justified,
      ["violation:redundant-scope:scopes"],
    ],
    [
      "unmanaged: api without a justification",
      () => unmanaged({ scopes: ["api"] }),
      {},
      ["violation:unjustified-scope:scopes"],
    ],
    [
      "unmanaged: write_registry for a read-only need",
      () => unmanaged({ scopes: ["write_registry", "read_registry"] }),
      { justifications: { [LIVE_KEY]: "Pulls images for the deploy job" } },
      ["violation:narrower-scope-available:scopes"],
    ],
    [
      "managed: api justified in tokens.yaml",
      () => managed({ scopes: ["api"] }, { justification: "Creates merge requests for dependency updates" }),
      {},
      [],
    ],
    [
      "managed: api without a justification",
      () => managed({ scopes: ["api"] }),
      {},
      ["violation:unjustified-scope:scopes"],
    ],
  ];
  it.each(cases)("%s", check(POLICY_IDS.leastPrivilegeScopes));

  it("says to replace the token (GitLab cannot change its scopes) or to change its declaration", () => {
    expect(messages(POLICY_IDS.leastPrivilegeScopes, unmanaged({ scopes: ["sudo", "read_api"] }))).toEqual([
      `project token '${LIVE_KEY}' has scope sudo, which no automation token may carry (forbidden: sudo, admin_mode, read_service_ping). Revoke it and issue a replacement without sudo, best declared in tokens.yaml so \`pulumi up\` manages it.`,
    ]);
    expect(messages(POLICY_IDS.leastPrivilegeScopes, managed({ scopes: ["admin_mode"] }))).toEqual([
      "project token 'web-deploy' has scope admin_mode, which no automation token may carry (forbidden: sudo, admin_mode, read_service_ping). On 'web-deploy' in tokens.yaml, remove admin_mode from scopes; the next `pulumi up` replaces the token.",
    ]);
    expect(messages(POLICY_IDS.leastPrivilegeScopes, unmanaged({ scopes: ["read_user"] }))).toEqual([
      `project token '${LIVE_KEY}' has scope read_user, which GitLab does not accept on a project token (read_user exists only on personal tokens). Revoke it and issue a replacement without read_user, best declared in tokens.yaml so \`pulumi up\` manages it; valid scopes: api, read_api, create_runner, manage_runner, k8s_proxy, self_rotate, read_repository, write_repository, read_registry, write_registry, read_virtual_registry, write_virtual_registry, read_observability, write_observability, ai_features.`,
    ]);
    expect(
      messages(POLICY_IDS.leastPrivilegeScopes, unmanaged({ scopes: ["api", "read_api"] }), justified),
    ).toEqual([
      `project token '${LIVE_KEY}' has read_api beside api, which already grants it. Revoke it and issue a replacement without read_api, best declared in tokens.yaml so \`pulumi up\` manages it.`,
    ]);
    expect(messages(POLICY_IDS.leastPrivilegeScopes, unmanaged({ scopes: ["api"] }))).toEqual([
      `project token '${LIVE_KEY}' has high-risk scope api without a justification. Add justifications["${LIVE_KEY}"] in the gitlab-token-least-privilege-scopes policy config saying what the token does that needs it, or replace it with a token of narrower scopes (api → read_api / read_repository / write_repository / read_registry / write_registry).`,
    ]);
    expect(messages(POLICY_IDS.leastPrivilegeScopes, managed({ scopes: ["api"] }))).toEqual([
      "project token 'web-deploy' has high-risk scope api without a justification. Add justification on 'web-deploy' in tokens.yaml saying what the token does that needs it, or use narrower scopes there (api → read_api / read_repository / write_repository / read_registry / write_registry).",
    ]);
    expect(
      messages(POLICY_IDS.leastPrivilegeScopes, unmanaged({ scopes: ["write_registry", "read_registry"] }), {
        justifications: { [LIVE_KEY]: "Pulls images for the deploy job" },
      }),
    ).toEqual([
      `project token '${LIVE_KEY}' has write_registry, but its justification and description state a read-only need ("Pulls images for the deploy job"). Revoke it and issue a replacement with read_registry instead of write_registry, best declared in tokens.yaml so \`pulumi up\` manages it; or say in justifications["${LIVE_KEY}"] in the gitlab-token-least-privilege-scopes policy config what the token changes.`,
    ]);
    expect(
      messages(
        POLICY_IDS.leastPrivilegeScopes,
        managed(
          { scopes: ["write_registry", "read_registry"] },
          { justification: "Pulls images for the deploy job" },
        ),
      ),
    ).toEqual([
      `project token 'web-deploy' has write_registry, but its justification and description state a read-only need ("Pulls images for the deploy job"). On 'web-deploy' in tokens.yaml, replace write_registry with read_registry (the next \`pulumi up\` replaces the token), or say in its justification what the token changes.`,
    ]);
  });
});

describe(`${POLICY_IDS.accessLevel} on live tokens`, () => {
  const cases: Case[] = [
    ["unmanaged: reporter (20)", () => unmanaged(), {}, []],
    [
      "unmanaged: maintainer justified in config",
      () => unmanaged({ access_level: 40 }),
      { justifications: { [LIVE_KEY]: "Manages protected branches for the release job" } },
      [],
    ],
    [
      "unmanaged: owner (50)",
      () => unmanaged({ access_level: 50 }),
      {},
      ["violation:owner-access-level:access_level"],
    ],
    [
      "unmanaged: maintainer (40) unjustified",
      () => unmanaged({ access_level: 40 }),
      {},
      ["violation:unjustified-access-level:access_level"],
    ],
    [
      "unmanaged: above the configured maximum",
      () => unmanaged({ access_level: 40 }),
      { maxAccessLevel: "developer" },
      ["violation:access-level-too-high:access_level"],
    ],
    [
      "unmanaged: a level tokens cannot have",
      () => unmanaged({ access_level: 5 }),
      {},
      ["violation:invalid-access-level:access_level"],
    ],
    [
      "managed: owner (50)",
      () => managed({ access_level: 50 }),
      {},
      ["violation:owner-access-level:access_level"],
    ],
    [
      "managed: maintainer justified in tokens.yaml",
      () =>
        managed({ access_level: 40 }, { justification: "Manages protected branches for the release job" }),
      {},
      [],
    ],
    ["personal: no level", () => personal(true), {}, []],
  ];
  it.each(cases)("%s", check(POLICY_IDS.accessLevel));

  it("names GitLab's number and says what to replace the token with", () => {
    expect(messages(POLICY_IDS.accessLevel, unmanaged({ access_level: 50 }))).toEqual([
      `project token '${LIVE_KEY}' has owner access (access_level: 50); Owner-level project tokens are not allowed (they can change members and settings and delete the project). Revoke it and issue a replacement with access_level 40 (maintainer) or lower, best declared in tokens.yaml so \`pulumi up\` manages it.`,
    ]);
    expect(messages(POLICY_IDS.accessLevel, managed({ access_level: 50 }))).toEqual([
      "project token 'web-deploy' has owner access (access_level: 50); Owner-level project tokens are not allowed (they can change members and settings and delete the project). On 'web-deploy' in tokens.yaml, set accessLevel to maintainer or lower; the next `pulumi up` replaces the token.",
    ]);
    expect(messages(POLICY_IDS.accessLevel, unmanaged({ access_level: 40 }))).toEqual([
      `project token '${LIVE_KEY}' has maintainer access (access_level: 40) without a justification; maintainer and above need one. Add justifications["${LIVE_KEY}"] in the gitlab-token-access-level policy config saying why the token needs maintainer, or replace it with a token of access_level 30 (developer) or lower.`,
    ]);
    expect(messages(POLICY_IDS.accessLevel, managed({ access_level: 40 }))).toEqual([
      "project token 'web-deploy' has maintainer access (access_level: 40) without a justification; maintainer and above need one. Add justification on 'web-deploy' in tokens.yaml saying why the token needs maintainer, or set accessLevel to developer or lower there (the next `pulumi up` replaces the token).",
    ]);
    expect(
      messages(POLICY_IDS.accessLevel, unmanaged({ access_level: 40 }), { maxAccessLevel: "developer" }),
    ).toEqual([
      `project token '${LIVE_KEY}' has maintainer access (access_level: 40); the highest level allowed is developer. Revoke it and issue a replacement with access_level 30 (developer) or lower, best declared in tokens.yaml so \`pulumi up\` manages it.`,
    ]);
    expect(messages(POLICY_IDS.accessLevel, unmanaged({ access_level: 5 }))).toEqual([
      `project token '${LIVE_KEY}' has access_level 5, which GitLab does not give to tokens. Revoke it and issue a replacement with an access_level of 40 (maintainer) or lower, best declared in tokens.yaml so \`pulumi up\` manages it.`,
    ]);
  });
});

describe(`${POLICY_IDS.rotationWindow} on live tokens`, () => {
  const cases: Case[] = [
    ["managed: 7 days before a 61-day lifetime", () => managed(), {}, []],
    [
      "unmanaged: nothing rotates it",
      () => unmanaged(),
      {},
      ["violation:rotation-not-configured:tokens.yaml"],
    ],
    [
      "managed: rotateBeforeDays 0",
      () => managed({}, { rotateBeforeDays: 0 }),
      {},
      ["violation:rotation-window-too-short:rotateBeforeDays"],
    ],
    [
      "managed: the live token lives 5 days, the window is 7",
      () => managed({ expires_at: "2026-08-06" }),
      {},
      ["violation:rotation-window-not-below-lifetime:rotateBeforeDays"],
    ],
  ];
  it.each(cases)("%s", check(POLICY_IDS.rotationWindow));

  it("says an unmanaged token is rotated by nothing, and where a managed token's window is set", () => {
    expect(messages(POLICY_IDS.rotationWindow, unmanaged())).toEqual([
      `project token '${LIVE_KEY}' is not declared in tokens.yaml, so nothing rotates it. Declare it there (rotateBeforeDays of at least 1, below its lifetime) so \`pulumi up\` rotates it, or revoke it.`,
    ]);
    expect(messages(POLICY_IDS.rotationWindow, managed({}, { rotateBeforeDays: 0 }))).toEqual([
      "project token 'web-deploy' has rotateBeforeDays: 0; rotation must start at least 1 day before expiry so the daily `pulumi up` replaces the token while it still works. Set rotateBeforeDays on 'web-deploy' in tokens.yaml to 1 or more.",
    ]);
    expect(messages(POLICY_IDS.rotationWindow, managed({ expires_at: "2026-08-06" }))).toEqual([
      "project token 'web-deploy' has rotateBeforeDays: 7 but it expires on 2026-08-06, 5 days after its creation on 2026-08-01, so it is due for rotation as soon as it exists and every run replaces it. Set rotateBeforeDays on 'web-deploy' in tokens.yaml below 5 (for example 1).",
    ]);
  });
});

describe(`${POLICY_IDS.ownership} on live tokens`, () => {
  const cases: Case[] = [
    ["managed: owner in tokens.yaml, description in GitLab", () => managed(), {}, []],
    ["unmanaged: owner in config", () => unmanaged(), OWNED, []],
    ["unmanaged: no owner", () => unmanaged(), {}, ["violation:no-owner:owner"]],
    [
      "unmanaged: no description",
      () => unmanaged({ description: null }),
      OWNED,
      ["violation:no-description:description"],
    ],
    [
      "managed: neither",
      () => managed({ description: "" }, { owner: undefined }),
      {},
      ["violation:no-owner:owner", "violation:no-description:description"],
    ],
  ];
  it.each(cases)("%s", check(POLICY_IDS.ownership));

  it("says where the owner goes, and that a description needs a new token", () => {
    expect(messages(POLICY_IDS.ownership, unmanaged({ description: null }))).toEqual([
      `project token '${LIVE_KEY}' has no owner; every token needs a team or person accountable for it. Add "${LIVE_KEY}": "<team or person>" under owners in the gitlab-token-ownership policy config, or declare the token in tokens.yaml with an owner.`,
      `project token '${LIVE_KEY}' has no description; every token must say what it is for. Revoke it and issue a replacement whose description says what the token does and which job or service uses it, best declared in tokens.yaml so \`pulumi up\` manages it.`,
    ]);
    expect(messages(POLICY_IDS.ownership, managed({ description: "" }, { owner: undefined }))).toEqual([
      "project token 'web-deploy' has no owner; every token needs a team or person accountable for it. On 'web-deploy' in tokens.yaml, set owner to the team or person accountable for it.",
      "project token 'web-deploy' has no description; every token must say what it is for. On 'web-deploy' in tokens.yaml, set description to what the token does and which job or service uses it; the next `pulumi up` replaces the token.",
    ]);
  });
});

describe(`${POLICY_IDS.noHumanPersonalTokens} on live tokens`, () => {
  const cases: Case[] = [
    ["project token", () => unmanaged(), {}, []],
    ["a service account (bot in GitLab)", () => personal(true), {}, []],
    ["a person", () => personal(false), {}, ["violation:human-personal-token:user_id"]],
    [
      "a person, though declared a service account",
      () => personal(false, { serviceAccount: true }),
      {},
      ["violation:human-personal-token:user_id"],
    ],
    ["a person listed by username in config", () => personal(false), { serviceAccounts: ["alice"] }, []],
    ["a person listed by user id in config", () => personal(false), { serviceAccounts: [99] }, []],
    ["GitLab did not say", () => personal(undefined), {}, ["violation:human-personal-token:user_id"]],
  ];
  it.each(cases)("%s", check(POLICY_IDS.noHumanPersonalTokens));

  it("says what GitLab shows and what to do", () => {
    expect(messages(POLICY_IDS.noHumanPersonalTokens, personal(false))).toEqual([
      "personal token 'personal:alice:deploy#12' belongs to user 'alice', which GitLab shows as a person (not a bot or service account); automation must not use a person's token. Revoke it and give the automation a service account's token, or use a project or group token, best declared in tokens.yaml; if the user is a service account GitLab does not mark, list it in serviceAccounts in the gitlab-token-no-human-personal-tokens policy config.",
    ]);
    expect(messages(POLICY_IDS.noHumanPersonalTokens, personal(false, { serviceAccount: true }))).toEqual([
      "personal token 'web-deploy' belongs to user 'alice', which GitLab shows as a person (not a bot or service account); automation must not use a person's token. Point 'web-deploy' in tokens.yaml at a service account (user, serviceAccount: true), or use a project or group token; the next `pulumi up` replaces the token.",
    ]);
    expect(messages(POLICY_IDS.noHumanPersonalTokens, personal(undefined))[0]).toContain(
      "which GitLab does not show as a service account;",
    );
  });
});

describe("exceptions on live tokens", () => {
  it("name an unmanaged token by its live key, a managed one by its declaration key or live key", () => {
    const exception = (token: string) => ({
      exceptions: [{ token, expires: "2026-12-31", reason: "Vendor migration (SEC-1)" }],
    });
    const owner = { access_level: 50 };
    expect(outcomes(runPolicy(POLICY_IDS.accessLevel, unmanaged(owner), exception(LIVE_KEY), NOW))).toEqual([
      "exempted:exempted:",
    ]);
    expect(outcomes(runPolicy(POLICY_IDS.accessLevel, managed(owner), exception("web-deploy"), NOW))).toEqual(
      ["exempted:exempted:"],
    );
    expect(outcomes(runPolicy(POLICY_IDS.accessLevel, managed(owner), exception(LIVE_KEY), NOW))).toEqual([
      "exempted:exempted:",
    ]);
  });
});
