package emu.control.report;

import emu.control.topology.IfaceSpec;
import emu.control.topology.LinkSpec;
import emu.control.topology.NodeSpec;
import emu.control.topology.Topology;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.elk.alg.layered.options.LayeredMetaDataProvider;
import org.eclipse.elk.alg.layered.options.LayeredOptions;
import org.eclipse.elk.core.RecursiveGraphLayoutEngine;
import org.eclipse.elk.core.data.LayoutMetaDataService;
import org.eclipse.elk.core.math.ElkPadding;
import org.eclipse.elk.core.options.CoreOptions;
import org.eclipse.elk.core.options.Direction;
import org.eclipse.elk.core.options.EdgeLabelPlacement;
import org.eclipse.elk.core.options.EdgeRouting;
import org.eclipse.elk.core.options.PortConstraints;
import org.eclipse.elk.core.options.PortSide;
import org.eclipse.elk.core.util.BasicProgressMonitor;
import org.eclipse.elk.graph.ElkEdge;
import org.eclipse.elk.graph.ElkEdgeSection;
import org.eclipse.elk.graph.ElkLabel;
import org.eclipse.elk.graph.ElkNode;
import org.eclipse.elk.graph.ElkPort;
import org.eclipse.elk.graph.util.ElkGraphUtil;

/**
 * Where each part of the topology drawing goes, computed by Eclipse ELK's layered algorithm
 * (Sugiyama style: layers left to right, crossing minimisation, orthogonal edge routing between
 * the layers, so that no link runs behind a node that is not one of its ends).
 *
 * <p>Why ELK: it runs in-process (pure Java from Maven Central), so {@code emu graph} works on a
 * machine with only a JDK, where Graphviz would be one more binary to install; its layered
 * algorithm routes edges around nodes and places edge labels (interface names at the ends,
 * impairments in the middle) without overlaps. A force or stress layout (ELK has both) reads
 * better for a mesh, but draws straight edges that cross node boxes; the layered layout with
 * orthogonal routes is readable for trees, chains and rings alike, so it is the one used.
 *
 * <p>Hosts that hang off a switch (kind host, one link, to that switch) are not laid out one by
 * one: a switch and its leaf hosts form one block (the switch with its hosts in a row beneath it,
 * wired to a bus), and above {@link #COLLAPSE_OVER} leaf hosts the row becomes one glyph with a
 * count. That keeps a layer from growing one host per row: a 141-node tree lab is then 41 blocks
 * in three layers. The same topology always gives the same layout (ELK's layered algorithm is
 * deterministic for a given input order, and the input is in file order).
 */
final class TopologyLayout {
  /** A switch's leaf hosts beyond this many are drawn as one glyph with a count. */
  static final int COLLAPSE_OVER = 6;
  static final int BOX_W = 180;
  static final int LINE = 14;
  static final double GLYPH_H = 50;
  private static final double HOST_GAP = 16;
  /** From a switch's bottom to its bus, and from the bus to the hosts' tops. */
  private static final double BUS_DROP = 18;
  private static final double HOST_DROP = 30;
  private static final double MARGIN = 30;
  private static final double GLYPH_GAP = 40;

  static {
    LayoutMetaDataService.getInstance().registerLayoutMetaDataProviders(new LayeredMetaDataProvider());
  }

  /**
   * A box in the drawing: a node, or a glyph standing for {@code members} (collapsed leaf hosts),
   * with the impairments of their links in {@code impaired} ("h3:eth0 -- s1:p3 delay 20ms").
   */
  record Placed(String id, NodeSpec node, List<NodeSpec> members, List<String> impaired, double x, double y,
      double w, double h) {
    double cx() {
      return x + w / 2;
    }

    double cy() {
      return y + h / 2;
    }
  }

  /** A text drawn beside a link: an interface name at an end or the impairments in the middle. */
  record Text(String text, double x, double y, String cls) {}

