/**
 * Which provider-shell module the components load, and so which module path state records
 * (docs/architecture.md, "The persisted interface"): the installed package's own provider-shell/
 * when the component code runs from node_modules/gitlab-tokens (npm or pnpm layout), the
 * gitlab-tokens-shell package in this repository and in copies of its program.
 */
import * as path from "node:path";
import { installedPackageRoot, shellModule } from "../../components/providers/shell";
import { REPO_ROOT } from "../../scripts/pulumi-engine";

const DIST = path.join("dist", "components", "providers");

it.each([
  ["npm", "/srv/infra/node_modules/gitlab-tokens"],
  ["pnpm", "/srv/infra/node_modules/.pnpm/gitlab-tokens@0.1.0/node_modules/gitlab-tokens"],
])("an installed package (%s) loads its own provider-shell/", (_layout, root) => {
  const dir = path.join(root, DIST);
  expect(installedPackageRoot(dir)).toBe(root);
  expect(shellModule("access-token.js", dir)).toBe(path.join(root, "provider-shell", "access-token.js"));
  expect(shellModule("ci-variable.js", dir)).toBe(path.join(root, "provider-shell", "ci-variable.js"));
});

it.each([
  ["this repository's sources", path.join(REPO_ROOT, "components", "providers")],
  ["this repository's dist/", path.join(REPO_ROOT, DIST)],
  ["a copy of the program", "/tmp/gitlab-tokens-ws-1/project/components/providers"],
  ["a folder named gitlab-tokens outside node_modules", "/home/me/gitlab-tokens/components/providers"],
])("%s loads gitlab-tokens-shell, the path existing state uses", (_what, dir) => {
  expect(installedPackageRoot(dir)).toBeUndefined();
  expect(shellModule("access-token.js", dir)).toBe("gitlab-tokens-shell/access-token.js");
  expect(shellModule("ci-variable.js", dir)).toBe("gitlab-tokens-shell/ci-variable.js");
});
