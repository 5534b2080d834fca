#!/usr/bin/env bash
# Writes emulator-control/src/main/resources/emu/control/process/node-classes.txt: the classes node
# JVMs load, from which emu makes its class-data archive (NodeClassArchive). Runs the seed lab
# with every node dumping what it loads (-XX:DumpLoadedClassList), exercises each role (DNS,
# HTTPS, ping, inspection, metrics), and merges the lists. Run it again when the nodes' code
# changes much: a class the list misses still loads, only from the jar instead of the archive.
# Usage: emulator-control/node-classlist.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work=$(mktemp -d /tmp/emu-classlist.XXXXXX)
trap 'EMU_STATE_DIR="$work/state" "$here/emu" down corporate >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
export EMU_STATE_DIR="$work/state" EMU_NODE_CLASSLIST_DIR="$work/lists"
export EMU_NODE_JVM_OPTS="-Xshare:off" # list every class, not only those missing from an archive
mkdir -p "$EMU_NODE_CLASSLIST_DIR"
"$here/emu" up "$here/configs/corporate.yml" --out "$work/out" >/dev/null
"$here/emu" exec client -- https-get https://payroll.corp.com/ >/dev/null
"$here/emu" exec client -- ping -c 3 -i 0.2 payroll.corp.com >/dev/null
"$here/emu" exec client -- traceroute payroll.corp.com >/dev/null || true
for c in "ip route" "ip neigh" "ip addr" "ss -tan"; do "$here/emu" exec r1 -- $c >/dev/null; done
"$here/emu" exec sw1 -- bridge link >/dev/null
"$here/emu" stats >/dev/null
"$here/emu" down corporate >/dev/null
"$here/emulator-control/merge-classlists.py" "$EMU_NODE_CLASSLIST_DIR" \
  "$here/emulator-control/src/main/resources/emu/control/process/node-classes.txt"