  /** A link's route (a polyline) and its texts; {@code link} is null for a glyph's wire. */
  record Route(LinkSpec link, String glyph, List<double[]> points, List<Text> texts) {}

  /** The whole picture. */
  record Layout(Map<String, Placed> boxes, List<Route> routes, double width, double height) {}

  /** A switch with the hosts that hang off it only, drawn as one block. */
  private static final class Block {
    final NodeSpec sw;
    final List<NodeSpec> leaves = new ArrayList<>();
    final List<LinkSpec> leafLinks = new ArrayList<>();
    double width;
    double height;
    ElkPort west;
    ElkPort east;

    Block(NodeSpec sw) {
      this.sw = sw;
    }

    boolean collapsed() {
      return leaves.size() > COLLAPSE_OVER;
    }
  }

  private TopologyLayout() {}

  /**
   * The layout, left to right or top to bottom, whichever is nearer square: a chain reads best
   * down the page, a tree with a wide fan-out across it. Laying out twice costs little (under a
   * second or so for 1,000 nodes, see BENCHMARKS.md).
   */
  static Layout of(Topology topo) {
    Layout across = of(topo, Direction.RIGHT);
    Layout down = of(topo, Direction.DOWN);
    return skew(down) < skew(across) ? down : across;
  }

  private static double skew(Layout l) {
    return Math.max(l.width() / l.height(), l.height() / l.width());
  }

