#!/usr/bin/env bash
# Packets per second one router forwards between two links, side by side in one run:
#   emu:    one router node (kind router, two interfaces) whose two links speak VXLAN framing
#           (framing: vxlan, RFC 7348) to two external peers on loopback: the generator and the sink;
#   kernel: the Linux kernel forwarding (ip_forward=1) in a network namespace between two VXLAN
#           devices, each reached from the root namespace over its own veth pair.
# Like for like: both routers get the same datagrams (VXLAN, UDP port 4789, one Ethernet II/IPv4/UDP
# frame each, to the router's MAC and the sink's IP), from the same generator (FrameBlaster gen),
# and deliver to the same sink (FrameBlaster sink), which answers their ARP for it and counts the
# frames that reach it, per second. Both routers have the same inner addresses and MACs.
# For 64- and 1500-byte frames (Ethernet header included, no FCS): one warm-up run of each router,
# then RUNS runs alternating emu and kernel, SECONDS each. Prints every run (packets/s forwarded and
# offered; CPU use of router, generator and sink; drops at the router and at the sink) and, per
# frame size, the medians of the sink's packets/s and the ratio emu/kernel, with the generator's
# send rate beside them, each router's packets per CPU-second, and the runs in which the generator,
# not the router, set the pace.
# Needs root (namespace, veth and VXLAN devices), iproute2, ethtool, python3, Java 17 (and Maven to
# build benchmarks/target/benchmarks.jar when it is missing or older than its sources).
# Usage: sudo benchmarks/e2e/router-pps.sh [RUNS=5] [SECONDS=5]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
runs=${1:-5}
secs=${2:-5}
if ! [[ $runs =~ ^[1-9][0-9]*$ && $secs =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [RUNS=5] [SECONDS=5]   (whole numbers, at least 1)" >&2
  exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "router-pps.sh: needs root, for the kernel router's network namespace, veth pairs and VXLAN devices;" \
    "run it with sudo" >&2
  exit 1
fi
for tool in ip ethtool python3 java; do
  command -v "$tool" >/dev/null || { echo "router-pps.sh: needs $tool" >&2; exit 1; }
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
emu="$here/emu"
jar="$here/benchmarks/target/benchmarks.jar"
lab=emubpps
ns=emub-pps                     # the kernel router (tcp-goodput.sh has emub-r)
veth_in=emub-pps-in             # root end of the veth pair to its eth0 (generator side)
veth_out=emub-pps-out           # root end of the veth pair to its eth1 (sink side)
frame_sizes=(64 1500)

# The router's two interfaces, the same on both routers; the generator and the sink sit on them.
r0_ip=10.77.1.1; r0_mac=02:00:00:77:01:01; vni_in=101
r1_ip=10.77.2.1; r1_mac=02:00:00:77:02:01; vni_out=102
gen_ip=10.77.1.2; gen_mac=02:00:00:77:01:02
sink_ip=10.77.2.2; sink_mac=02:00:00:77:02:02

if ip netns list | awk '{print $1}' | grep -qx "$ns"; then
  echo "router-pps.sh: network namespace $ns already exists (another run, or a leftover: ip netns del $ns)" >&2
  exit 1
fi
for dev in "$veth_in" "$veth_out"; do
  if ip link show "$dev" >/dev/null 2>&1; then
    echo "router-pps.sh: interface $dev already exists (another run, or a leftover: ip link del $dev)" >&2
    exit 1
  fi
done

if [ ! -f "$jar" ] || [ -n "$(find "$here/benchmarks/src/main" -name '*.java' -newer "$jar" -print -quit)" ]; then
  echo "building $jar ..." >&2
  # -DskipTests, not -Dmaven.test.skip=true: emulator-node's test scope needs emulator-link's
  # test jar, which maven.test.skip does not build, so on a fresh clone (nothing installed in
  # ~/.m2) dependency resolution would fail.
  (cd "$here" && mvn -B -q -pl benchmarks -am package -DskipTests) >&2
  touch "$jar" # the shade step may leave an up-to-date jar untouched
fi

work=""
lab_up=0
ns_made=0
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "$lab_up" = 1 ]; then "$emu" down "$lab" >/dev/null 2>&1 || true; fi
  if [ "$ns_made" = 1 ]; then
    ip netns del "$ns" 2>/dev/null || true
    ip link del "$veth_in" 2>/dev/null || true   # gone with the namespace, unless that failed
    ip link del "$veth_out" 2>/dev/null || true
  fi
  if [ -n "$work" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

work=$(mktemp -d /tmp/emu-bench-pps.XXXXXX)
export EMU_STATE_DIR="$work/state"
# A private copy: a build running meanwhile rewrites target/ under a JVM that is just starting.
cp "$jar" "$work/benchmarks.jar"
jar="$work/benchmarks.jar"

# The value of KEY in a "xxx-result key=value ..." line on stdin.
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
# A new JVM per run. C1 only: it compiles the hot path within a fraction of a second, where C2
# leaves a fresh sink so slow for its first second or two that its queue overflows.
blaster=(java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xms64m -Xmx256m -cp "$jar" emu.bench.e2e.FrameBlaster)
# user+system CPU time of a process, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Machine-wide softirq time in clock ticks: where the kernel router's forwarding is accounted.
softirq_ticks() { awk '$1 == "cpu" {print $8}' /proc/stat; }
# Datagrams the kernel dropped at the UDP socket bound to 127.0.0.1:PORT (its receive queue was full).
socket_drops() {
  awk -v port="$(printf '%04X' "$1")" '$2 ~ ("0100007F:" port "$") {print $NF; found=1; exit}
    END {if (!found) print 0}' /proc/net/udp /proc/net/udp6
}
# Packets the kernel router dropped: on every device of its namespace, and in the machine's softnet
# backlogs (column 2 of /proc/net/softnet_stat, one line per CPU), where veth queues what it delivers.
kernel_drops() {
  ip -n "$ns" -s -j link show | python3 -c '
import json, sys
dev = sum(l["stats64"]["rx"]["dropped"] + l["stats64"]["tx"]["dropped"] for l in json.load(sys.stdin))
print(dev + sum(int(line.split()[1], 16) for line in open("/proc/net/softnet_stat")))'
}
# What the emu router counted between two `status --json` snapshots (BEFORE AFTER): frames in and
# out, and every drop by where and why (the interfaces' counters, as ip -s link shows them, and the
# stack's drop reasons).
router_summary() {
  python3 - "$1" "$2" <<'PY'
import json, sys
def counters(path):
    r = next(n for n in json.load(open(path))["nodes"] if n["name"] == "r")
    c = {"forwarded": r["ip"]["forwarded"]}
    for i in r["interfaces"]:
        for k in ("rx_frames", "tx_frames", "rx_dropped", "tx_dropped"):
            c[i["name"] + " " + k] = i[k]
        c.update({i["name"] + " " + k: v for k, v in i["link"].items() if "drop" in k})
    c.update({"ip " + k: v for k, v in r["ip"]["drops"].items()})
    return c
before, after = counters(sys.argv[1]), counters(sys.argv[2])
d = {k: after[k] - before.get(k, 0) for k in after}
drops = {k: v for k, v in d.items() if v and (k.startswith("ip ") or "drop" in k)}
print(f'received {d["eth0 rx_frames"]} frames on eth0, forwarded {d["forwarded"]}, sent {d["eth1 tx_frames"]}'
      f' on eth1, dropped {sum(drops.values())}' + (" (" + ", ".join(f"{k} {v}" for k, v in drops.items()) + ")"
      if drops else ""))
PY
}
free_udp_ports() {
  python3 -c '
import socket
socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(4)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])'
}
# A 169.254.X.0/24 underlay no interface uses yet, counted down from 254 (emu's linux nodes count up
# from 100).
free_underlay_octet() {
  local x
  for x in $(seq 254 -1 200); do
    if ! ip -4 -o addr show | grep -q "inet 169\.254\.$x\."; then echo "$x"; return; fi
  done
  echo "router-pps.sh: no free 169.254.X.0/24 for the underlay" >&2
  return 1
}

