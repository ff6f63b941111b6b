/**
 * The provider shell of gitlab-tokens' dynamic resources. Each module of this package exports one
 * provider object (./access-token.js, ./ci-variable.js). Because the package is installed into
 * node_modules (a real copy: `install-links=true` in the project's .npmrc), Pulumi serialises a
 * resource's provider as `require("gitlab-tokens-shell/access-token.js")` (~260 bytes of state)
 * instead of the shell's code (~5 KB, stored twice per resource).
 *
 * The shell reads the credential in `configure` (stack config), never from inputs, and loads the
 * compiled implementation (`dist/components/providers/<name>.js` of the program folder or of an
 * installed gitlab-tokens) in each method, calling its `entry`: a contract with old state
 * (docs/architecture.md, "The persisted interface"). Plain CommonJS, no dependencies, no build:
 * it must exist right after `npm ci`. Edited here, it takes effect after `npm install`.
 */
"use strict";
const path = require("node:path");
const fs = require("node:fs");

/** The `entry` of a compiled implementation module, found where the program runs. */
function entryOf(name) {
  const bases = [];
  try {
    const pkg = require.resolve("gitlab-tokens/package.json", { paths: [process.cwd()] });
    bases.push(path.join(path.dirname(pkg), "dist"));
  } catch {
    // Not installed as a package: the program folder is this repository.
  }
  bases.push(path.resolve("dist"));
  for (const base of bases) {
    const file = path.join(base, "components", "providers", `${name}.js`);
    if (fs.existsSync(file)) return require(file).entry;
  }
  throw new Error(
    `gitlab-tokens: the compiled provider (${name}.js) is missing under ${process.cwd()}; run \`npm run build\` first`,
  );
}

/** A provider for the implementation module `name` (`access-token-impl`, `ci-variable-impl`). */
function providerShell(name) {
  let config = {};
  return {
    async configure(req) {
      config = {
        baseUrl: req.config.get("gitlab-tokens:baseUrl"),
        token: req.config.get("gitlab-tokens:token"),
      };
    },
    check: async (olds, news) => entryOf(name).check(olds, news),
    diff: async (_id, olds, news) => entryOf(name).diff(olds, news),
    create: async (inputs) => entryOf(name).create(config, inputs),
    read: async (id, props) => entryOf(name).read(config, id, props),
    update: async (_id, olds, news) => entryOf(name).updateWith(config, olds, news),
    delete: async (_id, props) => entryOf(name).remove(config, props),
  };
}

module.exports = { providerShell };