  static Layout of(Topology topo, Direction direction) {
    Map<String, NodeSpec> byName = new LinkedHashMap<>();
    topo.nodes().forEach(n -> byName.put(n.name(), n));
    Map<String, List<LinkSpec>> linksOf = new HashMap<>();
    List<LinkSpec> links = topo.links().stream()
        .filter(l -> byName.containsKey(l.a().node()) && byName.containsKey(l.b().node())).toList();
    for (LinkSpec l : links) {
      linksOf.computeIfAbsent(l.a().node(), k -> new ArrayList<>()).add(l);
      linksOf.computeIfAbsent(l.b().node(), k -> new ArrayList<>()).add(l);
    }
    Map<String, Block> blocks = new LinkedHashMap<>();
    Map<String, Block> leafOf = new HashMap<>();
    for (NodeSpec n : topo.nodes()) {
      List<LinkSpec> own = linksOf.getOrDefault(n.name(), List.of());
      if (n.isHost() && own.size() == 1) {
        LinkSpec l = own.get(0);
        NodeSpec other = byName.get(l.a().node().equals(n.name()) ? l.b().node() : l.a().node());
        if (other.isSwitch() && !other.name().equals(n.name())) {
          Block b = blocks.computeIfAbsent(other.name(), k -> new Block(other));
          b.leaves.add(n);
          b.leafLinks.add(l);
          leafOf.put(n.name(), b);
        }
      }
    }
    Map<String, Integer> rank = rank(topo, links);

    ElkNode graph = ElkGraphUtil.createGraph();
    graph.setProperty(CoreOptions.ALGORITHM, LayeredOptions.ALGORITHM_ID);
    graph.setProperty(CoreOptions.DIRECTION, direction);
    graph.setProperty(CoreOptions.EDGE_ROUTING, EdgeRouting.ORTHOGONAL);
    graph.setProperty(CoreOptions.PADDING, new ElkPadding(MARGIN));
    graph.setProperty(CoreOptions.SPACING_NODE_NODE, 24.0);
    graph.setProperty(LayeredOptions.SPACING_NODE_NODE_BETWEEN_LAYERS, 70.0);
    graph.setProperty(LayeredOptions.SPACING_EDGE_NODE_BETWEEN_LAYERS, 20.0);
    graph.setProperty(CoreOptions.SPACING_EDGE_NODE, 16.0);
    graph.setProperty(CoreOptions.SPACING_EDGE_EDGE, 12.0);
    graph.setProperty(CoreOptions.SPACING_EDGE_LABEL, 3.0);
    graph.setProperty(CoreOptions.SPACING_PORT_PORT, 16.0);
    graph.setProperty(CoreOptions.ASPECT_RATIO, 1.4); // how separate parts of the lab are packed
    Map<String, ElkNode> elk = new LinkedHashMap<>();
    for (NodeSpec n : topo.nodes()) {
      if (leafOf.containsKey(n.name())) {
        continue;
      }
      ElkNode e = ElkGraphUtil.createNode(graph);
      e.setIdentifier(n.name());
      Block b = blocks.get(n.name());
      if (b == null) {
        e.setDimensions(width(n), height(n));
      } else {
        size(b);
        e.setDimensions(b.width, b.height);
        // Links of the switch itself meet the block at the switch box (its top left), not beside a host.
        e.setProperty(CoreOptions.PORT_CONSTRAINTS, PortConstraints.FIXED_POS);
        // In at the switch's left (or top), out at its right, or below it when its glyph is to its right.
        b.west = direction == Direction.RIGHT ? port(e, PortSide.WEST, 0, height(n) / 2)
            : port(e, PortSide.NORTH, width(n) / 2, 0);
        b.east = b.collapsed() ? port(e, PortSide.SOUTH, width(n) / 2, b.height)
            : port(e, PortSide.EAST, b.width, height(n) / 2);
      }
      elk.put(n.name(), e);
    }
    Map<ElkEdge, LinkSpec> edges = new LinkedHashMap<>();
    for (LinkSpec l : links) {
      if (leafOf.containsKey(l.a().node()) || leafOf.containsKey(l.b().node())) {
        continue;
      }
      // Orient each link from the end nearer the start of the file's graph walk: ELK lays edges left to right.
      boolean forward = rank.get(l.a().node()) <= rank.get(l.b().node());
      LinkSpec.Endpoint from = forward ? l.a() : l.b();
      LinkSpec.Endpoint to = forward ? l.b() : l.a();
      Block fb = blocks.get(from.node());
      Block tb = blocks.get(to.node());
      ElkEdge edge = ElkGraphUtil.createSimpleEdge(fb != null ? fb.east : elk.get(from.node()),
          tb != null ? tb.west : elk.get(to.node()));
      label(edge, from.iface(), EdgeLabelPlacement.TAIL);
      label(edge, to.iface(), EdgeLabelPlacement.HEAD);
      if (!l.impairments().isEmpty()) {
        label(edge, impairments(l), EdgeLabelPlacement.CENTER);
      }
      edges.put(edge, l);
    }
    new RecursiveGraphLayoutEngine().layout(graph, new BasicProgressMonitor());

    Map<String, Placed> boxes = new LinkedHashMap<>();
    List<Route> routes = new ArrayList<>();
    for (NodeSpec n : topo.nodes()) {
      ElkNode e = elk.get(n.name());
      if (e == null) {
        continue;
      }
      Block b = blocks.get(n.name());
      boxes.put(n.name(), new Placed(n.name(), n, List.of(), List.of(), e.getX(), e.getY(), width(n), height(n)));
      if (b != null) {
        placeBlock(b, e, boxes, routes);
      }
    }
    for (Map.Entry<ElkEdge, LinkSpec> en : edges.entrySet()) {
      routes.add(route(en.getKey(), en.getValue(), boxes));
    }
    return new Layout(boxes, routes, graph.getWidth(), graph.getHeight());
  }

