#!/bin/sh
# The scheduler fuzzer (docs/fuzzing.md): builds it with clang and libFuzzer
# and runs it, minimises what it found into the committed corpus, or
# measures the line coverage of src/ the corpus reaches.
#
#   scripts/fuzz.sh run [SECONDS] [LIBFUZZER-ARGS...]
#        fuzz for SECONDS (default 600) in _build-fuzz, starting from the
#        committed corpus plus what earlier runs found (_build-fuzz/corpus);
#        a crash is written to _build-fuzz/artifacts/
#   scripts/fuzz.sh merge
#        minimise the committed corpus and _build-fuzz/corpus together
#        (libFuzzer -merge=1) into tests/fuzz/corpus/
#   scripts/fuzz.sh coverage
#        replay the committed corpus in a clang build with source-based
#        coverage (_build-cov) and print llvm-cov's report for src/
#   scripts/fuzz.sh replay FILE...
#        run inputs (a crash artifact) through the gcc replay, with a trace
#        of every operation (FUZZ_TRACE=1)
#
# Needs clang, libclang-rt-14-dev and llvm-14: scripts/setup-debian.sh --fuzz.
set -eu

cd "$(dirname "$0")/.."
srcdir=$(pwd)
corpus=tests/fuzz/corpus
fuzz_build=_build-fuzz
cov_build=_build-cov

# Runs as the tests do: criticals abort, GLib 2.74's slices are malloc.
export G_DEBUG=fatal-criticals
export G_SLICE=always-malloc
export LSAN_OPTIONS="suppressions=$srcdir/tests/lsan.supp"

need_clang () {
  if ! command -v clang >/dev/null || ! command -v llvm-profdata-14 >/dev/null; then
    echo "fuzz.sh: clang or llvm-14 missing: run scripts/setup-debian.sh --fuzz" >&2
    exit 1
  fi
}

build_fuzzer () {
  need_clang
  if [ ! -d "$fuzz_build" ]; then
    CC=clang meson setup "$fuzz_build" -Dfuzzing=true \
      -Db_sanitize=address,undefined -Db_lundef=false \
      -Ddebug-counters=enabled -Dgtk=disabled -Dpython=disabled \
      -Dintrospection=disabled -Ddemos=false -Dbench=false
  fi
  ninja -C "$fuzz_build" -j2 tests/fuzz/fuzz-scheduler
}

cmd=${1:-run}
[ "$#" -gt 0 ] && shift

case "$cmd" in
  run)
    seconds=${1:-600}
    [ "$#" -gt 0 ] && shift
    build_fuzzer
    mkdir -p "$fuzz_build/corpus" "$fuzz_build/artifacts"
    # New finds go to the first directory; the committed corpus is read only.
    "$fuzz_build/tests/fuzz/fuzz-scheduler" -max_len=512 -timeout=10 \
      -max_total_time="$seconds" -print_final_stats=1 \
      -artifact_prefix="$fuzz_build/artifacts/" "$@" \
      "$fuzz_build/corpus" "$corpus"
    ;;
  merge)
    build_fuzzer
    mkdir -p "$fuzz_build/corpus"
    # libFuzzer's -merge=1 keeps what is in the first directory and adds,
    # from the others, the smallest inputs that reach more coverage. The
    # first holds the inputs kept by name: seed-* (hand-written) and
    # crash-* (each exposed a bug). -use_counters=0 counts an edge once
    # however often it ran: about 150 inputs instead of about 900, with the
    # same lines covered.
    merged=$(mktemp -d)
    others=$(mktemp -d)
    for f in "$corpus"/*; do
      case "$(basename "$f")" in
        seed-*|crash-*) cp "$f" "$merged"/ ;;
        *) cp "$f" "$others"/ ;;
      esac
    done
    "$fuzz_build/tests/fuzz/fuzz-scheduler" -merge=1 -use_counters=0 -max_len=512 -timeout=10 \
      "$merged" "$others" "$fuzz_build/corpus"
    rm -f "$corpus"/*
    cp "$merged"/* "$corpus"/
    rm -rf "$merged" "$others"
    echo "fuzz.sh: $corpus now holds $(ls "$corpus" | wc -l) inputs"
    ;;
  coverage)
    need_clang
    if [ ! -d "$cov_build" ]; then
      CC=clang meson setup "$cov_build" \
        -Dc_args='-fprofile-instr-generate -fcoverage-mapping' \
        -Dc_link_args=-fprofile-instr-generate -Db_lundef=false \
        -Ddebug-counters=enabled -Dgtk=disabled -Dpython=disabled \
        -Dintrospection=disabled -Ddemos=false -Dbench=false
    fi
    ninja -C "$cov_build" -j2 tests/fuzz/fuzz-replay
    rm -f "$cov_build"/fuzz-*.profraw
    LLVM_PROFILE_FILE="$srcdir/$cov_build/fuzz-%p.profraw" \
      "$cov_build/tests/fuzz/fuzz-replay" "$corpus"
    llvm-profdata-14 merge -sparse -o "$cov_build/fuzz.profdata" "$cov_build"/fuzz-*.profraw
    llvm-cov-14 report "$cov_build/tests/fuzz/fuzz-replay" \
      -instr-profile="$cov_build/fuzz.profdata" \
      -ignore-filename-regex='^/usr/|/tests/|/gtkloop/|config\.h$'
    ;;
  replay)
    [ -d _build ] || meson setup _build
    ninja -C _build -j2 tests/fuzz/fuzz-replay
    FUZZ_TRACE=1 _build/tests/fuzz/fuzz-replay --any-kinds "$@"
    ;;
  *)
    sed -n '2,22p' "$0" >&2
    exit 2
    ;;
esac
