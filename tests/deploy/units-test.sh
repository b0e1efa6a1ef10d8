#!/usr/bin/env bash
# `systemd-analyze verify` on the units of deploy/systemd/, with the
# installed binary's path pointed at the one just built (verify checks that
# ExecStart exists). Skipped (exit 77) where systemd-analyze is missing.
#
#   tests/deploy/units-test.sh BUILD_DIR
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
command -v systemd-analyze >/dev/null || {
  echo "SKIP: no systemd-analyze here"
  exit 77
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for unit in "$repo"/deploy/systemd/*.service "$repo"/deploy/systemd/*.timer; do
  [[ -e $unit ]] || continue
  sed "s|/usr/bin/kuaibao-node|$build/node/kuaibao-node|g" "$unit" >"$work/$(basename "$unit")"
done
status=0
for unit in "$work"/*; do
  name=$(basename "$unit")
  # An instance of a template: verify needs a concrete name.
  [[ $name == *@.* ]] && name=${name/@./@140105000000.}
  [[ $name == "$(basename "$unit")" ]] || cp "$unit" "$work/$name"
  if ! out=$(cd "$work" && systemd-analyze verify "./$name" 2>&1) || [[ -n $out ]]; then
    echo "FAIL: $name: $out"
    status=1
  else
    echo "ok: $name"
  fi
done
exit "$status"
