#!/usr/bin/env bash
# Fidelity from the first packet (issue 21): the round trips a user's first pings measure in a
# fresh lab, with the nodes' warm-up before READY (EMU_NODE_WARMUP=full; off is the default) and without
# (off), each with a JVM per node (the default) or with all of a lab's nodes in one JVM (group:full,
# group:off: EMU_NODES_PER_JVM=64, so the warm-up runs once for the lab and its compiled code serves
# every node), side by side in one run, each on fresh labs, interleaved mode by mode, lab by lab:
#  (a) the seed lab (configs/corporate.yml), `ping payroll` from client (IPv6, across sw1, dist,
#      r1, sw2): the first ping, the median of the first 100 (10 ms apart), and the median of 200
#      pings after WARM more (1 ms apart), with the ratios to it (goals: first 100 within 1.3x,
#      first ping within 3x);
#  (b) the chain lab (benchmarks/e2e/chain-delay.yml: h1, 2 switches, 3 routers, h2, delay 3ms on
#      one link): the median of the first 100 pings h1 -> h2, against 6 ms + 12 x the machine's
#      process-to-process UDP round trip floor (udp-pingpong.py, 10 ms apart, in the same run);
#  and what the warm-up costs: the seed lab's `up` wall time and its nodes' CPU time (user +
#  system, /proc/PID/stat, of the lab's node JVMs) just after `up` returns, divided by its nodes.
# A mode with :notrace (full:notrace, group:full:notrace) starts its labs with --no-trace; the
# others trace, with no event budget (EMU_TRACE_BUDGET=0): at the default budget (20,000 events a
# node) r1 and payroll stop tracing within the WARM pings, and the warm median would be taken with
# less tracing than the first pings had, which is no comparison of cold against warm code. A mode
# with :budget keeps the default budget (how this script measured before it knew that). A
# mode with :jdktraps runs its node JVMs with the JDK's own -XX:PerMethodTrapLimit=100 instead of
# emu's 0 for nodes that warm up (what that gives a lab's first packets: BENCHMARKS.md, "Compiled
# code that a lab's first packets keep"). Suffixes combine (group:full:notrace:jdktraps).
# Medians over LABS labs per mode. Needs no root.
# Usage: benchmarks/e2e/first-packet.sh [LABS=3] [WARM=5000] [MODES="full off group:full group:off"]
# (a mode: [group:]full|light|off[:notrace][:budget][:jdktraps])
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
labs=${1:-3}
warm=${2:-5000}
modes=${3:-full off group:full group:off}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
emu="$here/emu"
work=$(mktemp -d /tmp/emu-bench-first.XXXXXX)
export EMU_STATE_DIR="$work/state"
tck=$(getconf CLK_TCK)

cleanup() {
  down_all_labs
  rm -rf "$work"
}
trap cleanup EXIT

# CPU seconds (user + system) of this run's node JVMs, per node of lab $1 (a JVM may hold several)
node_cpu() {
  local total=0 n p
  for p in $(pgrep -f "emu.node.NodeMain.*$EMU_STATE_DIR" || true); do
    t=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)
    total=$((total + t))
  done
  n=$("$emu" status --json "$1" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["nodes"]))')
  awk -v t="$total" -v n="$n" -v k="$tck" 'BEGIN {printf "%.2f\n", n ? t / n / k : 0}'
}
# Waits until the IPv6 addresses of nodes $@ are out of duplicate address detection (up to 2 s from
# a node's start, RFC 4862): before that `ping payroll` takes IPv4 (no usable IPv6 source), or
# payroll cannot answer, and a lab of one JVM is up that early. Their first `emu exec` comes here.
settled() {
  local n t
  for n in "$@"; do
    for t in $(seq 1 50); do
      "$emu" exec "$n" -- ip addr | grep -q tentative || break
      sleep 0.1
    done
  done
}
# mode -> the warm-up level, the nodes per JVM and tracing: full, off (a JVM per node), group:full,
# group:off, each with :notrace or not
level() { local m="${1#group:}"; echo "${m%%:*}"; }
per_jvm() { case $1 in group:*) echo 64 ;; *) echo 1 ;; esac; }
trace_flag() { case $1: in *:notrace:*) echo --no-trace ;; *) echo --trace ;; esac; }
budget() { case $1: in *:budget:*) echo 20000 ;; *) echo 0 ;; esac; }
# the node JVM options of a mode: the caller's own EMU_NODE_JVM_OPTS, then the mode's (the last wins)
user_jvm_opts=${EMU_NODE_JVM_OPTS:-}
jvm_opts() { case $1: in *:jdktraps:*) echo "$user_jvm_opts -XX:PerMethodTrapLimit=100" ;; *) echo "$user_jvm_opts" ;; esac; }