read -r r0_port r1_port gen_port sink_port < <(free_udp_ports)

cat > "$work/lab.yml" <<YAML
name: $lab
topology:
  nodes:
    r:
      kind: router
      interfaces:
        eth0: {address: $r0_ip/24, mac: '$r0_mac', port: $r0_port}
        eth1: {address: $r1_ip/24, mac: '$r1_mac', port: $r1_port}
    gen:
      kind: external
      interfaces: {eth0: {address: $gen_ip/24, peer: '127.0.0.1:$gen_port'}}
    sink:
      kind: external
      interfaces: {eth0: {address: $sink_ip/24, peer: '127.0.0.1:$sink_port'}}
  links:
    - {endpoints: ["gen:eth0", "r:eth0"], framing: vxlan, vni: $vni_in}
    - {endpoints: ["r:eth1", "sink:eth0"], framing: vxlan, vni: $vni_out}
YAML

echo "emu: starting the router node (no trace, no capture) ..." >&2
lab_up=1
"$emu" up "$work/lab.yml" --out "$work/out" --no-trace --no-capture >/dev/null
router_pid=$("$emu" status --json | python3 -c \
  'import json, sys; print(next(n["pid"] for n in json.load(sys.stdin)["nodes"] if n["name"] == "r"))')

echo "kernel: building the namespace router $ns ..." >&2
x=$(free_underlay_octet)
u_gen=169.254.$x.1; u_r0=169.254.$x.2     # veth pair to eth0: root end (generator), namespace end
u_sink=169.254.$x.5; u_r1=169.254.$x.6    # veth pair to eth1: root end (sink), namespace end
ns_made=1
ip netns add "$ns"
ip link add "$veth_in" type veth peer name "$veth_in-r"
ip link add "$veth_out" type veth peer name "$veth_out-r"
ip link set "$veth_in-r" netns "$ns"
ip link set "$veth_out-r" netns "$ns"
# The underlay is IPv4 only; MTU 9000 leaves room for the 50 bytes of VXLAN encapsulation.
for dev in "$veth_in" "$veth_out"; do
  sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1"
  ip link set "$dev" mtu 9000 up
