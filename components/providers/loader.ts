/**
 * Loads a compiled provider implementation at run time, from the program folder: this repository
 * (`dist/`) or an installed `gitlab-tokens` package. The serialised provider shells call this inside
 * their methods, so state holds only the shells (~1 KB), never the implementation or its libraries.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- run-time loading is the point: nothing may be captured at serialisation */
export function providerModule(name: string): unknown {
  const path = require("node:path") as typeof import("node:path");
  const fs = require("node:fs") as typeof import("node:fs");
  for (const base of ["dist/components/providers", "node_modules/gitlab-tokens/dist/components/providers"]) {
    const file = path.resolve(base, `${name}.js`);
    if (fs.existsSync(file)) return require(file);
  }
  throw new Error(
    `gitlab-tokens: the compiled provider (${name}.js) is missing under ${process.cwd()}; run \`npm run build\` first`,
  );
}
