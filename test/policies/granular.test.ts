/**
 * Fine-grained personal access tokens: the adapters (this project's `granular` props, GitLab's
 * `granular: true` / `granular_scopes`), the scopes rule leaving them alone, and one table for
 * `gitlab-token-least-privilege-permissions` — a compliant case and one case per branch, declared
 * and live, unknown values and permissions, configuration — plus its exact messages and the policy
 * through its own validateResource.
 */
import { leastPrivilegePermissions } from "../../policies/leastPrivilegePermissions";
import {
  POLICY_IDS,
  describeGranularScope,
  fromGitLabApi,
  granularFromGitLab,
  runPolicy,
  type Finding,
  type GitLabApiToken,
  type GranularScopeEntry,
  type NormalisedToken,
  type RuleId,
} from "../../policies/rules";
import { NOW, OURS_TYPE, UNKNOWN, oursProps, ours, resourceArgs, validate } from "./helpers";

const READ_WEB: GranularScopeEntry = {
  access: "selected_memberships",
  permissions: ["read_job", "read_release"],
  projects: ["acme/web"],
};

/** A fine-grained personal token of this project (a service account's), with `granular` as given. */
const fine = (granular: unknown, over: Record<string, unknown> = {}) =>
  ours({
    kind: "personal",
    key: "release-bot",
    target: "release-bot",
    name: "release-bot",
    description: "Reads jobs and releases of acme/web",
    scopes: [],
    accessLevel: undefined,
    serviceAccount: true,
    granular,
    ...over,
  } as object);

/** A live fine-grained personal token of `release-bot`, as GitLab's GET or list gives it. */
const liveToken = (over: Partial<GitLabApiToken> = {}): GitLabApiToken => ({
  id: 31,
  name: "release-bot",
  description: "Reads jobs and releases of acme/web",
  scopes: ["granular"],
  granular: true,
  granular_scopes: [
    { access: "selected_memberships", permissions: ["read_job"], project_id: 7, group_id: null },
  ],
  created_at: "2026-08-01T10:00:00.000Z",
  expires_at: "2026-10-01",
  user_id: 42,
  ...over,
});
const LIVE_KEY = "personal:release-bot:release-bot#31";
const live = (over: Partial<GitLabApiToken> = {}, declaration?: object) =>
  fromGitLabApi(
    liveToken(over),
    "personal",
    "release-bot",
    declaration
      ? { key: "release-bot", rotateBeforeDays: 7, owner: "team-release", ...declaration }
      : undefined,
    { serviceAccount: true },
  );

const outcomes = (findings: Finding[]) => findings.map((f) => `${f.status}:${f.code}`);
const run = (
  token: NormalisedToken,
  config: object = {},
  policy: RuleId = POLICY_IDS.leastPrivilegePermissions,
) => runPolicy(policy, token, config, NOW);
const WRITES_JUSTIFIED = { justification: "Creates releases of acme/web from the release pipeline" };

