#!/usr/bin/env bash
# Fetch the Vazirmatn web fonts (SIL Open Font License 1.1) from the npm registry into
# search_app/static/fonts/ (git-ignored). Idempotent: does nothing when the files are there.
#   scripts/fonts.sh            fetch once
#   FORCE=1 scripts/fonts.sh    fetch again
# The pages fall back to Tahoma/system fonts when these files are absent.
set -euo pipefail

VERSION="${VAZIRMATN_VERSION:-33.0.3}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/search_app/static/fonts"
CACHE="$ROOT/.cache/npm"
FILES=("Vazirmatn-Regular.woff2" "Vazirmatn-Bold.woff2" "Vazirmatn[wght].woff2")

have_all() {
  for f in "${FILES[@]}"; do [ -s "$DEST/$f" ] || return 1; done
  [ -s "$DEST/OFL.txt" ]
}

if [ -z "${FORCE:-}" ] && have_all; then
  echo "fonts: Vazirmatn $VERSION already in ${DEST#$ROOT/}"
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "fonts: npm is not installed; the pages will use fallback fonts (install nodejs/npm and run $0)" >&2
  exit 0
fi

mkdir -p "$CACHE" "$DEST"
TARBALL="$CACHE/vazirmatn-$VERSION.tgz"
if [ ! -s "$TARBALL" ]; then
  (cd "$CACHE" && npm pack "vazirmatn@$VERSION" --silent >/dev/null)
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
tar -xzf "$TARBALL" -C "$WORK"
for f in "${FILES[@]}"; do
  src="$WORK/package/fonts/webfonts/$f"
  if [ -s "$src" ]; then
    cp "$src" "$DEST/$f"
  elif [ "$f" != "Vazirmatn[wght].woff2" ]; then   # the variable font is optional
    echo "fonts: $f is missing from vazirmatn@$VERSION" >&2
    exit 1
  fi
done
for lic in OFL.txt LICENSE LICENSE.txt; do
  if [ -s "$WORK/package/$lic" ]; then cp "$WORK/package/$lic" "$DEST/OFL.txt"; break; fi
done
echo "fonts: Vazirmatn $VERSION -> ${DEST#$ROOT/} ($(ls "$DEST" | tr '\n' ' '))"
