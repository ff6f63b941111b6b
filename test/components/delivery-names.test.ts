/**
 * The components' child names and type tokens with Pulumi mocks: each class registers its kind's
 * type token; CI-variable names are injective (`acme/web` and `acme_web` differ) and today's names
 * are kept for today's common targets.
 */
import * as pulumi from "@pulumi/pulumi";

const registered: { type: string; name: string }[] = [];

void pulumi.runtime.setMocks(
  {
    newResource(args) {
      registered.push({ type: args.type, name: args.name });
      return { id: `${args.name}-id`, state: { ...args.inputs } };
    },
    call: () => ({}),
  },
  "gitlab-tokens",
  "test",
  false,
);

// Imported after setMocks so the components see the mocked runtime.
import { GroupAccessToken, PersonalAccessToken, ProjectAccessToken } from "../../components";
import { deliveryName, legacyDeliveryName } from "../../components/access-tokens";
import { COMPONENT_TYPES } from "../../components/kinds";

const CI_VARIABLE = "pulumi-nodejs:dynamic/gitlab-tokens:CiVariable";

async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 50));
}

beforeEach(() => {
  registered.length = 0;
});

it.each([
  ["project", () => new ProjectAccessToken("p", { project: "acme/web", scopes: ["read_api"] })],
  ["group", () => new GroupAccessToken("g", { group: "acme", scopes: ["read_api"] })],
  ["personal", () => new PersonalAccessToken("u", { user: "provisioner", scopes: ["read_api"] })],
] as const)("the %s component registers its kind's type token", async (kind, build) => {
  build();
  await settle();
  expect(registered[0]?.type).toBe(COMPONENT_TYPES[kind]);
});

describe("CI-variable names", () => {
  it.each([
    ["acme/web", "web-project-acme_web-DEPLOY_TOKEN"],
    ["acme/sub/web.site-2", "web-project-acme_sub_web.site-2-DEPLOY_TOKEN"],
    ["42", "web-project-42-DEPLOY_TOKEN"],
  ])("keep today's name for %s", (where, expected) => {
    expect(deliveryName("web", "project", where, "DEPLOY_TOKEN")).toBe(expected);
    expect(legacyDeliveryName("web", "project", where, "DEPLOY_TOKEN")).toBe(expected);
  });

  it.each([
    ["acme_web", "web-project-acme%5Fweb-V"],
    ["acme web", "web-project-acme%20web-V"],
    ["acme/wé", "web-project-acme_w%C3%A9-V"],
  ])("escape what used to collapse: %s", (where, expected) => {
    expect(deliveryName("web", "project", where, "V")).toBe(expected);
  });

  it("tells targets apart that the old names confused", () => {
    const targets = ["acme/web", "acme_web", "acme web", "acme%5Fweb", "acme/_web", "acme_/web"];
    const names = targets.map((t) => deliveryName("k", "project", t, "V"));
    expect(new Set(names).size).toBe(targets.length);
    expect(new Set(targets.map((t) => legacyDeliveryName("k", "project", t, "V"))).size).toBeLessThan(
      targets.length,
    );
  });

  it("registers distinct names for acme/web and acme_web deliveries of one token", async () => {
    new ProjectAccessToken("web", {
      project: "acme/web",
      scopes: ["read_api"],
      deliverTo: [
        { project: "acme/web", variable: "TOKEN" },
        { project: "acme_web", variable: "TOKEN" },
      ],
    });
    await settle();
    expect(registered.filter((r) => r.type === CI_VARIABLE).map((r) => r.name)).toEqual([
      "web-project-acme_web-TOKEN",
      "web-project-acme%5Fweb-TOKEN",
    ]);
  });
});
