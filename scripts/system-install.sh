#!/usr/bin/env bash
# Makes sure the system programs the tests use beyond Node.js and Go are here:
#   - PostgreSQL's server programs (initdb, postgres): scripts/postgres.ts starts a throwaway server
#     from them for the end-to-end tests on the PostgreSQL state backend
#     (test/e2e/lifecycle.postgres.test.ts);
#   - rsync: gitlab-ci-local copies the checkout with it (test/ci/pipelines.test.ts);
#   - libfaketime (Debian package `faketime`): moves the pipeline runner's clock for the scheduled
#     rotation pipeline (test/ci/pipelines.test.ts);
#   - python-gitlab (Debian package `python3-gitlab`, 3.12 on Debian 12): one of the two real clients
#     of the client conformance harness (test/conformance/clients.test.ts). The harness uses
#     $GITLAB_TOKENS_PYTHON, else /usr/bin/python3, else python3 — the first that imports `gitlab`.
# Silent when all are present. Otherwise, on Debian/Ubuntu as root (or with password-less sudo),
# installs the missing Debian packages — `postgresql` without the cluster and service it would
# otherwise create and start: the tests start their own servers. Elsewhere it says what to install
# and exits 1.
set -euo pipefail

LIBFAKETIME=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 # test/ci/pipeline-harness.ts

have_python_gitlab() {
  local python
  for python in "${GITLAB_TOKENS_PYTHON:-}" /usr/bin/python3 python3; do
    [ -n "$python" ] && "$python" -c 'import gitlab' >/dev/null 2>&1 && return 0
  done
  return 1
}

have_postgres() {
  command -v initdb >/dev/null 2>&1 && command -v postgres >/dev/null 2>&1 && return 0
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

missing=()
have_postgres || missing+=(postgresql)
command -v rsync >/dev/null 2>&1 || missing+=(rsync)
if [ "$(uname -sm)" = "Linux x86_64" ] && [ ! -f "$LIBFAKETIME" ]; then missing+=(faketime); fi
have_python_gitlab || missing+=(python3-gitlab)
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "[system] missing and this is not Debian/Ubuntu: ${missing[*]} (PostgreSQL 15 or newer with its bin folder on PATH, rsync, libfaketime, python-gitlab for a Python 3 named by GITLAB_TOKENS_PYTHON)" >&2
  exit 1
fi
if [ "$(id -u)" = 0 ]; then
  as_root=()
elif sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "[system] missing: run \`sudo apt-get install -y ${missing[*]}\` (or run this script as root)" >&2
  exit 1
fi

echo "[system] installing Debian packages (apt-get): ${missing[*]}" >&2
start=$(date +%s)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# No main cluster (nothing listens on 5432, no service left running): the tests make their own.
"${as_root[@]}" mkdir -p /etc/postgresql-common/createcluster.d
echo "create_main_cluster = false" | "${as_root[@]}" tee /etc/postgresql-common/createcluster.d/gitlab-tokens.conf >/dev/null
export DEBIAN_FRONTEND=noninteractive
if ! "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
  # A fresh machine may have no package lists yet.
  "${as_root[@]}" apt-get update -q >>"$log" 2>&1 || true
  if ! "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
    tail -n 20 "$log" >&2
    echo "[system] apt-get install ${missing[*]} failed (above)" >&2
    exit 1
  fi
fi
if ! have_postgres; then
  echo "[system] the postgresql package is installed but initdb is not under /usr/lib/postgresql/*/bin" >&2
  exit 1
fi
echo "[system] installed ${missing[*]} in $(($(date +%s) - start))s" >&2
