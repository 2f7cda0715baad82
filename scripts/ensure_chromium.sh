#!/usr/bin/env bash
# Make sure Debian's Chromium is there for the browser tests (web/e2e): install the `chromium` package when it
# is missing. The tests never download a browser of their own. CHROMIUM_PATH names another binary.
set -euo pipefail

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ ! -x "$chromium" ]; then
  if [ -n "${CHROMIUM_PATH:-}" ]; then
    echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file." >&2
    exit 1
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "Chromium is missing: install Debian's package as root (apt-get install chromium)." >&2
    exit 1
  fi
  echo "Installing Debian's chromium package for the browser tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium fonts-liberation fonts-dejavu-core >/dev/null
fi

version="$("$chromium" --version 2>/dev/null)" || {
  echo "$chromium does not run (--version failed)." >&2
  exit 1
}
echo "Browser tests use $chromium: $version"
