#!/usr/bin/env bash
# Per node: start time and resident memory; per hop: ping round-trip time.
#   start:  each node process prints `started_ms=N` on its READY line (from the process's start,
#           as /proc gives it, to the node serving its links and API): JVM start included.
#   memory: VmRSS of every node of the seed lab (configs/corporate.yml) after its scenario ran
#           (`https-get https://payroll.corp.com/` from the client), so every role has done its
#           work: switch, router, DNS forwarder and server, HTTPS client and server.
#   hops:   ping RTT p50 and p99 from h0 across chains of 1 and 4 routers, 200 pings 10 ms apart
#           (every process has gone idle in between) and 1000 pings 1 ms apart, after 5000 warm-up
#           pings 1 ms apart (a node that has carried traffic for a while has its forwarding path
#           compiled by the JIT; 50 warm-up pings left it interpreted and doubled the figure); the
#           cost of a hop is the difference divided by 3. Side by side, the same for Linux
#           namespaces joined by veth pairs (iputils ping), and the floor under a hop through
#           another process: one UDP round trip between two idle processes (udp-pingpong.py), and
#           between two processes that poll instead of sleeping (--spin).
#   idle:   CPU time of every node over IDLE seconds after that (/proc/PID/task/*/schedstat, so
#           a thread's wake-ups are counted too, not only whole clock ticks), median per node, and
#           which threads spent it.
#   --jvms: instead of all that, the seed lab's start, memory and idle CPU on each node JVM side by
#           side (JDK 17, with the options of --with added if given, and the newest JDK in
#           /usr/lib/jvm, with and without compact object headers), ROUNDS rounds alternating,
#           medians of the rounds' medians.
# Needs root for the kernel side (namespaces); the emu side runs without.
# Usage: benchmarks/e2e/node-footprint.sh [--idle S=60] [--jvms [--rounds N=3] [--with "JVM OPTIONS"]]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
idle=60; jvms=0; rounds=3; with=""
while [ $# -gt 0 ]; do
  case "$1" in
    --idle) idle=${2:?}; shift ;;
    --jvms) jvms=1 ;;
    --rounds) rounds=${2:?}; shift ;;
    --with) with=${2:?}; shift ;;
    *) echo "node-footprint: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
emu="$here/emu"
work=$(mktemp -d /tmp/emu-bench-foot.XXXXXX)
export EMU_STATE_DIR="$work/state"
kns=()

cleanup() {
  down_all_labs
  for n in "${kns[@]}"; do ip netns del "$n" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

pct() { sort -g | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100+0.5); if (i<1) i=1; print a[i]}'; }

