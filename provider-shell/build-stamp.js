/**
 * Is `dist/` the compilation of the TypeScript it came from? The providers' implementation is
 * compiled to `dist/components/`; after `git pull` (or an edit) without `npm run build`, that
 * code is old. `npm run build` ends with `node provider-shell/build-stamp.js`, which records the
 * hash of what it compiled in `dist/.source-hash`; the shell (./shell.js) computes the same hash
 * before it loads an implementation and loads the TypeScript itself when the two differ.
 *
 * The hash covers every file the implementations can import (`components/`, all in-layer: the
 * layer rules keep the providers' imports inside it) and the compiler settings: the sorted
 * relative paths and contents of `components/**\/*.ts`, `tsconfig.json` and `tsconfig.build.json`.
 * About 3 ms for the ~70 files. Plain CommonJS, no dependencies.
 */
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const STAMP = path.join("dist", ".source-hash");
const SOURCES = "components";
const SETTINGS = ["tsconfig.json", "tsconfig.build.json"];

function tsFiles(root, dir, out) {
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) tsFiles(root, rel, out);
    else if (entry.name.endsWith(".ts")) out.push(rel);
  }
  return out;
}

/** The hash of the sources under `root`, or undefined when `root` has no `components/` (an installed package ships only dist/). */
function sourceHash(root) {
  if (!fs.existsSync(path.join(root, SOURCES))) return undefined;
  const files = tsFiles(root, SOURCES, []).concat(SETTINGS.filter((f) => fs.existsSync(path.join(root, f))));
  files.sort();
  const hash = crypto.createHash("sha256");
  for (const rel of files) {
    hash.update(`${rel}\0`);
    hash.update(fs.readFileSync(path.join(root, rel)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/** The hash `npm run build` recorded under `root`, or undefined. */
function recordedHash(root) {
  try {
    return fs.readFileSync(path.join(root, STAMP), "utf8").trim();
  } catch {
    return undefined;
  }
}

/** Records that `root/dist` is the compilation of the sources there now (run after tsc). */
function writeStamp(root) {
  const hash = sourceHash(root);
  if (hash === undefined) throw new Error(`build-stamp: no ${SOURCES}/ under ${root}`);
  fs.writeFileSync(path.join(root, STAMP), `${hash}\n`);
  return hash;
}

module.exports = { sourceHash, recordedHash, writeStamp, STAMP };

if (require.main === module) writeStamp(process.cwd());
