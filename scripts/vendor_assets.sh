#!/usr/bin/env bash
# Copies front-end packages installed from npm into Django's static files (no CDN at run time).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f package.json ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
    npm ci --no-audit --no-fund --silent
  fi
fi
