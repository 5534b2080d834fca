package emu.control.k8s;

/**
 * A tree lab's topology text: a core router, {@code edges} edge routers each with its own switch
 * and {@code hostsPerEdge} hosts on that switch; core-edge links 10.255.x.y/30, edge LAN i is
 * 10.i.0.0/16 (edge .0.1). Nodes: 1 + edges x (2 + hostsPerEdge). Every node but the core has the
 * same shape whatever the number of edges, so that what a node's objects cost can be compared
 * across lab sizes. benchmarks/e2e/k8s-tree-lab.py writes labs of this kind (N nodes exactly, hosts
 * spread evenly) for the benchmark. Public: the topology drawing tests lay out the same labs.
 */
public final class TreeLab {
  private TreeLab() {}

  public static String yaml(String name, int edges, int hostsPerEdge) {
    if (edges < 1 || edges > 250) {
      throw new IllegalArgumentException("1 to 250 edges");
    }
    StringBuilder b = new StringBuilder("name: ").append(name).append("\ntopology:\n  nodes:\n");
    b.append("    core:\n      kind: router\n      interfaces:\n");
    for (int e = 0; e < edges; e++) {
      b.append("        eth").append(e).append(": {address: ").append(link(e, 1)).append("/30}\n");
    }
    b.append("      routes:\n");
    for (int e = 0; e < edges; e++) {
      b.append("        - {to: 10.").append(e + 1).append(".0.0/16, via: ").append(link(e, 2)).append("}\n");
    }
    StringBuilder links = new StringBuilder("  links:\n");
    int host = 0;
    for (int e = 1; e <= edges; e++) {
      b.append("    e").append(e).append(": {kind: router, interfaces: {eth0: {address: ").append(link(e - 1, 2))
          .append("/30}, eth1: {address: 10.").append(e).append(".0.1/16}}, gateway: ").append(link(e - 1, 1))
          .append("}\n");
      b.append("    s").append(e).append(": {kind: switch}\n");
      links.append("    - endpoints: [\"core:eth").append(e - 1).append("\", \"e").append(e).append(":eth0\"]\n");
      links.append("    - endpoints: [\"e").append(e).append(":eth1\", \"s").append(e).append(":p0\"]\n");
      for (int h = 1; h <= hostsPerEdge; h++) {
        host++;
        int a = h + 1;
        b.append("    h").append(host).append(": {kind: host, interfaces: {eth0: {address: 10.").append(e).append('.')
            .append(a >> 8).append('.').append(a & 255).append("/16}}, gateway: 10.").append(e).append(".0.1}\n");
        links.append("    - endpoints: [\"h").append(host).append(":eth0\", \"s").append(e).append(":p").append(h)
            .append("\"]\n");
      }
    }
    return b.append(links).toString();
  }

  /** The core-edge link e's address at end 1 (core) or 2 (edge). */
  private static String link(int e, int end) {
    int base = e * 4;
    return "10.255." + (base >> 8) + "." + ((base & 255) + end);
  }
}
