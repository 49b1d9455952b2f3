#!/bin/sh
# Retakes the screenshots the README shows (data/screenshots/*.png), the
# way the demo tests take theirs: each demo's --self-test under Xvfb with
# GSK_RENDERER=cairo, saving its window with gtkloop_await_screenshot ().
# The tests write theirs into the build directory; only this script
# rewrites the committed ones.   Usage: data/update-screenshots.sh [builddir]
set -eu
cd "$(dirname "$0")/.."
builddir=${1:-_build}
out=data/screenshots
mkdir -p "$out"

run () {
  xvfb-run -a -s "-screen 0 1280x1024x24" env GSK_RENDERER=cairo GTK_USE_PORTAL=0 \
    "$builddir/demos/gtkloop-demo-$1" --self-test --screenshot="$out/$1.png" > /dev/null
  echo "screenshots: $out/$1.png"
}

run progress
run calculate
run jobs
run io
