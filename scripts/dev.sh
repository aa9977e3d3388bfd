#!/usr/bin/env bash
# `npm run dev`: set up what is missing (Node 24, Temporal CLI, redis-server, node_modules), build
# incrementally, then run the whole system. A second start rebuilds and reinstalls nothing.
# `--tracing`: Jaeger too, and every process traced into it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
# `npm run dev -- --tracing` also runs Jaeger, built once like the Temporal CLI.
if [[ " $* " == *" --tracing "* ]]; then ensure_jaeger; fi
cd "$ATS_ROOT"
node node_modules/typescript/bin/tsc -p tsconfig.build.json
bash scripts/build-web.sh
exec node dist/src/dev/run-dev.js "$@"
