#!/usr/bin/env bash
# The end-to-end suite (`./emu bench`): runs every benchmark in this folder one after the other
# (never two at once: they would measure each other) and ends with one table of the headline
# figures. Each benchmark's own output (every run, every median) goes to DIR/NAME.log.
#   --quick        fewer and shorter runs (a few minutes in all): a smoke run, not a figure to quote
#   --only A,B     run only these (footprint, dns, https, goodput, pps, walltime, ospf, stp, k8s, fidelity,
#                  scale)
#   --out DIR      where the logs go (default: a new folder under /tmp)
# The kernel comparisons (goodput, pps, the kernel side of footprint) and the OSPF convergence
# beside FRR (ospf) need root; without root they are skipped and the table says so (stp then runs
# its emu sides only).
# scale compares the nodes per JVM in EMU_NODES_PER_JVM (default "1 25": a JVM per node, 25 a JVM).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
quick=0
only=""
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --only) only="${2:?--only needs a list}"; shift ;;
    --out) out="${2:?--out needs a folder}"; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
all="footprint dns https goodput pps walltime ospf stp k8s fidelity scale"
for b in ${only//,/ }; do
  [[ " $all " == *" $b "* ]] || { echo "bench: unknown benchmark '$b' (one of: $all)" >&2; exit 2; }
done
out=${out:-$(mktemp -d /tmp/emu-bench-suite.XXXXXX)}
mkdir -p "$out"
root=0; [ "$(id -u)" = 0 ] && root=1

wanted() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }
rows=()
row() { rows+=("$(printf '%-44s %s' "$1" "$2")"); }

chosen=(); for b in $all; do wanted "$b" && chosen+=("$b"); done

# On a terminal, a line that says which benchmark of how many runs, and for how long (updated
# every second, then erased); nothing of the kind in a log.
ticker() {
  local i=0 n=${#chosen[@]} t0; t0=$(date +%s)
  for b in "${chosen[@]}"; do i=$((i + 1)); [ "$b" = "$1" ] && break; done
  while :; do
    printf '\r\033[K  [%d/%d] %s running, %d s' "$i" "$n" "$1" $(( $(date +%s) - t0 )) >&2
    sleep 1
  done
}

# run NAME SCRIPT ARGS...: runs one benchmark, its log in $out/NAME.log; returns its status.
run() {
  local name=$1; shift
  echo "bench: $name ($*) ..." >&2
  local t0=$SECONDS tick="" status=0
  if [ -t 2 ]; then ticker "$name" & tick=$!; fi
  bash "$@" > "$out/$name.log" 2>&1 || status=$?
  if [ -n "$tick" ]; then kill "$tick" 2>/dev/null; wait "$tick" 2>/dev/null || true; printf '\r\033[K' >&2; fi
  if [ "$status" = 0 ]; then
    echo "bench: $name done in $((SECONDS - t0)) s" >&2
  else
    echo "bench: $name FAILED (see $out/$name.log)" >&2
    return 1
  fi
}

if wanted footprint; then
  fidle=60; [ "$quick" = 1 ] && fidle=10
  if run footprint "$here/node-footprint.sh" --idle "$fidle"; then
    l=$(grep '^median start' "$out/footprint.log")
    row "node start (median, seed lab)" "$(echo "$l" | awk '{print $3, $4}' | tr -d ,)"
    row "node resident memory (median / max)" "$(echo "$l" | awk '{print $7, $8, "/", $11, $12}' | tr -d ,)"
    row "node PSS (median)" "$(echo "$l" | awk '{print $15, $16}' | tr -d ,)"
    row "node idle CPU (median, % of a core)" "$(echo "$l" | awk '{print $20}')"
    for side in emu kern floor spin; do
      v=$(awk -v s="$side," '$1 == s {printf "%s%s ms apart: %s us", sep, $2, $NF; sep = ", "}' "$out/footprint.log")
      case $side in emu) label="emu";; kern) label="Linux";; floor) label="floor (2 processes)";;
        spin) label="floor (polling)";; esac
      row "ping RTT per hop, p50: $label" "${v:-skipped (needs root)}"
    done
  else row "footprint" "FAILED"; fi
