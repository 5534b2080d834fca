#!/usr/bin/env bash
# What tracing costs the node that traces, before and after trace events became typed records,
# side by side in one run. BEFORE is a commit (default ffd43a4) whose IP stack built untyped
# TraceEvents with a sentence; AFTER is this checkout as it is (uncommitted changes included).
# The BEFORE build is a temporary git worktree of that commit with benchmarks/e2e/before/*.java
# (TracingBenchmark and OneRouter written against its API) copied into its benchmarks module.
# Each tree is built with `mvn -B -q -o -pl benchmarks -am -DskipTests package` (never install);
# then the two benchmarks.jar run ALTERNATELY (before, after, before, after, ... ROUNDS rounds),
# each run one JVM command:
#   TracingBenchmark.forward  tracing=off|on  (on: JsonLinesTracer to /dev/null, unlimited budget)
#   TracingBenchmark.emit                     (one ip.forward event alone, to /dev/null)
#   ForwardingBenchmark.forward frameSize=64  (the router path, no tracing)
# all with -prof gc. Prints, per build, the median over every measured iteration of every round
# of ops/s and gc.alloc.rate.norm (B/op), each round's median (the spread is the noise), the
# load average around each run, and what follows: nanoseconds per packet with tracing off and
# on, what tracing adds per packet, events per second with tracing on (ops/s x the events per
# packet, which each run counts at set-up into a temporary file and prints: it must be 3,
# ip.rx, ip.forward and eth.tx), bytes per packet and per event.
# Needs git, Maven with the dependencies in its local repository (it builds offline), Java 17,
# python3. Takes about 40 s per run on two cores: 3 rounds, two builds, about 4 minutes.
# Usage: benchmarks/e2e/tracing-before-after.sh [ROUNDS=3]
#   BEFORE=<commit>     the build before (default ffd43a4)
#   JMH_OPTS='...'      JMH's run options (default '-wi 3 -w 1 -i 5 -r 1 -f 1'; -prof gc is added)
# Every run's output and JMH JSON stay in the folder printed at the end; the worktree is removed.
set -euo pipefail
rounds=${1:-3}
if ! [[ $rounds =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [ROUNDS=3]   (a whole number, at least 1)" >&2
  exit 2
fi
for tool in git mvn java python3; do
  command -v "$tool" >/dev/null || { echo "tracing-before-after.sh: needs $tool" >&2; exit 1; }
done
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
before_ref=${BEFORE:-ffd43a4}
read -r -a jmh_opts <<<"${JMH_OPTS:--wi 3 -w 1 -i 5 -r 1 -f 1}"
jmh_opts+=(-prof gc)
benchmarks='^emu\.bench\.(TracingBenchmark|ForwardingBenchmark)\.'
events_per_packet=3   # ip.rx, ip.forward, eth.tx: each run's set-up check must say so

before_sha=$(git -C "$here" rev-parse --verify "$before_ref^{commit}")
after_sha=$(git -C "$here" rev-parse HEAD)
after_dirty=""
if [ -n "$(git -C "$here" status --porcelain -- . 2>/dev/null)" ]; then after_dirty=" + uncommitted changes"; fi

out=$(mktemp -d /tmp/emu-bench-tracing.XXXXXX)
tree="$out/before-tree"
tree_made=0
cleanup() {
  if [ "$tree_made" = 1 ]; then
    git -C "$here" worktree remove --force "$tree" 2>/dev/null || rm -rf "$tree"
    git -C "$here" worktree prune 2>/dev/null || true
  fi
  rm -f "$out/before.jar" "$out/after.jar"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "before: a worktree of $before_ref (${before_sha:0:10}) in $tree ..." >&2
tree_made=1
git -C "$here" worktree add --detach -q "$tree" "$before_sha"
cp "$here"/benchmarks/e2e/before/*.java "$tree/benchmarks/src/main/java/emu/bench/"

build() { # TREE NAME: builds TREE's benchmarks.jar and copies it to $out/NAME.jar
  echo "$2: building $1/benchmarks/target/benchmarks.jar ..." >&2
  (cd "$1" && mvn -B -q -o -pl benchmarks -am -DskipTests package) > "$out/build-$2.log" 2>&1 || {
    echo "tracing-before-after.sh: the $2 build failed:" >&2; tail -40 "$out/build-$2.log" >&2; exit 1; }
  # A private copy: a build running meanwhile would rewrite target/ under a starting JVM.
  cp "$1/benchmarks/target/benchmarks.jar" "$out/$2.jar"
}
build "$tree" before
build "$here" after

{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ) ($(date +'%Y-%m-%d %H:%M %Z'))"
  echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)," \
    "$(awk '/MemTotal/ {printf "%.0f GiB RAM", $2 / 1048576}' /proc/meminfo), $(uname -sr)"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "before: $before_ref = ${before_sha:0:10}; after: ${after_sha:0:10}$after_dirty"
  echo "JMH: ${jmh_opts[*]} -p frameSize=64, '$benchmarks'"
} > "$out/header.txt"
cat "$out/header.txt" >&2

for i in $(seq "$rounds"); do
  for b in before after; do
    load0=$(cut -d' ' -f1-3 /proc/loadavg)
    echo "round $i/$rounds, $b: running (load average $load0) ..." >&2
    java -jar "$out/$b.jar" "$benchmarks" -p frameSize=64 "${jmh_opts[@]}" \
      -rf json -rff "$out/$b-$i.json" > "$out/$b-$i.log" 2>&1 || {
      echo "tracing-before-after.sh: the $b run failed (round $i):" >&2; tail -40 "$out/$b-$i.log" >&2; exit 1; }
    load1=$(cut -d' ' -f1-3 /proc/loadavg)
    echo "$b $i $load0 $load1" >> "$out/load.txt"
    check=$(grep -m1 'TracingBenchmark check: .* packets forwarded' "$out/$b-$i.log" || true)
    n=$(sed -n 's/.*: \([0-9][0-9]*\) per packet;.*/\1/p' <<<"$check")
    if [ "$n" != "$events_per_packet" ]; then
      echo "tracing-before-after.sh: the $b build's check should count $events_per_packet events per forwarded" \
        "packet, it says: ${check:-nothing (no check line in $out/$b-$i.log)}" >&2
      exit 1
    fi
    echo "$b $i ${check#*TracingBenchmark check: }" | cut -c1-160 >> "$out/checks.txt"
  done
done

python3 - "$out" "$rounds" "$events_per_packet" <<'PY'
import json, statistics, sys
out, rounds, epp = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
builds = ("before", "after")
rows = [("TracingBenchmark.forward", {"tracing": "off"}, "forward, tracing off"),
        ("TracingBenchmark.forward", {"tracing": "on"}, "forward, tracing on"),
        ("TracingBenchmark.emit", {}, "emit one ip.forward"),
        ("ForwardingBenchmark.forward", {"frameSize": "64"}, "ForwardingBenchmark 64 B")]
# ops[build][row] = every measured iteration of every round; per_round[build][row] = each round's median
ops = {b: {r[2]: [] for r in rows} for b in builds}
alloc = {b: {r[2]: [] for r in rows} for b in builds}
per_round = {b: {r[2]: [] for r in rows} for b in builds}
for b in builds:
    for i in range(1, rounds + 1):
        results = json.load(open(f"{out}/{b}-{i}.json"))
        for name, params, label in rows:
            r = next(x for x in results if x["benchmark"].endswith(name)
                     and all(x.get("params", {}).get(k) == v for k, v in params.items()))
            it = [v for fork in r["primaryMetric"]["rawData"] for v in fork]
            ops[b][label] += it
            per_round[b][label].append(statistics.median(it))
            alloc[b][label] += [v for fork in r["secondaryMetrics"]["gc.alloc.rate.norm"]["rawData"] for v in fork]
med = lambda xs: statistics.median(xs)
nb = lambda x: f"{x:,.1f}" if x >= 1 else f"{x:.4f}"  # bytes: JMH's noise on a 0 B/op path is ~0.001
print(open(f"{out}/header.txt").read(), end="")
print()
print(f"Medians of {rounds} rounds x every measured iteration, before and after run alternately:")
print(f"  {'':26} {'ops/s before':>14} {'ops/s after':>14} {'after/before':>12} {'B/op before':>12} {'B/op after':>11}")
for _, _, label in rows:
    ob, oa = med(ops["before"][label]), med(ops["after"][label])
    ab, aa = med(alloc["before"][label]), med(alloc["after"][label])
    print(f"  {label:26} {ob:14,.0f} {oa:14,.0f} {oa / ob:12.2f} {nb(ab):>12} {nb(aa):>11}")
print()
print("Each round's median ops/s (the spread between rounds is the machine's noise):")
for _, _, label in rows:
    for b in builds:
        print(f"  {label:26} {b:6} " + "  ".join(f"{v:14,.0f}" for v in per_round[b][label]))
print()
print("Load average (1, 5, 15 min) before and after each run:")
for line in open(f"{out}/load.txt"):
    b, i, *l = line.split()
    print(f"  round {i} {b:6}  {' '.join(l[:3])}  ->  {' '.join(l[3:])}")
print()
print("Set-up checks (events a forwarded packet writes, counted in a temporary file):")
for line in open(f"{out}/checks.txt"):
    print("  " + line.rstrip())
print()
print(f"What it means (medians; {epp} events per forwarded packet: ip.rx, ip.forward, eth.tx):")
derived = []
for b in builds:
    m = {label: med(ops[b][label]) for _, _, label in rows}
    a = {label: med(alloc[b][label]) for _, _, label in rows}
    off, on, emit = m["forward, tracing off"], m["forward, tracing on"], m["emit one ip.forward"]
    derived.append([
        ("ns per packet, tracing off", f"{1e9 / off:,.1f}"),
        ("ns per packet, tracing on", f"{1e9 / on:,.1f}"),
        ("  what tracing adds per packet, ns", f"{1e9 / on - 1e9 / off:,.1f}"),
        ("  the same per event, ns", f"{(1e9 / on - 1e9 / off) / epp:,.1f}"),
        ("events/s forwarding with tracing on", f"{on * epp:,.0f}"),
        ("events/s, emit alone (ns per event)", f"{emit:,.0f} ({1e9 / emit:,.1f})"),
        ("B per packet, tracing on (per event)", f"{a['forward, tracing on']:,.1f} ({a['forward, tracing on'] / epp:,.1f})"),
        ("B per emit", f"{a['emit one ip.forward']:,.1f}"),
        ("B per packet, tracing off", nb(a['forward, tracing off'])),
        ("B per packet, ForwardingBenchmark", nb(a['ForwardingBenchmark 64 B'])),
    ])
print(f"  {'':40} {'before':>20} {'after':>20}")
for (k, vb), (_, va) in zip(*derived):
    print(f"  {k:40} {vb:>20} {va:>20}")
print(f"logs and JMH JSON: {out}")
PY
