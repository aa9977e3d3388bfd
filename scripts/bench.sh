#!/usr/bin/env bash
# `npm run bench [-- options]`: builds, then runs the benchmark harness (bench/run.ts) with the
# project's toolchain (with `--temporal-server`, the cluster suite's too: the full Temporal server and
# PostgreSQL). `npm run bench -- --help` lists the options; `--quick` is CI's regression check.
set -euo pipefail
if [[ " $* " == *" --temporal-server "* ]]; then
  source "$(dirname "${BASH_SOURCE[0]}")/cluster-toolchain.sh"
else
  source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
fi
# `--tracing` runs the system traced into Jaeger (built once, as for `npm run dev -- --tracing`).
if [[ " $* " == *" --tracing "* ]]; then ensure_jaeger; fi
cd "$ATS_ROOT"
if [ -z "${ATS_SKIP_BUILD:-}" ]; then node node_modules/typescript/bin/tsc -p tsconfig.build.json; fi
# `npm run bench:list`: the list measure alone (bench/list.ts).
if [ "${1:-}" = list ]; then shift; exec node dist/bench/list.js "$@"; fi
# `npm run bench:reports`: the reports measure alone (bench/reports.ts).
if [ "${1:-}" = reports ]; then shift; exec node dist/bench/reports.js "$@"; fi
# `npm run bench:notifier`: the notifier measure alone (bench/notifier.ts).
if [ "${1:-}" = notifier ]; then shift; exec node dist/bench/notifier.js "$@"; fi
# `npm run bench:dev`: the apply and stage-change loads against a running `npm run dev` (bench/dev.ts).
if [ "${1:-}" = dev ]; then shift; exec node dist/bench/dev.js "$@"; fi
# `npm run bench:worker-memory`: each worker's memory per cached workflow (bench/worker-memory.ts).
if [ "${1:-}" = worker-memory ]; then shift; exec node dist/bench/worker-memory.js "$@"; fi
exec node dist/bench/run.js "$@"