describe("fine-grained tokens through the adapters", () => {
  it("reads this project's granular props: fine-grained, its scopes as declared", () => {
    const t = fine([READ_WEB, { access: "selected_memberships", permissions: ["read_job"], groups: [12] }]);
    expect(t.fineGrained).toBe(true);
    expect(t.granular).toEqual([
      READ_WEB,
      { access: "selected_memberships", permissions: ["read_job"], groups: ["12"] },
    ]);
    expect(t.unknown).toEqual([]);
    expect(ours().fineGrained).toBeUndefined();
    expect(ours().granular).toBeUndefined();
  });

  it("marks granular unknown when the list, an element or a permission is not known until apply", () => {
    const whole = fine(UNKNOWN.array);
    expect(whole.fineGrained).toBe(true);
    expect(whole.unknown).toContain("granular");
    const inner = fine([
      { access: "personal_projects", permissions: ["read_job", UNKNOWN.string] },
      UNKNOWN.object,
    ]);
    expect(inner.granular).toEqual([{ access: "personal_projects", permissions: ["read_job"] }]);
    expect(inner.unknown).toContain("granular");
  });

  it("reads GitLab's granular_scopes: ids as text, one scope per namespace put together", () => {
    expect(
      granularFromGitLab([
        { access: "selected_memberships", permissions: ["read_job"], project_id: null, group_id: 3 },
        { access: "selected_memberships", permissions: ["read_job"], project_id: 7, group_id: null },
        {
          access: "personal_projects",
          permissions: ["read_job", "delete_artifact"],
          project_id: null,
          group_id: null,
        },
      ]),
    ).toEqual([
      { access: "selected_memberships", permissions: ["read_job"], projects: ["7"], groups: ["3"] },
      { access: "personal_projects", permissions: ["read_job", "delete_artifact"] },
    ]);
    expect(granularFromGitLab(undefined)).toBeUndefined();
    expect(granularFromGitLab(null)).toBeUndefined();
  });

  it("a live token with granular: true: fine-grained, its granular scopes when listed, else not known", () => {
    const listed = live();
    expect(listed.fineGrained).toBe(true);
    expect(listed.granular).toEqual([
      { access: "selected_memberships", permissions: ["read_job"], projects: ["7"] },
    ]);
    const unlisted = live({ granular_scopes: undefined });
    expect(unlisted.fineGrained).toBe(true);
    expect(unlisted.granular).toBeUndefined();
    // A legacy token (no granular field) stays one, even with a scope named granular.
    const legacy = live({
      granular: undefined,
      granular_scopes: undefined,
      scopes: ["read_api", "granular"],
    });
    expect(legacy.fineGrained).toBeUndefined();
  });
});

describe(`${POLICY_IDS.leastPrivilegeScopes} leaves fine-grained tokens to the permissions rule`, () => {
  it("does not judge the scopes of a declared fine-grained token (it has none)", () => {
    expect(run(fine([READ_WEB]), {}, POLICY_IDS.leastPrivilegeScopes)).toEqual([]);
  });

  it("does not call a live fine-grained token's granular scope unknown", () => {
    expect(run(live(), {}, POLICY_IDS.leastPrivilegeScopes)).toEqual([]);
    expect(run(live({ granular_scopes: undefined }), {}, POLICY_IDS.leastPrivilegeScopes)).toEqual([]);
  });

  it("still calls granular unknown on a token GitLab does not say is fine-grained", () => {
    const legacy = live({
      granular: undefined,
      granular_scopes: undefined,
      scopes: ["read_api", "granular"],
    });
    expect(run(legacy, {}, POLICY_IDS.leastPrivilegeScopes).map((f) => f.message)).toEqual([
      `scope granular is not known to gitlab-tokens, so least privilege of personal token '${LIVE_KEY}' could not be verified`,
    ]);
  });
});

