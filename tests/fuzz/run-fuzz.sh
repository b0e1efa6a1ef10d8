#!/usr/bin/env bash
# Builds the fuzz target with clang (libFuzzer, ASan, UBSan) and runs it.
#
#   tests/fuzz/run-fuzz.sh [SECONDS] [LIBFUZZER_ARGS...]
#
# SECONDS defaults to 60 (what CI runs). The checked-in corpus
# (tests/fuzz/corpus) seeds the run and is never written; inputs found on the
# way go to $FUZZ_BUILD_DIR/corpus, which persists between runs, and a crash
# leaves its input in $FUZZ_BUILD_DIR/crashes. Exit status: 0 = no crash.
# Environment: FUZZ_BUILD_DIR (default <repo>/build-fuzz), JOBS.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${FUZZ_BUILD_DIR:-$repo/build-fuzz}
seconds=${1:-60}
shift || true
command -v clang++ >/dev/null || {
  echo "run-fuzz: clang++ is not installed (apt-get install clang)" >&2
  exit 2
}

launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cmake -S "$repo" -B "$build" -G Ninja -DKUAIBAO_FUZZ=ON -DKUAIBAO_WERROR=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  "-DCMAKE_CXX_FLAGS=$flags" "${launcher[@]}" >/dev/null
cmake --build "$build" --target report_fuzzer -j "${JOBS:-2}" >/dev/null

mkdir -p "$build/corpus" "$build/crashes"
cd "$build/crashes"
# The first directory receives new inputs; the checked-in one only seeds.
"$build/tests/fuzz/report_fuzzer" -max_total_time="$seconds" -timeout=10 \
  -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
  -dict="$repo/tests/fuzz/report.dict" -artifact_prefix="$build/crashes/" \
  "$@" "$build/corpus" "$repo/tests/fuzz/corpus"
