package emu.control.report;

import emu.control.topology.LinkSpec;
import emu.control.topology.NodeSpec;
import emu.control.topology.Topology;

/**
 * The topology in Graphviz's DOT language ({@code emu graph --dot}), as Containerlab's graph
 * offers, so that users can feed their own tools (dot, neato, Gephi, yEd...): one node per lab
 * node with its {@code kind} (and a shape and label by kind), one undirected edge per link with the
 * interface names as {@code taillabel}/{@code headlabel} and the impairments as {@code label}.
 * Every node is written, leaf hosts included: collapsing is a choice of emu's own drawing.
 */
public final class TopologyDot {
  private TopologyDot() {}

  public static String dot(Topology topo) {
    StringBuilder sb = new StringBuilder();
    sb.append("graph ").append(id(topo.name())).append(" {\n");
    sb.append("  graph [rankdir=LR, overlap=false, splines=true];\n");
    sb.append("  node [fontname=\"sans-serif\", fontsize=11];\n");
    sb.append("  edge [fontname=\"monospace\", fontsize=9];\n");
    for (NodeSpec n : topo.nodes()) {
      StringBuilder label = new StringBuilder(n.name()).append('\n').append(n.kind());
      TopologyLayout.addressLines(n).forEach(a -> label.append('\n').append(a));
      sb.append("  ").append(id(n.name())).append(" [kind=").append(id(n.kind())).append(", shape=")
          .append(n.isRouter() ? "Mrecord" : n.isSwitch() ? "box3d" : "box").append(", label=")
          .append(id(label.toString())).append("];\n");
    }
    for (LinkSpec l : topo.links()) {
      sb.append("  ").append(id(l.a().node())).append(" -- ").append(id(l.b().node())).append(" [taillabel=")
          .append(id(l.a().iface())).append(", headlabel=").append(id(l.b().iface()));
      if (!l.impairments().isEmpty()) {
        sb.append(", label=").append(id(TopologyLayout.impairments(l)));
      }
      sb.append("];\n");
    }
    return sb.append("}\n").toString();
  }

  /** A DOT quoted string: backslashes and quotes escaped, line breaks as DOT's centred \n. */
  static String id(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\r", "").replace("\n", "\\n") + "\"";
  }
}
