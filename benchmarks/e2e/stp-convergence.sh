#!/usr/bin/env bash
# Spanning tree convergence after a link failure, side by side in one run (issue 23):
#   emu RSTP: three emu switches in a triangle (s1 the root, priority 4096), h2 on s2, h3 on s3;
#   emu STP:  the same with force-version 0 (emu speaking 802.1D-1998 STP, as the kernel does);
#   Linux:    three kernel bridges (stp_state 1: the kernel's 802.1D-1998 STP) in three network
#             namespaces made here, wired by veth pairs the same way, h2 and h3 namespaces too.
# Same timers everywhere: hello 1 s, max age 6 s, forward delay 4 s (emu's smallest; the kernel's
# defaults are 2, 20 and 15 s). s3's port toward s2 is the alternate (blocking). h2 pings h3 every
# INTERVAL ms; after 2 s the link s1 - s3 (s3's root port) goes down at both ends (emu: `emu link
# down s3:p1`; Linux: the veth end in s3's namespace set down, so both ends lose carrier). The
# figure is the largest gap between answered requests (to within one interval: 1 interval means
# nothing was lost; on Linux the largest gap between replies' times, ping -D), beside it the
# requests lost; a run counts as come back only with at least 1 s of replies after its largest
# gap. The link then comes back and the tree is left to settle until h3 answers again (on STP, the
# returning root port listens and learns first: that outage is not measured), and on Linux until
# no bridge's topology change flag is set (its short MAC ageing would carry into the next run).
# Prints every run and each side's median. Needs root for the Linux side (namespaces, veth);
# without root only the emu sides run. Real traffic stays in the namespaces made here and on
# loopback; they are named after this run's process id and removed at the end, whatever happens.
# Usage: sudo benchmarks/e2e/stp-convergence.sh [RUNS=5] [INTERVAL_MS=10]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
shopt -s inherit_errexit
runs=${1:-5}
interval_ms=${2:-10}
if ! [[ $runs =~ ^[1-9][0-9]*$ && $interval_ms =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [RUNS=5] [INTERVAL_MS=10]   (whole numbers, at least 1)" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
emu="$here/emu"
work=$(mktemp -d /tmp/emu-bench-stp.XXXXXX)
export EMU_STATE_DIR="$work/state"
lab_up=""
nsp=emub-stp-$$ # every namespace made here starts with this: another run's are not touched
namespaces=() # the ones made so far
bg="" # the ping running in the background, if any
hello=1 maxage=6 fwd=4
# each ping lasts 2 s before the cut, the outage (on STP 2 x forward delay, then up to a forward
# delay more for a MAC entry pointing the old way to age out: STP flushes none), and 6 s after
count=$(( (2 + 3 * fwd + 6) * 1000 / interval_ms ))
# the kernel's stale MAC entries outlast that (BENCHMARKS.md): its ping lasts 2 + 10 x forward delay + 6 s
kcount=$(( (2 + 10 * fwd + 6) * 1000 / interval_ms ))
secs=$(awk -v ms="$interval_ms" 'BEGIN {printf "%.3f", ms / 1000}')

cleanup() {
  if [ -n "$bg" ]; then kill "$bg" 2>/dev/null || true; wait "$bg" 2>/dev/null || true; fi
  if [ -n "$lab_up" ]; then "$emu" down "$lab_up" >/dev/null 2>&1 || true; fi
  local n
  for n in "${namespaces[@]}"; do
    ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null || true
    ip netns del "$n" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

quietly() { "$@" >/dev/null 2>&1; }

await() { # await SECONDS WHAT COMMAND...
  local secs=$1 what=$2; shift 2
  local end=$(( SECONDS + secs ))
  until "$@"; do
    if [ $SECONDS -ge $end ]; then echo "stp-convergence.sh: $side: no $what after $secs s" >&2; return 1; fi
    sleep 0.2
  done
}

# gap_ts N: as gap, from the times iputils' ping -D prints before each reply: it sends late
# when the machine is busy and while requests go unanswered (an interval of 10 ms became 16 ms
# on average in a trial), so counting requests would understate the Linux side's outage.
gap_ts() {
  awk -v n="$1" '
    /bytes from .*icmp_seq=/ { t = substr($1, 2, length($1) - 2) + 0
      if (got == 0) wend = t; else if (t - last > worst) { worst = t - last; wend = t }
      last = t; got++ }
    END { if (got == 0 || last - wend < 1) print -1, n - got; else printf "%d %d\n", worst * 1000, n - got }'
}

# gap N: from ping's output on stdin (N requests), "MS LOST": the largest gap between answered
# requests times the interval, and the requests unanswered; "-1 LOST" if the replies after that
# gap span less than 1 s (the path did not come back, or not for long, within the ping). emu's
# ping sends on its node's timer, at the interval.
gap() {
  awk -v iv="$interval_ms" -v n="$1" '
    /bytes from .*icmp_seq=/ { match($0, /icmp_seq=[0-9]+/); seen[substr($0, RSTART + 9, RLENGTH - 9) + 0] = 1; got++ }
    END {
      if (got == 0) { print -1, n; exit }
      last = 0; worst = 0
      for (s = 1; s <= n; s++) if (s in seen) {
        if (last == 0) wend = s; else if (s - last > worst) { worst = s - last; wend = s }
        last = s
      }
      if ((last - wend) * iv < 1000) print -1, n - got; else print worst * iv, n - got
    }'
}

# ---- emu -------------------------------------------------------------------------------------
triangle() { # triangle NAME FORCE_VERSION
  cat <<EOF
name: $1
topology:
  defaults: {kind: host}
  nodes:
    s1: {kind: switch, stp: {priority: 4096, hello: $hello, max-age: $maxage, forward-delay: $fwd, force-version: $2}}
    s2: {kind: switch, stp: {hello: $hello, max-age: $maxage, forward-delay: $fwd, force-version: $2}}
    s3: {kind: switch, stp: {hello: $hello, max-age: $maxage, forward-delay: $fwd, force-version: $2}}
    h2: {interfaces: {eth0: {address: 10.0.0.2/24}}}
    h3: {interfaces: {eth0: {address: 10.0.0.3/24}}}
  links:
    - endpoints: ["s1:p1", "s2:p1"]
    - endpoints: ["s1:p2", "s3:p1"]
    - endpoints: ["s2:p2", "s3:p2"]
    - endpoints: ["h2:eth0", "s2:p3"]
    - endpoints: ["h3:eth0", "s3:p3"]
EOF
}

emu_settled() { # s3 reaches the root through p1, p2 blocks, and every other port forwards
  local s3 s2
  s3=$("$emu" exec s3 -- bridge stp 2>/dev/null) || return 1
  s2=$("$emu" exec s2 -- bridge link 2>/dev/null) || return 1
  grep -qE '^  p1 +root +forwarding' <<< "$s3" && grep -qE '^  p2 +alternate +blocking' <<< "$s3" \
    && grep -qE '^  p3 .* forwarding' <<< "$s3" && [ "$(grep -c 'state forwarding' <<< "$s2")" = 3 ]
}

emu_side() { # emu_side LABEL FORCE_VERSION
  side=$1
  local lab=emubstp$2 i v results=()
  triangle "$lab" "$2" > "$work/$lab.yml"
  echo "$side: starting the triangle (no trace, no capture) ..." >&2
  "$emu" up "$work/$lab.yml" --out "$work/out-$lab" --no-trace --no-capture >/dev/null
  lab_up=$lab
  for i in $(seq "$runs"); do
    await 60 "settled tree" emu_settled
    await 60 "reply from h3" quietly "$emu" exec h2 -- ping -q -c 1 -W 1 10.0.0.3 # MAC tables and ARP caches right
    sleep 1
    "$emu" exec h2 -- ping -c "$count" -i "$secs" -W 1 10.0.0.3 > "$work/ping.txt" 2>&1 &
    bg=$!
    sleep 2
    "$emu" link down s3:p1 >/dev/null
    wait "$bg" || true
    bg=""
    v=$(gap "$count" < "$work/ping.txt")
    echo "$side run $i: ${v% *} ms without replies at most, ${v#* } requests lost" >&2
    results+=("$v")
    "$emu" link up s3:p1 >/dev/null
  done
  "$emu" down "$lab" >/dev/null
  lab_up=""
  printf '%s\n' "${results[@]}" > "$work/$side.results"
}

# ---- Linux ----------------------------------------------------------------------------------
wire() { # wire NS_A IF_A NS_B IF_B: a veth pair between two namespaces
  ip link add "$2" netns "$nsp-$1" type veth peer name "$4" netns "$nsp-$3"
}

linux_up() {
  local b h p
  for b in b1 b2 b3 h2 h3; do
    ip netns add "$nsp-$b"
    namespaces+=("$nsp-$b")
    ip -n "$nsp-$b" link set lo up
  done
  wire b1 to-b2 b2 to-b1
  wire b1 to-b3 b3 to-b1
  wire b2 to-b3 b3 to-b2
  wire h2 eth0 b2 to-h2
  wire h3 eth0 b3 to-h3
  for b in 1 2 3; do
    # the bridge's own MAC (set, so the kernel keeps it as the bridge id): b1 < b2 < b3
    ip -n "$nsp-b$b" link add br0 address "02:00:00:00:0c:0$b" type bridge stp_state 1 \
      priority "$([ $b = 1 ] && echo 4096 || echo 32768)" hello_time $(( hello * 100 )) \
      max_age $(( maxage * 100 )) forward_delay $(( fwd * 100 ))
    for p in $(ip -n "$nsp-b$b" -o link show | awk -F': ' '$2 ~ /^to-/ {sub(/@.*/, "", $2); print $2}'); do
      ip -n "$nsp-b$b" link set "$p" master br0 up
    done
    ip -n "$nsp-b$b" link set br0 up
  done
  for h in 2 3; do
    ip -n "$nsp-h$h" addr add "10.0.0.$h/24" dev eth0
    ip -n "$nsp-h$h" link set eth0 up
  done
}

# no bridge's topology change flag set (while it is, the kernel ages MACs at the forward delay)
linux_tc_over() {
  local b
  for b in b1 b2 b3; do
    [ "$(ip netns exec "$nsp-$b" cat /sys/class/net/br0/bridge/topology_change)" = 0 ] || return 1
  done
}

kstate() { ip netns exec "$nsp-$1" cat "/sys/class/net/br0/brif/$2/state"; } # 3 forwarding, 4 blocking

linux_settled() { # as emu_settled: b3's port to b2 blocking, every other port forwarding
  [ "$(kstate b3 to-b2)" = 4 ] || return 1
  local b p
  for b in b1:to-b2 b1:to-b3 b2:to-b1 b2:to-b3 b2:to-h2 b3:to-b1 b3:to-h3; do
    p=${b#*:}; [ "$(kstate "${b%%:*}" "$p")" = 3 ] || return 1
  done
}

linux_side() {
  side=linux
  local i v results=()
  echo "$side: three kernel bridges in namespaces $nsp-* ..." >&2
  linux_up
  for i in $(seq "$runs"); do
    await 60 "settled tree" linux_settled
    await 60 "end of the topology change" linux_tc_over
    # STP flushes no MAC: after the last run's link came back, an entry pointing the old way lasts
    # until the short ageing of a topology change (a forward delay) ends it
    await 60 "reply from h3" quietly ip netns exec "$nsp-h2" ping -q -c 1 -W 1 10.0.0.3
    sleep 1
    ip netns exec "$nsp-h2" ping -D -c "$kcount" -i "$secs" -W 1 10.0.0.3 > "$work/ping.txt" 2>&1 &
    bg=$!
    sleep 2
    ip -n "$nsp-b3" link set to-b1 down
    wait "$bg" || true
    bg=""
    v=$(gap_ts "$kcount" < "$work/ping.txt")
    echo "$side run $i: ${v% *} ms without replies at most, ${v#* } requests lost" >&2
    results+=("$v")
    ip -n "$nsp-b3" link set to-b1 up
  done
  printf '%s\n' "${results[@]}" > "$work/$side.results"
}

emu_side "emu RSTP" 2
emu_side "emu STP" 0
if [ "$(id -u)" -eq 0 ]; then
  linux_side
else
  echo "linux: needs root (network namespaces): skipped" >&2
fi

summary() { # summary SIDE LABEL
  local f="$work/$1.results"
  if [ ! -f "$f" ]; then printf '  %-34s skipped\n' "$2"; return; fi
  if ! awk '$1 >= 0 {ok = 1} END {exit !ok}' "$f"; then
    printf '  %-34s FAILED: no run came back   (runs: %s)\n' "$2" "$(paste -sd, "$f")"; return
  fi
  printf '  %-34s %8s ms  %6s lost   (runs: %s)\n' "$2" \
    "$(awk '$1 >= 0 {print $1}' "$f" | median)" "$(awk '{print $2}' "$f" | median)" "$(paste -sd, "$f")"
}
echo
echo "Spanning tree convergence after the root port's link goes down (triangle, hello $hello s, max age $maxage s,"
echo "forward delay $fwd s), ping every $interval_ms ms, $runs runs, medians of: the longest time without replies"
echo "(to within one interval), and the requests lost (a run whose path did not come back counts -1, left out):"
summary "emu RSTP" "emu switches, RSTP"
summary "emu STP" "emu switches, force-version 0 (STP)"
summary linux "Linux bridges, stp_state 1 (STP)"
