#!/usr/bin/env python3
"""Writes a tree lab of about N nodes as topology YAML (the project's format) on stdout.

  core ── e1 ── s1 ── h1-1, h1-2, ...
       ├─ e2 ── s2 ── h2-1, ...
       └─ ...

A core router, E edge routers (one /24 link each to the core, 10.254.I.0/24), one switch per
edge router and the hosts on the switches (edge I's LAN is 10.I.0.0/24, its router 10.I.0.1).
The core routes each LAN through its edge router; the edge routers' default route is the core.
E is about N / 7 (141 nodes: 20 edge routers, 20 switches, 100 hosts, the shape issue 21
measured); the hosts are shared out so that the total is exactly N.
Usage: scale-lab.py N [NAME]   (N >= 5)
       scale-lab.py --ends N     prints the two ends of the ping across the lab: the first host of
                                 the first edge, the last host of the last edge and its address
"""
import sys


def tree(n, name):
    if n < 5:
        raise SystemExit("scale-lab: N must be at least 5 (core, one edge router, its switch, a host)")
    edges = max(1, round((n - 1) / 7))
    if edges > 250:
        raise SystemExit("scale-lab: at most 250 edge routers (N up to about 1,750)")
    hosts = n - 1 - 2 * edges
    per = [hosts // edges + (1 if i < hosts % edges else 0) for i in range(edges)]
    out = [f"name: {name}", "topology:", "  defaults: {kind: host}", "  nodes:", "    core:",
           "      kind: router", "      interfaces:"]
    for i in range(1, edges + 1):
        out.append(f"        eth{i - 1}: {{address: 10.254.{i}.1/24}}")
    out.append("      routes:")
    for i in range(1, edges + 1):
        out.append(f"        - {{to: 10.{i}.0.0/24, via: 10.254.{i}.2}}")
    for i in range(1, edges + 1):
        out += [f"    e{i}:", "      kind: router",
                f"      interfaces: {{eth0: {{address: 10.254.{i}.2/24}}, eth1: {{address: 10.{i}.0.1/24}}}}",
                f"      routes: [{{to: 0.0.0.0/0, via: 10.254.{i}.1}}]",
                f"    s{i}: {{kind: switch}}"]
        for j in range(1, per[i - 1] + 1):
            out.append(f"    h{i}-{j}: {{interfaces: {{eth0: {{address: 10.{i}.0.{9 + j}/24}}}}, "
                       f"gateway: 10.{i}.0.1}}")
    out.append("  links:")
    for i in range(1, edges + 1):
        out.append(f"    - endpoints: [\"core:eth{i - 1}\", \"e{i}:eth0\"]")
        out.append(f"    - endpoints: [\"e{i}:eth1\", \"s{i}:p0\"]")
        for j in range(1, per[i - 1] + 1):
            out.append(f"    - endpoints: [\"h{i}-{j}:eth0\", \"s{i}:p{j}\"]")
    return "\n".join(out) + "\n", "h1-1", f"h{edges}-{per[-1]}", f"10.{edges}.0.{9 + per[-1]}"


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--ends":
        print(*tree(int(sys.argv[2]), "ends")[1:])
        raise SystemExit(0)
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__)
    yaml, first, last, addr = tree(int(sys.argv[1]), sys.argv[2] if len(sys.argv) == 3 else f"tree{sys.argv[1]}")
    sys.stdout.write(yaml)
