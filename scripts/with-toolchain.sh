#!/usr/bin/env bash
# Runs a command with the project's toolchain (Node 24, Temporal CLI, redis-server, node_modules) in reach.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
exec "$@"
