/**
 * The pure rules, one table per policy: a compliant case and one case per kind of violation, for
 * this project's tokens and the official provider's (both through their adapters), plus values
 * unknown until apply and configuration.
 */
import { POLICY_IDS, runPolicy, type Finding, type NormalisedToken, type RuleId } from "../../policies/rules";
import { NOW, UNKNOWN, official, ours } from "./helpers";

type Case = [label: string, token: () => NormalisedToken, config: object, expected: string[]];

const outcomes = (findings: Finding[]) => findings.map((f) => `${f.status}:${f.code}`);
const check =
  (policy: RuleId) => (_label: string, token: () => NormalisedToken, config: object, expected: string[]) =>
    expect(outcomes(runPolicy(policy, token(), config, NOW))).toEqual(expected);
const messages = (policy: RuleId, token: NormalisedToken, config: object = {}) =>
  runPolicy(policy, token, config, NOW).map((f) => f.message);

describe(POLICY_IDS.maxLifetime, () => {
  const cases: Case[] = [
    ["ours: lifetimeDays 60", () => ours(), {}, []],
    ["ours: lifetimeDays 90 (the limit)", () => ours({ lifetimeDays: 90 }), {}, []],
    [
      "ours: expiresAt 59 days ahead",
      () => ours({ lifetimeDays: undefined, fixedExpiresAt: "2026-11-01" }),
      {},
      [],
    ],
    ["ours: lifetimeDays 120", () => ours({ lifetimeDays: 120 }), {}, ["violation:lifetime-too-long"]],
    [
      "ours: expiresAt 150 days ahead",
      () => ours({ lifetimeDays: undefined, fixedExpiresAt: "2027-01-31" }),
      {},
      ["violation:lifetime-too-long"],
    ],
    [
      "ours (state): 153 days from creation, 59 from today",
      () =>
        ours({
          lifetimeDays: undefined,
          fixedExpiresAt: "2026-11-01",
          createdAt: "2026-06-01T10:00:00Z",
        } as object),
      {},
      ["violation:lifetime-too-long"],
    ],
    ["ours: no expiry", () => ours({ lifetimeDays: undefined }), {}, ["violation:no-expiry"]],
    [
      "ours: expiresAt today",
      () => ours({ lifetimeDays: undefined, fixedExpiresAt: "2026-09-03" }),
      {},
      ["violation:expiry-not-in-future"],
    ],
    ["ours: lifetimeDays 0", () => ours({ lifetimeDays: 0 }), {}, ["violation:expiry-not-in-future"]],
    [
      "ours: expiresAt unknown",
      () => ours({ lifetimeDays: undefined, fixedExpiresAt: UNKNOWN.string }),
      {},
      ["unjudged:unknown-value"],
    ],
    [
      "ours: lifetimeDays unknown",
      () => ours({ lifetimeDays: UNKNOWN.number }),
      {},
      ["unjudged:unknown-value"],
    ],
    [
      "ours: configured 30, lifetimeDays 60",
      () => ours(),
      { maxLifetimeDays: 30 },
      ["violation:lifetime-too-long"],
    ],
    ["ours: configured 30, lifetimeDays 30", () => ours({ lifetimeDays: 30 }), { maxLifetimeDays: 30 }, []],
    [
      "ours: configured 120 is capped at 90",
      () => ours({ lifetimeDays: 100 }),
      { maxLifetimeDays: 120 },
      ["violation:lifetime-too-long"],
    ],
    ["official: expirationDays 60", () => official("project"), {}, []],
    [
      "official: static expiresAt 59 days ahead",
      () => official("group", { rotationConfiguration: undefined, expiresAt: "2026-11-01" }),
      {},
      [],
    ],
    [
      "official: expirationDays 120",
      () => official("project", { rotationConfiguration: { expirationDays: 120, rotateBeforeDays: 7 } }),
      {},
      ["violation:lifetime-too-long"],
    ],
    [
      "official: expiresAt 150 days ahead",
      () => official("personal", { rotationConfiguration: undefined, expiresAt: "2027-01-31" }),
      {},
      ["violation:lifetime-too-long"],
    ],
    [
      "official (state): 153 days from creation",
      () =>
        official("project", {
          rotationConfiguration: undefined,
          expiresAt: "2026-11-01",
          createdAt: "2026-06-01T10:00:00Z",
        }),
      {},
      ["violation:lifetime-too-long"],
    ],
    [
      "official: no expiry",
      () => official("group", { rotationConfiguration: undefined }),
      {},
      ["violation:no-expiry"],
    ],
    [
      "official: expiresAt in the past",
      () => official("project", { rotationConfiguration: undefined, expiresAt: "2026-08-01" }),
      {},
      ["violation:expiry-not-in-future"],
    ],
    [
      "official: expiresAt unknown",
      () => official("project", { rotationConfiguration: undefined, expiresAt: UNKNOWN.string }),
      {},
      ["unjudged:unknown-value"],
    ],
    [
      "official: rotationConfiguration unknown",
      () => official("project", { rotationConfiguration: UNKNOWN.object }),
      {},
      ["unjudged:unknown-value"],
    ],
  ];
  it.each(cases)("%s", check(POLICY_IDS.maxLifetime));

  it("states the limit, the actual value and what to change", () => {
    expect(messages(POLICY_IDS.maxLifetime, ours({ lifetimeDays: 120 }))).toEqual([
      "project token 'web-deploy' lives 120 days (lifetimeDays: 120); tokens must expire within 90 days of creation. Set lifetimeDays to 90 or less.",
    ]);
    expect(
      messages(POLICY_IDS.maxLifetime, ours({ lifetimeDays: undefined, fixedExpiresAt: "2027-01-31" })),
    ).toEqual([
      "project token 'web-deploy' expires on 2027-01-31, 150 days after today (2026-09-03); tokens must expire within 90 days of creation. Set lifetimeDays to 90 or less, or set expiresAt to 2026-12-02 or earlier.",
    ]);
    expect(
      messages(
        POLICY_IDS.maxLifetime,
        official("personal", { rotationConfiguration: undefined, expiresAt: "2027-01-31" }),
      ),
    ).toEqual([
      "personal token 'ci-reader' expires on 2027-01-31, 150 days after today (2026-09-03); tokens must expire within 90 days of creation. Use rotationConfiguration { expirationDays: 90 or less, rotateBeforeDays }, or set expiresAt to 2026-12-02 or earlier.",
    ]);
    expect(
      messages(
        POLICY_IDS.maxLifetime,
        official("project", {
          rotationConfiguration: undefined,
          expiresAt: "2026-11-01",
          createdAt: "2026-06-01T10:00:00Z",
        }),
      ),
    ).toEqual([
      "project token 'ci-reader' expires on 2026-11-01, 153 days after its creation on 2026-06-01; tokens must expire within 90 days of creation. Replace it: use rotationConfiguration { expirationDays: 90 or less, rotateBeforeDays }, or set expiresAt at most 90 days ahead.",
    ]);
    expect(messages(POLICY_IDS.maxLifetime, official("group", { rotationConfiguration: undefined }))).toEqual(
      [
        "group token 'ci-reader' has no expiry; tokens must expire within 90 days of creation. Use rotationConfiguration { expirationDays: 90 or less, rotateBeforeDays }, or set expiresAt at most 90 days ahead.",
      ],
    );
    expect(
      messages(POLICY_IDS.maxLifetime, ours({ lifetimeDays: undefined, fixedExpiresAt: UNKNOWN.string })),
    ).toEqual([
      "could not judge the lifetime of project token 'web-deploy': expiresAt is not known until apply",
    ]);
  });
});

