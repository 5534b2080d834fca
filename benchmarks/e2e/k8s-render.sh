#!/usr/bin/env bash
# `./emu k8s render` of generated tree labs (benchmarks/e2e/k8s-tree-lab.py: a core router, edge
# routers with a switch each, hosts) of 100, 1,000 and 10,000 nodes: render only, no cluster.
# Per size: the median wall time of RUNS renders (JVM start included, as a user runs it), the
# number of objects, the largest object (bytes of its YAML document), and what one node costs:
# host h1's ConfigMap and Secret, which must not grow with the lab, beside the lab's one name table.
# Usage: benchmarks/e2e/k8s-render.sh [RUNS=3] [SIZES="100 1000 10000"]
# EMU=path/to/emu measures another build (say an older one, side by side).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
runs=${1:-3}
sizes=${2:-"100 1000 10000"}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
emu=${EMU:-$here/emu}
work=$(mktemp -d /tmp/emu-bench-k8s.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$emu" --version >/dev/null # builds the jar if needed, outside the timing
for n in $sizes; do
  python3 "$here/benchmarks/e2e/k8s-tree-lab.py" "$n" "tree$n" > "$work/tree$n.yml"
  times=()
  for r in $(seq "$runs"); do
    t0=$(date +%s.%N)
    "$emu" k8s render "$work/tree$n.yml" -o "$work" >/dev/null
    times+=("$(echo "$(date +%s.%N) - $t0" | bc)")
    echo "  $n nodes, run $r: ${times[-1]} s" >&2
  done
  med=$(printf '%s\n' "${times[@]}" | median)
  python3 - "$work/tree$n.k8s.yaml" "$n" "$med" "${times[*]}" <<'PY'
import re, sys
path, n, med, runs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
text = open(path).read()
size = {}
for d in text.split("\n---\n"):
    kind = re.search(r"^kind: (\S+)", d, re.M).group(1)
    name = re.search(r"^  name: (\S+)", d, re.M).group(1)
    size[kind + "/" + name] = len(d.encode())
big = max(size, key=size.get)
print("nodes %5d: render median %.2f s (runs: %s), %d objects, %.1f MB in all, largest %s %d bytes; "
      "host h1: ConfigMap %d bytes, Secret %d bytes; name table (once) %d bytes"
      % (n, med, runs, len(size), len(text.encode()) / 1e6, big, size[big], size["ConfigMap/emu-node-h1"],
         size.get("Secret/emu-node-h1", 0), size.get("ConfigMap/emu-hosts", 0)))
if size[big] >= 1 << 20:
    print("  an object of 1 MiB or more, which the API server refuses: " + big)
PY
done
