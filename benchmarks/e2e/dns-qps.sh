#!/usr/bin/env bash
# DNS queries per second across one router, side by side with the raw UDP round-trip capacity
# of the same path, in one lab:
#   dnsperf: client -> router -> dns (emu's authoritative DnsServer for bench.test), over UDP,
#            `dnsperf @dns -q www.bench.test -t A -c OUTSTANDING -l SECONDS`;
#   udpperf: the same client, the same path, to `udpperf server` (a UDP echo on port 7) running
#            on the DNS node itself, `udpperf dns -c OUTSTANDING -l SECONDS -s QUERY_SIZE`:
#            what the path carries when nothing parses or answers DNS.
# The ratio says how much of the round trip is DNS work (dnsjava parsing and answering on the
# server, parsing on the client) rather than the emulated network.
# After one warm-up run of each (a cold JVM runs interpreted code), the runs alternate dnsperf,
# udpperf, dnsperf, ... so that both see the same machine; prints every run and the medians.
# Needs no root: every link is a UDP tunnel on loopback.
# Usage: benchmarks/e2e/dns-qps.sh [RUNS=5] [SECONDS=5] [OUTSTANDING=64]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
runs=${1:-5}
secs=${2:-5}
window=${3:-64}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
emu="$here/emu"
work=$(mktemp -d /tmp/emu-bench-dns.XXXXXX)
export EMU_STATE_DIR="$work/state"
lab=emudnsq

cleanup() {
  "$emu" down "$lab" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

field() { awk -F: -v k="$1" '$1 ~ k {gsub(/^[ \t]+/, "", $2); split($2, w, " "); print w[1]; exit}'; }

cat > "$work/bench.test.zone" <<'ZONE'
$ORIGIN bench.test.
$TTL 300
@     IN SOA ns1.bench.test. hostmaster.bench.test. ( 1 3600 600 86400 60 )
      IN NS  ns1
ns1   IN A   10.9.2.53
www   IN A   10.9.2.80
ZONE

cat > "$work/lab.yml" <<YAML
name: $lab
topology:
  nodes:
    client: {kind: host, interfaces: {eth0: {address: 10.9.1.1/24}}, gateway: 10.9.1.254}
    r: {kind: router, interfaces: {eth0: {address: 10.9.1.254/24}, eth1: {address: 10.9.2.254/24}}}
    dns:
      kind: host
      interfaces: {eth0: {address: 10.9.2.53/24}}
      gateway: 10.9.2.254
      dns:
        zones:
          bench.test: bench.test.zone
  links:
    - endpoints: ["client:eth0", "r:eth0"]
    - endpoints: ["r:eth1", "dns:eth0"]
YAML

echo "starting the lab (3 node processes, no trace, no capture) ..." >&2
"$emu" up "$work/lab.yml" --out "$work/out" --no-trace --no-capture >/dev/null
"$emu" exec dns -- udpperf server >/dev/null

dnsperf() { "$emu" exec client -- dnsperf @10.9.2.53 -q www.bench.test -t A -c "$window" -l "$1"; }
udpperf() { "$emu" exec client -- udpperf 10.9.2.53 -c "$window" -l "$1" -s "$2"; }

echo "warm-up: dnsperf and udpperf, $secs s each ..." >&2
warm=$(dnsperf "$secs")
qsize=$(echo "$warm" | awk '/Average packet size/ {print $5; exit}' | tr -d ,)
rsize=$(echo "$warm" | awk '/Average packet size/ {print $7; exit}')
udpperf "$secs" "$qsize" >/dev/null

dns_qps=(); dns_lat=(); udp_rt=(); udp_lat=()
for i in $(seq "$runs"); do
  d=$(dnsperf "$secs")
  echo "$d" > "$work/dnsperf-$i.txt"
  qps=$(echo "$d" | field "Queries per second")
  lat=$(echo "$d" | field "Average Latency")
  lost=$(echo "$d" | field "Queries lost")
  echo "dnsperf run $i: $qps queries/s, average latency $lat s, lost $lost" >&2
  dns_qps+=("$qps"); dns_lat+=("$lat")
  u=$(udpperf "$secs" "$qsize")
  rt=$(echo "$u" | field "Round trips per second")
  ulat=$(echo "$u" | field "Average Latency")
  ulost=$(echo "$u" | awk -F: '$1 ~ /^  Lost/ {split($2, w, " "); print w[1]; exit}')
  echo "udpperf run $i: $rt round trips/s, average latency $ulat s, lost $ulost" >&2
  udp_rt+=("$rt"); udp_lat+=("$ulat")
done
echo >&2
echo "last dnsperf run in full:" >&2
cat "$work/dnsperf-$runs.txt" >&2

q=$(printf '%s\n' "${dns_qps[@]}" | median)
ql=$(printf '%s\n' "${dns_lat[@]}" | median)
u=$(printf '%s\n' "${udp_rt[@]}" | median)
ul=$(printf '%s\n' "${udp_lat[@]}" | median)
echo
echo "client -> router -> dns, $window in flight, $secs s per run, $runs runs, median:"
printf '  dnsperf  (DNS query %s B, answer %s B)   %10.0f queries/s      average latency %.3f ms\n' \
  "$qsize" "$rsize" "$q" "$(python3 -c "print($ql*1000)")"
printf '  udpperf  (UDP echo, %s B each way)       %10.0f round trips/s  average latency %.3f ms\n' \
  "$qsize" "$u" "$(python3 -c "print($ul*1000)")"
printf '  dnsperf / udpperf                        %10.2f\n' "$(python3 -c "print($q/$u)")"