"$emu" validate "$here/configs/corporate.yml" >/dev/null   # builds the jar if needed, outside any timing
"$emu" validate "$here/benchmarks/e2e/chain-delay.yml" >/dev/null

for i in $(seq 1 "$labs"); do
  for mode in $modes; do
    d="$work/${mode//:/-}-$i"; mkdir -p "$d"
    export EMU_NODE_WARMUP=$(level "$mode") EMU_NODES_PER_JVM=$(per_jvm "$mode") EMU_TRACE_BUDGET=$(budget "$mode")
    export EMU_NODE_JVM_OPTS=$(jvm_opts "$mode")
    t0=$(date +%s%N)
    "$emu" up "$here/configs/corporate.yml" --out "$d/seed" "$(trace_flag "$mode")" >/dev/null
    echo "$(( ($(date +%s%N) - t0) / 1000000 ))" > "$d/up-ms"
    node_cpu corporate > "$d/cpu"
    settled client r1 payroll
    "$emu" exec client -- ping -c 100 -i 0.01 payroll > "$d/first100.txt"
    grep -q 'from 2001:db8:5::100' "$d/first100.txt" || { echo "not over IPv6:" >&2; head -3 "$d/first100.txt" >&2; }
    rtts < "$d/first100.txt" > "$d/first100"
    "$emu" exec client -- ping -q -c "$warm" -i 0.001 payroll >/dev/null
    "$emu" exec client -- ping -c 200 -i 0.01 payroll | rtts > "$d/warm"
    "$emu" down corporate >/dev/null
    "$emu" up "$here/benchmarks/e2e/chain-delay.yml" --out "$d/chain" "$(trace_flag "$mode")" >/dev/null
    "$emu" exec h1 -- ping -c 100 -i 0.01 10.4.0.10 | rtts > "$d/chain100"
    "$emu" down chain >/dev/null
    unset EMU_NODE_WARMUP EMU_NODES_PER_JVM EMU_TRACE_BUDGET
    export EMU_NODE_JVM_OPTS="$user_jvm_opts"
    python3 "$here/benchmarks/e2e/udp-pingpong.py" 0.01 200 | rtts > "$d/floor"
    first=$(head -1 "$d/first100"); p50=$(median < "$d/first100"); w=$(median < "$d/warm")
    c=$(median < "$d/chain100"); f=$(median < "$d/floor")
    echo "$first $p50 $w $c $f $(cat "$d/up-ms") $(cat "$d/cpu")" > "$d/row"
    printf '%-10s lab %d: seed first %s ms, first 100 p50 %s ms, warm p50 %s ms; chain first 100 p50 %s ms;' \
      "$mode" "$i" "$first" "$p50" "$w" "$c"
    printf ' floor %s ms; up %s ms, node CPU %s s\n' "$f" "$(cat "$d/up-ms")" "$(cat "$d/cpu")"
  done
done

echo
for mode in $modes; do
  col() { for i in $(seq 1 "$labs"); do awk -v c="$1" '{print $c}' "$work/${mode//:/-}-$i/row"; done | median; }
  first=$(col 1); p50=$(col 2); w=$(col 3); c=$(col 4); f=$(col 5); up=$(col 6); cpu=$(col 7)
  awk -v m="$mode" -v n="$labs" -v first="$first" -v p50="$p50" -v w="$w" -v c="$c" -v f="$f" -v up="$up" \
    -v cpu="$cpu" 'BEGIN {
      printf "median of %d, warm-up %s: seed first ping %.3f ms (%.1fx warm), first 100 p50 %.3f ms (%.2fx warm),", \
        n, m, first, first / w, p50, p50 / w
      printf " warm p50 %.3f ms; chain first 100 p50 %.3f ms, bound %.3f ms (6 + 12 x floor %.3f): %s;", \
        w, c, 6 + 12 * f, f, (c <= 6 + 12 * f ? "within" : "OVER")
      printf " seed up %.1f s, node CPU at READY %.2f s\n", up / 1000, cpu }'
done
