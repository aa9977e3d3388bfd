#!/usr/bin/env bash
# `npm test`: type-check, build (tests spawn the built worker and notifier) and lint, then every Jest suite against real engines the harness starts itself.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
cd "$ATS_ROOT"
# The contract tests (test/contract) run schemathesis and openapi-python-client from a pinned venv;
# without Python the other suites still run, and those tests fail saying what is missing.
ensure_python_tools || echo "[toolchain] the contract tools could not be installed; test/contract will fail" >&2
if [ -z "${ATS_SKIP_BUILD:-}" ]; then
  node node_modules/typescript/bin/tsc -p scripts/tsconfig.build.json
  node node_modules/eslint/bin/eslint.js --config scripts/eslint.config.js .
fi
# The browser tests drive Debian's Chromium (never a downloaded browser).
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "[toolchain] installing chromium from Debian for the browser tests" >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# MikroORM 7 is ESM-only; Jest loads it from our CommonJS code through its VM-modules loader.
export NODE_OPTIONS="${NODE_OPTIONS:-} --experimental-vm-modules --no-warnings=ExperimentalWarning"
exec node node_modules/jest/bin/jest.js "$@"