describe("a token whose kind is not known until apply", () => {
  const token = () => ours({ kind: UNKNOWN.string, scopes: ["read_api", "sudo"] });

  it.each([
    [POLICY_IDS.leastPrivilegeScopes, ["violation:forbidden-scope", "unjudged:unknown-value"]],
    [POLICY_IDS.accessLevel, ["unjudged:unknown-value"]],
    [POLICY_IDS.noHumanPersonalTokens, ["unjudged:unknown-value"]],
    [POLICY_IDS.maxLifetime, []],
  ] as const)("%s judges only what does not depend on the kind", (policy, expected) => {
    expect(outcomes(runPolicy(policy, token(), {}, NOW))).toEqual(expected);
  });

  it("is named without a kind", () => {
    expect(messages(POLICY_IDS.accessLevel, token())).toEqual([
      "could not judge the access level of token 'web-deploy': kind is not known until apply",
    ]);
  });
});

describe(POLICY_IDS.leastPrivilegeScopes, () => {
  const cases: Case[] = [
    ["ours: read scopes only", () => ours(), {}, []],
    [
      "ours: write_repository with a write need",
      () => ours({ scopes: ["write_repository"], justification: "Pushes release tags to the repository" }),
      {},
      [],
    ],
    [
      "ours: administrator scope",
      () => ours({ scopes: ["admin_mode", "read_api"] }),
      {},
      ["violation:forbidden-scope"],
    ],
    [
      "ours: sudo on a service account's personal token",
      () => ours({ kind: "personal", accessLevel: undefined, serviceAccount: true, scopes: ["sudo"] }),
      {},
      ["violation:forbidden-scope"],
    ],
    [
      "ours: scope invalid for the kind",
      () => ours({ scopes: ["read_user"] }),
      {},
      ["violation:invalid-scope"],
    ],
    ["ours: no scopes", () => ours({ scopes: [] }), {}, ["violation:no-scopes"]],
    [
      "ours: redundant read_api beside api",
      () =>
        ours({ scopes: ["api", "read_api"], justification: "Creates merge requests for dependency updates" }),
      {},
      ["violation:redundant-scope"],
    ],
    [
      "ours: api without a justification",
      () => ours({ scopes: ["api"] }),
      {},
      ["violation:unjustified-scope"],
    ],
    [
      "ours: api with a too-short justification",
      () => ours({ scopes: ["api"], justification: "needed" }),
      {},
      ["violation:unjustified-scope"],
    ],
    [
      "ours: api for a read-only need",
      () =>
        ours({
          scopes: ["api"],
          description: "Dashboard of open merge requests",
          justification: "Lists merge requests and reads pipeline status",
        }),
      {},
      ["violation:narrower-scope-available"],
    ],
    ["ours: scopes unknown", () => ours({ scopes: UNKNOWN.array }), {}, ["unjudged:unknown-value"]],
    [
      "ours: one scope unknown, a known one forbidden",
      () => ours({ scopes: ["admin_mode", UNKNOWN.string] }),
      {},
      ["unjudged:unknown-value", "violation:forbidden-scope"],
    ],
    [
      "ours: justification unknown",
      () => ours({ scopes: ["api"], justification: UNKNOWN.string }),
      {},
      ["unjudged:unknown-value"],
    ],
    [
      "ours: configured extra forbidden scope",
      () => ours({ scopes: ["write_registry", "read_registry"], justification: "Pushes images built by CI" }),
      { additionalForbiddenScopes: ["write_registry"] },
      ["violation:forbidden-scope"],
    ],
    [
      "ours: redundancy not reported when configured off",
      () =>
        ours({ scopes: ["api", "read_api"], justification: "Creates merge requests for dependency updates" }),
      { reportRedundantScopes: false },
      [],
    ],
    [
      "ours: longer justification required by config",
      () => ours({ scopes: ["api"], justification: "Creates issues" }),
      { minJustificationLength: 30 },
      ["violation:unjustified-scope"],
    ],
    [
      "ours: fewer high-risk scopes by config",
      () => ours({ scopes: ["write_repository"] }),
      { requireJustificationFor: ["api"] },
      [],
    ],
    ["official: read_api", () => official("project"), {}, []],
    [
      "official: sudo on a personal token",
      () => official("personal", { scopes: ["read_api", "sudo"] }),
      {},
      ["violation:forbidden-scope"],
    ],
    [
      "official: read_user on a group token",
      () => official("group", { scopes: ["read_user"] }),
      {},
      ["violation:invalid-scope"],
    ],
    [
      "official: write_repository beside api",
      () => official("project", { scopes: ["api", "write_repository"] }),
      { justifications: { "ci-reader": "Creates branches and merge requests" } },
      ["violation:redundant-scope"],
    ],
    [
      "official: api without a justification",
      () => official("project", { scopes: ["api"] }),
      {},
      ["violation:unjustified-scope"],
    ],
    [
      "official: api justified in config",
      () => official("project", { scopes: ["api"] }),
      { justifications: { "ci-reader": "Creates issues from monitoring alerts" } },
      [],
    ],
    [
      "official: write_registry for a read-only need",
      () => official("project", { scopes: ["write_registry", "read_registry"], description: "Deploy job" }),
      { justifications: { "ci-reader": "Pulls images for the deploy job" } },
      ["violation:narrower-scope-available"],
    ],
    [
      "official: scopes unknown",
      () => official("group", { scopes: UNKNOWN.array }),
      {},
      ["unjudged:unknown-value"],
    ],
  ];
  it.each(cases)("%s", check(POLICY_IDS.leastPrivilegeScopes));

  it("states what is wrong and what to change", () => {
    expect(messages(POLICY_IDS.leastPrivilegeScopes, ours({ scopes: ["admin_mode", "read_api"] }))).toEqual([
      "project token 'web-deploy' has scope admin_mode, which no automation token may carry (forbidden: sudo, admin_mode, read_service_ping). Remove it.",
    ]);
    expect(messages(POLICY_IDS.leastPrivilegeScopes, ours({ scopes: ["read_user"] }))).toEqual([
      "project token 'web-deploy' has scope read_user, which GitLab does not accept on a project token (read_user exists only on personal tokens). Remove it; valid scopes: api, read_api, create_runner, manage_runner, k8s_proxy, self_rotate, read_repository, write_repository, read_registry, write_registry, read_virtual_registry, write_virtual_registry, read_observability, write_observability, ai_features.",
    ]);
    expect(messages(POLICY_IDS.leastPrivilegeScopes, official("project", { scopes: ["api"] }))).toEqual([
      `project token 'ci-reader' has high-risk scope api without a justification. Add justifications["ci-reader"] in the gitlab-token-least-privilege-scopes policy config saying what the token does that needs it, or use narrower scopes (api → read_api / read_repository / write_repository / read_registry / write_registry).`,
    ]);
    expect(
      messages(
        POLICY_IDS.leastPrivilegeScopes,
        ours({
          scopes: ["api"],
          description: "Dashboard",
          justification: "Reads pipeline status for the dashboard",
        }),
      ),
    ).toEqual([
      `project token 'web-deploy' has api, but its justification and description state a read-only need ("Reads pipeline status for the dashboard"). Replace api with read_api (or read_repository / read_registry for that access alone), or say in the justification what the token changes.`,
    ]);
    expect(
      messages(
        POLICY_IDS.leastPrivilegeScopes,
        ours({ scopes: ["api", "read_api"], justification: "Creates merge requests for dependency updates" }),
      ),
    ).toEqual([
      "project token 'web-deploy' has read_api beside api, which already grants it. Remove read_api.",
    ]);
  });
});