done
ip addr add "$u_gen/30" dev "$veth_in"
ip addr add "$u_sink/30" dev "$veth_out"
# No IPv6 chatter (router solicitations, MLD) on the routed links: emu speaks IPv4 only.
ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
  net.ipv4.ip_forward=1
ip -n "$ns" link set lo up
ip -n "$ns" link set "$veth_in-r" mtu 9000 up
ip -n "$ns" addr add "$u_r0/30" dev "$veth_in-r"
ip -n "$ns" link set "$veth_out-r" mtu 9000 up
ip -n "$ns" addr add "$u_r1/30" dev "$veth_out-r"
# As emu's linux nodes (LinuxNamespaces): dstport 4789 given explicitly (Linux's default differs),
# a fixed source port, no learning; and no transmit checksum offload, which would leave partial
# checksums on frames no hardware will finish.
vxlan() { # NAME VNI LOCAL REMOTE MAC ADDRESS
  ip -n "$ns" link add "$1" type vxlan id "$2" local "$3" remote "$4" dstport 4789 srcport 4789 4790 nolearning
  ip -n "$ns" link set "$1" address "$5" mtu 1500
  ip -n "$ns" addr add "$6/24" dev "$1"
  ip netns exec "$ns" ethtool -K "$1" tx off >/dev/null
  ip -n "$ns" link set "$1" up
}
vxlan eth0 "$vni_in" "$u_r0" "$u_gen" "$r0_mac" "$r0_ip"
vxlan eth1 "$vni_out" "$u_r1" "$u_sink" "$r1_mac" "$r1_ip"

