#!/usr/bin/env bash
# OSPF convergence after a link failure, side by side in one run (issue 19):
#   emu: five emu routers in a ring (OSPF, point-to-point links, hello 1 s, dead 4 s, cost 10),
#        the core of configs/campus.yml;
#   FRR: the same ring of five linux nodes, each running FRR's zebra and ospfd in its namespace
#        with the same timers and costs, the kernel forwarding.
# On both, h1 (10.1.0.10, behind r1) and h3 (10.3.0.10, behind r3) are emu hosts, and each ring
# link runs through an emu switch (linux nodes cannot be linked to each other directly), so the
# fault, `emu link down r1:eth1`, is the same on both: r1 loses carrier towards r2 and reroutes at
# once; r2 keeps its carrier and learns of the failure from r1's new router-LSA, flooded round the
# ring. What is measured is what a user sees: h1 pings h3 every INTERVAL ms, and the replies' TTL
# tells the paths apart (61 via r2, 60 via r5 and r4). The figure is the time from the last reply on
# the old path to the first on the new path for good (to within one interval; it covers both
# directions, since r3's replies also went via r2, and any transient loop while the routers
# disagreed), and beside it the requests lost. Each run then brings the link back, waits until
# the routes are via r2 again, and then 6 s more (MinLSInterval, see measure).
# Prints every run and each side's median. Needs root (linux nodes) and FRR (apt-get install frr);
# without FRR only the emu side runs.
# Usage: sudo benchmarks/e2e/ospf-convergence.sh [RUNS=5] [INTERVAL_MS=2]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
shopt -s inherit_errexit # a failed step inside $(measure) ends the script, not only the substitution
runs=${1:-5}
interval_ms=${2:-2}
if ! [[ $runs =~ ^[1-9][0-9]*$ && $interval_ms =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [RUNS=5] [INTERVAL_MS=2]   (whole numbers, at least 1)" >&2
  exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ospf-convergence.sh: needs root (the FRR ring's linux nodes are network namespaces); run it with sudo" >&2
  exit 1
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
emu="$here/emu"
frr_sbin=/usr/lib/frr
work=$(mktemp -d /tmp/emu-bench-ospf.XXXXXX)
chmod 755 "$work" # FRR's daemons run as user frr and keep their files in folders under it
export EMU_STATE_DIR="$work/state"
lab_up=""
daemons=()

cleanup() {
  local p
  for p in "${daemons[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${daemons[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -n "$lab_up" ]; then "$emu" down "$lab_up" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# ring KIND: the lab. r1-r5 are emu routers (KIND router) or linux nodes (KIND linux); the ring
# link between rX and rY is 10.0.XY.0/24, rX's eth2 to rY's eth1 going round.
ring() {
  local kind=$1 name=$2
  echo "name: $name"
  echo "topology:"
  echo "  nodes:"
  echo "    h1: {kind: host, interfaces: {eth0: {address: 10.1.0.10/24}}, gateway: 10.1.0.1}"
  echo "    h3: {kind: host, interfaces: {eth0: {address: 10.3.0.10/24}}, gateway: 10.3.0.1}"
  local i prev next ospf lan
  for i in 1 2 3 4 5; do echo "    sw$i: {kind: switch}"; done
  for i in 1 2 3 4 5; do
    prev=$(( i == 1 ? 5 : i - 1 )); next=$(( i == 5 ? 1 : i + 1 ))
    echo "    r$i:"
    echo "      kind: $kind"
    if [ "$kind" = router ]; then
      echo "      ospf: {router-id: $i.$i.$i.$i}"
      ospf=", ospf: {hello: 1, dead: 4, cost: 10, network: point-to-point}"; lan=", ospf: {passive: true}"
    else
      ospf=""; lan=""
    fi
    echo "      interfaces:"
    case $i in 1|3) echo "        eth0: {address: 10.$i.0.1/24$lan}" ;; esac
    # eth1 faces the previous router, eth2 the next; r1's eth1 faces r2 (as in configs/campus.yml)
    if [ "$i" = 1 ]; then
      echo "        eth1: {address: 10.0.12.1/24$ospf}"
      echo "        eth2: {address: 10.0.15.1/24$ospf}"
    else
      echo "        eth1: {address: 10.0.$(( prev < i ? prev : i ))$(( prev < i ? i : prev )).$i/24$ospf}"
      echo "        eth2: {address: 10.0.$(( next < i ? next : i ))$(( next < i ? i : next )).$i/24$ospf}"
    fi
  done
  echo "  links:"
  echo "    - endpoints: [\"h1:eth0\", \"r1:eth0\"]"
  echo "    - endpoints: [\"h3:eth0\", \"r3:eth0\"]"
  for i in 1 2 3 4 5; do
    next=$(( i == 5 ? 1 : i + 1 ))
    echo "    - endpoints: [\"r$i:eth$(( i == 1 ? 1 : 2 ))\", \"sw$i:p1\"]"
    echo "    - endpoints: [\"sw$i:p2\", \"r$next:eth$(( next == 1 ? 2 : 1 ))\"]"
  done
}

# frr_start LAB NODE: zebra and ospfd in linux node NODE's namespace, as the interop tests run
# them (emulator-control/src/test/resources/interop/FRR.md): a private folder, no /etc/frr, the
# daemons as user frr in their own mount namespace with /run/frr and /var/tmp bound to the folder.
frr_start() {
  local lab=$1 node=$2 i=${2#r} d="$work/frr-$2" ns="emu-$1-$2" daemon iface
  mkdir -p "$d/run" "$d/tmp"
  printf 'frr defaults traditional\nhostname %s\n' "$node" > "$d/zebra.conf"
  {
    echo "frr defaults traditional"
    echo "hostname $node"
    for iface in eth1 eth2; do
      printf 'interface %s\n ip ospf cost 10\n ip ospf hello-interval 1\n ip ospf dead-interval 4\n' "$iface"
      printf ' ip ospf network point-to-point\n!\n'
    done
    case $i in 1|3) printf 'interface eth0\n ip ospf cost 10\n ip ospf passive\n!\n' ;; esac
    printf 'router ospf\n ospf router-id %s.%s.%s.%s\n network 10.0.0.0/8 area 0\n!\n' "$i" "$i" "$i" "$i"
  } > "$d/ospfd.conf"
  chown -R frr:frr "$d"
  ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
  for daemon in zebra ospfd; do
    ip netns exec "$ns" unshare --mount --propagation private sh -c \
      'set -e; d=$1; shift; mount --bind "$d/tmp" /var/tmp; if [ -d /run/frr ]; then mount --bind "$d/run" /run/frr; fi; exec "$@"' \
      "frr-$daemon" "$d" "$frr_sbin/$daemon" -f "$d/$daemon.conf" -i "$d/$daemon.pid" -z "$d/zserv.api" \
      --vty_socket "$d" -P 0 -u frr -g frr --log "file:$d/$daemon.log" > "$d/$daemon.out" 2>&1 &
    daemons+=($!)
    if [ "$daemon" = zebra ]; then
      for _ in $(seq 200); do [ -S "$d/zserv.api" ] && break; sleep 0.1; done
    fi
  done
  local end=$(( SECONDS + 20 ))
  until vtysh --vty_socket "$d" --config_dir "$d" -d ospfd -c 'show ip ospf' >/dev/null 2>&1; do
    if [ $SECONDS -ge $end ]; then
      echo "ospf-convergence.sh: FRR did not start on $node:" >&2; tail -n 5 "$d"/*.log >&2; return 1
    fi
    sleep 0.2
  done
}

# route_via NODE PREFIX NEXTHOP: true when NODE's route to PREFIX is an OSPF route via NEXTHOP alone.
route_via() {
  if [ "$side" = emu ]; then
    "$emu" exec "$1" -- ip route 2>/dev/null | grep -qE "^$2 (nhid [0-9]+ )?via $3 .*proto ospf"
  else
    ip -n "emu-$lab_up-$1" route show "$2" 2>/dev/null | grep -qE "^$2 (nhid [0-9]+ )?via $3 .*proto ospf"
  fi
}

await() { # await SECONDS WHAT COMMAND...
  local secs=$1 what=$2; shift 2
  local end=$(( SECONDS + secs ))
  until "$@"; do
    if [ $SECONDS -ge $end ]; then echo "ospf-convergence.sh: $side: no $what after $secs s" >&2; return 1; fi
    sleep 0.2
  done
}

# convergence N: from ping's output on stdin (N requests), "MS LOST": the time from the last
# request answered on the old path to the first answered on the new path for good, in ms (to within
# one interval), and how many requests got no answer. The replies' TTL tells the paths apart: 61
# via r2 (three routers), 60 via r5 and r4, lower for a reply that went round a transient loop
# while the routers disagreed. "-1 LOST" if the ping did not end on a new path.
convergence() {
  awk -v iv="$interval_ms" -v n="$1" '
    /bytes from .*icmp_seq=/ {
      match($0, /icmp_seq=[0-9]+/); s = substr($0, RSTART + 9, RLENGTH - 9) + 0
      match($0, /ttl=[0-9]+/); ttl[s] = substr($0, RSTART + 4, RLENGTH - 4) + 0; got++
    }
    END {
      for (s = 1; s <= n && !(s in ttl); s++) {}
      old = ttl[s]
      for (s = n; s >= 1 && !(s in ttl); s--) {}
      new = ttl[s]
      if (got == 0 || old == new) { print -1, n - got; exit }
      first = s
      for (; s >= 1; s--) if (s in ttl) { if (ttl[s] != new) break; first = s }
      for (last = first - 1; last >= 1 && !((last in ttl) && ttl[last] == old); last--) {}
      print (first - last) * iv, n - got
    }'
}

measure() { # measure: one link failure on the running lab; prints "MS LOST" (see convergence)
  local count=$(( 6000 / interval_ms )) secs
  secs=$(awk -v ms="$interval_ms" 'BEGIN {printf "%.3f", ms / 1000}')
  "$emu" exec h1 -- ping -q -c 1 -W 2 10.3.0.10 >/dev/null || true  # ARP caches warm on the path
  "$emu" exec h1 -- ping -c "$count" -i "$secs" -W 1 10.3.0.10 > "$work/ping.txt" 2>&1 &
  local ping=$!
  sleep 2
  "$emu" link down r1:eth1 >/dev/null
  wait "$ping" || true
  convergence "$count" < "$work/ping.txt"
  "$emu" link up r1:eth1 >/dev/null
  await 30 "route back via r2" route_via r1 10.3.0.0/24 10.0.12.2
  await 30 "route back via r2" route_via r3 10.1.0.0/24 10.0.23.2
  # Wait out MinLSInterval (5 s, RFC 2328 12.4; FRR's LSA throttle too) after the router-LSAs the
  # link's return made, so that the next cut's LSA goes out at once: a link that flaps faster has
  # its news held back by up to 5 s, in emu as in FRR, and that is another measurement.
  sleep 6
}

run_side() { # run_side emu|frr
  side=$1
  local kind=router lab=emubospf
  [ "$side" = frr ] && { kind=linux; lab=emubfrr; }
  ring "$kind" "$lab" > "$work/$lab.yml"
  echo "$side: starting the ring (no trace, no capture) ..." >&2
  "$emu" up "$work/$lab.yml" --out "$work/out-$side" --no-trace --no-capture >/dev/null
  lab_up=$lab
  if [ "$side" = frr ]; then
    local r; for r in r1 r2 r3 r4 r5; do frr_start "$lab" "$r"; done
  fi
  await 60 "route to 10.3.0.0/24 via r2 on r1" route_via r1 10.3.0.0/24 10.0.12.2
  await 30 "route to 10.1.0.0/24 via r2 on r3" route_via r3 10.1.0.0/24 10.0.23.2
  sleep 1
  local i v results=()
  for i in $(seq "$runs"); do
    v=$(measure)
    echo "$side run $i: ${v% *} ms from the last reply on the old path to the first on the new, ${v#* } requests lost" >&2
    results+=("$v")
  done
  "$emu" down "$lab" >/dev/null
  lab_up=""
  if [ "$side" = frr ]; then
    local p; for p in "${daemons[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    daemons=()
  fi
  printf '%s\n' "${results[@]}" > "$work/$side.results"
}

run_side emu
have_frr=1
for b in "$frr_sbin/zebra" "$frr_sbin/ospfd"; do [ -x "$b" ] || have_frr=0; done
command -v unshare >/dev/null && command -v vtysh >/dev/null || have_frr=0
if [ $have_frr = 1 ]; then run_side frr; else echo "frr: not installed (apt-get install frr): skipped" >&2; fi

summary() { # summary SIDE LABEL
  local f="$work/$1.results"
  if [ ! -f "$f" ]; then printf '  %-24s skipped (FRR not installed)\n' "$2"; return; fi
  printf '  %-24s %8s ms  %6s lost   (runs: %s)\n' "$2" \
    "$(awk '$1 >= 0 {print $1}' "$f" | median)" "$(awk '{print $2}' "$f" | median)" "$(paste -sd, "$f")"
}
echo
echo "OSPF convergence after r1:eth1 loses carrier (ring of 5, hello 1 s, dead 4 s), ping every $interval_ms ms,"
echo "$runs runs, medians of: the time from the last reply on the old path to the first on the new, and"
echo "the requests lost:"
summary emu "emu routers"
summary frr "FRR ospfd (linux nodes)"
echo "  (a run whose ping did not end on the new path counts -1 and is left out of the median)"