describe(POLICY_IDS.accessLevel, () => {
  const justified = "Manages protected branches for the release job";
  const cases: Case[] = [
    ["ours: reporter", () => ours(), {}, []],
    [
      "ours: maintainer with a justification",
      () => ours({ accessLevel: "maintainer", justification: justified }),
      {},
      [],
    ],
    [
      "ours: owner",
      () => ours({ accessLevel: "owner", justification: justified }),
      {},
      ["violation:owner-access-level"],
    ],
    [
      "ours: maintainer unjustified",
      () => ours({ accessLevel: "maintainer" }),
      {},
      ["violation:unjustified-access-level"],
    ],
    [
      "ours: maintainer with a too-short justification",
      () => ours({ accessLevel: "maintainer", justification: "ok" }),
      {},
      ["violation:unjustified-access-level"],
    ],
    [
      "ours: unset level counts as maintainer",
      () => ours({ accessLevel: undefined }),
      {},
      ["violation:unjustified-access-level"],
    ],
    [
      "ours: a level tokens cannot have",
      () => ours({ accessLevel: "admin" }),
      {},
      ["violation:invalid-access-level"],
    ],
    [
      "ours: personal tokens have no level",
      () => ours({ kind: "personal", accessLevel: undefined, serviceAccount: true }),
      {},
      [],
    ],
    ["ours: level unknown", () => ours({ accessLevel: UNKNOWN.string }), {}, ["unjudged:unknown-value"]],
    [
      "ours: justification unknown",
      () => ours({ accessLevel: "maintainer", justification: UNKNOWN.string }),
      {},
      ["unjudged:unknown-value"],
    ],
    [
      "ours: configured maximum developer",
      () => ours({ accessLevel: "maintainer", justification: justified }),
      { maxAccessLevel: "developer" },
      ["violation:access-level-too-high"],
    ],
    [
      "ours: configured justification from developer",
      () => ours({ accessLevel: "developer" }),
      { justifyFromAccessLevel: "developer" },
      ["violation:unjustified-access-level"],
    ],
    ["official: reporter", () => official("project"), {}, []],
    [
      "official: owner",
      () => official("group", { accessLevel: "owner" }),
      {},
      ["violation:owner-access-level"],
    ],
    [
      "official: unset level is the provider's maintainer",
      () => official("project", { accessLevel: undefined }),
      {},
      ["violation:unjustified-access-level"],
    ],
    [
      "official: maintainer justified in config",
      () => official("group", { accessLevel: "maintainer" }),
      { justifications: { "ci-reader": justified } },
      [],
    ],
    [
      "official: 'no one'",
      () => official("project", { accessLevel: "no one" }),
      {},
      ["violation:invalid-access-level"],
    ],
    ["official: personal", () => official("personal"), {}, []],
    [
      "official: level unknown",
      () => official("project", { accessLevel: UNKNOWN.string }),
      {},
      ["unjudged:unknown-value"],
    ],
  ];
  it.each(cases)("%s", check(POLICY_IDS.accessLevel));

  it("states what is wrong and what to change", () => {
    expect(messages(POLICY_IDS.accessLevel, ours({ accessLevel: "owner" }))).toEqual([
      "project token 'web-deploy' has owner access; Owner-level project tokens are not allowed (they can change members and settings and delete the project). Set accessLevel to maintainer or lower.",
    ]);
    expect(messages(POLICY_IDS.accessLevel, official("project", { accessLevel: undefined }))).toEqual([
      `project token 'ci-reader' has maintainer access (accessLevel is not set, and the provider defaults to maintainer) without a justification; maintainer and above need one. Add justifications["ci-reader"] in the gitlab-token-access-level policy config saying why the token needs maintainer, or set accessLevel to developer or lower.`,
    ]);
    expect(messages(POLICY_IDS.accessLevel, ours({ accessLevel: "maintainer" }))).toEqual([
      "project token 'web-deploy' has maintainer access without a justification; maintainer and above need one. Add justification saying why the token needs maintainer, or set accessLevel to developer or lower.",
    ]);
  });
});