# One run: MODE (emu | kernel), frame SIZE. Sets sink_pps, gen_pps, per_cpu (packets per CPU-second
# of the router), saturated (1 if the router dropped what it was offered) and line (the report).
measure() {
  local mode=$1 size=$2 gen_bind gen_to sink_bind sink_pid gen_pid waited=0
  case $mode in
    emu)    gen_bind=127.0.0.1:$gen_port; gen_to=127.0.0.1:$r0_port; sink_bind=127.0.0.1:$sink_port ;;
    kernel) gen_bind=$u_gen:4789;         gen_to=$u_r0:4789;         sink_bind=$u_sink:4789 ;;
  esac
  # The sink runs at a higher priority: it needs a fraction of a CPU, but when it needs it, so
  # that it counts what the router delivers instead of dropping it when the scheduler keeps it
  # waiting behind the generator and the router (two shared cores).
  nice -n -10 "${blaster[@]}" sink --bind "$sink_bind" --vni "$vni_out" --mac "$sink_mac" --ip "$sink_ip" \
    --seconds "$secs" >"$work/sink.out" 2>"$work/sink.err" &
  sink_pid=$!
  pids=("$sink_pid")
  until grep -q "listening" "$work/sink.err"; do
    if ! kill -0 "$sink_pid" 2>/dev/null || [ $((waited += 1)) -gt 300 ]; then
      echo "router-pps.sh: the sink did not start:" >&2; cat "$work/sink.err" >&2; exit 1
    fi
    sleep 0.1
  done
  # The router's CPU time and drops: the emu node process and its receiving socket; for the kernel,
  # softirq time (where it forwards) and its drops.
  local cpu0 cpu1 drops0 drops1
  if [ "$mode" = emu ]; then cpu0=$(cpu_ticks "$router_pid"); drops0=$(socket_drops "$r0_port")
  else cpu0=$(softirq_ticks); drops0=$(kernel_drops); fi
  # The sink starts counting 1 to 3 seconds after its first frame (once it has caught up); the
  # generator runs a second longer than the latest end of that, so every counted second has traffic.
  # In the background, so that a signal to this script is handled at once (bash runs traps only
  # between commands, and a wait is interrupted by them).
  "${blaster[@]}" gen --bind "$gen_bind" --to "$gen_to" --vni "$vni_in" --size "$size" \
    --seconds $((secs + 4)) --src-mac "$gen_mac" --src-ip "$gen_ip" --dst-mac "$r0_mac" --dst-ip "$sink_ip" \
    >"$work/gen.out" 2>&1 &
  gen_pid=$!
  pids=("$sink_pid" "$gen_pid")
  if ! wait "$gen_pid"; then
    echo "router-pps.sh: the generator failed ($mode, $size B):" >&2; cat "$work/gen.out" >&2; exit 1
  fi
  if [ "$mode" = emu ]; then cpu1=$(cpu_ticks "$router_pid"); drops1=$(socket_drops "$r0_port")
  else cpu1=$(softirq_ticks); drops1=$(kernel_drops); fi
  if ! wait "$sink_pid"; then
    pids=()
    echo "router-pps.sh: the sink failed ($mode, $size B):" >&2; cat "$work/sink.err" >&2; exit 1
  fi
  pids=()
  local gen_line sink_line router_cpu sink_drops
  gen_line=$(grep '^gen-result' "$work/gen.out")
  sink_line=$(grep '^sink-result' "$work/sink.out")
  gen_pps=$(field pps <<<"$gen_line")
  sink_pps=$(field pps <<<"$sink_line")
  sink_drops=$(field socket-drops <<<"$sink_line")
  router_cpu=$(awk -v a="$cpu0" -v b="$cpu1" -v hz="$(getconf CLK_TCK)" -v t="$(field seconds <<<"$gen_line")" \
    'BEGIN {printf "%.2f", (b - a) / hz / t}')
  per_cpu=$(awk -v p="$sink_pps" -v c="$router_cpu" 'BEGIN {printf "%.0f", (c > 0 ? p / c : 0)}')
  saturated=$(( drops1 - drops0 > 0 ? 1 : 0 ))
  line=$(printf '%8d pps forwarded, %8d offered;  cpu: router %3.0f%% %-9s gen %3.0f%%, sink %3.0f%%;' \
    "$sink_pps" "$gen_pps" "$(awk -v c="$router_cpu" 'BEGIN {print 100 * c}')" \
    "$( [ "$mode" = emu ] && echo "(process)," || echo "(softirq),")" \
    "$(field cpu <<<"$gen_line" | awk '{print 100 * $1}')" "$(field cpu <<<"$sink_line" | awk '{print 100 * $1}')")
  line+=$(printf '  drops: router %d, sink %d' "$((drops1 - drops0))" "$sink_drops")
  if [ "$saturated" = 1 ]; then line+="  -> router saturated"; else line+="  -> router kept up"; fi
  if [ "$sink_drops" -gt 0 ]; then line+=" (the sink dropped frames: its count is low)"; fi
  if [ "$(field caught-up <<<"$sink_line")" = no ]; then
    line+=" (the sink was still behind when it began counting)"
  fi
}

