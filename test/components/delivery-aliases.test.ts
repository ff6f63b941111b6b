/**
 * A delivery whose child name changed (a target that used to collapse, such as `acme_web`) keeps its
 * resource through an alias to the old name, so existing stacks are not replaced; a name that did
 * not change, or an old name another delivery now carries, gets none.
 */
import * as pulumi from "@pulumi/pulumi";

const made: { name: string; opts: pulumi.CustomResourceOptions | undefined }[] = [];

jest.mock("../../components/providers/ci-variable", () => ({
  CiVariableResource: class {
    constructor(name: string, _args: unknown, opts?: pulumi.CustomResourceOptions) {
      made.push({ name, opts });
    }
  },
}));

void pulumi.runtime.setMocks(
  {
    newResource: (args) => ({ id: `${args.name}-id`, state: { ...args.inputs } }),
    call: () => ({}),
  },
  "gitlab-tokens",
  "test",
  false,
);

// Imported after setMocks so the components see the mocked runtime.
import { ProjectAccessToken } from "../../components";

beforeEach(() => {
  made.length = 0;
});

// Let the token's registration (asynchronous under mocks) finish before the environment goes.
afterEach(() => new Promise((r) => setTimeout(r, 100)));

const aliasesOf = (name: string) => made.find((m) => m.name === name)?.opts?.aliases;

it("aliases a changed name to the old one and leaves unchanged names alone", () => {
  new ProjectAccessToken("web", {
    project: "acme/web",
    scopes: ["read_api"],
    deliverTo: [
      { project: "acme/web", variable: "A" },
      { project: "acme_web", variable: "B" },
    ],
  });
  expect(made.map((m) => m.name)).toEqual(["web-project-acme_web-A", "web-project-acme%5Fweb-B"]);
  expect(aliasesOf("web-project-acme_web-A")).toBeUndefined();
  expect(aliasesOf("web-project-acme%5Fweb-B")).toEqual([{ name: "web-project-acme_web-B" }]);
});

it("gives no alias when another delivery of the token now carries the old name", () => {
  new ProjectAccessToken("web", {
    project: "acme/web",
    scopes: ["read_api"],
    deliverTo: [
      { project: "acme/web", variable: "A" },
      { project: "acme_web", variable: "A" },
    ],
  });
  expect(made.map((m) => m.name)).toEqual(["web-project-acme_web-A", "web-project-acme%5Fweb-A"]);
  expect(aliasesOf("web-project-acme%5Fweb-A")).toBeUndefined();
});
