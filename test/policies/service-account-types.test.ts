/**
 * The official provider's service-account token types — `GroupServiceAccountAccessToken` and
 * `ProjectServiceAccountAccessToken` (terraform-provider-gitlab `group_service_account_access_token`,
 * `project_service_account_access_token`: `group` / `project`, `userId`, `name`, `scopes`,
 * `expiresAt`, `rotationConfiguration`, no description) — through the adapter and every rule, judged
 * as personal tokens of a service account: max lifetime, least-privilege scopes and the rotation
 * window (their `rotationConfiguration` included) like the official `PersonalAccessToken`.
 */
import { POLICY_IDS, RULE_IDS, isTokenType, normaliseResource, runPolicy } from "../../policies/rules";
import type { NormalisedToken } from "../../policies/rules";
import { NOW, UNKNOWN, officialProps, officialType } from "./helpers";

const TYPES = [
  ["group", "gitlab:index/groupServiceAccountAccessToken:GroupServiceAccountAccessToken", { group: "acme" }],
  [
    "project",
    "gitlab:index/projectServiceAccountAccessToken:ProjectServiceAccountAccessToken",
    { project: "acme/web" },
  ],
] as const;

/** A compliant token of the type: no description (the type has none), a service account's user id. */
function saToken(type: string, namespace: object, over: Record<string, unknown> = {}): NormalisedToken {
  const props = officialProps("personal", { ...namespace, description: undefined, ...over });
  return normaliseResource({ type, name: "release-bot", props }) as NormalisedToken;
}

const outcomes = (token: NormalisedToken, config: object = {}) =>
  RULE_IDS.flatMap((id) => runPolicy(id, token, config, NOW).map((f) => `${id} ${f.status}:${f.code}`));

/** An owner configured for the token (the types have no owner field, like every official type). */
const OWNED = { owners: { "release-bot": "team-release" } };

describe.each(TYPES)("the official %s service-account token type", (_what, type, namespace) => {
  it("is recognised and normalised as a personal token of a service account, its user the target", () => {
    expect(isTokenType(type)).toBe(true);
    expect(saToken(type, namespace)).toEqual<NormalisedToken>({
      key: "release-bot",
      aliases: [],
      family: "gitlab-provider",
      type,
      urn: undefined,
      kind: "personal",
      target: "42",
      userId: "42",
      name: "ci-reader",
      description: undefined,
      scopes: ["read_api"],
      accessLevel: undefined,
      lifetimeDays: 60,
      expiresAt: undefined,
      createdAt: undefined,
      rotation: { rotateBeforeDays: 7 },
      serviceAccount: true,
      describable: false,
      unknown: [],
    });
  });

  it("passes every rule when compliant: no description asked for, no serviceAccounts list needed", () => {
    expect(outcomes(saToken(type, namespace), OWNED)).toEqual([]);
    // The official PersonalAccessToken of the same user is a person's until the config lists it.
    const pat = normaliseResource({
      type: officialType("personal"),
      name: "release-bot",
      props: officialProps("personal"),
    }) as NormalisedToken;
    expect(outcomes(pat, OWNED)).toEqual([
      `${POLICY_IDS.noHumanPersonalTokens} violation:human-personal-token`,
    ]);
  });

  it.each<[string, Record<string, unknown>, object, string[]]>([
    [
      "rotationConfiguration.expirationDays 120",
      { rotationConfiguration: { expirationDays: 120, rotateBeforeDays: 7 } },
      OWNED,
      [`${POLICY_IDS.maxLifetime} violation:lifetime-too-long`],
    ],
    [
      "an expiresAt 150 days ahead and no rotationConfiguration",
      { rotationConfiguration: undefined, expiresAt: "2027-01-31" },
      OWNED,
      [
        `${POLICY_IDS.maxLifetime} violation:lifetime-too-long`,
        `${POLICY_IDS.rotationWindow} violation:rotation-not-configured`,
      ],
    ],
    [
      "no expiry at all (GitLab may allow it for service accounts)",
      { rotationConfiguration: undefined },
      OWNED,
      [
        `${POLICY_IDS.maxLifetime} violation:no-expiry`,
        `${POLICY_IDS.rotationWindow} violation:rotation-not-configured`,
      ],
    ],
    [
      "rotateBeforeDays as long as expirationDays",
      { rotationConfiguration: { expirationDays: 30, rotateBeforeDays: 30 } },
      OWNED,
      [`${POLICY_IDS.rotationWindow} violation:rotation-window-not-below-lifetime`],
    ],
    [
      "api beside read_api",
      { scopes: ["api", "read_api"] },
      OWNED,
      [
        `${POLICY_IDS.leastPrivilegeScopes} violation:redundant-scope`,
        `${POLICY_IDS.leastPrivilegeScopes} violation:unjustified-scope`,
      ],
    ],
    ["sudo", { scopes: ["sudo"] }, OWNED, [`${POLICY_IDS.leastPrivilegeScopes} violation:forbidden-scope`]],
    ["no owner configured", {}, {}, [`${POLICY_IDS.ownership} violation:no-owner`]],
    [
      "a rotationConfiguration unknown at preview",
      { rotationConfiguration: UNKNOWN.object },
      OWNED,
      [
        `${POLICY_IDS.maxLifetime} unjudged:unknown-value`,
        `${POLICY_IDS.rotationWindow} unjudged:unknown-value`,
      ],
    ],
  ])("refuses %s, like a personal token", (_label, over, config, expected) => {
    expect(outcomes(saToken(type, namespace, over), config)).toEqual(expected);
  });

  it("names the provider's own fields in its messages", () => {
    const [finding] = runPolicy(
      POLICY_IDS.maxLifetime,
      saToken(type, namespace, { rotationConfiguration: { expirationDays: 120, rotateBeforeDays: 7 } }),
      OWNED,
      NOW,
    );
    expect(finding?.message).toMatch(/rotationConfiguration\.expirationDays/);
  });
});
