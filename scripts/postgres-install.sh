#!/usr/bin/env bash
# Makes sure PostgreSQL's server programs are here for the end-to-end tests on the PostgreSQL state
# backend (scripts/postgres.ts starts a throwaway server from them; test/e2e/lifecycle.postgres.test.ts).
# Silent when they already are (initdb on PATH or under /usr/lib/postgresql/*/bin). Otherwise, on
# Debian/Ubuntu as root (or with password-less sudo), installs Debian's `postgresql` package without
# the cluster and service it would otherwise create and start: the tests start their own servers.
# Elsewhere it says what to install and exits 1.
set -euo pipefail

have_server() {
  command -v initdb >/dev/null 2>&1 && command -v postgres >/dev/null 2>&1 && return 0
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

have_server && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "[postgres] PostgreSQL's server programs (initdb, postgres) are missing and this is not Debian/Ubuntu: install PostgreSQL 15 or newer and put its bin folder on PATH" >&2
  exit 1
fi
if [ "$(id -u)" = 0 ]; then
  as_root=()
elif sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "[postgres] PostgreSQL's server programs are missing: run \`sudo apt-get install -y postgresql\` (or run this script as root)" >&2
  exit 1
fi

echo "[postgres] installing Debian's postgresql package (apt-get), without a default cluster" >&2
start=$(date +%s)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# No main cluster (nothing listens on 5432, no service left running): the tests make their own.
"${as_root[@]}" mkdir -p /etc/postgresql-common/createcluster.d
echo "create_main_cluster = false" | "${as_root[@]}" tee /etc/postgresql-common/createcluster.d/gitlab-tokens.conf >/dev/null
export DEBIAN_FRONTEND=noninteractive
if ! "${as_root[@]}" apt-get install -y -q --no-install-recommends postgresql >"$log" 2>&1; then
  # A fresh machine may have no package lists yet.
  "${as_root[@]}" apt-get update -q >>"$log" 2>&1 || true
  if ! "${as_root[@]}" apt-get install -y -q --no-install-recommends postgresql >>"$log" 2>&1; then
    tail -n 20 "$log" >&2
    echo "[postgres] apt-get install postgresql failed (above)" >&2
    exit 1
  fi
fi
if ! have_server; then
  echo "[postgres] the postgresql package is installed but initdb is not under /usr/lib/postgresql/*/bin" >&2
  exit 1
fi
echo "[postgres] installed $(compgen -G "/usr/lib/postgresql/*/bin/postgres" | sort -V | tail -n1) in $(($(date +%s) - start))s" >&2