label() { printf '%4d B  %-6s %-8s' "$1" "$2" "$3"; }
declare -A emu_pps kernel_pps emu_gen kernel_gen emu_cpu kernel_cpu kept_up
for size in "${frame_sizes[@]}"; do
  echo >&2
  for mode in emu kernel; do
    measure "$mode" "$size"
    echo "$(label "$size" "$mode" warm-up):$line" >&2
  done
  e=(); k=(); eg=(); kg=(); ec=(); kc=(); ku=""
  "$emu" status --json >"$work/router-before.json"
  for i in $(seq "$runs"); do
    for mode in emu kernel; do
      measure "$mode" "$size"
      echo "$(label "$size" "$mode" "run $i"):$line" >&2
      if [ "$mode" = emu ]; then e+=("$sink_pps"); eg+=("$gen_pps"); ec+=("$per_cpu")
      else k+=("$sink_pps"); kg+=("$gen_pps"); kc+=("$per_cpu"); fi
      if [ "$saturated" = 0 ]; then ku+=" $mode-$i"; fi
    done
  done
  "$emu" status --json >"$work/router-after.json"
  echo "$(label "$size" emu "")  the router's own counters over the $runs runs (warm-up excluded):" \
    "$(router_summary "$work/router-before.json" "$work/router-after.json")" >&2
  emu_pps[$size]=$(printf '%s\n' "${e[@]}" | median)
  kernel_pps[$size]=$(printf '%s\n' "${k[@]}" | median)
  emu_gen[$size]=$(printf '%s\n' "${eg[@]}" | median)
  kernel_gen[$size]=$(printf '%s\n' "${kg[@]}" | median)
  emu_cpu[$size]=$(printf '%s\n' "${ec[@]}" | median)
  kernel_cpu[$size]=$(printf '%s\n' "${kc[@]}" | median)
  kept_up[$size]=$ku
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo
echo "Packets per second one router forwards, VXLAN-framed Ethernet in and out, median of $runs runs of" \
  "$secs s"
echo "(each run: the median of the sink's per-second counts; offered: the generator's send rate):"
printf '  %-6s  %-28s  %-28s  %s\n' frame "emu router node" "Linux netns router" "emu/Linux"
for size in "${frame_sizes[@]}"; do
  printf '  %4d B  %9.0f (offered %9.0f)  %9.0f (offered %9.0f)  %9s\n' "$size" "${emu_pps[$size]}" \
    "${emu_gen[$size]}" "${kernel_pps[$size]}" "${kernel_gen[$size]}" \
    "$(ratio "${emu_pps[$size]}" "${kernel_pps[$size]}")"
done
echo "Packets per CPU-second of the router (emu: the node process's CPU time; Linux: softirq time, machine-wide):"
for size in "${frame_sizes[@]}"; do
  printf '  %4d B  %9.0f %28s %9.0f %28s %9s\n' "$size" "${emu_cpu[$size]}" "" "${kernel_cpu[$size]}" "" \
    "$(ratio "${emu_cpu[$size]}" "${kernel_cpu[$size]}")"
done
for size in "${frame_sizes[@]}"; do
  if [ -n "${kept_up[$size]}" ]; then
    echo "Generator-bound, $size B:${kept_up[$size]}: the router dropped nothing, so it forwarded all it was offered"
    echo "  and the generator set the pace; that router's own limit is higher than measured there."
  fi
done
echo "The Linux router forwards inside the generator's sends (veth hands each frame to the namespace on the"
echo "sending CPU): generator and kernel router share one CPU and move at one pace, so the kernel's own limit"
echo "is above its figure here (see its packets per CPU-second). The emu router has its own process, but"
echo "shares the two cores with a generator that offers more than it takes."
for size in "${frame_sizes[@]}"; do
  awk -v e="${emu_pps[$size]}" -v k="${kernel_pps[$size]}" -v s="$size" 'BEGIN { r = e / k
    printf "goal (emu router >= 0.50 x the Linux router), %4d B: %s (%.2f)\n", s, (r >= 0.5 ? "met" : "NOT met"), r }'
done
