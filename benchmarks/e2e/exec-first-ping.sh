#!/usr/bin/env bash
# The first ping of each `emu exec` against its later ones, in a warm lab (neighbours resolved, so
# every ping crosses the same hops): what a fresh command line (a new JVM and a new connection to
# the node) costs the first packet it causes, beside the network. Issue 21, BENCHMARKS.md "The
# first ping of an exec".
#
#   benchmarks/e2e/exec-first-ping.sh [EXECS] [MODES]
#
# EXECS (default 12) execs of `ping -c 4 -i 0.2 payroll.corp.com` on client, 0.5 s apart, per
# mode; MODES (default "plain nice"): plain, or nice (the command line under `nice -n 10`),
# interleaved exec by exec. The seed lab runs in one JVM with the full warm-up. Prints each
# mode's median of the execs' first pings and of their other pings.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
execs=${1:-12}
modes=${2:-plain nice}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
emu="$here/emu"
bench_work exec-first
"$emu" validate "$here/configs/corporate.yml" >/dev/null   # builds the jar if needed
EMU_NODES_PER_JVM=64 EMU_NODE_WARMUP=full "$emu" up "$here/configs/corporate.yml" --out "$work/out" >/dev/null
sleep 4   # duplicate address detection
"$emu" exec client -- ping -c 3 -i 0.2 payroll.corp.com >/dev/null   # resolves the neighbours
for i in $(seq 1 "$execs"); do
  for m in $modes; do
    case $m in nice) pre=(nice -n 10) ;; *) pre=() ;; esac
    "${pre[@]}" "$emu" exec client -- ping -c 4 -i 0.2 payroll.corp.com | rtts > "$work/$m.$i"
    sleep 0.5
  done
done
for m in $modes; do
  first=$(for i in $(seq 1 "$execs"); do head -1 "$work/$m.$i"; done | median)
  rest=$(for i in $(seq 1 "$execs"); do tail -n +2 "$work/$m.$i"; done | median)
  echo "$m: first ping of an exec p50 $first ms, its later pings p50 $rest ms ($execs execs)"
done