# seed LABEL: the seed lab up, its scenario's https-get, then each node's start, RSS, PSS and idle
# CPU; one line "LABEL: median start ..." (and the table of nodes and the busiest threads).
seed() {
  local label=$1 out="$work/seed-$1"
  "$emu" up "$here/configs/corporate.yml" --out "$out" >/dev/null
  "$emu" exec client -- https-get https://payroll.corp.com/ >/dev/null
  sleep 3 # past one native-heap trim (nodes run with -XX:TrimNativeHeapInterval=2000)
  printf '%-10s %-8s %12s %10s %10s\n' NODE KIND "START (ms)" "RSS (MB)" "PSS (MB)"
  local starts=() rsss=() psss=() pids=()
  while read -r node kind pid; do
    start=$(grep -o 'started_ms=[0-9]*' "$out/$node.log" | cut -d= -f2)
    rss=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status")
    # PSS shares out the pages every node maps alike (libjvm, the JDK's class archive) among them
    pss=$(awk '/^Pss:/ {printf "%.0f", $2/1024}' "/proc/$pid/smaps_rollup")
    printf '%-10s %-8s %12s %10s %10s\n' "$node" "$kind" "$start" "$rss" "$pss"
    starts+=("$start"); rsss+=("$rss"); psss+=("$pss"); pids+=("$pid")
  done < <("$emu" status --json | python3 -c '
import json, sys
for n in json.load(sys.stdin)["nodes"]:
    print(n["name"], n["kind"], n["pid"])')
  # idle: every thread's run time (ns) and times scheduled, before and after
  threads() { for p in "${pids[@]}"; do for t in /proc/"$p"/task/*; do
    echo "$p $(tr ' ' _ < "$t/comm") $(cat "$t/schedstat" 2>/dev/null)"; done; done; }
  threads > "$work/idle-a"; sleep "$idle"; threads > "$work/idle-b"
  local cpu
  cpu=$(python3 - "$work/idle-a" "$work/idle-b" "$idle" <<'PY'
import collections, statistics, sys
def read(f):
    r = collections.defaultdict(lambda: [0, 0])
    for line in open(f):
        x = line.split()
        if len(x) == 5:
            r[(x[0], x[1])][0] += int(x[2]); r[(x[0], x[1])][1] += int(x[4])
    return r
a, b, s = read(sys.argv[1]), read(sys.argv[2]), float(sys.argv[3])
node, thread = collections.defaultdict(int), collections.defaultdict(lambda: [0, 0])
for k, v in b.items():
    o = a.get(k, [0, 0])
    node[k[0]] += v[0] - o[0]; thread[k[1]][0] += v[0] - o[0]; thread[k[1]][1] += v[1] - o[1]
n = len(node)
top = sorted(thread.items(), key=lambda t: -t[1][0])[:6]
print("  busiest threads when idle, per node: " + ", ".join(
    f"{k} {v[0] / n / s / 1000:.0f} us/s ({v[1] / n / s:.1f} wake-ups/s)" for k, v in top), file=sys.stderr)
print(f"{statistics.median(100 * v / 1e9 / s for v in node.values()):.3f}")
PY
)
  echo "$label: median start $(printf '%s\n' "${starts[@]}" | median) ms, median RSS $(printf '%s\n' "${rsss[@]}" | median) MB," \
    "max RSS $(printf '%s\n' "${rsss[@]}" | sort -g | tail -1) MB, median PSS $(printf '%s\n' "${psss[@]}" | median) MB," \
    "median idle CPU $cpu % of a core"
  "$emu" down corporate >/dev/null
}

if [ "$jvms" = 1 ]; then
  # The JDKs as emu finds them (release files): the newest 17 and the newest of all.
  jdk() { for d in /usr/lib/jvm/*/; do [ -x "$d/bin/java" ] && [ -f "$d/release" ] || continue
    v=$(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$d/release"); echo "$v ${d%/}"; done | sort -V | awk -v f="$1" \
    'f == "" || $1 ~ "^" f "[.]" || $1 == f {h = $2} END {print h}'; }
  j17=$(jdk 17); jnew=$(jdk "")
  variants=("jdk17|$j17|")
  [ -n "$with" ] && variants+=("jdk17+with|$j17|$with")
  if [ "$jnew" != "$j17" ]; then
    variants+=("$(basename "$jnew")|$jnew|" "$(basename "$jnew")+coh|$jnew|-XX:+UseCompactObjectHeaders")
  fi
  echo "== the seed lab on each node JVM, $rounds rounds (idle CPU over $idle s)" >&2
  for v in "${variants[@]}"; do # one untimed start each: makes the JDK's class archive
    IFS='|' read -r label java opts <<< "$v"
    EMU_JAVA=$java EMU_NODE_JVM_OPTS=$opts idle=1 seed "warm-$label" > /dev/null 2>&1
  done
  for r in $(seq "$rounds"); do
    for v in "${variants[@]}"; do
      IFS='|' read -r label java opts <<< "$v"
      EMU_JAVA=$java EMU_NODE_JVM_OPTS=$opts seed "$label" | tee -a "$work/jvms.txt"
    done
  done
  echo
  [ -n "$with" ] && echo "jdk17+with: $with"
  printf '%-28s %12s %10s %10s %14s\n' "node JVM (median of $rounds)" "start (ms)" "RSS (MB)" "PSS (MB)" "idle CPU (%)"
  for v in "${variants[@]}"; do
    IFS='|' read -r label _ _ <<< "$v"
    col() { grep "^$label: " "$work/jvms.txt" | awk -v f="$1" '{print $f}' | median; }
    printf '%-28s %12s %10s %10s %14s\n' "$label" "$(col 4)" "$(col 8)" "$(col 16)" "$(col 21)"
  done
  exit 0
fi

echo "== start time, resident memory and idle CPU: the seed lab (configs/corporate.yml)" >&2
seed seed | sed 's/^seed: //'

# A chain: h0 - r1 - ... - rN - h1, a /24 per link; each router reaches h1's subnet through
# the next router and h0's through the previous one.
chain_yaml() {
  python3 - "$1" <<'PY'
import sys
n = int(sys.argv[1])
print(f"name: chain{n}\ntopology:\n  nodes:")
print("    h0: {kind: host, interfaces: {eth0: {address: 10.50.0.1/24}}, gateway: 10.50.0.254}")
for i in range(1, n + 1):
    routes = []
    if i < n:
        routes.append(f"{{to: 10.50.{n}.0/24, via: 10.50.{i}.254}}")
    if i > 1:
        routes.append(f"{{to: 10.50.0.0/24, via: 10.50.{i - 1}.1}}")
    print(f"    r{i}:\n      kind: router")
    print(f"      interfaces: {{eth0: {{address: 10.50.{i - 1}.254/24}}, eth1: {{address: 10.50.{i}.1/24}}}}")
    if routes:
        print(f"      routes: [{', '.join(routes)}]")
print(f"    h1: {{kind: host, interfaces: {{eth0: {{address: 10.50.{n}.2/24}}}}, gateway: 10.50.{n}.1}}")
print("  links:\n    - endpoints: [h0:eth0, r1:eth0]")
for i in range(1, n):
    print(f"    - endpoints: [r{i}:eth1, r{i + 1}:eth0]")
print(f"    - endpoints: [r{n}:eth1, h1:eth0]")
PY
}

declare -A p50 p99
# pings SIDE N: records p50/p99 of the two spacings from files $work/SIDE-N-{10,1}.txt
stats() {
  for gap in 10 1; do
    p50[$1-$gap-$2]=$(median < "$work/$1-$2-$gap.txt"); p99[$1-$gap-$2]=$(pct 99 < "$work/$1-$2-$gap.txt")
  done
}
for n in 1 4; do
  chain_yaml "$n" > "$work/chain$n.yml"
  "$emu" up "$work/chain$n.yml" --out "$work/c$n" --no-trace --no-capture >/dev/null
  "$emu" exec h0 -- ping -c 5000 -i 0.001 -W 2 h1 >/dev/null
  "$emu" exec h0 -- ping -c 200 -i 0.01 -W 2 h1 | rtts > "$work/emu-$n-10.txt"
  "$emu" exec h0 -- ping -c 1000 -i 0.001 -W 2 h1 | rtts > "$work/emu-$n-1.txt"
  "$emu" down "chain$n" >/dev/null
  stats emu "$n"
done
# The floor: one round trip between two processes is what a hop through a process adds at best.
python3 "$here/benchmarks/e2e/udp-pingpong.py" 0.01 200 | rtts > "$work/floor-1-10.txt"
python3 "$here/benchmarks/e2e/udp-pingpong.py" 0.001 1000 | rtts > "$work/floor-1-1.txt"
stats floor 1
# ... and with both processes polling instead of sleeping (what busy-polling nodes would do):
# no wake-up left in the round trip, only system calls and the loopback path.
python3 "$here/benchmarks/e2e/udp-pingpong.py" 0.01 200 50 --spin | rtts > "$work/spin-1-10.txt"
python3 "$here/benchmarks/e2e/udp-pingpong.py" 0.001 1000 50 --spin | rtts > "$work/spin-1-1.txt"
stats spin 1

if [ "$(id -u)" = 0 ]; then
  # The same chains in the kernel: namespaces kf-h0, kf-r1..rN, kf-h1, veth pairs, forwarding on.
  for n in 1 4; do
    kns=(emub-h0); for i in $(seq 1 "$n"); do kns+=("emub-r$i"); done; kns+=(emub-h1)
    for x in "${kns[@]}"; do ip netns add "$x"; ip -n "$x" link set lo up; done
    for i in $(seq 0 "$n"); do
      a=${kns[$i]}; b=${kns[$((i + 1))]}
      ip link add "emub-l${i}a" netns "$a" type veth peer name "emub-l${i}b" netns "$b"
      ip -n "$a" link set "emub-l${i}a" up; ip -n "$b" link set "emub-l${i}b" up
      if [ "$i" = 0 ]; then ip -n "$a" addr add 10.50.0.1/24 dev emub-l0a
      else ip -n "$a" addr add "10.50.$i.1/24" dev "emub-l${i}a"; fi
      if [ "$i" = "$n" ]; then ip -n "$b" addr add "10.50.$i.2/24" dev "emub-l${i}b"
      else ip -n "$b" addr add "10.50.$i.254/24" dev "emub-l${i}b"; fi
    done
    ip -n emub-h0 route add default via 10.50.0.254
    ip -n emub-h1 route add default via "10.50.$n.1"
    for i in $(seq 1 "$n"); do
      ip netns exec "emub-r$i" sysctl -q -w net.ipv4.ip_forward=1
      if [ "$i" -lt "$n" ]; then ip -n "emub-r$i" route add "10.50.$n.0/24" via "10.50.$i.254"; fi
      if [ "$i" -gt 1 ]; then ip -n "emub-r$i" route add 10.50.0.0/24 via "10.50.$((i - 1)).1"; fi
    done
    ip netns exec emub-h0 ping -c 50 -i 0.01 -W 2 "10.50.$n.2" >/dev/null
    ip netns exec emub-h0 ping -c 200 -i 0.01 -W 2 "10.50.$n.2" | rtts > "$work/kern-$n-10.txt"
    ip netns exec emub-h0 ping -c 1000 -i 0.001 -W 2 "10.50.$n.2" | rtts > "$work/kern-$n-1.txt"
    for x in "${kns[@]}"; do ip netns del "$x"; done
    kns=()
    stats kern "$n"
  done
fi

echo
echo "== ping RTT across 1 and 4 routers (ms; 200 pings 10 ms apart, 1000 pings 1 ms apart)"
printf '%-14s %10s %10s %10s %10s %16s\n' "" "1: p50" "1: p99" "4: p50" "4: p99" "per hop p50 (us)"
for side in emu kern; do
  for gap in 10 1; do
    [ -n "${p50[$side-$gap-1]:-}" ] || continue
    hop=$(python3 -c "print(round((${p50[$side-$gap-4]} - ${p50[$side-$gap-1]}) / 3 * 1000))")
    printf '%-14s %10s %10s %10s %10s %16s\n' "$side, ${gap} ms" "${p50[$side-$gap-1]}" "${p99[$side-$gap-1]}" \
      "${p50[$side-$gap-4]}" "${p99[$side-$gap-4]}" "$hop"
  done
done
for side in floor spin; do
  for gap in 10 1; do
    printf '%-14s %10s %10s %10s %10s %16s\n' "$side, ${gap} ms" "${p50[$side-$gap-1]}" "${p99[$side-$gap-1]}" "-" "-" \
      "$(python3 -c "print(round(${p50[$side-$gap-1]} * 1000))")"
  done
done
