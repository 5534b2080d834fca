#!/usr/bin/env bash
# Delay as configured, from the first packet: configured vs observed added delay on real time.
#   link:   one impaired link alone, in one process (LinkDelay.java: two UDP link endpoints on
#           their own epoll event loops): one-way time per frame for no impairment and a delay of
#           100 us, 1 ms, 20 ms, K frames 5 ms apart; and how late the event loop runs a timer.
#   delay:  for each of 0, 100 us, 1 ms and 20 ms, a fresh seed lab (configs/corporate.yml), the
#           delay put on payroll:eth0 (payroll's egress: one direction of the path client ->
#           payroll), then N pings client -> payroll 10 ms apart, counted from the very first (no
#           warm-up), and at the same time N pings client -> dns, the control: the same path but
#           for its last node (sw1, dist, r1, sw2), unimpaired. A fresh lab's first pings run on cold
#           code and its RTT falls for thousands of packets, so RTTs of different labs cannot be
#           subtracted; the pairs can: the added one-way delay is the median over icmp_seq of
#           RTT(payroll) - RTT(dns).
#   jitter: a fresh lab, payroll:eth0 delay 20ms jitter 5ms distribution normal, M pairs; each
#           pair's difference is one sample of the added delay, compared with the configured
#           normal(20 ms, 5 ms) by the Kolmogorov-Smirnov statistic and its p-value (reported, not
#           asserted: both paths' noise is in every sample).
#   floor:  the machine's UDP round trip between two idle processes (udp-pingpong.py), same
#           spacing, in the same run: what one process crossing costs at least.
# The overhead per process crossing is RTT(0) / 10 (a round trip client -> payroll wakes sw1,
# dist, r1, sw2, payroll, sw2, r1, dist, sw1 and client; 8 before the seed lab grew its switched
# campus edge on 2026-12-07) beside floor / 2.
# Usage: benchmarks/e2e/delay-fidelity.sh [N] [M] [K]   (default 200 1000 500; --quick: 50 300 100)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
emu="$here/emu"
n=${1:-200}
m=${2:-1000}
k=${3:-500}
bench_work fidelity

pct() { sort -g | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100+0.5); if (i<1) i=1; print a[i]}'; }

