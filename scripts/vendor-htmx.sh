#!/usr/bin/env bash
# Vendors htmx into web/static/vendor/: fetches the pinned release from the
# npm registry with npm, checks the tarball against the sha256 pinned here,
# and copies dist/htmx.min.js and LICENSE. Run it to upgrade (change both
# pins), then commit the result; the product never loads htmx from a CDN.
set -euo pipefail

VERSION="2.0.11"
SHA256="165a2655073e9e6e55e307a7c74e8ebcdb76afb7701f9c16cfd106a13add408e"

root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/web/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm pack --silent "htmx.org@$VERSION" >/dev/null
tarball="htmx.org-$VERSION.tgz"
got="$(sha256sum "$tarball" | cut -d' ' -f1)"
if [ "$got" != "$SHA256" ]; then
  echo "vendor-htmx: checksum mismatch for $tarball: got $got, want $SHA256" >&2
  exit 1
fi
tar -xzf "$tarball" package/dist/htmx.min.js package/LICENSE
mkdir -p "$dest"
cp package/dist/htmx.min.js "$dest/htmx.min.js"
cp package/LICENSE "$dest/htmx.LICENSE"
printf 'htmx.org %s\ntarball sha256 %s\nhtmx.min.js sha256 %s\n' "$VERSION" "$SHA256" \
  "$(sha256sum "$dest/htmx.min.js" | cut -d' ' -f1)" >"$dest/htmx.VERSION"
echo "vendor-htmx: htmx $VERSION in $dest"
