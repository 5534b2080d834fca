#!/usr/bin/env bash
# TCP goodput across one router, side by side in one run:
#   emu:    three node processes (host - router - host) on UDP links over loopback, MTU 1500,
#           `bulk client --bytes SIZE` (emu's TCP, CUBIC);
#   kernel: three network namespaces joined by veth pairs, MTU 1500, the middle one forwarding,
#           iperf3 (the Linux kernel's TCP, CUBIC).
# Prints the goodput of each run and the median of each side. Needs root (namespaces) and iperf3.
# Usage: benchmarks/e2e/tcp-goodput.sh [RUNS=5] [SIZE=1G]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
runs=${1:-5}
size=${2:-1G}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
emu="$here/emu"
work=$(mktemp -d /tmp/emu-bench.XXXXXX)
export EMU_STATE_DIR="$work/state"
ns=(emub-h1 emub-r emub-h2)

cleanup() {
  "$emu" down emubench >/dev/null 2>&1 || true
  for n in "${ns[@]}"; do ip netns del "$n" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

cat > "$work/lab.yml" <<'YAML'
name: emubench
topology:
  nodes:
    h1: {kind: host, interfaces: {eth0: {address: 10.9.1.1/24}}, gateway: 10.9.1.254}
    r: {kind: router, interfaces: {eth0: {address: 10.9.1.254/24}, eth1: {address: 10.9.2.254/24}}}
    h2: {kind: host, interfaces: {eth0: {address: 10.9.2.1/24}}, gateway: 10.9.2.254, services: [bulk]}
  links:
    - endpoints: ["h1:eth0", "r:eth0"]
    - endpoints: ["r:eth1", "h2:eth0"]
YAML

echo "emu: starting the lab (no trace, no capture) ..." >&2
"$emu" up "$work/lab.yml" --out "$work/out" --no-trace --no-capture >/dev/null
"$emu" exec h1 -- bulk client h2 --bytes 256M >/dev/null   # warm the JIT up
emu_results=()
for i in $(seq "$runs"); do
  line=$("$emu" exec h1 -- bulk client h2 --bytes "$size" | grep sender)
  rate=$(echo "$line" | awk '{for (i=1;i<=NF;i++) if ($i ~ /bits\/sec/) { v=$(i-1); u=$i } }
    END { if (u ~ /^G/) v*=1000; else if (u ~ /^K/) v/=1000; print v }')
  echo "emu    run $i: $rate Mbit/s   ($line)" >&2
  emu_results+=("$rate")
done
"$emu" down emubench >/dev/null

echo "kernel: building the namespace router ..." >&2
for n in "${ns[@]}"; do ip netns add "$n"; done
ip link add emub-a type veth peer name emub-b
ip link add emub-c type veth peer name emub-d
ip link set emub-a netns emub-h1; ip link set emub-b netns emub-r
ip link set emub-c netns emub-r;  ip link set emub-d netns emub-h2
ip -n emub-h1 addr add 10.9.1.1/24 dev emub-a;   ip -n emub-h1 link set emub-a up mtu 1500
ip -n emub-r addr add 10.9.1.254/24 dev emub-b;  ip -n emub-r link set emub-b up mtu 1500
ip -n emub-r addr add 10.9.2.254/24 dev emub-c;  ip -n emub-r link set emub-c up mtu 1500
ip -n emub-h2 addr add 10.9.2.1/24 dev emub-d;   ip -n emub-h2 link set emub-d up mtu 1500
for n in "${ns[@]}"; do ip -n "$n" link set lo up; done
ip -n emub-h1 route add default via 10.9.1.254
ip -n emub-h2 route add default via 10.9.2.254
ip netns exec emub-r sysctl -qw net.ipv4.ip_forward=1
ip netns exec emub-h2 iperf3 -s -D -1 >/dev/null 2>&1 || true
kernel_results=()
for i in $(seq "$runs"); do
  ip netns exec emub-h2 iperf3 -s -D -1 >/dev/null 2>&1 || true
  sleep 0.3
  bits=$(ip netns exec emub-h1 iperf3 -c 10.9.2.1 -n "$size" -J | python3 -c \
    'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])')
  rate=$(python3 -c "print(round($bits/1e6,1))")
  echo "kernel run $i: $rate Mbit/s" >&2
  kernel_results+=("$rate")
done

e=$(printf '%s\n' "${emu_results[@]}" | median)
k=$(printf '%s\n' "${kernel_results[@]}" | median)
echo
echo "TCP goodput across one router, MTU 1500, $size per run, $runs runs, median:"
printf '  emu (3 node processes, UDP links)   %10.1f Mbit/s\n' "$e"
printf '  Linux (3 netns, veth, ip_forward)   %10.1f Mbit/s\n' "$k"
printf '  emu / Linux                         %10.2f\n' "$(python3 -c "print($e/$k)")"
