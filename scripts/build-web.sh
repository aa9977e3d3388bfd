#!/usr/bin/env bash
# Builds the web app into dist/web: the OpenAPI document as the API serves it, client types generated
# from it (a contract change the app does not follow fails the type check), then one bundle.
# Run after the server's tsc build (it needs dist/scripts/write-openapi.js). Callers that already
# brought the toolchain into reach (test.sh, dev.sh, the image build) set ATS_ROOT.
set -euo pipefail
if [ -z "${ATS_ROOT:-}" ]; then source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"; fi
cd "$ATS_ROOT"
node dist/scripts/write-openapi.js dist/openapi.json
node node_modules/openapi-typescript/bin/cli.js dist/openapi.json -o src/web/api/schema.d.ts --silent
node node_modules/typescript/bin/tsc -p src/web/tsconfig.json
# Overwritten in place, never removed: a running API (or a test beside this build) keeps serving it.
mkdir -p dist/web
node node_modules/esbuild/bin/esbuild src/web/main.tsx --bundle --format=esm --target=es2022 --minify --sourcemap \
  --jsx=automatic --jsx-import-source=preact --outfile=dist/web/app.js --log-level=warning
cp src/web/index.html src/web/app.css dist/web/
