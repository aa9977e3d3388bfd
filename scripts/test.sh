#!/usr/bin/env bash
# `npm test`: type-check, build (tests spawn the built worker and notifier) and lint, then every Jest suite against real engines the harness starts itself,
# and the suites that touch SQL a second time on PostgreSQL (ATS_TEST_DATABASE=postgresql runs only that pass).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
cd "$ATS_ROOT"
# The contract tests (test/contract) run schemathesis and openapi-python-client from a pinned venv;
# without Python the other suites still run, and those tests fail saying what is missing.
ensure_python_tools || echo "[toolchain] the contract tools could not be installed; test/contract will fail" >&2
# The tracing tests run Jaeger (built once with Go); when it cannot be built they skip, saying so.
ensure_jaeger || echo "[toolchain] Jaeger could not be built; the tracing tests will skip" >&2
if [ -z "${ATS_SKIP_BUILD:-}" ]; then
  node node_modules/typescript/bin/tsc -p tsconfig.build.json
  bash scripts/build-web.sh
  node node_modules/eslint/bin/eslint.js .
  node node_modules/prettier/bin/prettier.cjs --check --log-level=warn .
  node node_modules/dependency-cruiser/bin/dependency-cruiser.mjs src activities workflows
fi
# The browser tests drive Debian's Chromium (never a downloaded browser).
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "[toolchain] installing chromium from Debian for the browser tests" >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# MikroORM 7 is ESM-only; Jest loads it from our CommonJS code through its VM-modules loader.
export NODE_OPTIONS="${NODE_OPTIONS:-} --experimental-vm-modules --no-warnings=ExperimentalWarning"
jest() { node node_modules/jest/bin/jest.js "$@"; }

# The suites of accounts, jobs, applications and the projection run on both databases: on SQLite with
# everything else, then again on PostgreSQL (Debian's server, which the global setup starts); so does
# `npm run dev` end to end.
POSTGRESQL_SUITES='test/(integration/(auth|users|jobs|companies|applications|applications-(concurrency|list|no-worker|openapi|projection|redis-down)|application-ids|hiring-teams|sql-binding|migrations|recording-failures|seed|privacy|retention|webhooks|webhooks-redis-down|idempotency|notification-outbox|interview-notifications|interviews|team-roles|notes|candidates|my-jobs|erasure|pipelines|pipelines-pinning|reports)|e2e/dev)\.test\.ts$'
ensure_postgres() {
  if [ -x "${POSTGRES_BIN:-/usr/lib/postgresql/15/bin}/initdb" ]; then return; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "[toolchain] installing PostgreSQL 15 from Debian for the PostgreSQL test pass" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
  else
    echo "PostgreSQL 15 is missing: install it (apt-get install postgresql-15) or set POSTGRES_BIN to its bin folder." >&2
    exit 1
  fi
}

# A database chosen, or test files named: one pass. Plain `npm test`: both.
positional=0
for arg in "$@"; do case "$arg" in -*) ;; *) positional=1 ;; esac; done
if [ "${ATS_TEST_DATABASE:-}" = postgresql ]; then ensure_postgres; fi
if [ -n "${ATS_TEST_DATABASE:-}" ] || [ "$positional" = 1 ]; then
  exec node node_modules/jest/bin/jest.js "$@"
fi
ensure_postgres
status=0
jest "$@" || status=$?
echo "[test] the suites that run on both databases, on PostgreSQL" >&2
ATS_TEST_DATABASE=postgresql jest "$@" "$POSTGRESQL_SUITES" || status=$?
exit "$status"
