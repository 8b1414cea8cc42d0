#!/usr/bin/env sh
# Installs the npm packages when they are missing or older than package-lock.json, so that the
# README's commands work on a fresh clone. `npm ci` gives exactly the locked versions.
set -eu
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm packages (npm ci)..." >&2
  npm ci --no-audit --no-fund >&2
fi
