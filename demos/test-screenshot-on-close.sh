#!/bin/sh
# --close-after=S --screenshot=FILE, without --self-test: the demo closes
# its window after S seconds as a user would, saves it as it was then, and
# exits 0; FILE is a PNG of the window's size.
#   Usage: test-screenshot-on-close.sh DEMO FILE
set -eu
here=$(dirname "$0")
demo=$1
png=$2

rm -f "$png"
status=0
out=$("$demo" --close-after=1 --screenshot="$png") || status=$?
echo "$out"
if [ "$status" -ne 0 ]; then
  echo "test-screenshot-on-close: the demo exited with status $status" >&2
  exit 1
fi
# "screenshot saved to FILE (WxH, as the window closed)"
line=$(echo "$out" | grep -F "screenshot saved to $png (") || {
  echo "test-screenshot-on-close: the demo did not say it saved $png" >&2
  exit 1
}
case $line in
  *", as the window closed)") ;;
  *) echo "test-screenshot-on-close: saved, but not as the window closed: $line" >&2; exit 1 ;;
esac
size=$(echo "$line" | sed 's/.*(\([0-9]*x[0-9]*\), .*/\1/')
width=${size%x*}
height=${size#*x}
if [ "$width" -lt 100 ] || [ "$height" -lt 100 ]; then
  echo "test-screenshot-on-close: a ${size} window is not the demo's window" >&2
  exit 1
fi
sh "$here/check-png-size.sh" "$png" "$size"