describe(POLICY_IDS.rotationWindow, () => {
  const cases: Case[] = [
    ["ours: 7 days before a 60-day lifetime", () => ours(), {}, []],
    [
      "ours: no rotation",
      () => ours({ rotateBeforeDays: undefined }),
      {},
      ["violation:rotation-not-configured"],
    ],
    [
      "ours: rotateBeforeDays 0",
      () => ours({ rotateBeforeDays: 0 }),
      {},
      ["violation:rotation-window-too-short"],
    ],
    [
      "ours: rotateBeforeDays equal to the lifetime",
      () => ours({ rotateBeforeDays: 60 }),
      {},
      ["violation:rotation-window-not-below-lifetime"],
    ],
    [
      "ours: fixed expiry closer than the window",
      () => ours({ lifetimeDays: undefined, fixedExpiresAt: "2026-09-13", rotateBeforeDays: 14 }),
      {},
      ["violation:rotation-window-not-below-lifetime"],
    ],
    [
      "ours: lifetime unknown",
      () => ours({ lifetimeDays: undefined, fixedExpiresAt: UNKNOWN.string }),
      {},
      ["unjudged:unknown-value"],
    ],
    [
      "ours: rotateBeforeDays unknown",
      () => ours({ rotateBeforeDays: UNKNOWN.number }),
      {},
      ["unjudged:unknown-value"],
    ],
    [
      "ours: configured minimum 7",
      () => ours({ rotateBeforeDays: 3 }),
      { minRotateBeforeDays: 7 },
      ["violation:rotation-window-too-short"],
    ],
    ["official: rotationConfiguration 7 of 60", () => official("group"), {}, []],
    [
      "official: static expiresAt without rotation",
      () => official("project", { rotationConfiguration: undefined, expiresAt: "2026-11-01" }),
      {},
      ["violation:rotation-not-configured"],
    ],
    [
      "official: rotateBeforeDays 0",
      () => official("personal", { rotationConfiguration: { expirationDays: 30, rotateBeforeDays: 0 } }),
      {},
      ["violation:rotation-window-too-short"],
    ],
    [
      "official: rotateBeforeDays beyond the lifetime",
      () => official("project", { rotationConfiguration: { expirationDays: 30, rotateBeforeDays: 45 } }),
      {},
      ["violation:rotation-window-not-below-lifetime"],
    ],
    [
      "official: rotationConfiguration unknown",
      () => official("project", { rotationConfiguration: UNKNOWN.object }),
      {},
      ["unjudged:unknown-value"],
    ],
  ];
  it.each(cases)("%s", check(POLICY_IDS.rotationWindow));

  it("states what is wrong and what to change", () => {
    expect(messages(POLICY_IDS.rotationWindow, ours({ rotateBeforeDays: 60 }))).toEqual([
      "project token 'web-deploy' has rotateBeforeDays: 60 but it lives 60 days (lifetimeDays: 60), so it is due for rotation as soon as it exists and every run replaces it. Set rotateBeforeDays below 60 (for example 14).",
    ]);
    expect(
      messages(
        POLICY_IDS.rotationWindow,
        official("project", { rotationConfiguration: undefined, expiresAt: "2026-11-01" }),
      ),
    ).toEqual([
      "project token 'ci-reader' has no rotation configured, so `pulumi up` never replaces it before it expires. Replace expiresAt with rotationConfiguration { expirationDays: 90, rotateBeforeDays: 14 }.",
    ]);
    expect(messages(POLICY_IDS.rotationWindow, ours({ rotateBeforeDays: 0 }))).toEqual([
      "project token 'web-deploy' has rotateBeforeDays: 0; rotation must start at least 1 day before expiry so the daily `pulumi up` replaces the token while it still works. Set rotateBeforeDays to 1 or more.",
    ]);
  });
});

