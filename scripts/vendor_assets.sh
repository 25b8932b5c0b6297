#!/usr/bin/env bash
# Copies front-end packages installed from npm into Django's static files (no CDN at run time):
#   nhsuk-frontend (compiled CSS, JS module, images) -> src/wraparound/static/vendor/nhsuk/
#   htmx.org (htmx.min.js)                           -> src/wraparound/static/vendor/htmx/
#   axe-core (axe.min.js, for the browser tests)      -> src/wraparound/static/vendor/axe/
# The vendor folder is git-ignored; `make install` runs this before tests and the demo.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f package.json ]; then
  echo "vendor_assets: package.json missing" >&2
  exit 1
fi
stamp=node_modules/.wraparound-installed
if [ ! -f "$stamp" ] || [ package.json -nt "$stamp" ] || { [ -f package-lock.json ] && [ package-lock.json -nt "$stamp" ]; }; then
  if [ -f package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
  else
    npm install --no-audit --no-fund --loglevel=error
  fi
  touch "$stamp"
fi

NHSUK=node_modules/nhsuk-frontend/dist/nhsuk
OUT=src/wraparound/static/vendor
rm -rf "$OUT"
mkdir -p "$OUT/nhsuk" "$OUT/htmx" "$OUT/axe"

# The compiled CSS points at /assets/... (absolute) and at NHS web fonts on another origin.
# Our CSP allows only our own origin, so: make asset URLs relative to the CSS file, and drop the
# @font-face rules (the fallback, Arial, is what NHS.UK shows when Frutiger is unavailable).
sed -E -e 's#url\(/assets/#url(assets/#g' -e 's#@font-face\{[^}]*\}##g' \
  "$NHSUK/nhsuk-frontend.min.css" >"$OUT/nhsuk/nhsuk-frontend.min.css"
cp "$NHSUK/nhsuk-frontend.min.js" "$OUT/nhsuk/nhsuk-frontend.min.js"
cp -R "$NHSUK/assets" "$OUT/nhsuk/assets"
cp node_modules/htmx.org/dist/htmx.min.js "$OUT/htmx/htmx.min.js"
cp node_modules/axe-core/axe.min.js "$OUT/axe/axe.min.js"
for f in nhsuk-frontend htmx.org axe-core; do
  printf '%s %s\n' "$f" "$(node -p "require('./node_modules/$f/package.json').version")"
done >"$OUT/VERSIONS"
echo "vendor_assets: $(tr '\n' ' ' <"$OUT/VERSIONS")-> $OUT" >&2
