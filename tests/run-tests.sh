#!/usr/bin/env bash
# The test command: installs what is missing (Debian 12), builds everything
# with -Werror, and runs the whole suite with ctest.
#
#   tests/run-tests.sh [CTEST_ARGS...]      e.g. tests/run-tests.sh -R Chain
#
# Environment: BUILD_DIR (default <repo>/build), JOBS (default: all cores).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$repo/build}
jobs=${JOBS:-$(nproc)}

# clang-format and shellcheck are for the source-rules test, clang for the
# fuzz test, nftables and iproute2 for the multi-host test, python3-grpcio
# and python3-protobuf for the interoperability test (tests/interop/),
# python3-h2 too for the hostile-peer test (tests/hardening/).
"$repo/deploy/install-deps.sh" clang-format shellcheck clang nftables iproute2 dpkg-dev adduser help2man lintian prometheus python3 \
  python3-grpcio python3-protobuf python3-h2

echo "==> configuring ($build)"
cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
echo "==> building"
cmake --build "$build" -j "$jobs"
# The console's browser test (ctest console_browser) needs chromium, a CJK
# font and a pinned puppeteer-core from npm's registry.
"$repo/tests/browser/install-browser.sh" "$build"
echo "==> testing"
cd "$build"
ctest --output-on-failure -j "$jobs" "$@"
