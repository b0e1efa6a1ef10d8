#!/usr/bin/env bash
# The drill's smoke test (ctest drill_smoke): the whole drill with a tiny
# tree (the province, 太原市, 小店区 and 迎泽区, their townships as streams),
# the faults and the instruction included, then the JSON checked: every
# report acknowledged and at the province, none lost or duplicated, the
# instruction's feedback at the province, the province's standby acting
# while its primary is killed (both end with every report, grade I/II at a
# province node within their hour). Asserts nothing about speed: the drill's
# own clock (one notice hour = 6 s, as the full drill) leaves the failover
# to the standby 15 notice minutes = 1.5 s of a loaded machine's time.
#   drill-smoke.sh KUAIBAO_DRILL OUTDIR
set -euo pipefail
drill=$1
out=$2/drill-smoke.json
rm -f "$out"
"$drill" --json="$out" --counties=2 --flood_counties=2 --events_per_county=2 \
  --background_events=10 --hour_seconds=6 --patience_seconds=60
"$drill" --check_json="$out"
