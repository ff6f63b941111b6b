/**
 * The adapters: this project's dynamic token resource and the official provider's three token
 * resources map onto the same normalised token; values unknown at preview (behind the real
 * `@pulumi/policy` proxy, or as raw sentinels) never throw and are recorded as unknown.
 */
import { isTokenType, normaliseResource, type NormalisedToken } from "../../policies/rules";
import { OURS_TYPE, UNKNOWN, officialProps, officialType, oursProps, withUnknownProxy } from "./helpers";

const SECRET = "glpat-0123456789abcdefghij";

describe("adapters", () => {
  it("map this project's token resource (inputs)", () => {
    const token = normaliseResource({
      type: OURS_TYPE,
      name: "web-deploy-token",
      urn: "urn:pulumi:dev::p::t::web-deploy-token",
      props: oursProps({ justification: "", serviceAccount: undefined }),
    });
    expect(token).toEqual<NormalisedToken>({
      key: "web-deploy",
      aliases: ["web-deploy-token", "urn:pulumi:dev::p::t::web-deploy-token"],
      family: "gitlab-tokens",
      type: OURS_TYPE,
      urn: "urn:pulumi:dev::p::t::web-deploy-token",
      kind: "project",
      target: "acme/web",
      name: "web-deploy",
      description: "Pulls images for the web deploy job",
      scopes: ["read_registry", "read_repository"],
      accessLevel: "reporter",
      lifetimeDays: 60,
      expiresAt: undefined,
      createdAt: undefined,
      rotation: { rotateBeforeDays: 7 },
      owner: "team-web",
      justification: "",
      serviceAccount: undefined,
      unknown: [],
    });
  });

  it("map this project's token resource (state outputs), never reading the token value", () => {
    const props = {
      ...oursProps({ lifetimeDays: undefined, fixedExpiresAt: "2026-11-01" }),
      tokenId: 7,
      token: SECRET,
      expiresAt: "2026-11-01",
      rotatesAt: "2026-10-25",
      createdAt: "2026-09-02T08:00:00.000Z",
      active: true,
    };
    const token = normaliseResource({
      type: OURS_TYPE,
      name: "web-deploy-token",
      props: withUnknownProxy(props),
    });
    expect(token).toMatchObject({
      expiresAt: "2026-11-01",
      createdAt: "2026-09-02T08:00:00.000Z",
      unknown: [],
    });
    expect(token?.lifetimeDays).toBeUndefined();
    expect(JSON.stringify(token)).not.toContain(SECRET);
  });

  it("take the expiry computed at creation when no fixed expiry was declared", () => {
    const props = { ...oursProps(), expiresAt: "2026-11-02", createdAt: "2026-09-03T00:00:00Z" };
    expect(normaliseResource({ type: OURS_TYPE, name: "t", props })).toMatchObject({
      lifetimeDays: 60,
      expiresAt: "2026-11-02",
    });
  });

  it.each([
    ["project", { target: "acme/web", accessLevel: "reporter", userId: undefined }],
    ["group", { target: "acme", accessLevel: "reporter", userId: undefined }],
    ["personal", { target: "42", accessLevel: undefined, userId: "42" }],
  ] as const)("map the official provider's %s token", (kind, expected) => {
    const token = normaliseResource({
      type: officialType(kind),
      name: "ci-reader",
      props: officialProps(kind),
    });
    expect(token).toEqual<NormalisedToken>({
      key: "ci-reader",
      aliases: [],
      family: "gitlab-provider",
      type: officialType(kind),
      urn: undefined,
      kind,
      name: "ci-reader",
      description: "Reads the API for the release notes job",
      scopes: ["read_api"],
      lifetimeDays: 60,
      expiresAt: undefined,
      createdAt: undefined,
      rotation: { rotateBeforeDays: 7 },
      unknown: [],
      ...expected,
    });
  });

  it("read the official provider's expiry date and creation time from state", () => {
    const props = {
      ...officialProps("project", { rotationConfiguration: undefined }),
      expiresAt: "2026-11-01",
      createdAt: "2026-09-01T10:11:12Z",
      token: SECRET,
    };
    const token = normaliseResource({ type: officialType("project"), name: "t", props });
    expect(token).toMatchObject({
      expiresAt: "2026-11-01",
      createdAt: "2026-09-01T10:11:12Z",
      rotation: undefined,
    });
    expect(JSON.stringify(token)).not.toContain(SECRET);
  });

  it.each([
    ["raw sentinels", (p: Record<string, unknown>) => p],
    ["the policy runtime's proxy, which throws on unknown reads", withUnknownProxy],
  ])("record unknown values given as %s", (_how, wrap) => {
    const ours = normaliseResource({
      type: OURS_TYPE,
      name: "t",
      props: wrap(
        oursProps({
          description: UNKNOWN.string,
          scopes: ["read_api", UNKNOWN.string],
          lifetimeDays: undefined,
          fixedExpiresAt: UNKNOWN.string,
          owner: UNKNOWN.string,
        }),
      ),
    });
    expect(ours).toMatchObject({
      description: undefined,
      scopes: ["read_api"],
      expiresAt: undefined,
      owner: undefined,
    });
    expect([...(ours?.unknown ?? [])].sort()).toEqual(["description", "expiresAt", "owner", "scopes"]);

    const theirs = normaliseResource({
      type: officialType("personal"),
      name: "t",
      props: wrap(
        officialProps("personal", { userId: UNKNOWN.number, rotationConfiguration: UNKNOWN.object }),
      ),
    });
    expect(theirs).toMatchObject({ userId: undefined, rotation: {}, lifetimeDays: undefined });
    expect([...(theirs?.unknown ?? [])].sort()).toEqual([
      "lifetimeDays",
      "rotateBeforeDays",
      "rotation",
      "userId",
    ]);

    const nested = normaliseResource({
      type: officialType("group"),
      name: "t",
      props: wrap(
        officialProps("group", {
          rotationConfiguration: { expirationDays: UNKNOWN.number, rotateBeforeDays: 7 },
        }),
      ),
    });
    expect(nested).toMatchObject({ rotation: { rotateBeforeDays: 7 }, lifetimeDays: undefined });
    expect(nested?.unknown).toEqual(["lifetimeDays"]);
  });

  it("treat a missing kind on this project's token as not judgeable", () => {
    const token = normaliseResource({
      type: OURS_TYPE,
      name: "t",
      props: oursProps({ kind: UNKNOWN.string }),
    });
    expect(token?.unknown).toEqual(["kind"]);
  });

  it("recognise only token resources", () => {
    expect(isTokenType(OURS_TYPE)).toBe(true);
    expect(isTokenType("gitlab:index/projectAccessToken:ProjectAccessToken")).toBe(true);
    expect(isTokenType("gitlab:index/groupAccessToken:GroupAccessToken")).toBe(true);
    expect(isTokenType("gitlab:index/personalAccessToken:PersonalAccessToken")).toBe(true);
    expect(isTokenType("gitlab-tokens:index:ProjectAccessToken")).toBe(false);
    expect(isTokenType("pulumi-nodejs:dynamic/gitlab-tokens:CiVariable")).toBe(false);
    expect(normaliseResource({ type: "gitlab:index/project:Project", name: "p", props: {} })).toBeUndefined();
  });
});
