#!/usr/bin/env bash
# Root `postinstall`: installs the policy pack's own packages (policies/node_modules, from its
# lockfile), so that `npm ci && pulumi preview --policy-pack policies` works on a fresh clone.
# Skipped when they are already installed from the current lockfile (a second `npm install` costs
# nothing) and where there is no policy pack beside this file.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -f policies/package-lock.json ] || exit 0
stamp=policies/node_modules/.package-lock.json
if [ -f "$stamp" ] && [ ! policies/package-lock.json -nt "$stamp" ]; then exit 0; fi
echo "[postinstall] installing the policy pack's packages (npm ci in policies/)" >&2
cd policies && npm ci --no-audit --no-fund >&2
