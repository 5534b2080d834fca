#!/usr/bin/env bash
# Node JVMs on JDK 25 with an AOT cache holding method profiles (JEP 483, 514, 515), against the
# default (issue 21, "warm before ready"). emu does not make such caches (these figures are why;
# BENCHMARKS.md, "Which JVM nodes run on"), so this script makes one by hand:
#  1. a scratch JDK folder whose bin/java wraps JDK 25's: with AOT_OPTS set it drops emu's own
#     class-archive options (a JVM refuses -XX:AOTConfiguration or -XX:AOTCache beside
#     -XX:SharedArchiveFile and -Xshare) and puts AOT_OPTS first; EMU_JAVA names that folder;
#  2. training: the seed lab (configs/corporate.yml) with all its nodes in one JVM
#     (EMU_NODES_PER_JVM=64), the full warm-up before READY, 3,000 pings client -> payroll 1 ms
#     apart and an https-get, recorded with -XX:AOTMode=record; then -XX:AOTMode=create makes the
#     cache (class path: emu.jar, as nodes run);
#  3. ROUNDS rounds of fresh seed labs, a JVM per node (the default), warm-up off (the default),
#     variants interleaved lab by lab:
#       A   JDK 17 with emu's class archive (the default)
#       B   JDK 25 with the AOT cache
#       B2  JDK 25 with the same cache, its profiles not replayed (-XX:-AOTReplayTraining)
#       C   JDK 25 with emu's class archive (EMU_JAVA=newest)
#     each: once no address of client, r1 and payroll is tentative, the median PSS of the node
#     JVMs, `ping -c 100 -i 0.01 payroll` from client (first ping, p50), 5,000 pings 1 ms apart,
#     then the p50 of 200 more (warm).
# Needs no root. Usage: benchmarks/e2e/jdk25-aot-cache.sh [ROUNDS=2] [JDK25=/usr/lib/jvm/temurin-25-jdk-amd64]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
rounds=${1:-2}
jdk25=${2:-/usr/lib/jvm/temurin-25-jdk-amd64}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
emu="$here/emu"
jar="$here/emulator-control/target/emu.jar"
[ -x "$jdk25/bin/java" ] || { echo "no JDK at $jdk25 (give its folder as the second argument)" >&2; exit 2; }
[ -f "$jar" ] || (cd "$here" && mvn -B -q -DskipTests package)
bench_work aot

# 1. the wrapper
mkdir -p "$work/jdk/bin"
cp "$jdk25/release" "$work/jdk/"
for d in lib conf legal; do [ -e "$jdk25/$d" ] && ln -s "$jdk25/$d" "$work/jdk/$d"; done
cat > "$work/jdk/bin/java" <<EOF
#!/usr/bin/env bash
real="$jdk25/bin/java"
if [ -z "\${AOT_OPTS:-}" ] || [[ " \$* " == *" -Xshare:dump "* ]]; then exec "\$real" "\$@"; fi
args=()
for a in "\$@"; do case "\$a" in -XX:SharedArchiveFile=*|-Xshare:*) ;; *) args+=("\$a") ;; esac; done
exec "\$real" \$AOT_OPTS "\${args[@]}"
EOF
chmod +x "$work/jdk/bin/java"

# 2. training, then the cache
conf="$work/nodes.aotconf"
cache="$work/nodes.aot"
(
  export EMU_JAVA="$work/jdk" EMU_NODES_PER_JVM=64 EMU_NODE_WARMUP=full
  export AOT_OPTS="-XX:AOTMode=record -XX:AOTConfiguration=$conf"
  "$emu" up "$here/configs/corporate.yml" --out "$work/train" >/dev/null
  sleep 3
  "$emu" exec client -- ping -q -c 3000 -i 0.001 payroll >/dev/null
  "$emu" exec client -- https-get https://payroll.corp.com/ >/dev/null
  "$emu" down >/dev/null
)
"$jdk25/bin/java" -XX:AOTMode=create -XX:AOTConfiguration="$conf" -XX:AOTCache="$cache" -XX:+UseSerialGC \
  -cp "$jar" >"$work/create.log" 2>&1 || { cat "$work/create.log" >&2; exit 1; }
echo "AOT cache: $(du -m "$cache" | cut -f1) MB, made from $(du -m "$conf" | cut -f1) MB of training"

# 3. side by side
printf '%-3s %10s %13s %9s %9s\n' "" "first ms" "first100 p50" "warm p50" "PSS MB"
for r in $(seq "$rounds"); do
  for v in A B B2 C; do
    unset EMU_JAVA AOT_OPTS
    case $v in
      B) export EMU_JAVA="$work/jdk" AOT_OPTS="-XX:AOTMode=on -XX:AOTCache=$cache" ;;
      B2) export EMU_JAVA="$work/jdk"
          AOT_OPTS="-XX:+UnlockDiagnosticVMOptions -XX:-AOTReplayTraining -XX:AOTMode=on -XX:AOTCache=$cache"
          export AOT_OPTS ;;
      C) export EMU_JAVA=newest ;;
    esac
    "$emu" up "$here/configs/corporate.yml" --out "$work/out" >/dev/null
    for n in client r1 payroll; do
      for _ in $(seq 1 50); do "$emu" exec $n -- ip addr | grep -q tentative || break; sleep 0.1; done
    done
    pss=$(for p in $(pgrep -f "emu.node.NodeMain.*$EMU_STATE_DIR"); do
      awk '/^Pss:/ {print $2 / 1024}' "/proc/$p/smaps_rollup"; done | median)
    "$emu" exec client -- ping -c 100 -i 0.01 payroll | rtts >"$work/first"
    "$emu" exec client -- ping -q -c 5000 -i 0.001 payroll >/dev/null
    "$emu" exec client -- ping -c 200 -i 0.01 payroll | rtts >"$work/warm"
    printf '%-3s %10s %13s %9s %9.1f\n' $v "$(head -1 "$work/first")" "$(median <"$work/first")" \
      "$(median <"$work/warm")" "$pss"
    "$emu" down >/dev/null
  done
done