  /** Breadth first from the first node of each connected part, in file order: the links' direction. */
  private static Map<String, Integer> rank(Topology topo, List<LinkSpec> links) {
    Map<String, List<String>> adj = new LinkedHashMap<>();
    topo.nodes().forEach(n -> adj.put(n.name(), new ArrayList<>()));
    for (LinkSpec l : links) {
      adj.get(l.a().node()).add(l.b().node());
      adj.get(l.b().node()).add(l.a().node());
    }
    Map<String, Integer> rank = new HashMap<>();
    int next = 0;
    for (String start : adj.keySet()) {
      if (rank.containsKey(start)) {
        continue;
      }
      ArrayDeque<String> queue = new ArrayDeque<>(List.of(start));
      rank.put(start, next++);
      while (!queue.isEmpty()) {
        for (String m : adj.get(queue.poll())) {
          if (!rank.containsKey(m)) {
            rank.put(m, next++);
            queue.add(m);
          }
        }
      }
    }
    return rank;
  }

  private static ElkPort port(ElkNode node, PortSide side, double x, double y) {
    ElkPort p = ElkGraphUtil.createPort(node);
    p.setDimensions(0, 0);
    p.setLocation(x, y);
    p.setProperty(CoreOptions.PORT_SIDE, side);
    return p;
  }

  private static void label(ElkEdge edge, String text, EdgeLabelPlacement where) {
    ElkLabel label = ElkGraphUtil.createLabel(text, edge);
    // 10 px type: about 6.1 px a character in monospace, a little less in sans-serif.
    label.setDimensions(text.length() * (where == EdgeLabelPlacement.CENTER ? 5.6 : 6.1) + 4, 12);
    label.setProperty(CoreOptions.EDGE_LABELS_PLACEMENT, where);
  }

  static String impairments(LinkSpec l) {
    StringBuilder words = new StringBuilder();
    l.impairments().forEach((k, v) -> words.append(words.length() == 0 ? "" : " ").append(k).append(' ').append(v));
    return words.toString();
  }

  /**
   * A block: the switch at its top left, its hosts in a row beneath on a bus; or the glyph of its
   * collapsed hosts to its right, wired to its side (a glyph is one box: no need for a row).
   */
  private static void size(Block b) {
    if (b.collapsed()) {
      b.width = width(b.sw) + GLYPH_GAP + BOX_W;
      b.height = Math.max(height(b.sw), GLYPH_H);
      return;
    }
    double row = b.leaves.stream().mapToDouble(TopologyLayout::width).sum() + HOST_GAP * (b.leaves.size() - 1);
    double rowH = b.leaves.stream().mapToDouble(TopologyLayout::height).max().orElse(0);
    b.width = Math.max(width(b.sw), row);
    b.height = height(b.sw) + BUS_DROP + HOST_DROP + rowH;
  }

  private static void placeBlock(Block b, ElkNode e, Map<String, Placed> boxes, List<Route> routes) {
    Placed sw = boxes.get(b.sw.name());
    double busY = sw.y() + sw.h() + BUS_DROP;
    double top = busY + HOST_DROP;
    double trunkX = sw.cx();
    if (b.collapsed()) {
      String id = b.sw.name() + "/hosts";
      List<String> impaired = b.leafLinks.stream().filter(l -> !l.impairments().isEmpty())
          .map(l -> l.a() + " -- " + l.b() + " " + impairments(l)).toList();
      Placed g = new Placed(id, null, List.copyOf(b.leaves), impaired, sw.x() + sw.w() + GLYPH_GAP, sw.y(), BOX_W,
          GLYPH_H);
      boxes.put(id, g);
      double y = Math.min(sw.cy(), g.cy());
      List<double[]> pts = List.of(new double[] {sw.x() + sw.w(), y}, new double[] {g.x(), y});
      routes.add(new Route(null, id, dedupe(pts), List.of()));
      return;
    }
    double x = e.getX();
    for (int i = 0; i < b.leaves.size(); i++) {
      NodeSpec h = b.leaves.get(i);
      Placed p = new Placed(h.name(), h, List.of(), List.of(), x, top, width(h), height(h));
      boxes.put(h.name(), p);
      x += p.w() + HOST_GAP;
      LinkSpec l = b.leafLinks.get(i);
      LinkSpec.Endpoint hostEnd = l.a().node().equals(h.name()) ? l.a() : l.b();
      LinkSpec.Endpoint swEnd = hostEnd == l.a() ? l.b() : l.a();
      List<double[]> pts = List.of(new double[] {trunkX, sw.y() + sw.h()}, new double[] {trunkX, busY},
          new double[] {p.cx(), busY}, new double[] {p.cx(), top});
      List<Text> texts = new ArrayList<>();
      texts.add(new Text(swEnd.iface(), p.cx() + 4, busY + 11, "ifn"));
      texts.add(new Text(hostEnd.iface(), p.cx() + 4, top - 4, "ifn"));
      if (!l.impairments().isEmpty()) {
        texts.add(new Text(impairments(l), p.cx() + 4, busY - 4, "imp"));
      }
      routes.add(new Route(l, null, dedupe(pts), texts));
    }
  }

