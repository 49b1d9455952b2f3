#!/bin/sh
# Installs, from Debian 12's own archive, everything gtkloop needs to build,
# test, benchmark and run its demos. Safe to run again: apt skips what is there.
#
#   scripts/setup-debian.sh              the project's dependencies
#   scripts/setup-debian.sh --docs       those and the API reference's tool
#                                        (gi-docgen, for meson -Ddocs=true)
#   scripts/setup-debian.sh --fuzz       those and clang 14 with libFuzzer and
#                                        llvm-cov (for meson -Dfuzzing=true,
#                                        scripts/fuzz.sh; docs/fuzzing.md)
#   scripts/setup-debian.sh PKG...       just these (scripts/check-aarch64.sh;
#                                        bench/run-all.sh, for the peers it
#                                        measures: python3-uvloop, python3-gbulb)
set -eu

packages="
  build-essential meson ninja-build pkg-config
  libglib2.0-dev libglib2.0-bin libgtk-4-dev libcmocka-dev
  xvfb xauth dbus-x11 at-spi2-core
  valgrind python3 imagemagick
  python3-dev python3-gi gir1.2-gtk-4.0 libpython3.11-testsuite
  gobject-introspection libgirepository1.0-dev
"
# Needed only to build the API reference (-Ddocs=true, off by default).
docs_packages="gi-docgen"
# Needed only for the scheduler fuzzer (-Dfuzzing=true, off by default):
# libFuzzer's runtime is libclang-rt-14-dev, only a Recommends of clang, and
# llvm-profdata-14 / llvm-cov-14 (coverage figures) are in llvm-14.
fuzz_packages="clang libclang-rt-14-dev llvm-14"

if [ "${1:-}" = "--docs" ]; then
  packages="$packages $docs_packages"
elif [ "${1:-}" = "--fuzz" ]; then
  packages="$packages $fuzz_packages"
elif [ "$#" -gt 0 ]; then
  packages="$*"
fi

missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' \
    || missing="$missing $p"
done

if [ -z "$missing" ]; then
  echo "setup: all of these are installed: $(echo $packages)"
  exit 0
fi

echo "setup: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
