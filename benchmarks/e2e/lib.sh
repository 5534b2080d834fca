# Sourced by the scripts of benchmarks/e2e: what several of them need. Not a benchmark itself.

# The median of the numbers on standard input, one a line; "n/a" if there are none.
median() {
  sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "n/a"; else if (NR%2) print a[(NR+1)/2];
    else print (a[NR/2]+a[NR/2+1])/2}'
}

# The round-trip times (ms) in ping's output on standard input, one a line (emu's ping and
# iputils' both print "time=X ms").
rtts() { sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p'; }

# Stops every lab of $EMU_STATE_DIR with $emu, quietly: for a script's exit trap, so that one
# stopped midway leaves no node running.
down_all_labs() {
  local f
  for f in "$EMU_STATE_DIR"/labs/*/; do
    [ -d "$f" ] && "$emu" down "$(basename "$f")" >/dev/null 2>&1 || true
  done
}

# Makes $work, a scratch folder for the script with its own emu state ($EMU_STATE_DIR, so no lab
# of the user's is touched), whose labs are stopped and which is removed when the script exits.
# For scripts with nothing else to clean up. Usage: bench_work NAME
bench_work() {
  work=$(mktemp -d "/tmp/emu-bench-$1.XXXXXX")
  export EMU_STATE_DIR="$work/state"
  trap 'down_all_labs; rm -rf "$work"' EXIT
}
