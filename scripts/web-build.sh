#!/usr/bin/env bash
# Builds the web interface (web/) into OUT_DIR: `npm ci` when web/node_modules
# is missing or older than web/package-lock.json (offline-friendly: the npm
# cache is preferred), then the type check and the Vite build. CMake runs this
# for the coffer binary, which embeds OUT_DIR's files (docs/web.md).
#   scripts/web-build.sh OUT_DIR
set -euo pipefail
out="${1:?usage: scripts/web-build.sh OUT_DIR}"
cd "$(dirname "$0")/../web"
if ! command -v npm >/dev/null 2>&1; then
  echo "web-build: npm is missing; scripts/setup.sh installs Node.js and npm" >&2
  exit 1
fi
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "web-build: npm ci"
  npm ci --prefer-offline --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi
# The tus client that the integration tests drive (tests/integration/http/tus-client).
client=../tests/integration/http/tus-client
client_stamp=$client/node_modules/.package-lock.json
if [ ! -f "$client_stamp" ] || [ "$client/package-lock.json" -nt "$client_stamp" ]; then
  echo "web-build: npm ci (tus test client)"
  (cd "$client" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error && touch node_modules/.package-lock.json)
fi
npm run --silent build -- --outDir "$out" --emptyOutDir --logLevel warn
echo "web-build: built $(find "$out" -type f | wc -l) files into $out"
