#!/usr/bin/env bash
# Many nodes: tree labs (scale-lab.py: a core router, edge routers, a switch per edge router,
# hosts on the switches) of 50, 150, 300 and 500 nodes, one after the other, each started with
# `./emu up` as a user would (traces and captures on, the defaults). Per lab:
#   start:  `./emu up` wall time (it returns once every node printed READY and answered its API),
#           and the slowest node's own start (started_ms on its READY line: JVM start included)
#   memory: PSS per node (/proc/PID/smaps_rollup: the pages every node maps alike, libjvm and the
#           class archive, shared out among them), median and max, 10 s after the start
#   idle:   utime+stime of every node process over IDLE seconds of an idle lab (nothing sent),
#           per node in % of one core; and the same split by thread name (summed over the nodes):
#           emu's event loop beside the JVM's own threads (GC, JIT, VM thread)
#   ping:   from the first host of the first edge to the last host of the last edge (5 hops), 5
#           pings: received and RTT avg
# A lab is skipped (and says so) when MemAvailable is under 60 MB per node plus 2 GB.
# Usage: benchmarks/e2e/scale.sh [IDLE_SECONDS [N...]]   (defaults: 60, and 50 150 300 500)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
emu="$here/emu"
idle=${1:-60}; shift || true
sizes=("$@"); [ ${#sizes[@]} = 0 ] && sizes=(50 150 300 500)
work=$(mktemp -d /tmp/emu-bench-scale.XXXXXX)
export EMU_STATE_DIR="$work/state"

cleanup() {
  for f in "$EMU_STATE_DIR"/labs/*/; do
    [ -d "$f" ] && "$emu" down "$(basename "$f")" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# idle SECONDS PID...: CPU of the given processes over SECONDS, from utime+stime of each thread at
# both ends: per thread name (digits dropped, so Netty's and the GC's numbered threads add up),
# in % of one core summed over the processes, then "total PERCENT_PER_PROCESS".
idle_cpu() {
  python3 - "$@" <<'PY'
import collections, glob, os, re, sys, time
secs, pids = float(sys.argv[1]), sys.argv[2:]
hz = os.sysconf("SC_CLK_TCK")
def snap():
    d = {}
    for p in pids:
        for t in glob.glob(f"/proc/{p}/task/*"):
            try:
                stat = open(t + "/stat").read()
                comm = open(t + "/comm").read().strip()
            except OSError:
                continue
            f = stat[stat.rindex(")") + 2:].split()
            d[t] = (re.sub(r"[0-9]+", "", comm), int(f[11]) + int(f[12]))
    return d, time.monotonic()
a, ta = snap()
time.sleep(secs)
b, tb = snap()
by = collections.Counter()
for t, (name, v) in b.items():
    by[name] += v - a.get(t, (name, 0))[1]
el = tb - ta
for name, v in by.most_common(12):
    if v > 0:
        print(f"  {name:<28} {100 * v / hz / el:7.2f} %")
print(f"total {100 * sum(by.values()) / hz / el / len(pids):.3f}")
PY
}

for n in "${sizes[@]}"; do
  avail=$(awk '/MemAvailable/ {print int($2 / 1024)}' /proc/meminfo)
  need=$(( n * 60 + 2048 ))
  if [ "$avail" -lt "$need" ]; then
    echo "== $n nodes: skipped, $avail MB available, $need MB wanted (60 MB per node + 2 GB)"
    continue
  fi
  echo "== $n nodes"
  python3 "$here/benchmarks/e2e/scale-lab.py" "$n" "tree$n" > "$work/tree$n.yml"
  read -r from to addr < <(python3 "$here/benchmarks/e2e/scale-lab.py" --ends "$n")
  t0=$(date +%s%N)
  "$emu" up "$work/tree$n.yml" --out "$work/out$n" >/dev/null
  up_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  slowest=$(cat "$work/out$n"/*.log | grep -o 'started_ms=[0-9]*' | cut -d= -f2 | sort -g | tail -1)
  mapfile -t pids < <("$emu" status "tree$n" --json | python3 -c '
import json, sys
for x in json.load(sys.stdin)["nodes"]:
    print(x["pid"])')
  sleep 10
  psss=(); for p in "${pids[@]}"; do psss+=("$(awk '/^Pss:/ {printf "%.1f", $2/1024}' "/proc/$p/smaps_rollup")"); done
  idle_cpu "$idle" "${pids[@]}" > "$work/idle$n"
  out=$("$emu" exec "$from" -- ping -c 5 -i 0.2 -W 2 "$addr" || true)
  received=$(echo "$out" | grep -o '[0-9]* received' | cut -d' ' -f1)
  rtt=$(echo "$out" | awk -F/ '/^rtt/ {print $5}')
  "$emu" down "tree$n" >/dev/null
  echo "threads, % of one core summed over the $n nodes, $idle s idle:"
  grep -v '^total' "$work/idle$n"
  cpu=$(awk '/^total/ {print $2}' "$work/idle$n")
  pmed=$(printf '%s\n' "${psss[@]}" | median); pmax=$(printf '%s\n' "${psss[@]}" | sort -g | tail -1)
  echo "result $n nodes: up ${up_ms} ms, slowest node ${slowest} ms, PSS median ${pmed} MB max ${pmax} MB," \
    "idle ${cpu} % of a core per node, ping $from -> $to ($addr) ${received:-0}/5 received, rtt avg ${rtt:-none} ms"
done
