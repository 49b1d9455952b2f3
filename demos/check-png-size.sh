#!/bin/sh
# Checks that FILE is a PNG image of WIDTHxHEIGHT pixels: from its header,
# and, where ImageMagick's identify is installed, by decoding it.
#   Usage: check-png-size.sh FILE WIDTHxHEIGHT
set -eu
file=$1
size=$2

fail () {
  echo "check-png-size: $file: $*" >&2
  exit 1
}

[ -s "$file" ] || fail "missing or empty"
# The 8-byte signature, then the IHDR chunk: length, "IHDR", width, height.
header=$(od -An -tu1 -N24 "$file" | tr -s ' \n' '  ')
set -- $header
[ "$1 $2 $3 $4 $5 $6 $7 $8" = "137 80 78 71 13 10 26 10" ] || fail "not a PNG"
[ "${13} ${14} ${15} ${16}" = "73 72 68 82" ] || fail "no IHDR chunk first"
width=$(( (${17} << 24) | (${18} << 16) | (${19} << 8) | ${20} ))
height=$(( (${21} << 24) | (${22} << 16) | (${23} << 8) | ${24} ))
[ "${width}x${height}" = "$size" ] || fail "${width}x${height} pixels, not $size"

if command -v identify > /dev/null 2>&1; then
  # Decodes every pixel; a window has more than a few colours.
  decoded=$(identify -format '%m %wx%h %k' "$file") || fail "does not decode"
  set -- $decoded
  [ "$1 $2" = "PNG $size" ] || fail "decodes as $1 $2, not PNG $size"
  [ "$3" -ge 16 ] || fail "only $3 colours: not a window's picture"
fi
echo "check-png-size: $file: PNG, $size"
