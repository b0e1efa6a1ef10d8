#!/usr/bin/env bash
# Installs what the console's browser test (console-browser-test.sh) needs:
# Debian's chromium and nodejs/npm (when missing), and npm's puppeteer-core
# at a pinned version into BUILD_DIR/browser-test (outside git).
#
#   tests/browser/install-browser.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: install-browser.sh BUILD_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# Pinned: the DevTools protocol moves with Chromium; 23.11.1 runs on
# Debian 12's nodejs 18 and drives Debian's chromium (bookworm-security).
puppeteer_version=23.11.1

# A CJK font, or the screenshots show boxes for Chinese; chromium-l10n, or
# --lang=zh-CN is ignored and date fields read 12/03/2026, 05:10 PM instead
# of 2026/12/03 17:10 as on an officer's Chinese browser.
extra=(chromium chromium-l10n fonts-wqy-microhei)
command -v node >/dev/null 2>&1 || extra+=(nodejs)
command -v npm >/dev/null 2>&1 || extra+=(npm)
"$repo/deploy/install-deps.sh" "${extra[@]}"

dir=$build/browser-test
installed=$(node -e "try{console.log(require('$dir/node_modules/puppeteer-core/package.json').version)}catch(e){}" 2>/dev/null || true)
if [[ $installed != "$puppeteer_version" ]]; then
  mkdir -p "$dir"
  echo "install-browser: npm install puppeteer-core@$puppeteer_version into $dir"
  npm install --prefix "$dir" --no-audit --no-fund --no-save --loglevel=error \
    "puppeteer-core@$puppeteer_version"
fi