fi
if wanted dns; then
  if [ $quick = 1 ]; then a=(3 2 64); else a=(5 5 64); fi
  if run dns "$here/dns-qps.sh" "${a[@]}"; then
    row "DNS queries/s (udpperf round trips/s)" "$(awk '{for (i = 2; i <= NF; i++) {if ($i == "queries/s") q = $(i-1);
      if ($i == "round") u = $(i-1)}} END {print q " (" u ")"}' "$out/dns.log")"
  else row "DNS" "FAILED"; fi
fi
if wanted https; then
  if [ $quick = 1 ]; then a=(2 100 4); else a=(5 400 4); fi
  if run https "$here/https-rate.sh" "${a[@]}"; then
    row "TLS 1.3 handshakes/s (TLS 1.2 RSA)" "$(awk '/mode A/ {print $(NF-1) " (" $NF ")"}' "$out/https.log")"
    row "HTTPS requests/s, keep-alive (TLS 1.2 RSA)" "$(awk '/mode B/ {print $(NF-1) " (" $NF ")"}' "$out/https.log")"
  else row "HTTPS" "FAILED"; fi
fi
if wanted goodput; then
  if [ $root = 0 ] || ! command -v iperf3 >/dev/null; then
    row "TCP goodput, emu / Linux" "skipped (needs root and iperf3)"
  else
    if [ $quick = 1 ]; then a=(1 256M); else a=(5 1G); fi
    if run goodput "$here/tcp-goodput.sh" "${a[@]}"; then
      row "TCP goodput Mbit/s: emu / Linux" "$(awk '/^  emu \(/ {e=$(NF-1)} /^  Linux \(/ {k=$(NF-1)} \
        /^  emu \/ Linux/ {r=$NF} END {print e " / " k " (" r ")"}' "$out/goodput.log")"
    else row "TCP goodput" "FAILED"; fi
  fi
fi
if wanted pps; then
  if [ $root = 0 ]; then
    row "router packets/s, emu / Linux" "skipped (needs root)"
  elif [ ! -f "$here/router-pps.sh" ]; then
    row "router packets/s, emu / Linux" "not built yet"
  else
    if [ $quick = 1 ]; then a=(1 2); else a=(5 5); fi
    if run pps "$here/router-pps.sh" "${a[@]}"; then
      while read -r size emu kern ratio; do row "router packets/s, $size-byte frames: emu / Linux" \
        "$emu / $kern ($ratio)"; done \
        < <(awk '$2 == "B" && $4 == "(offered" {print $1, $3, $6, $9}' "$out/pps.log")
    else row "router packets/s" "FAILED"; fi
  fi
fi
if wanted walltime; then
  if [ $quick = 1 ]; then a=(1); else a=(5); fi
  if run walltime "$here/run-walltime.sh" "${a[@]}"; then
    row "./emu run wall time (seed scenario)" "$(grep 'median:' "$out/walltime.log" | sed 's/.*median: //')"
  else row "./emu run wall time" "FAILED"; fi
fi
if wanted ospf; then
  if [ $root = 0 ]; then
    row "OSPF convergence after link down, emu / FRR" "skipped (needs root)"
  else
    if [ $quick = 1 ]; then a=(1 2); else a=(5 2); fi
    if run ospf "$here/ospf-convergence.sh" "${a[@]}"; then
      row "OSPF convergence after link down: emu / FRR" "$(awk '
        function fig(l) { return match(l, /[0-9.]+ ms +[0-9.]+ lost/) ? substr(l, RSTART, RLENGTH) : "skipped" }
        /^  emu routers/ {e = fig($0)} /^  FRR ospfd/ {f = fig($0)}
        END {gsub(/ +/, " ", e); gsub(/ +/, " ", f); print e " / " f}' "$out/ospf.log")"
    else row "OSPF convergence" "FAILED"; fi
  fi
fi
if wanted stp; then
  if [ $quick = 1 ]; then a=(1 10); else a=(5 10); fi
  if run stp "$here/stp-convergence.sh" "${a[@]}"; then
    row "STP convergence after link down: emu RSTP / emu STP / Linux STP" "$(awk '
      function fig(l) { return l ~ /FAILED/ ? "FAILED" : match(l, /-?[0-9.]+ ms +[0-9.]+ lost/) \
        ? substr(l, RSTART, RLENGTH) : "skipped" }
      /^  emu switches, RSTP/ {r = fig($0)} /^  emu switches, force-version/ {e = fig($0)}
      /^  Linux bridges/ {k = fig($0)}
      END {gsub(/ +/, " ", r); gsub(/ +/, " ", e); gsub(/ +/, " ", k); print r " / " e " / " k}' "$out/stp.log")"
  else row "STP convergence" "FAILED"; fi
