/**
 * Deploy tokens under the policies: this project's `kind: deploy` resource and the official
 * provider's `ProjectDeployToken` and `GroupDeployToken`, through their adapters, against the
 * max-lifetime, rotation-window and least-privilege-scopes rules.
 */
import { OFFICIAL_TYPES } from "../../components/types";
import {
  POLICY_IDS,
  normaliseResource,
  runPolicy,
  type NormalisedToken,
  type RuleId,
} from "../../policies/rules";
import { NOW, ours } from "./helpers";

const deploy = (over: Record<string, unknown> = {}) =>
  ours({
    kind: "deploy",
    accessLevel: undefined,
    description: "",
    scopes: ["read_registry"],
    targetField: "project",
    ...over,
  } as object);

const officialDeploy = (type: string, props: Record<string, unknown>) =>
  normaliseResource({ type, name: "registry", props }) as NormalisedToken;

const outcomes = (policy: RuleId, token: NormalisedToken) =>
  runPolicy(policy, token, {}, NOW).map((f) => `${f.status}:${f.code}`);

describe("deploy tokens under the policies", () => {
  it("map the official provider's ProjectDeployToken and GroupDeployToken", () => {
    const project = officialDeploy(OFFICIAL_TYPES.deploy, {
      project: "acme/web",
      name: "registry",
      username: "ci",
      scopes: ["read_registry"],
      expiresAt: "2026-10-01T00:00:00Z",
    });
    expect(project).toMatchObject({
      kind: "deploy",
      family: "gitlab-provider",
      target: "acme/web",
      scopes: ["read_registry"],
      expiresAt: "2026-10-01",
      accessLevel: undefined,
    });
    const group = officialDeploy("gitlab:index/groupDeployToken:GroupDeployToken", {
      group: "acme",
      name: "registry",
      scopes: ["read_package_registry"],
    });
    expect(group).toMatchObject({
      kind: "deploy",
      target: "acme",
      type: "gitlab:index/groupDeployToken:GroupDeployToken",
    });
    // The official provider's deploy token without expiresAt never expires: a violation.
    expect(outcomes(POLICY_IDS.maxLifetime, group)).toEqual(["violation:no-expiry"]);
    expect(outcomes(POLICY_IDS.maxLifetime, project)).toEqual([]);
    // The official provider cannot rotate deploy tokens (no rotationConfiguration): the fix says so.
    const [rotation] = runPolicy(POLICY_IDS.rotationWindow, project, {}, NOW);
    expect(rotation?.message).toContain(
      "The official provider cannot rotate a deploy token (it has no rotationConfiguration); declare it in tokens.yaml (kind: deploy)",
    );
    const [lifetime] = runPolicy(POLICY_IDS.maxLifetime, group, {}, NOW);
    expect(lifetime?.message).toContain(
      "Set expiresAt at most 90 days ahead (a deploy token has no rotationConfiguration)",
    );
  });

  it("ask a deploy token for an owner but not for a description (GitLab keeps none)", () => {
    expect(outcomes(POLICY_IDS.ownership, deploy())).toEqual([]);
    expect(outcomes(POLICY_IDS.ownership, deploy({ owner: undefined }))).toEqual(["violation:no-owner"]);
    expect(outcomes(POLICY_IDS.ownership, ours({ description: "" }))).toEqual(["violation:no-description"]);
  });

  it.each([
    ["a 60-day read token", {}, POLICY_IDS.maxLifetime, []],
    ["a 120-day one", { lifetimeDays: 120 }, POLICY_IDS.maxLifetime, ["violation:lifetime-too-long"]],
    ["a rotation window of 7 days", {}, POLICY_IDS.rotationWindow, []],
    [
      "read scopes",
      { scopes: ["read_registry", "read_package_registry"] },
      POLICY_IDS.leastPrivilegeScopes,
      [],
    ],
    [
      "write_package_registry without a justification",
      { scopes: ["write_package_registry"] },
      POLICY_IDS.leastPrivilegeScopes,
      ["violation:unjustified-scope"],
    ],
    [
      "write_registry with a justification",
      {
        scopes: ["read_registry", "write_registry"],
        justification: "Pushes the images the release job builds",
      },
      POLICY_IDS.leastPrivilegeScopes,
      [],
    ],
    [
      "read_package_registry beside write_package_registry (implied)",
      {
        scopes: ["read_package_registry", "write_package_registry"],
        justification: "Publishes the npm packages of the release job",
      },
      POLICY_IDS.leastPrivilegeScopes,
      ["violation:redundant-scope"],
    ],
  ] as const)("ours: %s", (_label, over, policy, expected) => {
    expect(outcomes(policy, deploy(over))).toEqual(expected);
  });
});
