#!/usr/bin/env bash
# make demo: migrate, generate a synthetic neighbourhood, ingest it, link it, create demo logins, serve.
set -euo pipefail
cd "$(dirname "$0")/.."
people=${1:-20000}
seed=${2:-1}
W=.venv/bin/wraparound
feeds=var/demo-feeds
export WRAPAROUND_DEBUG=${WRAPAROUND_DEBUG:-1}
$W migrate --no-input
if [ ! -f "$feeds/manifest.json" ]; then
  $W generate --people "$people" --seed "$seed" --out "$feeds"
fi
$W ingest-manifest "$feeds/manifest.json"
$W link
$W reindex-search
$W demo-setup
exec $W runserver --noreload 127.0.0.1:8000
