#!/bin/sh
# Runs the assembly fiber switch for real on AArch64 (under qemu-user) and
# on the native x86_64 one: builds tests/cross/fiber-switch-check.c, a plain-C
# harness with no GLib, against src/fiber-context-aarch64.S and
# src/fiber-context-x86_64.S, at -O0 and -O2, and runs each build.
# Installs the cross compiler and emulator from Debian 12 if they are missing.
# Exits non-zero if any build or check fails.
set -eu
cd "$(dirname "$0")/.."

./scripts/setup-debian.sh gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user gcc libc6-dev

builddir=${GTKLOOP_CROSS_BUILDDIR:-_build-cross}
mkdir -p "$builddir"

cflags="-Wall -Wextra -Wno-unused-parameter -Werror -I tests/cross -I src"
harness=tests/cross/fiber-switch-check.c
status=0

case "$(uname -m)" in
  aarch64|arm64) run_aarch64="" ;;
  *)             run_aarch64="qemu-aarch64 -L /usr/aarch64-linux-gnu" ;;
esac

for opt in -O0 -O2; do
  out="$builddir/fiber-switch-check-aarch64$opt"
  echo "check-aarch64: aarch64 $opt (${run_aarch64:-native})"
  # shellcheck disable=SC2086
  if aarch64-linux-gnu-gcc $opt $cflags "$harness" src/fiber-context-aarch64.S -o "$out"; then
    # shellcheck disable=SC2086
    $run_aarch64 "$out" || status=1
  else
    echo "FAIL aarch64: build ($opt)"
    status=1
  fi

  if [ "$(uname -m)" = x86_64 ]; then
    out="$builddir/fiber-switch-check-x86_64$opt"
    echo "check-aarch64: x86_64 $opt (native)"
    # shellcheck disable=SC2086
    if gcc $opt $cflags "$harness" src/fiber-context-x86_64.S -o "$out"; then
      "$out" || status=1
    else
      echo "FAIL x86_64: build ($opt)"
      status=1
    fi
  fi
done

if [ "$status" -eq 0 ]; then
  echo "check-aarch64: all fiber switch checks passed"
else
  echo "check-aarch64: FAILED"
fi
exit "$status"
