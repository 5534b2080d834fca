#!/usr/bin/env bash
# Many nodes: tree labs (scale-lab.py: a core router, edge routers, a switch per edge router,
# hosts on the switches) of 50, 150, 300 and 500 nodes, one after the other, each started with
# `./emu up` as a user would (traces and captures on, the defaults), a JVM per node or K nodes per
# JVM (EMU_NODES_PER_JVM: one K, or a list of them to compare, e.g. "1 10 25": for each lab size
# each K in turn, interleaved). Per lab:
#   start:  `./emu up` wall time (it returns once every node printed READY and answered its API),
#           and the slowest node's own start (started_ms on its READY line: JVM start included)
#   memory: PSS (/proc/PID/smaps_rollup: the pages every JVM maps alike, libjvm and the class
#           archive, shared out among them) of each distinct JVM 10 s after the start; per node:
#           median and max over the JVMs of the JVM's PSS / its nodes (with K=1, the node
#           process's PSS), and the mean (all JVMs' PSS / nodes); per JVM: median
#   idle:   CPU of every node JVM over IDLE seconds of an idle lab (nothing sent), per node (all
#           JVMs' CPU / nodes) in % of one core, as utime+stime (clock ticks) and as schedstat (the
#           scheduler's exact run time); and the same split by thread name (summed over the JVMs):
#           emu's event loops beside the JVM's own threads (GC, JIT, VM Periodic Task, ...)
#   ping:   from the first host of the first edge to the last host of the last edge (5 hops), 5
#           pings: received and RTT avg
# A lab is skipped (and says so) when MemAvailable is under 2 GB plus 60 MB per JVM plus 5 MB per
# further node of a JVM (an idle grouped node adds about 2 MB: BENCHMARKS.md "Many nodes in one JVM").
# Usage: [EMU_NODES_PER_JVM="K..."] benchmarks/e2e/scale.sh [IDLE_SECONDS [N...]]
#        (defaults: 60, and 50 150 300 500; K: 1); SCALE_KEEP=1 keeps the labs' logs (the work folder)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
emu="$here/emu"
idle=${1:-60}; shift || true
sizes=("$@"); [ ${#sizes[@]} = 0 ] && sizes=(50 150 300 500)
read -r -a ks <<< "${EMU_NODES_PER_JVM:-1}"; [ ${#ks[@]} = 0 ] && ks=(1)
for k in "${ks[@]}"; do
  [[ "$k" =~ ^[1-9][0-9]*$ ]] || { echo "scale: EMU_NODES_PER_JVM: '$k' is not a number of nodes" >&2; exit 2; }
done
work=$(mktemp -d /tmp/emu-bench-scale.XXXXXX)
export EMU_STATE_DIR="$work/state"

cleanup() {
  down_all_labs
  [ -n "${SCALE_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# idle_cpu SECONDS NODES PID...: CPU of the given processes over SECONDS, from each thread at both
# ends: utime+stime (clock ticks, charged to whoever runs when the tick comes: an idle JVM's
# wake-ups are much shorter than a tick, so over 10 s a few idle JVMs may show 0) and the run time
# the scheduler counted (schedstat, ns: exact). Per thread name (digits dropped, so Netty's and the
# GC's numbered threads add up; the nodes' event loops, emu-NODE, as one), in % of one core summed
# over the processes, ticks then schedstat; then "total TICKS SCHEDSTAT" in % per node (all of it /
# NODES: a JVM of K nodes counts K).
idle_cpu() {
  python3 - "$@" <<'PY'
import collections, glob, os, re, sys, time
secs, nodes, pids = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
hz = os.sysconf("SC_CLK_TCK")
def snap():
    d = {}
    for p in pids:
        for t in glob.glob(f"/proc/{p}/task/*"):
            try:
                stat = open(t + "/stat").read()
                comm = open(t + "/comm").read().strip()
                ns = int(open(t + "/schedstat").read().split()[0])
            except OSError:
                continue
            f = stat[stat.rindex(")") + 2:].split()
            if comm.startswith("emu-") and comm not in ("emu-stdin-watch", "emu-group-comma"):
                comm = "emu-NODE (event loops)"
            d[t] = (re.sub(r"[0-9]+", "", comm), (int(f[11]) + int(f[12])) / hz, ns / 1e9)
    return d, time.monotonic()
a, ta = snap()
time.sleep(secs)
b, tb = snap()
ticks, sched = collections.Counter(), collections.Counter()
for t, (name, v, ns) in b.items():
    _, v0, ns0 = a.get(t, (name, 0, 0))
    ticks[name] += v - v0
    sched[name] += ns - ns0
el = tb - ta
for name, v in sched.most_common(12):
    if v > 0:
        print(f"  {name:<28} {100 * ticks[name] / el:7.2f} % {100 * v / el:7.2f} %")
print(f"total {100 * sum(ticks.values()) / el / nodes:.3f} {100 * sum(sched.values()) / el / nodes:.3f}")
PY
}

for n in "${sizes[@]}"; do
  python3 "$here/benchmarks/e2e/scale-lab.py" "$n" "tree$n" > "$work/tree$n.yml"
  read -r from to addr < <(python3 "$here/benchmarks/e2e/scale-lab.py" --ends "$n")
  for k in "${ks[@]}"; do
    jvms=$(( (n + k - 1) / k ))
    avail=$(awk '/MemAvailable/ {print int($2 / 1024)}' /proc/meminfo)
    need=$(( jvms * 60 + (n - jvms) * 5 + 2048 ))
    if [ "$avail" -lt "$need" ]; then
      echo "== $n nodes, $k per JVM: skipped, $avail MB available, $need MB wanted" \
        "(2 GB + 60 MB per JVM + 5 MB per further node of a JVM)"
      continue
    fi
    echo "== $n nodes, $k per JVM ($jvms JVMs)"
    lab="$work/out$n-$k"
    t0=$(date +%s%N)
    EMU_NODES_PER_JVM=$k "$emu" up "$work/tree$n.yml" --out "$lab" >/dev/null
    up_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    slowest=$(cat "$lab"/*.log | grep -o 'started_ms=[0-9]*' | cut -d= -f2 | sort -g | tail -1)
    # one line per JVM: its pid and how many of the lab's nodes it runs
    mapfile -t jv < <("$emu" status "tree$n" --json | python3 -c '
import collections, json, sys
for pid, k in collections.Counter(x["pid"] for x in json.load(sys.stdin)["nodes"]).items():
    print(pid, k)')
    sleep 10
    pids=(); per=(); sum=0
    for l in "${jv[@]}"; do
      read -r p m <<< "$l"
      pss=$(awk '/^Pss:/ {printf "%.1f", $2/1024}' "/proc/$p/smaps_rollup")
      pids+=("$p"); per+=("$pss $m")
    done
    idle_cpu "$idle" "$n" "${pids[@]}" > "$work/idle$n-$k"
    out=$("$emu" exec "$from" -- ping -c 5 -i 0.2 -W 2 "$addr" || true)
    received=$(echo "$out" | grep -o '[0-9]* received' | cut -d' ' -f1)
    rtt=$(echo "$out" | awk -F/ '/^rtt/ {print $5}')
    errors=$(cat "$lab"/*.log | grep -ci 'exception\|error' || true)
    "$emu" down "tree$n" >/dev/null
    echo "threads, % of one core summed over the $n nodes ($jvms JVMs), $idle s idle, ticks and schedstat:"
    grep -v '^total' "$work/idle$n-$k" || true
    read -r cpu cpus < <(awk '/^total/ {print $2, $3}' "$work/idle$n-$k")
    node=$(printf '%s\n' "${per[@]}" | awk '{printf "%.1f\n", $1 / $2}')
    pmed=$(echo "$node" | median); pmax=$(echo "$node" | sort -g | tail -1)
    pmean=$(printf '%s\n' "${per[@]}" | awk -v n="$n" '{s += $1} END {printf "%.1f", s / n}')
    jmed=$(printf '%s\n' "${per[@]}" | awk '{print $1}' | median)
    echo "result $n nodes, $k per JVM: up ${up_ms} ms, slowest node ${slowest} ms," \
      "PSS per node median ${pmed} MB max ${pmax} MB mean ${pmean} MB, PSS per JVM median ${jmed} MB," \
      "idle ${cpu} % of a core per node (schedstat ${cpus} %), ping $from -> $to ($addr) ${received:-0}/5 received," \
      "rtt avg ${rtt:-none} ms, log lines with error or exception: ${errors}"
  done
done
