/**
 * The configuration schemas: each policy's zod schema (policies/rules/config.ts) is the one source of
 * its defaults, its parsing and the JSON schema the pack publishes. The published schema is strict,
 * as the engine applies it to a `--policy-pack-config` file; parsing is lenient (see evaluate.test.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { policyConfigSchema } from "../../policies/tokenPolicy";
import { DEFAULTS, POLICY_IDS, RULE_IDS, resolveConfig, type RuleId } from "../../policies/rules";

/** What the engine checks a policy's entry against: its published keys and `enforcementLevel`. */
function publishedValidator(id: RuleId) {
  const { properties } = policyConfigSchema(id);
  return z.fromJSONSchema(
    {
      type: "object",
      properties: {
        ...properties,
        enforcementLevel: { type: "string", enum: ["advisory", "mandatory", "remediate", "disabled"] },
      },
      additionalProperties: false,
    } as never,
    { defaultTarget: "draft-4" },
  );
}

describe("published configuration schemas", () => {
  it.each(RULE_IDS)("%s: CrossGuard's shape, without JSON-schema headers", (id) => {
    const schema = policyConfigSchema(id);
    expect(Object.keys(schema)).toEqual(["properties"]);
    expect(schema.properties).toHaveProperty("exceptions");
    for (const property of Object.values(schema.properties)) {
      expect(property).not.toHaveProperty("$schema");
      expect(property.description).toEqual(expect.any(String));
    }
  });

  it.each(RULE_IDS)("%s: a default for every key, and they are the code's", (id) => {
    const { properties } = policyConfigSchema(id);
    const defaults = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, v.default]));
    expect(Object.values(defaults)).not.toContain(undefined);
    expect(resolveConfig(id, defaults)).toEqual(DEFAULTS[id]);
  });

  it("accept policies/config.example.json", () => {
    const file = path.join(__dirname, "..", "..", "policies", "config.example.json");
    const example = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
    for (const id of RULE_IDS) {
      const result = publishedValidator(id).safeParse(example[id] ?? {});
      expect(result.error?.issues ?? []).toEqual([]);
    }
  });

  it.each([
    [POLICY_IDS.maxLifetime, { maxLifetimeDays: 120 }],
    [POLICY_IDS.maxLifetime, { maxLifetimeDays: 0 }],
    [POLICY_IDS.accessLevel, { maxAccessLevel: "owner" }],
    [POLICY_IDS.rotationWindow, { minRotateBeforeDays: 1.5 }],
    [POLICY_IDS.ownership, { owners: { web: 7 } }],
    [POLICY_IDS.leastPrivilegeScopes, { unknownKey: true }],
    [POLICY_IDS.maxLifetime, { exceptions: [{ token: "web", expires: "2026-12-31" }] }],
    [POLICY_IDS.maxLifetime, { exceptions: [{ token: "web", expires: "31/12/2026", reason: "r" }] }],
    [POLICY_IDS.maxLifetime, { exceptions: [{ token: "web", expires: "2026-12-31", reason: "r", note: 1 }] }],
  ])("%s rejects %j", (id, entry) => {
    expect(publishedValidator(id).safeParse(entry).success).toBe(false);
  });

  it("accept service accounts given as user ids or names", () => {
    const entry = { serviceAccounts: ["release-bot", 4242] };
    expect(publishedValidator(POLICY_IDS.noHumanPersonalTokens).safeParse(entry).success).toBe(true);
    expect(resolveConfig(POLICY_IDS.noHumanPersonalTokens, entry).serviceAccounts).toEqual([
      "release-bot",
      "4242",
    ]);
  });
});

describe("parsing", () => {
  it("brings numbers out of range into it, like the published bounds", () => {
    expect(resolveConfig(POLICY_IDS.maxLifetime, { maxLifetimeDays: 0 }).maxLifetimeDays).toBe(1);
    expect(resolveConfig(POLICY_IDS.maxLifetime, { maxLifetimeDays: 45.9 }).maxLifetimeDays).toBe(45);
    expect(
      resolveConfig(POLICY_IDS.leastPrivilegeScopes, { minJustificationLength: -3 }).minJustificationLength,
    ).toBe(1);
  });

  it("keeps the usable part of lists and maps", () => {
    const config = resolveConfig(POLICY_IDS.leastPrivilegeScopes, {
      additionalForbiddenScopes: ["api", null, 3],
      justifications: { a: "why", b: 2 },
    });
    expect(config.additionalForbiddenScopes).toEqual(["api", "3"]);
    expect(config.justifications).toEqual({ a: "why" });
  });

  it("never shares default lists between configurations", () => {
    const first = resolveConfig(POLICY_IDS.leastPrivilegeScopes, {});
    first.requireJustificationFor.push("read_api");
    expect(resolveConfig(POLICY_IDS.leastPrivilegeScopes, {}).requireJustificationFor).not.toContain(
      "read_api",
    );
  });
});
