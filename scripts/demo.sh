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
# Linking changes who is who, so it runs under a named data steward (demo-setup resets the
# same login's printed password afterwards); it keeps the search index current itself.
echo "steward-wraparound-demo" | $W create-staff steward --role data_steward \
  --organisation "Neighbourhood Information Governance Service" --partner other \
  --first-name Priya --last-name Shah --password - >/dev/null
$W link --by steward
$W demo-setup
exec $W runserver --noreload 127.0.0.1:8000
