#!/usr/bin/env bash
# `npm run test:cluster`: the production topology on one machine (a full Temporal server and the
# projection on PostgreSQL, Redis with AOF, 2 API + 2 worker + 2 notifier processes), under faults.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cluster-toolchain.sh"
cd "$ATS_ROOT"
if [ -z "${ATS_SKIP_BUILD:-}" ]; then
  node node_modules/typescript/bin/tsc -p tsconfig.build.json
fi
export NODE_OPTIONS="${NODE_OPTIONS:-} --experimental-vm-modules --no-warnings=ExperimentalWarning"
exec node node_modules/jest/bin/jest.js --config test/cluster/jest.config.json --runInBand --forceExit "$@"
