#!/usr/bin/env bash
# HTTPS across one router: TLS handshakes per second and HTTPS requests per second.
#   lab:     client -> router -> web13  (emu's HttpsServer, TLS 1.3, RSA-2048 certificate of the lab CA)
#                            \-> webrsa (the same server, TLS 1.2 with RSA key transport only)
#   mode A:  `httpsperf URL -n CONNS -k 1 -c CONC`: every request on a new connection, a full TCP +
#            TLS handshake each (no session resumption)         -> TLS handshakes per second
#   mode B:  `httpsperf URL -n CONNS/10 -k 100 -c CONC`: keep-alive, 100 requests per connection
#                                                               -> HTTPS requests per second
# The client verifies every certificate chain and host name, as https-get does. After one warm-up
# run of each mode and version (cold JVMs run interpreted code), the four measurements alternate
# within each round so that all see the same machine; prints every run and the medians.
# Needs no root: every link is a UDP tunnel on loopback.
# Usage: benchmarks/e2e/https-rate.sh [RUNS=5] [CONNS=400] [CONC=4]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
runs=${1:-5}
conns=${2:-400}
conc=${3:-4}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
emu="$here/emu"
work=$(mktemp -d /tmp/emu-bench-https.XXXXXX)
export EMU_STATE_DIR="$work/state"
lab=emuhttpsr

cleanup() {
  "$emu" down "$lab" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

rate() { awk -F': ' -v k="$1" '$1 == k {print $2; exit}'; }

# a small page (1 KiB), so that the figures are about handshakes and requests, not bytes
python3 -c "print('<!DOCTYPE html>\n<html><body><h1>bench</h1>\n<p>' + 'x' * 960 + '</p></body></html>')" \
  > "$work/index.html"

cat > "$work/lab.yml" <<YAML
name: $lab
topology:
  nodes:
    client:
      kind: host
      interfaces: {eth0: {address: 10.9.1.1/24}}
      gateway: 10.9.1.254
      hosts: {web13.bench.test: 10.9.2.1, webrsa.bench.test: 10.9.3.1}
    r:
      kind: router
      interfaces:
        eth0: {address: 10.9.1.254/24}
        eth1: {address: 10.9.2.254/24}
        eth2: {address: 10.9.3.254/24}
    web13:
      kind: host
      interfaces: {eth0: {address: 10.9.2.1/24}}
      gateway: 10.9.2.254
      https: {names: [web13.bench.test], content: {/: index.html}, tls: "1.3"}
    webrsa:
      kind: host
      interfaces: {eth0: {address: 10.9.3.1/24}}
      gateway: 10.9.3.254
      https: {names: [webrsa.bench.test], content: {/: index.html}, tls: "1.2-rsa"}
  links:
    - endpoints: ["client:eth0", "r:eth0"]
    - endpoints: ["r:eth1", "web13:eth0"]
    - endpoints: ["r:eth2", "webrsa:eth0"]
YAML

echo "starting the lab (4 node processes, no trace, no capture) ..." >&2
"$emu" up "$work/lab.yml" --out "$work/out" --no-trace --no-capture >/dev/null

keepalive_conns=$(( conns / 10 > conc ? conns / 10 : conc ))
# name tls mode: runs one measurement, prints the rate
measure() {
  local host=$1 tls=$2 mode=$3 out key
  if [ "$mode" = A ]; then
    out=$("$emu" exec client -- httpsperf "https://$host/" -n "$conns" -k 1 -c "$conc" --tls "$tls") || true
    key="TLS handshakes per second"
  else
    out=$("$emu" exec client -- httpsperf "https://$host/" -n "$keepalive_conns" -k 100 -c "$conc" --tls "$tls") || true
    key="HTTPS requests per second"
  fi
  echo "$out" >> "$work/httpsperf.log"
  if ! echo "$out" | grep -q " 0 failed$"; then
    echo "httpsperf failed or had failures:" >&2
    echo "$out" >&2
  fi
  echo "$out" | rate "$key"
}

echo "warm-up: each version and mode once ..." >&2
for v in "web13.bench.test 1.3" "webrsa.bench.test 1.2-rsa"; do
  set -- $v
  measure "$1" "$2" A >/dev/null
  measure "$1" "$2" B >/dev/null
done

a13=(); b13=(); arsa=(); brsa=()
for i in $(seq "$runs"); do
  r1=$(measure web13.bench.test 1.3 A);      a13+=("$r1")
  r2=$(measure webrsa.bench.test 1.2-rsa A); arsa+=("$r2")
  r3=$(measure web13.bench.test 1.3 B);      b13+=("$r3")
  r4=$(measure webrsa.bench.test 1.2-rsa B); brsa+=("$r4")
  echo "round $i: handshakes/s TLS 1.3 $r1, TLS 1.2 RSA $r2; requests/s (keep-alive) TLS 1.3 $r3, TLS 1.2 RSA $r4" >&2
done
echo >&2
echo "last run in full:" >&2
tail -n 22 "$work/httpsperf.log" >&2

m() { printf '%s\n' "$@" | median; }
echo
echo "client -> router -> HTTPS server, 1 KiB page, $conc connections at a time, $runs runs, median:"
printf '  %-34s %16s %16s\n' "" "TLS 1.3" "TLS 1.2 RSA kx"
printf '  %-34s %16.1f %16.1f\n' "mode A: TLS handshakes/s (-k 1)" "$(m "${a13[@]}")" "$(m "${arsa[@]}")"
printf '  %-34s %16.1f %16.1f\n' "mode B: HTTPS requests/s (-k 100)" "$(m "${b13[@]}")" "$(m "${brsa[@]}")"
