/**
 * The provider shell of gitlab-tokens' dynamic resources. Each module of this package exports one
 * provider object (./access-token.js, ./ci-variable.js, ./retirement.js). Because the package is installed into
 * node_modules (a real copy: `install-links=true` in the project's .npmrc), Pulumi serialises a
 * resource's provider as `require("gitlab-tokens-shell/access-token.js")` (~260 bytes of state)
 * instead of the shell's code (~5 KB, stored twice per resource). The published gitlab-tokens
 * package ships these files as its provider-shell/ folder, and a program that installed it stores
 * `require("gitlab-tokens/provider-shell/access-token.js")` (components/providers/shell.ts).
 *
 * The shell reads the credential in `configure` (stack config), never from inputs, and loads the
 * implementation (`components/providers/<name>` of the program folder or of an installed
 * gitlab-tokens) once per provider process, calling its `entry`: a contract with old state
 * (docs/architecture.md, "The persisted interface"). No build step: when `dist/` is the
 * compilation of the TypeScript beside it (./build-stamp.js), the compiled module is loaded;
 * when it is missing or stale (a `git pull` without `npm run build`), the TypeScript itself, through
 * ts-node without type checking — never old code. Plain CommonJS, no dependencies of its own: it
 * must work right after `npm ci`. Edited here, it takes effect after `npm install`.
 */
"use strict";
const path = require("node:path");
const fs = require("node:fs");
const { sourceHash, recordedHash, STAMP } = require("./build-stamp");

/** Is `dir` the gitlab-tokens package (its package.json names it)? */
function isGitlabTokens(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).name === "gitlab-tokens";
  } catch {
    return false;
  }
}

/**
 * The folder of the program's gitlab-tokens. When this shell is the provider-shell/ folder of an
 * installed gitlab-tokens (state written by a program that installed the package:
 * `require("gitlab-tokens/provider-shell/access-token.js")`), that package, whatever the working
 * folder; else (gitlab-tokens-shell, this repository's programs) an installed package the program
 * folder resolves, else the program folder.
 */
function projectRoot() {
  const own = path.dirname(__dirname);
  if (path.basename(__dirname) === "provider-shell" && isGitlabTokens(own)) return own;
  try {
    return path.dirname(require.resolve("gitlab-tokens/package.json", { paths: [process.cwd()] }));
  } catch {
    return process.cwd();
  }
}

let tsNodeRegistered = false;

/** Registers ts-node (transpile only: type checking is `npm run typecheck`'s job) once per process. */
function registerTypeScript(root, why) {
  if (tsNodeRegistered) return;
  let tsNode;
  try {
    tsNode = require(require.resolve("ts-node", { paths: [root, __dirname] }));
  } catch {
    throw new Error(
      `gitlab-tokens: ${why} under ${root}, and ts-node is not installed to load the TypeScript: run \`npm run build\``,
    );
  }
  const project = path.join(root, "tsconfig.build.json");
  tsNode.register({
    transpileOnly: true,
    ...(fs.existsSync(project)
      ? { project }
      : {
          skipProject: true,
          compilerOptions: { module: "commonjs", target: "ES2022", esModuleInterop: true },
        }),
  });
  tsNodeRegistered = true;
}

/** Where the implementation `name` comes from, decided once per provider process. */
function load(name) {
  const root = projectRoot();
  const compiled = path.join(root, "dist", "components", "providers", `${name}.js`);
  const current = sourceHash(root);
  if (current === undefined) {
    // An installed package ships dist/ without components/: what it ships is what runs.
    if (fs.existsSync(compiled)) return require(compiled).entry;
    throw new Error(
      `gitlab-tokens: the compiled provider (${name}.js) is missing under ${root}; reinstall the package`,
    );
  }
  if (fs.existsSync(compiled) && recordedHash(root) === current) return require(compiled).entry;
  const why = fs.existsSync(compiled)
    ? `dist/ is older than components/ (${STAMP} does not match)`
    : "dist/ is missing";
  registerTypeScript(root, why);
  return require(path.join(root, "components", "providers", `${name}.ts`)).entry;
}

const entries = new Map();

/** The `entry` of the implementation module `name`. */
function entryOf(name) {
  let entry = entries.get(name);
  if (!entry) {
    entry = load(name);
    entries.set(name, entry);
  }
  return entry;
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
