/**
 * Loads a compiled provider implementation at run time, from the program folder: this repository
 * (`dist/`), or the `gitlab-tokens` package installed where the program runs — found with
 * `require.resolve("gitlab-tokens/package.json", { paths: [process.cwd()] })`, so Node's own package
 * lookup (parent folders, workspaces, NODE_PATH) decides, not a guessed `node_modules/...` path. The
 * program folder's own `./dist` is the fallback. The serialised provider shells call this inside
 * their methods, so state holds only the shells (~1 KB), never the implementation or its libraries.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- run-time loading is the point: nothing may be captured at serialisation */
export function providerModule(name: string): unknown {
  const path = require("node:path") as typeof import("node:path");
  const fs = require("node:fs") as typeof import("node:fs");
  const bases = [path.resolve("dist")];
  try {
    const pkg = require.resolve("gitlab-tokens/package.json", { paths: [process.cwd()] });
    bases.unshift(path.join(path.dirname(pkg), "dist"));
  } catch {
    // Not installed as a package: this repository is the program folder.
  }
  for (const base of bases) {
    const file = path.join(base, "components", "providers", `${name}.js`);
    if (fs.existsSync(file)) return require(file);
  }
  throw new Error(
    `gitlab-tokens: the compiled provider (${name}.js) is missing under ${process.cwd()}; run \`npm run build\` first`,
  );
}