fi
if wanted k8s; then
  if [ $quick = 1 ]; then a=(1 "100 1000"); else a=(3 "100 1000 10000"); fi
  if run k8s "$here/k8s-render.sh" "${a[@]}"; then
    while read -r n t big cm; do row "k8s render, $n nodes: time, largest object, h1 ConfigMap" "$t s, $big B, $cm B"
    done < <(awk '/^nodes/ {for (i = 1; i <= NF; i++) {if ($i == "largest") b = $(i + 2); if ($i == "h1:") c = $(i + 2)}
      sub(":", "", $2); print $2, $5, b, c}' "$out/k8s.log")
  else row "k8s render" "FAILED"; fi
fi
if wanted fidelity; then
  if [ $quick = 1 ]; then a=(50 300 100); else a=(200 1000 500); fi
  if run delay-fidelity "$here/delay-fidelity.sh" "${a[@]}"; then
    row "added delay p50, configured -> observed" "$(awk '$1 ~ /^(100us|1ms|20ms)$/ && NF == 6 \
      {printf "%s%s -> %s ms", sep, $1, $5; sep = ", "}' "$out/delay-fidelity.log")"
    row "per process crossing / UDP floor" "$(sed -n \
      's/^per process crossing: \([0-9]*\) us.*UDP floor: \([0-9]*\) us.*/\1 \/ \2 us/p' "$out/delay-fidelity.log")"
    row "jitter normal(20ms, 5ms), real time" "$(sed -n 's/.*; KS \(D = .*\)/KS \1/p' "$out/delay-fidelity.log")"
  else row "delay fidelity" "FAILED"; fi
fi
if wanted scale; then
  # a JVM per node beside 25 nodes a JVM (EMU_NODES_PER_JVM; BENCHMARKS.md "Many nodes in one JVM")
  if [ $quick = 1 ]; then a=(30 50); else a=(60 50 150 300 500); fi
  if EMU_NODES_PER_JVM="${EMU_NODES_PER_JVM:-1 25}" run scale "$here/scale.sh" "${a[@]}"; then
    while read -r l; do
      row "tree lab, ${l%%:*}: up, PSS/node, idle CPU/node ticks (schedstat), ping" "${l#*: }"
    done < <(awk '
      /^result/ {for (i = 1; i <= NF; i++) {if ($i == "up") up = $(i + 1); if ($i == "idle") cpu = $(i + 1)
        if ($i == "median" && $(i - 1) == "node") pss = $(i + 1); if ($i == "(schedstat") cpus = $(i + 1)
        if ($i ~ /\/5$/) got = $i; if ($i == "avg") rtt = $(i + 1)}
        print $2 " nodes, " $4 " a JVM: " up / 1000 " s, " pss " MB, " cpu " % (" cpus " %), ping " got " " rtt " ms"}
      /^== .* skipped/ {print $2 " nodes, " $4 " a JVM: skipped (memory)"}' "$out/scale.log")
  else row "scale" "FAILED"; fi
fi
if wanted fidelity; then
  if [ $quick = 1 ]; then a=(1 1000); else a=(3 5000); fi
  if run first-packet "$here/first-packet.sh" "${a[@]}"; then
    while read -r m l; do row "first packet, warm-up $m" "$l"; done < <(awk '/^median of/ {m = $5; sub(/:$/, "", m);
      match($0, /first ping [0-9.]+ ms \([0-9.]+x warm\), first 100 p50 [0-9.]+ ms \([0-9.]+x warm\)/);
      s = substr($0, RSTART, RLENGTH); match($0, /chain first 100 p50 [0-9.]+ ms, bound [0-9.]+ ms/);
      print m, s "; " substr($0, RSTART, RLENGTH)}' "$out/first-packet.log")
  else row "first packet" "FAILED"; fi
fi

echo
echo "emu end-to-end benchmarks ($([ $quick = 1 ] && echo "quick: not figures to quote" || echo "medians")), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
printf '%s\n' "${rows[@]}"
echo "logs: $out"
