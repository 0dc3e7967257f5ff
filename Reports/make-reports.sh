#!/usr/bin/env bash
# Regenerates the worked example reports (Reports/<name>/) from their specs
# and checks that every figure renders to a non-blank PNG (rsvg-convert, from
# Debian's librsvg2-bin). Run from the repository root after a change that
# moves a number, a table or a figure; the tests fail until it has been run.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release >/dev/null
bin=.build/release/outcomes
for spec in Reports/*/spec.yaml; do
  env -u SOURCE_DATE_EPOCH "$bin" report "$spec"
done
if command -v rsvg-convert >/dev/null && command -v python3 >/dev/null; then
  tmp=$(mktemp -d)
  for svg in Reports/*/figures/*.svg; do
    png="$tmp/$(basename "$svg" .svg).png"
    rsvg-convert -o "$png" "$svg"
    python3 - "$png" <<'PY'
import sys, zlib, struct
data = open(sys.argv[1], 'rb').read()
# A PNG that is not blank has IDAT data decoding to more than one distinct byte.
idat = b''
i = 8
while i < len(data):
    n = struct.unpack('>I', data[i:i+4])[0]
    kind = data[i+4:i+8]
    if kind == b'IDAT':
        idat += data[i+8:i+8+n]
    i += 12 + n
raw = zlib.decompress(idat)
if len(set(raw)) < 3:
    sys.exit(f"{sys.argv[1]}: blank image")
PY
  done
  rm -rf "$tmp"
  echo "every figure renders to a non-blank PNG"
else
  echo "rsvg-convert or python3 missing: figures not rendered" >&2
fi
