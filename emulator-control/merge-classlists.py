#!/usr/bin/env python3
"""Merges the class lists JVMs wrote with -XX:DumpLoadedClassList into one list for
java -Xshare:dump (node-classlist.sh, cli-classlist.sh): comments, "source:" lines (classes of
other class loaders) and the per-JVM "id: N" numbers (which only tie classes of custom class
loaders together, and emu uses none) dropped, each line once, in first-seen order over the files
in natural order of their names (2.classes before 10.classes).
Usage: merge-classlists.py DIR OUT   (reads DIR/*.classes)"""
import glob
import re
import sys


def natural(path):
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", path)]


src, dst = sys.argv[1], sys.argv[2]
files = sorted(glob.glob(src + "/*.classes"), key=natural)
seen, out = set(), []
for f in files:
    for line in open(f):
        line = re.sub(r" id: \d+$", "", line.rstrip("\n"))
        if line and not line.startswith("#") and " source: " not in line and line not in seen:
            seen.add(line)
            out.append(line)
open(dst, "w").write("\n".join(out) + "\n")
print(f"{len(out)} lines from {len(files)} JVMs -> {dst}")
