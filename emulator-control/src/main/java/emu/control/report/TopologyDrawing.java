package emu.control.report;

import static emu.control.report.Html.esc;

import emu.control.report.TopologyLayout.Layout;
import emu.control.report.TopologyLayout.Placed;
import emu.control.report.TopologyLayout.Route;
import emu.control.report.TopologyLayout.Text;
import emu.control.topology.NodeSpec;
import emu.control.topology.Topology;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The topology as an SVG drawing: nodes (by kind, with their addressed interfaces), links (with
 * interface names at each end and impairments in the middle), laid out by {@link TopologyLayout}
 * (ELK's layered algorithm; a switch's many leaf hosts collapse into one glyph).
 *
 * <p>The markup is a contract that the live console scripts against: a node is
 * {@code <g class="node KIND" id="topo-NAME" data-node="NAME">}, collapsed hosts are
 * {@code <g class="node hosts" data-node="SWITCH/hosts">}, a link is
 * {@code <g class="link" data-a="NODE:IF" data-b="NODE:IF">} holding one {@code <path>}.
 */
public final class TopologyDrawing {
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
    Layout layout = TopologyLayout.of(topo);
    double width = Math.ceil(layout.width());
    double height = Math.ceil(layout.height());
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"topology\" "
        + "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\" aria-label=\"topology of lab %s\">%n",
        width, height, width, height, esc(topo.name())));
    sb.append("<style>").append(STYLE).append("</style>\n");
    for (Route r : layout.routes()) {
      link(sb, r);
    }
    for (Placed b : layout.boxes().values()) {
      if (b.node() == null) {
        glyph(sb, b, states);
      } else {
        node(sb, b, states.getOrDefault(b.node().name(), "running"));
      }
    }
    sb.append("</svg>\n");
    return sb.toString();
  }

  static final String STYLE = ".topology text{font:12px sans-serif;fill:#111}"
      + ".topology .addr{font:11px monospace}.topology .kind{font-size:10px;fill:#555}"
      + ".topology .ifn{font:10px monospace;fill:#333;paint-order:stroke;stroke:#fff;stroke-width:3px}"
      + ".topology .imp{font:10px sans-serif;fill:#b91c1c;paint-order:stroke;stroke:#fff;stroke-width:3px}"
      + ".topology path{fill:none;stroke:#64748b;stroke-width:2}"
      + ".topology .hosts rect{fill:#dbeafe;stroke:#2563eb}"
      + ".topology .host rect{fill:#dbeafe;stroke:#2563eb}.topology .router rect{fill:#fef3c7;stroke:#b45309}"
      + ".topology .switch rect{fill:#dcfce7;stroke:#15803d}.topology .linux rect{fill:#ede9fe;stroke:#6d28d9}"
      + ".topology .external rect{fill:#f1f5f9;stroke:#475569;stroke-dasharray:5 3}"
      + ".topology .down rect{stroke:#dc2626;stroke-dasharray:6 3;stroke-width:3}.topology .state{fill:#dc2626}"
      + ".topology rect{stroke-width:2}";

  private static void node(StringBuilder sb, Placed b, String state) {
    NodeSpec n = b.node();
    boolean down = !"running".equals(state);
    sb.append("<g class=\"node ").append(esc(n.kind())).append(down ? " down" : "").append("\" id=\"topo-")
        .append(esc(n.name())).append("\" data-node=\"").append(esc(n.name())).append("\">");
    double radius = n.isRouter() ? 18 : n.isSwitch() ? 3 : 8;
    sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"%.0f\"/>",
        b.x(), b.y(), b.w(), b.h(), radius));
    sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\"><tspan "
        + "font-weight=\"bold\">%s</tspan> <tspan class=\"kind\">%s</tspan></text>", b.cx(), b.y() + 17,
        esc(n.name()), esc(n.kind())));
    double ty = b.y() + 17;
    if (down) {
      sb.append(String.format(Locale.ROOT, "<text class=\"state\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
          + "%s</text>", b.cx(), b.y() - 5, esc(state)));
    }
    for (String line : TopologyLayout.addressLines(n)) {
      ty += TopologyLayout.LINE;
      sb.append(String.format(Locale.ROOT, "<text class=\"addr\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s"
          + "</text>", b.cx(), ty, esc(line)));
    }
    sb.append("<title>").append(esc(n.name() + " (" + n.kind() + ")")).append("</title></g>\n");
  }

  /** Collapsed leaf hosts: one box with their count; their names and addresses in its tooltip. */
  private static void glyph(StringBuilder sb, Placed g, Map<String, String> states) {
    List<String> down = g.members().stream().map(NodeSpec::name)
        .filter(m -> !"running".equals(states.getOrDefault(m, "running"))).toList();
    sb.append("<g class=\"node hosts").append(down.isEmpty() ? "" : " down").append("\" id=\"topo-")
        .append(esc(g.id())).append("\" data-node=\"").append(esc(g.id())).append("\" data-members=\"")
        .append(esc(String.join(" ", g.members().stream().map(NodeSpec::name).toList()))).append("\">");
    // Two offset frames behind the front one: a stack of boxes.
    for (int i = 2; i >= 0; i--) {
      sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"8\"/>",
          g.x() + 3 * i, g.y() + 3 * (2 - i), g.w() - 6, g.h() - 6));
    }
    sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\"><tspan "
        + "font-weight=\"bold\">%d hosts</tspan></text>", g.cx(), g.y() + 24, g.members().size()));
    if (!g.impaired().isEmpty()) { // impairments shown as on any link: in red, the words in the tooltip
      sb.append(String.format(Locale.ROOT, "<text class=\"imp\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
          + "%d impaired</text>", g.cx(), g.y() + 38, g.impaired().size()));
    }
    if (!down.isEmpty()) {
      sb.append(String.format(Locale.ROOT, "<text class=\"state\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
          + "%d not running</text>", g.cx(), g.y() - 5, down.size()));
    }
    StringBuilder title = new StringBuilder(g.members().size() + " hosts on " + g.id().replace("/hosts", ""));
    for (NodeSpec m : g.members()) {
      title.append('\n').append(m.name());
      TopologyLayout.addressLines(m).forEach(a -> title.append(' ').append(a));
      String st = states.getOrDefault(m.name(), "running");
      if (!"running".equals(st)) {
        title.append(" (").append(st).append(')');
      }
    }
    g.impaired().forEach(i -> title.append('\n').append(i));
    sb.append("<title>").append(esc(title.toString())).append("</title></g>\n");
  }

  private static void link(StringBuilder sb, Route r) {
    if (r.link() == null) {
      sb.append("<g class=\"wire\" data-node=\"").append(esc(r.glyph())).append("\">");
    } else {
      sb.append("<g class=\"link\" data-a=\"").append(esc(r.link().a().toString())).append("\" data-b=\"")
          .append(esc(r.link().b().toString())).append("\">");
    }
    StringBuilder d = new StringBuilder();
    for (double[] p : r.points()) {
      d.append(d.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", p[0], p[1]));
    }
    sb.append("<path d=\"").append(d).append("\"/>");
    for (Text t : r.texts()) {
      sb.append(String.format(Locale.ROOT, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\"%s>%s</text>", t.cls(), t.x(),
          t.y(), "", esc(t.text())));
    }
    if (r.link() != null) {
      sb.append("<title>").append(esc(r.link().a() + " -- " + r.link().b())).append("</title>");
    }
    sb.append("</g>\n");
  }
}
