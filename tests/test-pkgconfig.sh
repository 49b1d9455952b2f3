#!/bin/sh
# Builds programs outside the tree against meson's uninstalled pkg-config
# files, as a project using gtkloop from a build directory would.
set -eu
builddir=$1
srcdir=$2
# A sanitized build's library needs its runtime in the program too.
sanitize=${3:-none}
extra=""
[ "$sanitize" = none ] || extra="-fsanitize=$sanitize"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export PKG_CONFIG_PATH="$builddir/meson-uninstalled"

cc $extra "$srcdir/tests/outside/hello.c" -o "$out/hello" $(pkg-config --cflags --libs gtkloop-1)
LD_LIBRARY_PATH="$builddir/src" "$out/hello" | grep -qx "hello from a task"
echo "gtkloop-1: an outside program compiled, linked and ran"

if [ -f "$builddir/meson-uninstalled/gtkloop-gtk-1-uninstalled.pc" ]; then
  cc $extra "$srcdir/tests/outside/hello-gtk.c" -o "$out/hello-gtk" $(pkg-config --cflags --libs gtkloop-gtk-1)
  echo "gtkloop-gtk-1: an outside program compiled and linked"
fi
echo "1 passed, 0 failed"