# fresh NAME WORDS...: a fresh seed lab, the impairment WORDS (if any) on payroll:eth0, then waits for
# the client's DHCP lease (no packet to payroll before the measured pings).
fresh() {
  local name=$1; shift
  "$emu" up "$here/configs/corporate.yml" --out "$work/$name" --no-trace --no-capture >/dev/null
  [ $# = 0 ] || "$emu" link set payroll:eth0 "$@" >/dev/null
  for _ in $(seq 1 100); do
    "$emu" exec client -- ip addr 2>/dev/null | grep -q '192.168.1.100/' && return 0
    sleep 0.1
  done
  echo "delay-fidelity: the client got no DHCP lease" >&2
  return 1
}

"$emu" --help >/dev/null # builds the CLI jar if the sources are newer
echo "== one impaired link in one process: $k frames per delay" >&2
java -cp "$here/emulator-control/target/emu.jar" "$here/benchmarks/e2e/LinkDelay.java" "$k" 2>&1 \
  | grep -v '^SLF4J' > "$work/link.txt"

# seqrtt: "SEQ RTT" per reply, from ping output.
seqrtt() { sed -n 's/.*icmp_seq=\([0-9]*\) .*time=\([0-9.]*\) ms.*/\1 \2/p'; }
# pairs NAME COUNT: COUNT pings to payroll and to dns at once; NAME.txt gets "RTT(payroll) RTT(dns)" per
# icmp_seq answered by both, in order.
pairs() {
  "$emu" exec client -- ping -4 -c "$2" -i 0.01 -W 2 192.168.5.100 | seqrtt > "$work/$1-payroll.txt" &
  local a=$!
  "$emu" exec client -- ping -4 -c "$2" -i 0.01 -W 2 192.168.5.53 | seqrtt > "$work/$1-dns.txt"
  wait "$a"
  join <(sort -k1,1 "$work/$1-payroll.txt") <(sort -k1,1 "$work/$1-dns.txt") | sort -n | cut -d' ' -f2,3 \
    > "$work/$1.txt"
  [ "$(wc -l < "$work/$1.txt")" -ge $(($2 * 9 / 10)) ] || { echo "delay-fidelity: pings lost ($1)" >&2; exit 1; }
}

declare -A p50 first added
for d in 0 100us 1ms 20ms; do
  echo "== delay $d on payroll:eth0: $n pings client -> payroll and -> dns, 10 ms apart, from the first" >&2
  if [ "$d" = 0 ]; then fresh "d$d"; else fresh "d$d" --delay "$d"; fi
  pairs "d$d" "$n"
  "$emu" down corporate >/dev/null
  p50[$d]=$(cut -d' ' -f1 "$work/d$d.txt" | median); first[$d]=$(head -1 "$work/d$d.txt" | cut -d' ' -f1)
  added[$d]=$(awk '{print $1 - $2}' "$work/d$d.txt" | median)
done
echo "== jitter: delay 20ms jitter 5ms distribution normal on payroll:eth0, $m pings" >&2
fresh jitter --delay 20ms --jitter 5ms --distribution normal
pairs jitter "$m"
"$emu" down corporate >/dev/null
echo "== floor: UDP round trip between two idle processes, $n, 10 ms apart" >&2
python3 "$here/benchmarks/e2e/udp-pingpong.py" 0.01 "$n" | rtts > "$work/floor.txt"
floor=$(median < "$work/floor.txt")

echo
echo "== one impaired link, one process, real sockets and event loops (us; $k frames 5 ms apart, from the first)"
cat "$work/link.txt"
echo
echo "== configured vs observed, client -> payroll (ms; medians of $n pings from the first; added one-way:"
echo "   median of RTT(payroll) - RTT(dns), pings sent together; floor: median of $n)"
printf '%-10s %10s %10s %12s %14s %12s\n' "delay" "RTT p50" "RTT p90" "first ping" "added one-way" "error (us)"
for d in 0 100us 1ms 20ms; do
  conf=$(python3 -c "import re; v, u = re.fullmatch(r'([0-9.]+)(us|ms)?', '$d').groups(); \
    print(float(v) / (1000 if u == 'us' else 1))")
  printf '%-10s %10s %10s %12s %14s %12s\n' "$d" "${p50[$d]}" "$(cut -d' ' -f1 "$work/d$d.txt" | pct 90)" \
    "${first[$d]}" "${added[$d]}" "$(python3 -c "print(round((${added[$d]} - $conf) * 1000))")"
done
per=$(python3 -c "print(round(${p50[0]} / 10 * 1000))")
echo "per process crossing: $per us (RTT(0) p50 / 10 crossings); UDP floor: $(python3 -c \
  "print(round($floor / 2 * 1000))") us ($floor ms per round trip / 2)"
python3 - "$work/jitter.txt" 20 5 <<'PY'
# Kolmogorov-Smirnov of the observed added delay against normal(mean, sd): statistic D and the
# asymptotic p-value Q_KS((sqrt(n) + 0.12 + 0.11 / sqrt(n)) D), Q_KS(l) = 2 sum (-1)^(j-1)
# exp(-2 j^2 l^2) (Numerical Recipes, 2nd ed., 14.3).
import math, sys
mean, sd = float(sys.argv[2]), float(sys.argv[3])
x = sorted(float(a) - float(b) for a, b in (l.split() for l in open(sys.argv[1]) if l.strip()))
n = len(x)
cdf = lambda v: 0.5 * math.erfc(-(v - mean) / (sd * math.sqrt(2)))
d = max(max((i + 1) / n - cdf(v), cdf(v) - i / n) for i, v in enumerate(x))
lam = (math.sqrt(n) + 0.12 + 0.11 / math.sqrt(n)) * d
p = 1.0 if lam < 0.2 else min(1.0, max(0.0, 2 * sum((-1) ** (j - 1) * math.exp(-2 * j * j * lam * lam)
                                                  for j in range(1, 101))))
m = sum(x) / n
s = math.sqrt(sum((v - m) ** 2 for v in x) / (n - 1))
print(f"jitter normal(20 ms, 5 ms): {n} samples, observed mean {m:.3f} ms sd {s:.3f} ms, "
      f"median {x[n // 2]:.3f} ms; KS D = {d:.4f}, p = {p:.3g}")
PY
