#!/usr/bin/env bash
# make demo: migrate, generate a synthetic neighbourhood, ingest it, link it, create demo logins, serve.
set -euo pipefail
cd "$(dirname "$0")/.."
people=${1:-20000}
seed=${2:-1}
W=.venv/bin/wraparound
feeds=var/demo-feeds
port=${DEMO_PORT:-8000}
# Served as in production: DEBUG off, gunicorn, static files through WhiteNoise, and a secret
# key of this installation's own (made once, readable by this account only).
export WRAPAROUND_DEBUG=${WRAPAROUND_DEBUG:-0}
mkdir -p var
if [ -z "${WRAPAROUND_SECRET_KEY:-}" ] && [ ! -s var/secret_key ]; then
  (umask 077 && .venv/bin/python -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key)
fi
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
# Demo logins with printed passwords: refused on a real installation unless asked for by name.
$W demo-setup --force
echo "Serving http://127.0.0.1:${port}/ (Ctrl-C stops it)"
exec .venv/bin/gunicorn wraparound.wsgi:application --bind "127.0.0.1:${port}" \
  --workers 2 --threads 4 --access-logfile - --log-level warning
