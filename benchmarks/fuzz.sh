#!/usr/bin/env bash
# Fuzzes every Jazzer target for a while, one after the other (Jazzer fuzzes one @FuzzTest per
# JVM), and ends with a table: inputs executed, seconds, inputs per second, crash or not.
#   benchmarks/fuzz.sh [SECONDS_PER_TARGET]    (default 60)
#   --only A,B     run only the targets whose Class#method contains one of these words
#   --out DIR      where each target's log goes (default: a new folder under /tmp)
# `mvn test` replays each target's corpus only (src/test/resources/<package>/<Class>Inputs/
# <method>/); here JAZZER_FUZZ=1 makes Jazzer mutate it, guided by coverage. Inputs that reach new
# code are kept in <module>/.cifuzz-corpus (not checked in); an input that fails the target is
# written next to the corpus as crash-<sha1>, where `mvn test` then replays it: fix the bug and
# keep the file (give it a name that says what it found). Runs offline (-o): dependencies must be
# in ~/.m2 already (any `mvn test` fetches them).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
seconds=60
only=""
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --only) only="${2:?--only needs a list}"; shift ;;
    --out) out="${2:?--out needs a folder}"; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    [0-9]*) seconds="$1" ;;
    *) echo "fuzz: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
# module (with the modules it needs built in the same reactor) : Class#method
targets=(
  "emulator-link:VxlanReceiveFuzzTest#datagram"
  "emulator-link,emulator-node:StackFuzzTest#ethernet"
  "emulator-link,emulator-node:StackFuzzTest#arp"
  "emulator-link,emulator-node:StackFuzzTest#ipv4"
  "emulator-link,emulator-node:StackFuzzTest#icmp"
  "emulator-link,emulator-node:StackFuzzTest#udp"
  "emulator-link,emulator-node:StackFuzzTest#tcp"
  "emulator-link,emulator-node:StackFuzzTest#bridge"
  "emulator-link,emulator-node:DnsFuzzTest#serverUdp"
  "emulator-link,emulator-node:DnsFuzzTest#serverTcp"
  "emulator-link,emulator-node:DnsFuzzTest#resolverReply"
  "emulator-link,emulator-node:TlsNarratorFuzzTest#inbound"
  "emulator-link,emulator-node:OspfFuzzTest#packet"
  "emulator-link,emulator-node:OspfFuzzTest#lsa"
  "emulator-link,emulator-node:OspfInputFuzzTest#conversation"
  "emulator-link,emulator-node,emulator-control:TopologyLoaderFuzzTest#parse"
)
out=${out:-$(mktemp -d /tmp/emu-fuzz.XXXXXX)}
mkdir -p "$out"
cd "$root"
# Compile once up front (each run below then finds the classes up to date).
mvn -B -q -o -pl emulator-link,emulator-node,emulator-control test-compile
rows=()
failed=0
for t in "${targets[@]}"; do
  modules=${t%%:*}
  test=${t#*:}
  if [ -n "$only" ]; then
    hit=0
    for w in ${only//,/ }; do [[ "$test" == *"$w"* ]] && hit=1; done
    [ $hit = 1 ] || continue
  fi
  log="$out/${test/\#/.}.log"
  echo "fuzz: $test for ${seconds} s (log: $log)" >&2
  start=$(date +%s)
  # libFuzzer takes the last of repeated flags: this -max_total_time overrides the annotation's
  # maxDuration. jazzer.internal.arg.0 is argv[0].
  set +e
  JAZZER_FUZZ=1 mvn -B -o -pl "$modules" test -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
    -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time="$seconds" \
    -Djazzer.internal.arg.2=-print_final_stats=1 -Djazzer.hooks=true >"$log" 2>&1
  rc=$?
  set -e
  took=$(( $(date +%s) - start ))
  # || true: a target that failed before printing stats still gets its row (set -e would end the script)
  units=$(grep -a 'stat::number_of_executed_units' "$log" | tail -1 | awk '{print $2}' || true)
  if [ -z "$units" ]; then
    units=$(grep -a -E '^#[0-9]+' "$log" | tail -1 | sed -E 's/^#([0-9]+).*/\1/' || true)
  fi
  units=${units:-0}
  rate=$(grep -a 'stat::average_exec_per_sec' "$log" | tail -1 | awk '{print $2}' || true)
  crash=no
  if [ $rc -ne 0 ] || grep -a -q -E '== Java Exception|ERROR: libFuzzer|Test unit written to|BUILD FAILURE' "$log"; then
    crash=YES
    failed=1
  fi
  rows+=("$(printf '%-44s %12s %6s %9s  %s' "$test" "$units" "$seconds" "${rate:-?}" "$crash")")
done
printf '\n%-44s %12s %6s %9s  %s\n' "target" "inputs" "s" "inputs/s" "crash"
printf '%s\n' "${rows[@]}"
echo "logs: $out"
exit $failed
