#!/usr/bin/env python3
"""Writes a tree lab of exactly N nodes as topology YAML, for `emu k8s render` at scale
(benchmarks/e2e/k8s-render.sh): a core router, E = round(sqrt(N)) edge routers each with its own
switch, and the remaining N - 1 - 2E hosts spread over the edges' LANs. Addresses: core-edge
links 10.255.x.y/30, edge LAN i is 10.i.0.0/16 (edge .0.1). The Java twin of this generator is
emu.control.k8s.TreeLab in the tests.

usage: k8s-tree-lab.py N [NAME]
"""
import math
import sys


def main():
    n = int(sys.argv[1])
    name = sys.argv[2] if len(sys.argv) > 2 else "tree%d" % n
    edges = max(1, round(math.sqrt(n)))
    hosts = n - 1 - 2 * edges
    if hosts < 0 or edges > 250:
        sys.exit("k8s-tree-lab.py: N must be between 4 and about 62,000")
    out = ["name: " + name, "topology:", "  nodes:", "    core:", "      kind: router", "      interfaces:"]
    for e in range(edges):
        out.append("        eth%d: {address: %s/30}" % (e, link(e, 1)))
    out.append("      routes:")
    for e in range(edges):
        out.append("        - {to: 10.%d.0.0/16, via: %s}" % (e + 1, link(e, 2)))
    for e in range(edges):
        out.append("    e%d: {kind: router, interfaces: {eth0: {address: %s/30}, eth1: {address: 10.%d.0.1/16}},"
                   " gateway: %s}" % (e + 1, link(e, 2), e + 1, link(e, 1)))
        out.append("    s%d: {kind: switch}" % (e + 1))
    ports = [0] * edges
    for h in range(hosts):
        e = h % edges
        a = ports[e] + 2
        ports[e] += 1
        out.append("    h%d: {kind: host, interfaces: {eth0: {address: 10.%d.%d.%d/16}}, gateway: 10.%d.0.1}"
                   % (h + 1, e + 1, a >> 8, a & 255, e + 1))
    out.append("  links:")
    for e in range(edges):
        out.append('    - endpoints: ["core:eth%d", "e%d:eth0"]' % (e, e + 1))
        out.append('    - endpoints: ["e%d:eth1", "s%d:p0"]' % (e + 1, e + 1))
    ports = [0] * edges
    for h in range(hosts):
        e = h % edges
        ports[e] += 1
        out.append('    - endpoints: ["h%d:eth0", "s%d:p%d"]' % (h + 1, e + 1, ports[e]))
    print("\n".join(out))


def link(e, end):
    """The core-edge link e's address at end 1 (core) or 2 (edge), in 10.255.0.0/16 by /30."""
    base = e * 4
    return "10.255.%d.%d" % (base >> 8, (base & 255) + end)


if __name__ == "__main__":
    main()
