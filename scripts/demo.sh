#!/bin/sh
# Sets up a fresh Debian 12 machine, builds gtkloop and runs its main demo.
# With no display, the demo runs under Xvfb by itself and says so.
set -eu
cd "$(dirname "$0")/.."

sh scripts/setup-debian.sh

builddir=${GTKLOOP_BUILDDIR:-_build}
if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" --buildtype=debugoptimized
fi
ninja -C "$builddir"

demo="$builddir/demos/gtkloop-demo-console"
if [ -x "$builddir/demos/gtkloop-demo-progress" ]; then
  demo="$builddir/demos/gtkloop-demo-progress"
  if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    echo "demo: no display found; running the demo under Xvfb (it prints its progress, saves a screenshot and exits when done)"
    exec xvfb-run -a -s "-screen 0 1280x1024x24" env GSK_RENDERER=cairo "$demo" --self-test \
      --screenshot="$builddir/gtkloop-demo-progress.png" "$@"
  fi
fi
exec "$demo" "$@"
