#!/usr/bin/env bash
# The hardening stages of CI (.ci/run runs them after tests/run-tests.sh):
#
#   tests/hardening/run-hardening.sh [STAGE...]
#
# Without STAGEs: those in $HARDENING_STAGES, default "tsa asan tsan" (what
# CI runs; set but empty: none). asan-full and tidy are not in that default:
# neither has had a full green run (tests/hardening/README.md, "In CI").
#
#   tsa   Clang build of the libraries and programs with -Wthread-safety
#         -Werror (the ABSL_GUARDED_BY annotations checked), in build-tsa/
#   tidy  clang-tidy (.clang-tidy) over relay/, client/ and node/ (their
#         headers included), from build-tsa's compile_commands.json; about
#         14 CPU-minutes, most of it parsing gRPC's headers in node/
#   asan  the tests labelled sanitize (relay_core_test: the engine and the store)
#         built with -fsanitize=address,undefined and run, in build-asan/
#   asan-full  the unit and integration tests built so and run, node
#         processes included, in build-asan/ (not in CI: too long for it)
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
  read -r -a stages <<<"${HARDENING_STAGES-tsa asan tsan}"
fi

"$repo/deploy/install-deps.sh" clang clang-tidy

# What the sanitizer builds leave out of the suite: the fuzz target has its
# own clang build, the source rules and deployment checks run no C++ of
# ours, the multi-host test needs root and network namespaces and repeats
# the chain tests, the benchmark and drill smokes are load generators.
not_sanitized='^(fuzz_report|source_rules|deploy_provision|deploy_units|multihost_netns|bench_smoke|drill_smoke)$'

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

for stage in "${stages[@]}"; do
  case $stage in
    tsa)
      configure "$out/build-tsa" -DCMAKE_CXX_COMPILER=clang++ \
        -DKUAIBAO_THREAD_SAFETY=ON -DKUAIBAO_BUILD_TESTS=OFF
      timed "thread-safety analysis (clang)" \
        cmake --build "$out/build-tsa" -j "$jobs"
      ;;
    tidy)
      [[ -f $out/build-tsa/compile_commands.json ]] ||
        configure "$out/build-tsa" -DCMAKE_CXX_COMPILER=clang++ \
          -DKUAIBAO_THREAD_SAFETY=ON -DKUAIBAO_BUILD_TESTS=OFF
      # The generated protobuf headers must exist for clang-tidy to parse.
      cmake --build "$out/build-tsa" -j "$jobs" --target kuaibao_proto
      mapfile -t files < <(cd "$repo" && ls relay/*.cc relay/*/*.cc client/*.cc node/*.cc)
      timed "clang-tidy (relay/, client/, node/)" \
        run-clang-tidy -quiet -j "$jobs" -p "$out/build-tsa" \
        "${files[@]/#/$repo/}"
      ;;
    asan)
      configure "$out/build-asan" -DKUAIBAO_SANITIZE=address,undefined
      timed "ASan+UBSan build (relay_core_test)" \
        cmake --build "$out/build-asan" -j "$jobs" --target relay_core_test
      timed "ASan+UBSan tests (label sanitize)" sanitized_ctest \
        "$out/build-asan" -L sanitize
      ;;
    asan-full)
      configure "$out/build-asan" -DKUAIBAO_SANITIZE=address,undefined
      timed "ASan+UBSan build (the suite)" \
        cmake --build "$out/build-asan" -j "$jobs" \
        --target relay_core_test client_test node_test kuaibao-node kuaibao
      timed "ASan+UBSan tests (the suite)" sanitized_ctest "$out/build-asan" \
        -E "$not_sanitized"
      ;;
    tsan)
      configure "$out/build-tsan" -DKUAIBAO_SANITIZE=thread
      timed "TSan build" cmake --build "$out/build-tsan" -j "$jobs" \
        --target relay_core_test
      # StoreFaultTest is left out: LevelDB's own background thread (in the
      # uninstrumented libleveldb) drives its FaultInjectionEnv, and TSan
      # misses LevelDB's locking there (it reports "unlock of an unlocked
      # mutex" inside leveldb::Env::Schedule); tests/hardening/README.md.
      timed "TSan tests (label sanitize)" sanitized_ctest "$out/build-tsan" \
        -L sanitize -E '^StoreFaultTest\.'
      ;;
    *)
      echo "run-hardening: unknown stage $stage (tsa tidy asan asan-full tsan)" >&2
      exit 2
      ;;
  esac
done
