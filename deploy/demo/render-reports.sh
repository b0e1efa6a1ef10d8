#!/usr/bin/env bash
# Replaces the time placeholders of a reports file with real timestamps.
#
#   deploy/demo/render-reports.sh [FILE [NOW]]
#
# FILE defaults to deploy/demo/reports.ndjson; the result goes to stdout.
# Placeholders are "@NOW@", "@NOW-95m@", "@NOW+60m@": now, or that many
# minutes before/after now. NOW is a Unix time in seconds (default: the current
# time); it is rounded down to the minute, so every timestamp ends in ":00Z"
# and none of the "-Nm" ones lies in the future. Timestamps are RFC 3339 in
# UTC ("2026-11-28T04:35:00Z"), as protobuf's JSON mapping expects.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
file=${1:-$here/reports.ndjson}
now=${2:-$(date -u +%s)}

[[ -r $file ]] || { echo "render-reports: cannot read '$file'" >&2; exit 2; }
[[ $now =~ ^[0-9]+$ ]] || { echo "render-reports: NOW must be Unix seconds, not '$now'" >&2; exit 2; }
now=$((now - now % 60))

rfc3339() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

sed_args=()
while IFS= read -r placeholder; do
  if [[ $placeholder == "@NOW@" ]]; then
    t=$now
  elif [[ $placeholder =~ ^@NOW([+-])([0-9]+)m@$ ]]; then
    minutes=$((10#${BASH_REMATCH[2]}))
    if [[ ${BASH_REMATCH[1]} == "+" ]]; then
      t=$((now + minutes * 60))
    else
      t=$((now - minutes * 60))
    fi
  else
    echo "render-reports: malformed placeholder '$placeholder' in $file" >&2
    exit 2
  fi
  sed_args+=(-e "s/$placeholder/$(rfc3339 "$t")/g")
done < <(grep -oE '@NOW[^@"]*@' "$file" | sort -u)

if ((${#sed_args[@]} == 0)); then
  cat "$file"
else
  sed "${sed_args[@]}" "$file"
fi