  /** The route without repeated points and without corners that are not corners (three in one line). */
  private static List<double[]> dedupe(List<double[]> pts) {
    List<double[]> out = new ArrayList<>();
    for (double[] p : pts) {
      int n = out.size();
      if (n > 0 && out.get(n - 1)[0] == p[0] && out.get(n - 1)[1] == p[1]) {
        continue;
      }
      if (n > 1 && (out.get(n - 2)[0] == p[0] && out.get(n - 1)[0] == p[0]
          || out.get(n - 2)[1] == p[1] && out.get(n - 1)[1] == p[1])) {
        out.set(n - 1, p);
        continue;
      }
      out.add(p);
    }
    return out;
  }

  /** An ELK edge's route, lengthened inside a block from the block's side to its switch's box. */
  private static Route route(ElkEdge edge, LinkSpec l, Map<String, Placed> boxes) {
    List<double[]> pts = new ArrayList<>();
    for (ElkEdgeSection s : edge.getSections()) {
      pts.add(new double[] {s.getStartX(), s.getStartY()});
      s.getBendPoints().forEach(bp -> pts.add(new double[] {bp.getX(), bp.getY()}));
      pts.add(new double[] {s.getEndX(), s.getEndY()});
    }
    if (edge.getSources().get(0) instanceof ElkPort p) {
      Placed sw = boxes.get(p.getParent().getIdentifier());
      double[] first = pts.get(0);
      pts.add(0, p.getProperty(CoreOptions.PORT_SIDE) == PortSide.SOUTH ? new double[] {first[0], sw.y() + sw.h()}
          : new double[] {sw.x() + sw.w(), first[1]});
    }
    if (edge.getTargets().get(0) instanceof ElkPort p && p.getProperty(CoreOptions.PORT_SIDE) == PortSide.WEST) {
      Placed sw = boxes.get(p.getParent().getIdentifier());
      pts.add(new double[] {sw.x(), pts.get(pts.size() - 1)[1]});
    }
    List<Text> texts = new ArrayList<>();
    for (ElkLabel label : edge.getLabels()) {
      boolean middle = label.getProperty(CoreOptions.EDGE_LABELS_PLACEMENT) == EdgeLabelPlacement.CENTER;
      texts.add(new Text(label.getText(), label.getX() + label.getWidth() / 2, label.getY() + label.getHeight() - 2,
          middle ? "imp" : "ifn"));
    }
    return new Route(l, null, dedupe(pts), texts);
  }

  static double width(NodeSpec n) {
    int longest = Math.max(n.name().length() + n.kind().length() + 1, 0);
    for (String line : addressLines(n)) {
      longest = Math.max(longest, line.length());
    }
    return Math.max(BOX_W, Math.ceil(longest * 6.8 + 20));
  }

  static double height(NodeSpec n) {
    return 36 + LINE * addressLines(n).size();
  }

  /** Lines inside the box: addressed interfaces, or for a switch its port count. */
  static List<String> addressLines(NodeSpec n) {
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
}