describe(POLICY_IDS.ownership, () => {
  const owned = { owners: { "ci-reader": "team-release" } };
  const cases: Case[] = [
    ["ours: owner and description", () => ours(), {}, []],
    ["ours: no owner", () => ours({ owner: undefined }), {}, ["violation:no-owner"]],
    ["ours: blank description", () => ours({ description: "  " }), {}, ["violation:no-description"]],
    [
      "ours: neither",
      () => ours({ owner: "", description: "" }),
      {},
      ["violation:no-owner", "violation:no-description"],
    ],
    [
      "ours: owner from config",
      () => ours({ owner: undefined }),
      { owners: { "web-deploy": "team-web" } },
      [],
    ],
    ["ours: owner not required", () => ours({ owner: undefined }), { requireOwner: false }, []],
    [
      "ours: description unknown",
      () => ours({ description: UNKNOWN.string }),
      {},
      ["unjudged:unknown-value"],
    ],
    ["official: owner in config, description set", () => official("project"), owned, []],
    ["official: no owner", () => official("project"), {}, ["violation:no-owner"]],
    [
      "official: no description",
      () => official("group", { description: undefined }),
      owned,
      ["violation:no-description"],
    ],
    [
      "official: description not required",
      () => official("group", { description: undefined }),
      { ...owned, requireDescription: false },
      [],
    ],
  ];
  it.each(cases)("%s", check(POLICY_IDS.ownership));

  it("says where to write the owner", () => {
    expect(messages(POLICY_IDS.ownership, official("project"))).toEqual([
      `project token 'ci-reader' has no owner; every token needs a team or person accountable for it. Add "ci-reader": "<team or person>" under owners in the gitlab-token-ownership policy config.`,
    ]);
    expect(messages(POLICY_IDS.ownership, ours({ description: undefined }))).toEqual([
      "project token 'web-deploy' has no description; every token must say what it is for. Set description to what the token does and which job or service uses it.",
    ]);
  });
});

