/**
 * Reading a `pulumi stack export` document: only this project's access tokens, keyed by declaration
 * key, never their value (encrypted, or plaintext from a `--show-secrets` export), and a clear error
 * for anything that is not such a document.
 */
import { ReviewInputError, readStateExport, redactOutputs } from "../../commands/review";
import { readFixture, secretValuesInState } from "./helpers";

const text = readFixture("state.json");

describe("readStateExport", () => {
  const tokens = readStateExport(text, "state.json");

  it("reads the access tokens only, keyed by their declaration key", () => {
    expect(tokens.map((t) => [t.key, t.id])).toEqual([
      ["web-registry-pull", "project/11/101"],
      ["api-release-bot", "project/12/102"],
      ["acme-dependency-reader", "group/5/103"],
      ["release-tagger", "project/11/104"],
      ["legacy-importer", "project/13/105"],
      ["inventory-export", "personal/42/106"],
      ["docs-reader", "project/14/107"],
      ["long-lived-reader", "group/5/108"],
      ["audit-export", "project/15/109"],
    ]);
    expect(tokens[0]?.outputs).toMatchObject({
      kind: "project",
      scopes: ["read_registry", "read_repository"],
      expiresAt: "2026-09-30",
      createdAt: "2026-08-01T09:00:00.000Z",
    });
  });

  it("drops the token value, encrypted or not, at parse time", () => {
    const kept = JSON.stringify(tokens);
    expect(tokens.every((t) => !("token" in t.outputs))).toBe(true);
    for (const s of secretValuesInState()) expect(kept).not.toContain(s);
  });

  it("drops any other secret-wrapped value too", () => {
    const sig = "4dabf18193072939515e22adb298388d";
    const secret = { [sig]: "1b47061264138c4ac30d75fd1eb44270", plaintext: '"hunter2"' };
    expect(
      redactOutputs({ token: "glpat-x", owner: secret, scopes: ["a", secret], nested: { v: secret } }),
    ).toEqual({
      scopes: ["a"],
      nested: {},
    });
  });

  it("falls back to the URN's name for the key and skips resources pending deletion", () => {
    const doc = JSON.parse(text) as { deployment: { resources: Record<string, unknown>[] } };
    const resources = doc.deployment.resources.filter(
      (r) => r.type === "pulumi-nodejs:dynamic/gitlab-tokens:AccessToken",
    );
    const first = resources[0] as { outputs: Record<string, unknown> };
    delete first.outputs.key;
    (resources[1] as Record<string, unknown>).delete = true;
    const keys = readStateExport(JSON.stringify({ ...doc, deployment: { resources } }), "s").map(
      (t) => t.key,
    );
    expect(keys.slice(0, 2)).toEqual(["web-registry-pull", "acme-dependency-reader"]);
  });

  it("reads an empty stack", () => {
    expect(readStateExport('{"version":3,"deployment":{"manifest":{}}}', "s")).toEqual([]);
  });

  it.each([
    ["text that is not JSON", "not json", /^state\.json is not JSON/],
    [
      "JSON that is not an export",
      '{"resources":[]}',
      /^state\.json is not a `pulumi stack export` document \(deployment: /,
    ],
    [
      "a token without its outputs",
      JSON.stringify({
        deployment: {
          resources: [
            {
              urn: "urn:x::t",
              type: "pulumi-nodejs:dynamic/gitlab-tokens:AccessToken",
              outputs: { kind: "project" },
            },
          ],
        },
      }),
      /^state\.json: access token urn:x::t has unexpected outputs \(target: /,
    ],
  ])("refuses %s", (_what, input, message) => {
    expect(() => readStateExport(input, "state.json")).toThrow(ReviewInputError);
    expect(() => readStateExport(input, "state.json")).toThrow(message);
  });
});
