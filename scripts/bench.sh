#!/usr/bin/env bash
# `npm run bench [-- options]`: builds, then runs the benchmark harness (bench/run.ts) with the
# project's toolchain. `npm run bench -- --help` lists the options; `--quick` is CI's regression check.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
cd "$ATS_ROOT"
if [ -z "${ATS_SKIP_BUILD:-}" ]; then node node_modules/typescript/bin/tsc -p scripts/tsconfig.build.json; fi
exec node dist/bench/run.js "$@"
