#!/usr/bin/env bash
# Writes emulator-control/src/main/resources/emu/control/process/cli-classes.txt: the classes the
# command line's JVM loads, from which emu makes the CLI's class-data archive (CliClassArchive).
# Runs the seed scenario and the everyday commands around a lab (validate, up, status, exec,
# stats, graph, down), each JVM dumping what it loads (-XX:DumpLoadedClassList), and merges the
# lists. Run it again when the control plane's code changes much: a class the list misses still
# loads, only from the jar instead of the archive.
# Usage: emulator-control/cli-classlist.sh   (after a build: mvn -q -DskipTests package)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$here/emulator-control/target/emu.jar"
work=$(mktemp -d /tmp/emu-cli-classlist.XXXXXX)
export EMU_STATE_DIR="$work/state"
trap '"$here/emu" down corporate >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
n=0
cli() { # as ./emu runs the CLI, without the archive (every class listed, not only those missing from it)
  n=$((n + 1))
  java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -XX:DumpLoadedClassList="$work/$n.classes" \
    -Demu.home="$here" -jar "$jar" "$@"
}
seed="$here/configs/corporate.yml"
cli validate "$seed" >/dev/null
cli run "$seed" --out "$work/run" >/dev/null
cli up "$seed" --out "$work/up" >/dev/null
cli status >/dev/null
cli status --json >/dev/null
cli exec client -- ping -c 2 -i 0.2 payroll.corp.com >/dev/null
cli stats >/dev/null
cli graph "$seed" >/dev/null
cli down corporate >/dev/null
"$here/emulator-control/merge-classlists.py" "$work" \
  "$here/emulator-control/src/main/resources/emu/control/process/cli-classes.txt"
