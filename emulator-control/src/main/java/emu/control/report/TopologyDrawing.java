package emu.control.report;

import static emu.control.report.Html.esc;

import emu.control.topology.IfaceSpec;
import emu.control.topology.LinkSpec;
import emu.control.topology.NodeSpec;
import emu.control.topology.Topology;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The topology as an SVG drawing: nodes (by kind, with their addressed interfaces), links (with
 * interface names at each end and impairments in the middle). The layout is layered by graph
 * distance from the first node of the file, left to right, so the same file always gives the
 * same picture.
 */
public final class TopologyDrawing {
  private static final int LAYER_GAP = 270;
  private static final int BOX_W = 180;
  private static final int ROW_GAP = 40;
  private static final int MARGIN = 30;
  private static final int LINE = 14;

  /** Where a node is drawn: its centre and box size. */
  record Box(NodeSpec node, int layer, double cx, double cy, double w, double h) {}

  private TopologyDrawing() {}

  /** The drawing, with every node shown as running. */
  public static String svg(Topology topo) {
    return svg(topo, Map.of());
  }

  /**
   * The drawing; a node whose entry in {@code states} is not "running" is drawn with a red
   * dashed border and its state.
   */
  public static String svg(Topology topo, Map<String, String> states) {
    Map<String, Box> boxes = layout(topo);
    double width = boxes.values().stream().mapToDouble(b -> b.cx() + b.w() / 2).max().orElse(0) + MARGIN;
    double height = boxes.values().stream().mapToDouble(b -> b.cy() + b.h() / 2).max().orElse(0) + MARGIN;
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"topology\" "
        + "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\" aria-label=\"topology of lab %s\">%n",
        width, height, width, height, esc(topo.name())));
    sb.append("<style>").append(STYLE).append("</style>\n");
    for (LinkSpec l : topo.links()) {
      link(sb, l, boxes);
    }
    for (Box b : boxes.values()) {
      node(sb, b, states.getOrDefault(b.node().name(), "running"));
    }
    sb.append("</svg>\n");
    return sb.toString();
  }

  static final String STYLE = ".topology text{font:12px sans-serif;fill:#111}"
      + ".topology .addr{font:11px monospace}.topology .kind{font-size:10px;fill:#555}"
      + ".topology .ifn{font:10px monospace;fill:#333;paint-order:stroke;stroke:#fff;stroke-width:3px}"
      + ".topology .imp{font:10px sans-serif;fill:#b91c1c;paint-order:stroke;stroke:#fff;stroke-width:3px}"
      + ".topology line{stroke:#64748b;stroke-width:2}"
      + ".topology .host rect{fill:#dbeafe;stroke:#2563eb}.topology .router rect{fill:#fef3c7;stroke:#b45309}"
      + ".topology .switch rect{fill:#dcfce7;stroke:#15803d}.topology .linux rect{fill:#ede9fe;stroke:#6d28d9}"
      + ".topology .external rect{fill:#f1f5f9;stroke:#475569;stroke-dasharray:5 3}"
      + ".topology .down rect{stroke:#dc2626;stroke-dasharray:6 3;stroke-width:3}.topology .state{fill:#dc2626}"
      + ".topology rect{stroke-width:2}";

  /** Layers by distance (breadth first from the first node of each connected part, in file order). */
  static Map<String, Box> layout(Topology topo) {
    Map<String, List<String>> adj = new LinkedHashMap<>();
    Map<String, Integer> fileOrder = new HashMap<>();
    for (NodeSpec n : topo.nodes()) {
      adj.put(n.name(), new ArrayList<>());
      fileOrder.put(n.name(), fileOrder.size());
    }
    for (LinkSpec l : topo.links()) {
      if (adj.containsKey(l.a().node()) && adj.containsKey(l.b().node())) {
        adj.get(l.a().node()).add(l.b().node());
        adj.get(l.b().node()).add(l.a().node());
      }
    }
    Map<String, Integer> layer = new LinkedHashMap<>();
    int base = 0;
    for (NodeSpec start : topo.nodes()) {
      if (layer.containsKey(start.name())) {
        continue;
      }
      ArrayDeque<String> queue = new ArrayDeque<>(List.of(start.name()));
      layer.put(start.name(), base);
      int deepest = base;
      while (!queue.isEmpty()) {
        String n = queue.poll();
        for (String m : adj.get(n)) {
          if (!layer.containsKey(m)) {
            layer.put(m, layer.get(n) + 1);
            deepest = Math.max(deepest, layer.get(m));
            queue.add(m);
          }
        }
      }
      base = deepest + 1; // another connected part starts to the right
    }
    int layers = base;
    List<List<NodeSpec>> columns = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      columns.add(new ArrayList<>());
    }
    topo.nodes().forEach(n -> columns.get(layer.get(n.name())).add(n));
    // Within a layer: by the mean position of neighbours in the layer before (fewer crossings), then file order.
    Map<String, Integer> position = new HashMap<>();
    for (int i = 0; i < layers; i++) {
      List<NodeSpec> col = columns.get(i);
      int prev = i - 1;
      Map<String, Double> key = new HashMap<>();
      for (NodeSpec n : col) {
        double sum = 0;
        int count = 0;
        for (String m : adj.get(n.name())) {
          if (layer.get(m) == prev) {
            sum += position.get(m);
            count++;
          }
        }
        key.put(n.name(), count == 0 ? Double.MAX_VALUE : sum / count);
      }
      col.sort(Comparator.comparingDouble((NodeSpec n) -> key.get(n.name()))
          .thenComparingInt(n -> fileOrder.get(n.name())));
      for (int j = 0; j < col.size(); j++) {
        position.put(col.get(j).name(), j);
      }
    }
    double rowHeight = topo.nodes().stream().mapToDouble(TopologyDrawing::height).max().orElse(40) + ROW_GAP;
    int tallest = columns.stream().mapToInt(List::size).max().orElse(1);
    Map<String, Box> boxes = new LinkedHashMap<>();
    for (int i = 0; i < layers; i++) {
      List<NodeSpec> col = columns.get(i);
      double top = MARGIN + (tallest - col.size()) * rowHeight / 2;
      for (int j = 0; j < col.size(); j++) {
        NodeSpec n = col.get(j);
        boxes.put(n.name(), new Box(n, i, MARGIN + BOX_W / 2.0 + i * LAYER_GAP, top + rowHeight * j + rowHeight / 2,
            BOX_W, height(n)));
      }
    }
    return boxes;
  }

  private static double height(NodeSpec n) {
    return 36 + LINE * addressLines(n).size();
  }

  /** Lines inside the box: addressed interfaces, or for a switch its port count. */
  private static List<String> addressLines(NodeSpec n) {
    List<String> lines = new ArrayList<>();
    for (IfaceSpec i : n.interfaces()) {
      if (i.address() != null) {
        lines.add(i.name() + " " + i.address());
      } else if (i.dhcpClient()) {
        lines.add(i.name() + " dhcp"); // the address comes with the lease, after the drawing
      }
    }
    if (lines.isEmpty() && !n.interfaces().isEmpty()) {
      lines.add(n.interfaces().size() + (n.interfaces().size() == 1 ? " port" : " ports"));
    }
    return lines;
  }

  private static void node(StringBuilder sb, Box b, String state) {
    NodeSpec n = b.node();
    boolean down = !"running".equals(state);
    sb.append("<g class=\"node ").append(esc(n.kind())).append(down ? " down" : "").append("\" id=\"topo-")
        .append(esc(n.name())).append("\" data-node=\"").append(esc(n.name())).append("\">");
    double x = b.cx() - b.w() / 2;
    double y = b.cy() - b.h() / 2;
    double radius = n.isRouter() ? 18 : n.isSwitch() ? 3 : 8;
    sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"%.0f\"/>",
        x, y, b.w(), b.h(), radius));
    sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\"><tspan "
        + "font-weight=\"bold\">%s</tspan> <tspan class=\"kind\">%s</tspan></text>", b.cx(), y + 17, esc(n.name()),
        esc(n.kind())));
    double ty = y + 17;
    if (down) {
      sb.append(String.format(Locale.ROOT, "<text class=\"state\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
          + "%s</text>", b.cx(), y - 5, esc(state)));
    }
    for (String line : addressLines(n)) {
      ty += LINE;
      sb.append(String.format(Locale.ROOT, "<text class=\"addr\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s"
          + "</text>", b.cx(), ty, esc(line)));
    }
    sb.append("<title>").append(esc(n.name() + " (" + n.kind() + ")")).append("</title></g>\n");
  }

  private static void link(StringBuilder sb, LinkSpec l, Map<String, Box> boxes) {
    Box a = boxes.get(l.a().node());
    Box b = boxes.get(l.b().node());
    if (a == null || b == null) {
      return;
    }
    sb.append(String.format(Locale.ROOT, "<g class=\"link\" data-a=\"%s\" data-b=\"%s\"><line x1=\"%.1f\" "
        + "y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", esc(l.a().toString()), esc(l.b().toString()), a.cx(), a.cy(),
        b.cx(), b.cy()));
    endLabel(sb, a, b, l.a().iface());
    endLabel(sb, b, a, l.b().iface());
    if (!l.impairments().isEmpty()) {
      StringBuilder words = new StringBuilder();
      l.impairments().forEach((k, v) -> words.append(words.length() == 0 ? "" : " ").append(k).append(' ').append(v));
      sb.append(String.format(Locale.ROOT, "<text class=\"imp\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s"
          + "</text>", (a.cx() + b.cx()) / 2, (a.cy() + b.cy()) / 2 - 4, esc(words)));
    }
    sb.append("<title>").append(esc(l.a() + " -- " + l.b())).append("</title></g>\n");
  }

  /** The interface name just outside {@code from}'s box, on the line towards {@code to}. */
  private static void endLabel(StringBuilder sb, Box from, Box to, String iface) {
    double dx = to.cx() - from.cx();
    double dy = to.cy() - from.cy();
    double len = Math.hypot(dx, dy);
    if (len == 0) {
      return;
    }
    double tx = dx == 0 ? Double.MAX_VALUE : (from.w() / 2) / Math.abs(dx);
    double ty = dy == 0 ? Double.MAX_VALUE : (from.h() / 2) / Math.abs(dy);
    double t = Math.min(tx, ty);
    double px = from.cx() + dx * t + dx / len * 16;
    double py = from.cy() + dy * t + dy / len * 12 + 4;
    sb.append(String.format(Locale.ROOT, "<text class=\"ifn\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>",
        px, py, esc(iface)));
  }
}
