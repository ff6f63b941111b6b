/**
 * The policies on pipeline trigger tokens: this project's (`kind: trigger`, no scopes, no access
 * level) and the official provider's `PipelineTrigger`, which has no expiry at all.
 */
import { POLICY_IDS, RULE_IDS, runPolicy, type RuleId } from "../../policies/rules";
import { OFFICIAL_TYPES } from "../../components/kinds";
import { NOW, official, ours } from "./helpers";

const trigger = (over: Record<string, unknown> = {}) =>
  ours({ kind: "trigger", key: "nightly", name: "nightly", scopes: [], accessLevel: undefined, ...over });
const outcomes = (policy: RuleId, token: ReturnType<typeof ours>) =>
  runPolicy(policy, token, {}, NOW).map((f) => `${f.status}:${f.code}`);

describe("this project's trigger tokens", () => {
  it("a compliant one breaks no rule (no scopes and no access level are not findings)", () => {
    for (const id of RULE_IDS) expect([id, outcomes(id, trigger())]).toEqual([id, []]);
  });

  it.each([
    [POLICY_IDS.maxLifetime, { lifetimeDays: 120 }, ["violation:lifetime-too-long"]],
    [POLICY_IDS.rotationWindow, { rotateBeforeDays: 60 }, ["violation:rotation-window-not-below-lifetime"]],
    [POLICY_IDS.leastPrivilegeScopes, { scopes: ["api"] }, ["violation:invalid-scope"]],
  ] as const)("%s judges %j", (policy, over, expected) => {
    expect(outcomes(policy, trigger(over))).toEqual(expected);
  });

  it("says a trigger token has no scopes", () => {
    const [f] = runPolicy(POLICY_IDS.leastPrivilegeScopes, trigger({ scopes: ["api"] }), {}, NOW);
    expect(f?.message).toContain("a trigger token has no scopes in GitLab. Remove them.");
  });
});

describe("the official provider's PipelineTrigger", () => {
  const t = () => official("trigger", {}, "nightly");

  it("is recognised as a trigger token", () => {
    expect(t()).toMatchObject({
      kind: "trigger",
      type: OFFICIAL_TYPES.trigger,
      target: "acme/web",
      scopes: [],
    });
  });

  it("breaks max-lifetime: no expiry, and the resource cannot have one", () => {
    const findings = runPolicy(POLICY_IDS.maxLifetime, t(), {}, NOW);
    expect(findings.map((f) => `${f.status}:${f.code}`)).toEqual(["violation:no-expiry"]);
    expect(findings[0]?.message).toMatch(
      /has no expiry; tokens must expire within 90 days of creation\. The official PipelineTrigger resource cannot give it an expiry; declare it in tokens\.yaml instead \(kind: trigger, lifetimeDays: 90 or less\)/,
    );
  });

  it("breaks rotation-window: nothing rotates it", () => {
    const findings = runPolicy(POLICY_IDS.rotationWindow, t(), {}, NOW);
    expect(findings.map((f) => `${f.status}:${f.code}`)).toEqual(["violation:rotation-not-configured"]);
    expect(findings[0]?.message).toContain("The official PipelineTrigger resource cannot give it an expiry");
  });

  it("has nothing for the scope and access-level rules to judge", () => {
    expect(outcomes(POLICY_IDS.leastPrivilegeScopes, t())).toEqual([]);
    expect(outcomes(POLICY_IDS.accessLevel, t())).toEqual([]);
  });
});
