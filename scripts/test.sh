#!/bin/sh
# Sets up a fresh Debian 12 machine (packages from Debian only), builds
# gtkloop, and runs the whole test suite — under Xvfb when there is no
# display, so the GTK tests run against a real GTK.
set -eu
cd "$(dirname "$0")/.."

sh scripts/setup-debian.sh

builddir=${GTKLOOP_BUILDDIR:-_build}
if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" --buildtype=debugoptimized
fi
ninja -C "$builddir"

# The whole suite: unit, slow and GTK tests. meson prints its Ok:/Fail: summary.
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "test: no display; running the tests under Xvfb (xvfb-run)"
  exec xvfb-run -a -s "-screen 0 1280x1024x24" meson test -C "$builddir" --print-errorlogs "$@"
fi
exec meson test -C "$builddir" --print-errorlogs "$@"
