#!/usr/bin/env bash
# Wall time of `./emu run` for the seed scenario (configs/corporate.yml: eight node processes,
# DNS through a forwarder to the authoritative server, https-get across the router, narrative,
# captures and traces, every node stopped), from the shell prompt back to it: JVM starts
# included, as a user lives it. The jar is built (and the build excluded) before the first run;
# one untimed run warms the page cache. Every run must succeed (exit 0).
# Uses hyperfine (--runs RUNS, median) when it is installed; otherwise times each run itself.
# Needs no root: every link is a UDP tunnel on loopback.
# Usage: benchmarks/e2e/run-walltime.sh [RUNS=5] [TOPOLOGY=configs/corporate.yml]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
runs=${1:-5}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
topology=${2:-$here/configs/corporate.yml}
emu="$here/emu"
bench_work run

echo "building if needed, checking $topology ..." >&2
"$emu" validate "$topology" >/dev/null
echo "warm-up run (not timed) ..." >&2
"$emu" run "$topology" --out "$work/warm" >/dev/null

n=0
next_out() { n=$((n + 1)); echo "$work/run-$n"; }

if command -v hyperfine >/dev/null 2>&1; then
  echo "timing with hyperfine ($runs runs) ..." >&2
  hyperfine --runs "$runs" --style basic --export-json "$work/hyperfine.json" \
    --prepare "rm -rf '$work/out'" \
    "'$emu' run '$topology' --out '$work/out' >/dev/null" >&2
  python3 - "$work/hyperfine.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
times = " ".join(f"{t:.2f}" for t in r["times"])
print(f"runs: {times} s")
print(f"./emu run (seed scenario), {len(r['times'])} runs, median: {r['median']:.2f} s "
      f"(min {r['min']:.2f}, max {r['max']:.2f}; hyperfine)")
PY
  exit 0
fi

echo "timing $runs runs (hyperfine is not installed; timing each run with date +%s.%N) ..." >&2
times=()
for i in $(seq "$runs"); do
  out=$(next_out)
  t0=$(date +%s.%N)
  "$emu" run "$topology" --out "$out" >/dev/null
  t1=$(date +%s.%N)
  t=$(python3 -c "print(f'{$t1 - $t0:.2f}')")
  echo "run $i: $t s" >&2
  times+=("$t")
  rm -rf "$out"
done
m=$(printf '%s\n' "${times[@]}" | median)
lo=$(printf '%s\n' "${times[@]}" | sort -g | head -1)
hi=$(printf '%s\n' "${times[@]}" | sort -g | tail -1)
echo "runs: ${times[*]} s"
echo "./emu run (seed scenario), $runs runs, median: $m s (min $lo, max $hi)"
