#!/usr/bin/env bash
# The web console in a real browser: Debian's chromium, headless, driven by
# puppeteer-core (console_browser_test.cjs) against the demo's 4-level chain
# over mutual TLS (deploy/demo/run-demo.sh with KEEP=1: its nodes and two
# consoles, the township's and the province's duty officers').
# Screenshots go to BUILD_DIR/console-screenshots/.
#
#   tests/browser/console-browser-test.sh BUILD_DIR
# Exit 77 (skipped) when puppeteer-core is not installed
# (tests/browser/install-browser.sh, which tests/run-tests.sh runs).
set -euo pipefail
build=$(cd "${1:?usage: console-browser-test.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
modules=$build/browser-test/node_modules
if [[ ! -d $modules/puppeteer-core ]] || ! command -v chromium >/dev/null; then
  echo "console-browser-test: SKIPPED: run tests/browser/install-browser.sh $build first" >&2
  exit 77
fi
shots=$build/console-screenshots
rm -rf "$shots" && mkdir -p "$shots"
urls=$(mktemp)
demo_log=$shots/demo.log
SKIP_DEPS=1 SKIP_BUILD=1 BUILD_DIR=$build KEEP=1 CONSOLE_PORT=0 \
  CONSOLE_TOWNSHIP_PORT=0 URLS_FILE=$urls "$repo/deploy/demo/run-demo.sh" \
  >"$demo_log" 2>&1 &
demo=$!
cleanup() {
  kill -TERM "$demo" 2>/dev/null || true
  wait "$demo" 2>/dev/null || true
  # KEEP=1 kept the demo's work directory; the logs matter only on failure.
  local work
  work=$(sed -n 's/^work=//p' "$urls" 2>/dev/null)
  [[ -n $work && -d $work ]] && cp "$work"/*.log "$shots/" 2>/dev/null && rm -rf -- "$work"
  rm -f "$urls"
}
trap cleanup EXIT
deadline=$((SECONDS + 600))
until [[ -s $urls ]] && grep -q '^work=' "$urls"; do
  if ! kill -0 "$demo" 2>/dev/null; then
    echo "console-browser-test: the demo ended before its consoles served" >&2
    tail -n 30 "$demo_log" >&2
    exit 1
  fi
  ((SECONDS < deadline)) || { echo "console-browser-test: the demo took too long" >&2; exit 1; }
  sleep 0.5
done
# shellcheck disable=SC1090
source <(sed 's/^\([a-z]*\)=\(.*\)$/\U\1_URL\E="\2"/' "$urls")
PROVINCE_URL=$PROVINCE_URL TOWNSHIP_URL=$TOWNSHIP_URL DEMO_WORK=$WORK_URL SHOTS=$shots \
  PUPPETEER=$modules/puppeteer-core node "$here/console_browser_test.cjs"
