#!/usr/bin/env bash
# The cluster suite's engines on top of scripts/toolchain.sh: a full Temporal server, its SQL schema
# tool and the Web UI server (built once with Go into .tools/bin, reused by every later run) and
# PostgreSQL 15 from Debian.
# Source it: `source scripts/cluster-toolchain.sh`. It exports TEMPORAL_SERVER, TEMPORAL_SQL_TOOL, TEMPORAL_UI_SERVER,
# TEMPORAL_SERVER_SOURCE (the module's schema and sample configs) and POSTGRES_BIN.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"

TEMPORAL_SERVER_VERSION=v1.29.1
# The Web UI server release the Temporal CLI v1.5.1 (server 1.29.1) embeds.
TEMPORAL_UI_VERSION=v2.42.1
PG_MAJOR=15

ensure_go_binary() { # name package [version]
  local name="$1" pkg="$2" version="${3:-$TEMPORAL_SERVER_VERSION}"
  if [ -x "$ATS_TOOLS/bin/$name" ]; then return; fi
  if ! command -v go >/dev/null; then
    echo "$name is missing and Go is not installed to build it (go install $pkg@$version)." >&2
    exit 1
  fi
  log "building $name ($pkg@$version) with Go (once; a few minutes)"
  local tmp; tmp="$(mktemp -d)"
  # Outside the project, so its go.work/go.mod (none today) can never pin other versions.
  (cd "$tmp" && GOBIN="$tmp/bin" GOFLAGS=-mod=mod go install "$pkg@$version")
  mv "$tmp/bin/$(basename "$pkg")" "$ATS_TOOLS/bin/$name"
  rm -rf "$tmp"
}

ensure_postgres() {
  local bin="${POSTGRES_BIN:-/usr/lib/postgresql/$PG_MAJOR/bin}"
  if [ ! -x "$bin/initdb" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      log "installing PostgreSQL $PG_MAJOR from Debian"
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
    else
      echo "PostgreSQL $PG_MAJOR is missing: apt-get install postgresql (or set POSTGRES_BIN to its bin directory)." >&2
      exit 1
    fi
  fi
  export POSTGRES_BIN="$bin"
}

ensure_go_binary temporal-server go.temporal.io/server/cmd/server
ensure_go_binary temporal-sql-tool go.temporal.io/server/cmd/tools/sql
# The Web UI server: built here too unless TEMPORAL_UI_SERVER names one already.
if [ -z "${TEMPORAL_UI_SERVER:-}" ]; then
  ensure_go_binary temporal-ui-server github.com/temporalio/ui-server/v2/cmd/server "$TEMPORAL_UI_VERSION"
  TEMPORAL_UI_SERVER="$ATS_TOOLS/bin/temporal-ui-server"
fi
ensure_postgres
export TEMPORAL_SERVER="$ATS_TOOLS/bin/temporal-server" TEMPORAL_SQL_TOOL="$ATS_TOOLS/bin/temporal-sql-tool" TEMPORAL_UI_SERVER
# The schema files and the sample configuration ship inside the server's module, which the build fetched.
TEMPORAL_SERVER_SOURCE="$(go env GOMODCACHE 2>/dev/null)/go.temporal.io/server@$TEMPORAL_SERVER_VERSION"
if [ ! -d "$TEMPORAL_SERVER_SOURCE/schema" ]; then
  (cd "$(mktemp -d)" && GOFLAGS=-mod=mod go mod download -x "go.temporal.io/server@$TEMPORAL_SERVER_VERSION" >/dev/null 2>&1) || true
fi
export TEMPORAL_SERVER_SOURCE
