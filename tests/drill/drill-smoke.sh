#!/usr/bin/env bash
# The drill's smoke test (ctest drill_smoke): the whole drill with a tiny
# tree (the province, 太原市, 小店区 and 迎泽区, their townships as streams),
# the faults and the instruction included, then the JSON checked: every
# report acknowledged and at the province, none lost or duplicated, the
# instruction's feedback at the province. Asserts nothing about speed.
#   drill-smoke.sh KUAIBAO_DRILL OUTDIR
set -euo pipefail
drill=$1
out=$2/drill-smoke.json
rm -f "$out"
"$drill" --json="$out" --counties=2 --flood_counties=2 --events_per_county=2 \
  --background_events=10 --hour_seconds=3 --patience_seconds=60
"$drill" --check_json="$out"