describe(POLICY_IDS.leastPrivilegePermissions, () => {
  type Case = [label: string, token: () => NormalisedToken, config: object, expected: string[]];
  const cases: Case[] = [
    ["ours: not fine-grained", () => ours(), {}, []],
    ["ours: read-only selected_memberships", () => fine([READ_WEB]), {}, []],
    [
      "ours: read-only personal_projects",
      () => fine([{ access: "personal_projects", permissions: ["read_job"] }]),
      {},
      [],
    ],
    [
      "ours: instance without a justification",
      () => fine([{ access: "instance", permissions: ["read_user"] }]),
      {},
      ["violation:unjustified-instance-access"],
    ],
    [
      "ours: instance with a justification",
      () =>
        fine([{ access: "instance", permissions: ["read_user"] }], {
          justification: "Lists every user for the licence audit",
        }),
      {},
      [],
    ],
    [
      "ours: all_memberships without a justification",
      () => fine([{ access: "all_memberships", permissions: ["read_job"] }]),
      {},
      ["violation:unjustified-all-memberships"],
    ],
    [
      "ours: all_memberships, justifyAllMemberships false",
      () => fine([{ access: "all_memberships", permissions: ["read_job"] }]),
      { justifyAllMemberships: false },
      [],
    ],
    [
      "ours: a write without a justification",
      () => fine([{ ...READ_WEB, permissions: ["read_job", "create_release"] }]),
      {},
      ["violation:unjustified-write-permission"],
    ],
    [
      "ours: a write with a short justification",
      () => fine([{ ...READ_WEB, permissions: ["create_release"] }], { justification: "releases" }),
      {},
      ["violation:unjustified-write-permission"],
    ],
    [
      "ours: a write, justified by what it changes",
      () => fine([{ ...READ_WEB, permissions: ["read_job", "create_release"] }], WRITES_JUSTIFIED),
      {},
      [],
    ],
    [
      "ours: a write, justified by the config",
      () => fine([{ ...READ_WEB, permissions: ["create_release"] }]),
      { justifications: { "release-bot": "Creates releases of acme/web" } },
      [],
    ],
    [
      "ours: a write, but the justification states a read-only need",
      () =>
        fine([{ ...READ_WEB, permissions: ["read_job", "delete_artifact"] }], {
          justification: "Reads job logs for the dashboard",
        }),
      {},
      ["violation:write-permission-not-needed"],
    ],
    [
      "ours: instance, all_memberships and a write, none justified",
      () =>
        fine([
          { access: "instance", permissions: ["read_user"] },
          { access: "all_memberships", permissions: ["update_job"] },
        ]),
      {},
      [
        "violation:unjustified-instance-access",
        "violation:unjustified-all-memberships",
        "violation:unjustified-write-permission",
      ],
    ],
    [
      "ours: a permission not in the catalogue",
      () => fine([{ ...READ_WEB, permissions: ["read_jobs"] }]),
      {},
      ["violation:invalid-permission"],
    ],
    [
      "ours: an access GitLab does not know",
      () => fine([{ access: "everywhere", permissions: ["read_job"] }]),
      {},
      ["violation:invalid-granular-access"],
    ],
    ["ours: granular unknown until apply", () => fine(UNKNOWN.array), {}, ["unjudged:unknown-value"]],
    [
      "ours: a write, its justification unknown until apply",
      () => fine([{ ...READ_WEB, permissions: ["create_release"] }], { justification: UNKNOWN.string }),
      {},
      ["unjudged:unknown-value"],
    ],
    ["live: read-only", () => live(), {}, []],
    [
      "live: granular_scopes not listed",
      () => live({ granular_scopes: undefined }),
      {},
      ["unjudged:granular-scopes-not-listed"],
    ],
    [
      "live: a permission of a newer GitLab",
      () =>
        live({
          granular_scopes: [{ access: "personal_projects", permissions: ["read_job", "read_hologram"] }],
        }),
      {},
      ["unjudged:unknown-to-gitlab-tokens"],
    ],
    [
      "live: an access of a newer GitLab",
      () => live({ granular_scopes: [{ access: "organization", permissions: ["read_job"] }] }),
      {},
      ["unjudged:unknown-to-gitlab-tokens"],
    ],
    [
      "live: a write, unmanaged and unjustified",
      () => live({ granular_scopes: [{ access: "personal_projects", permissions: ["delete_artifact"] }] }),
      {},
      ["violation:unjustified-write-permission"],
    ],
    [
      "live: all_memberships, managed and justified in tokens.yaml",
      () =>
        live(
          { granular_scopes: [{ access: "all_memberships", permissions: ["read_job"] }] },
          {
            justification: "Reads every pipeline's jobs for the CI dashboard",
          },
        ),
      {},
      [],
    ],
    [
      "live: exempted",
      () => live({ granular_scopes: [{ access: "instance", permissions: ["read_user"] }] }),
      { exceptions: [{ token: LIVE_KEY, expires: "2027-01-01", reason: "Licence audit until Q1 (SEC-9)" }] },
      ["exempted:exempted"],
    ],
  ];
  it.each(cases)("%s", (_label, token, config, expected) => {
    expect(outcomes(run(token(), config))).toEqual(expected);
  });

  it("never judges a token with an unknown permission compliant, and still judges the known rest", () => {
    const t = live({
      granular_scopes: [{ access: "all_memberships", permissions: ["read_hologram", "update_job"] }],
    });
    expect(outcomes(run(t))).toEqual([
      "unjudged:unknown-to-gitlab-tokens",
      "violation:unjustified-all-memberships",
      "violation:unjustified-write-permission",
    ]);
  });

  it("says what to change, in tokens.yaml or on the live token", () => {
    const messages = (token: NormalisedToken) => run(token).map((f) => f.message);
    expect(messages(fine([{ access: "all_memberships", permissions: ["read_job"] }]))).toEqual([
      "personal token 'release-bot' has access all_memberships (every group and project the user is, or later becomes, a member of) without a justification. Add justification saying what the token does that needs it, or use access selected_memberships naming the projects and groups it works on (projects: [acme/web], groups: [acme]).",
    ]);
    expect(messages(fine([{ ...READ_WEB, permissions: ["create_release"] }]))).toEqual([
      "personal token 'release-bot' has write permission create_release without a justification. Add justification saying what the token does that needs it, or keep only read_* permissions if it only reads.",
    ]);
    expect(messages(live({ granular_scopes: [{ access: "instance", permissions: ["read_user"] }] }))).toEqual(
      [
        `personal token '${LIVE_KEY}' has access instance (permissions over the whole GitLab instance) without a justification. Add justifications["${LIVE_KEY}"] in the gitlab-token-least-privilege-permissions policy config saying what the token does that needs it, or revoke it and issue a replacement whose scopes stop short of the instance, best declared in tokens.yaml so \`pulumi up\` manages it.`,
      ],
    );
    expect(
      messages(
        live(
          { granular_scopes: [{ access: "personal_projects", permissions: ["delete_artifact"] }] },
          {
            justification: "Reads artifacts for the dashboard",
          },
        ),
      ),
    ).toEqual([
      `personal token 'release-bot' has write permission delete_artifact, but its justification and description state a read-only need ("Reads artifacts for the dashboard"). On 'release-bot' in tokens.yaml, remove delete_artifact from granular; the next \`pulumi up\` replaces the token, or say in justification on 'release-bot' in tokens.yaml what the token changes.`,
    ]);
    expect(messages(live({ granular_scopes: undefined }))).toEqual([
      `personal token '${LIVE_KEY}' is a fine-grained token (GitLab reports granular: true), but GitLab did not list its granular scopes, so the least privilege of its permissions could not be verified`,
    ]);
    expect(
      messages(live({ granular_scopes: [{ access: "personal_projects", permissions: ["read_hologram"] }] })),
    ).toEqual([
      `permission read_hologram is not known to gitlab-tokens, so least privilege of personal token '${LIVE_KEY}' could not be verified`,
    ]);
  });

  it("runs as a CrossGuard policy on this project's resource", async () => {
    const props = oursProps({
      kind: "personal",
      key: "release-bot",
      target: "release-bot",
      scopes: [],
      accessLevel: undefined,
      serviceAccount: true,
      granular: [{ access: "instance", permissions: ["read_user"] }],
    } as object);
    expect(
      await validate(leastPrivilegePermissions, resourceArgs(OURS_TYPE, "release-bot-token", props)),
    ).toEqual([
      "personal token 'release-bot' has access instance (permissions over the whole GitLab instance) without a justification. Add justification saying what the token does that needs it, or give the permissions at a narrower access (selected_memberships, personal_projects, user) if they apply there.",
    ]);
    expect(
      await validate(leastPrivilegePermissions, resourceArgs(OURS_TYPE, "web-deploy-token", oursProps())),
    ).toEqual([]);
  });
});

describe("describeGranularScope", () => {
  it("names the access, its namespaces, the permissions and which of them write", () => {
    expect(
      describeGranularScope({ ...READ_WEB, groups: ["acme"], permissions: ["read_job", "create_release"] }),
    ).toBe("selected_memberships (acme/web, group acme): read_job, create_release (writes: create_release)");
    expect(describeGranularScope({ access: "personal_projects", permissions: ["read_job"] })).toBe(
      "personal_projects: read_job",
    );
    expect(describeGranularScope({ access: "user", permissions: ["follow_user"] })).toBe(
      "user: follow_user (write)",
    );
  });
});
