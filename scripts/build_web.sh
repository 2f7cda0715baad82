#!/usr/bin/env bash
# Build the web app (web/ -> web/dist) when the build is missing or older than its sources, for `make run`.
# Without Node.js 20 and npm it says so and exits 0, so that the API starts anyway (the gateway then serves a
# page saying the app is not built). WEB_DIR names another app folder (tests).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
web="${WEB_DIR:-$root/web}"
built="$web/dist/index.html"

if [[ ! -f "$web/package.json" ]]; then
  echo "No web app in $web (no package.json): starting the API without it."
  exit 0
fi

sources=("$web/src" "$web/index.html" "$web/package.json" "$web/package-lock.json")
if [[ -f "$built" ]]; then
  newer="$(find "${sources[@]}" -newer "$built" -print -quit 2>/dev/null || true)"
  if [[ -z "$newer" ]]; then
    echo "Web app is up to date ($web/dist)."
    exit 0
  fi
fi

node_major=""
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  node_major="$(node --version 2>/dev/null | sed -n 's/^v\([0-9][0-9]*\)\..*/\1/p')"
fi
if [[ -z "$node_major" || "$node_major" -lt 20 ]]; then
  echo "Node.js 20 and npm are needed to build the web app: apt-get install nodejs npm (or see nodejs.org);" \
       "starting the API without it."
  exit 0
fi

echo "Building the web app in $web (npm ci, npm run build)..."
cd "$web"
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi
npm run build
if [[ ! -f "$built" ]]; then
  echo "npm run build finished but $built is missing." >&2
  exit 1
fi
echo "Web app built: $web/dist"
