#!/usr/bin/env bash
# The benchmarks' smoke test (ctest bench_smoke): runs kuaibao-bench over
# every scenario with tiny sizes, then checks the JSON it wrote against the
# schema. It proves the driver works; it asserts nothing about speed.
#   bench-smoke.sh KUAIBAO_BENCH OUTDIR
set -euo pipefail
bench=$1
out=$2/bench-smoke.json
rm -f "$out"
"$bench" --out="$out" --scenarios=latency,throughput,backlog,fanin,signing \
  --rtt_samples=50 --limit_samples=20 --sync_samples=20 --stream_messages=500 \
  --latency_reports=20 --latency_gap_ms=5 \
  --throughput_streams=4 --throughput_reports=100 \
  --backlog=300 \
  --fanin_counties=2 --idle_seconds=1 --disaster_events=6 \
  --disaster_follow_ups=1 --disaster_seconds=2 >/dev/null
"$bench" --check_json="$out"
