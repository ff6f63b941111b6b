/**
 * `npm run build`'s step for the compiled policy pack: `tsc -p tsconfig.build.json` compiles the pack
 * (policies/*.ts) and what it imports into dist/; this writes the two files that make
 * dist/policies/ a policy pack folder of its own — its package.json (the version Pulumi shows, the
 * compiled `main`) and PulumiPolicy.yaml (plain JavaScript: no ts-node, which does not compile files
 * under node_modules). The published package ships it, so a program that installed gitlab-tokens runs
 *   pulumi preview --policy-pack node_modules/gitlab-tokens/dist/policies
 * and resolves @pulumi/policy from its own node_modules (a dependency of gitlab-tokens). This
 * folder's TypeScript pack (policies/, its own package.json) stays what this repository runs.
 * Plain CommonJS, no dependencies.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const out = path.join(root, "dist", "policies");
const read = (file) => fs.readFileSync(file, "utf8");

if (!fs.existsSync(path.join(out, "index.js"))) {
  throw new Error(
    `build-pack: ${path.relative(root, out)}/index.js is missing; run tsc -p tsconfig.build.json first`,
  );
}
const pkg = JSON.parse(read(path.join(root, "package.json")));
const pack = JSON.parse(read(path.join(__dirname, "package.json")));
const description = /^description:.*$/m.exec(read(path.join(__dirname, "PulumiPolicy.yaml")));

fs.writeFileSync(
  path.join(out, "package.json"),
  `${JSON.stringify(
    {
      name: pack.name,
      version: pkg.version,
      private: true,
      description: pack.description,
      license: pkg.license,
      main: "index.js",
    },
    null,
    2,
  )}\n`,
);
fs.writeFileSync(
  path.join(out, "PulumiPolicy.yaml"),
  [
    "runtime:",
    "  name: nodejs",
    "  options:",
    "    typescript: false",
    ...(description ? [description[0]] : []),
    "",
  ].join("\n"),
);