describe(POLICY_IDS.noHumanPersonalTokens, () => {
  const personal = { kind: "personal", accessLevel: undefined, target: "release-bot" } as const;
  const cases: Case[] = [
    ["ours: project token", () => ours(), {}, []],
    ["ours: service account", () => ours({ ...personal, serviceAccount: true }), {}, []],
    ["ours: a person's token", () => ours({ ...personal }), {}, ["violation:human-personal-token"]],
    [
      "ours: explicitly not a service account",
      () => ours({ ...personal, serviceAccount: false }),
      {},
      ["violation:human-personal-token"],
    ],
    ["ours: user listed in config", () => ours({ ...personal }), { serviceAccounts: ["release-bot"] }, []],
    [
      "ours: serviceAccount unknown",
      () => ours({ ...personal, serviceAccount: UNKNOWN.string }),
      {},
      ["unjudged:unknown-value"],
    ],
    ["official: group token", () => official("group"), {}, []],
    ["official: unlisted user", () => official("personal"), {}, ["violation:human-personal-token"]],
    ["official: listed user id (string)", () => official("personal"), { serviceAccounts: ["42"] }, []],
    ["official: listed user id (number)", () => official("personal"), { serviceAccounts: [42] }, []],
    [
      "official: userId unknown",
      () => official("personal", { userId: UNKNOWN.number }),
      {},
      ["unjudged:unknown-value"],
    ],
  ];
  it.each(cases)("%s", check(POLICY_IDS.noHumanPersonalTokens));

  it("says what to change", () => {
    expect(messages(POLICY_IDS.noHumanPersonalTokens, ours({ ...personal }))).toEqual([
      "personal token 'web-deploy' belongs to user 'release-bot', which is not declared a service account; automation must not use a person's token. Issue it to a service account and set serviceAccount: true, or use a project or group token.",
    ]);
    expect(messages(POLICY_IDS.noHumanPersonalTokens, official("personal"))).toEqual([
      "personal token 'ci-reader' belongs to user 42, which is not listed in serviceAccounts in the gitlab-token-no-human-personal-tokens policy config; automation must not use a person's token. Issue it to a service account and list that account's user id there, or use a project or group token.",
    ]);
  });
});
