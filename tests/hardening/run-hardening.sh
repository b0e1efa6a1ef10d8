#!/usr/bin/env bash
# The hardening stages of CI (.ci/run runs them after tests/run-tests.sh):
#
#   tests/hardening/run-hardening.sh [STAGE...]
#
# Without STAGEs: those in $HARDENING_STAGES, default "tsa tidy-relay asan
# tsan" (what CI runs; set but empty: none). The whole tidy is not in that
# default (tests/hardening/README.md, "In CI").
#
#   tsa   Clang build of the libraries and programs with -Wthread-safety
#         -Werror (the ABSL_GUARDED_BY annotations checked), in build-tsa/
#   tidy  clang-tidy (.clang-tidy) over relay/, client/ and node/ (their
#         headers included), from build-tsa's compile_commands.json; about
#         14 CPU-minutes, most of it parsing gRPC's headers in node/
#   tidy-relay  the same over relay/ alone (the engine, no gRPC): about 4
#         CPU-minutes, so CI runs it on every change
#   asan  every target built with -fsanitize=address,undefined and the whole
#         suite run (but for $not_sanitized below), node processes included,
#         in build-asan/
#   tsan  the tests labelled sanitize built with -fsanitize=thread and run, in
#         build-tsan/ (tests/hardening/README.md says why only those)
#
# Every sanitizer report, from a test binary or from a node process it
# started, is written under <build>/sanitizer-logs/ and fails the stage.
# Environment: JOBS (default: all cores); the build directories go under
# HARDENING_DIR (default <repo>).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here=$repo/tests/hardening
out=${HARDENING_DIR:-$repo}
jobs=${JOBS:-$(nproc)}
stages=("$@")
if [[ ${#stages[@]} -eq 0 ]]; then
  read -r -a stages <<<"${HARDENING_STAGES-tsa tidy-relay asan tsan}"
fi

"$repo/deploy/install-deps.sh" clang clang-tidy

# What the ASan+UBSan suite leaves out, each running no C++ of ours that the
# rest does not: the fuzz target (its own clang build, already sanitized, in
# the plain suite), the source rules and the systemd units (text checks),
# the Debian packages (they package and install the plain build, not a
# sanitized one), the browser test (the console's JavaScript in chromium;
# the node behind it runs sanitized in the other integration tests).
not_sanitized='^(fuzz_report|source_rules|deploy_units|deploy_packages|console_browser)$'

# ccache where there is one (a developer's machine; CI's fresh clone may
# have none).
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi

configure() {  # DIR CMAKE_ARGS...
  local dir=$1
  shift
  cmake -S "$repo" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON "${launcher[@]}" "$@" >/dev/null
}

timed() {  # NAME COMMAND...
  local name=$1 start=$SECONDS
  shift
  echo "==> $name"
  "$@"
  echo "==> $name: $((SECONDS - start)) s"
}

# Runs ctest with every sanitizer writing its reports under DIR/sanitizer-logs
# and fails if any report was written (a node process's report does not
# always fail the test that started it).
sanitized_ctest() {  # DIR CTEST_ARGS...
  local dir=$1 logs=$1/sanitizer-logs
  shift
  rm -rf "$logs"
  mkdir -p "$logs"
  local status=0
  (
    cd "$dir"
    ASAN_OPTIONS="log_path=$logs/asan:detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=0" \
      LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0" \
      UBSAN_OPTIONS="log_path=$logs/ubsan:print_stacktrace=1:halt_on_error=1" \
      TSAN_OPTIONS="log_path=$logs/tsan:suppressions=$here/tsan.supp:second_deadlock_stack=1:halt_on_error=0" \
      ctest --output-on-failure --no-tests=error -j "$jobs" "$@"
  ) || status=$?
  if compgen -G "$logs/*" >/dev/null; then
    echo "sanitizer reports in $logs:" >&2
    head -n 60 "$logs"/* >&2
    return 1
  fi
  return "$status"
}

# clang-tidy over the .cc files of DIRs (and one level below), the headers
# they include checked as .clang-tidy's HeaderFilterRegex says.
tidy() {  # DIR...
  [[ -f $out/build-tsa/compile_commands.json ]] ||
    configure "$out/build-tsa" -DCMAKE_CXX_COMPILER=clang++ \
      -DKUAIBAO_THREAD_SAFETY=ON -DKUAIBAO_BUILD_TESTS=OFF
  # The generated protobuf headers must exist for clang-tidy to parse.
  cmake --build "$out/build-tsa" -j "$jobs" --target kuaibao_proto
  local files
  mapfile -t files < <(cd "$repo" && for d in "$@"; do
    ls "$d"/*.cc
    compgen -G "$d/*/*.cc" || true
  done)
  timed "clang-tidy (${*/%//})" \
    run-clang-tidy -quiet -j "$jobs" -p "$out/build-tsa" "${files[@]/#/$repo/}"
}

for stage in "${stages[@]}"; do
  case $stage in
    tsa)
      configure "$out/build-tsa" -DCMAKE_CXX_COMPILER=clang++ \
        -DKUAIBAO_THREAD_SAFETY=ON -DKUAIBAO_BUILD_TESTS=OFF
      timed "thread-safety analysis (clang)" \
        cmake --build "$out/build-tsa" -j "$jobs"
      ;;
    tidy) tidy relay client node ;;
    tidy-relay) tidy relay ;;
    asan)
      # Every target (the node, the CLI, the tools and test programs the
      # integration tests start), so every process of ours runs sanitized.
      # -O1 and line tables only (-g1), to build faster than RelWithDebInfo's
      # -O2 -g (not measured side by side: tests/hardening/README.md); reports
      # still name file and line. NDEBUG as in the plain build, so the same
      # code is checked.
      configure "$out/build-asan" -DKUAIBAO_SANITIZE=address,undefined \
        -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG"
      timed "ASan+UBSan build (every target)" \
        cmake --build "$out/build-asan" -j "$jobs"
      timed "ASan+UBSan tests (the suite)" sanitized_ctest "$out/build-asan" \
        -E "$not_sanitized"
      ;;
    tsan)
      configure "$out/build-tsan" -DKUAIBAO_SANITIZE=thread
      timed "TSan build" cmake --build "$out/build-tsan" -j "$jobs" \
        --target relay_core_test
      # StoreFaultTest, and the two ReportStoreTests whose watching Env LevelDB's
      # compaction calls, are left out: LevelDB's own background thread (in
      # the uninstrumented libleveldb) drives the test's Env, and TSan
      # misses LevelDB's locking there (it reports "unlock of an unlocked
      # mutex" inside leveldb::Env::Schedule); tests/hardening/README.md.
      timed "TSan tests (label sanitize)" sanitized_ctest "$out/build-tsan" \
        -L sanitize \
        -E '^(StoreFaultTest\.|ReportStoreTest\.(IdleStoreWritesItsMemtableToATableAndGoesOn|ANewIdIsFoundAbsentWithoutReadingTableBlocks)$)'
      ;;
    *)
      echo "run-hardening: unknown stage $stage (tsa tidy tidy-relay asan tsan)" >&2
      exit 2
      ;;
  esac
done
