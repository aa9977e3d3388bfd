#!/usr/bin/env bash
# `npm test`: type-check and build (tests spawn the built worker and notifier), then every Jest suite against real engines the harness starts itself.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
cd "$ATS_ROOT"
[ -n "${ATS_SKIP_BUILD:-}" ] || node node_modules/typescript/bin/tsc -p tsconfig.build.json
# MikroORM 7 is ESM-only; Jest loads it from our CommonJS code through its VM-modules loader.
export NODE_OPTIONS="${NODE_OPTIONS:-} --experimental-vm-modules --no-warnings=ExperimentalWarning"
exec node node_modules/jest/bin/jest.js "$@"
