package emu.control.report;

import static emu.control.report.Html.cut;
import static emu.control.report.Html.esc;

import emu.control.narrative.Story;
import emu.control.topology.IfaceSpec;
import emu.control.topology.LinkSpec;
import emu.control.topology.NodeSpec;
import emu.control.topology.Topology;
import emu.node.event.ArpEvent;
import emu.node.event.BridgeEvent;
import emu.node.event.EventCodec;
import emu.node.event.IpEvent;
import emu.node.event.Packet;
import emu.node.event.Stamped;
import emu.node.event.TraceEvent;
import emu.node.event.UdpEvent;
import emu.node.wire.OspfPacket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The ladder (sequence) diagram of a run: one lifeline per node, one arrow per frame a node sent
 * (drawn from the sender to the node that owns the destination MAC, across the switches, which
 * forward frames unchanged), in time order, each labelled with the step the sender narrated just
 * before (the DNS query, the ClientHello, the router's forwarding decision ...). A node's other
 * steps (routing decisions, TCP state changes, cache look-ups) are notes on its lifeline.
 *
 * <p>To stay readable it collapses runs of plain frames between the same two nodes (TCP ACKs,
 * bulk data) into one arrow marked with their number, and a router's periodic OSPF Hellos
 * likewise (see {@link #collapse}), and caps the arrows and notes it draws, dropping unlabelled
 * frames first; the omitted counts are shown.
 */
public final class Ladder {
  /** Default caps: enough for the seed's whole connection process. */
  public static final int MAX_ARROWS = 120;
  public static final int MAX_NOTES = 100;

  /** Bookkeeping events the arrows already show, or that only restate another event. */
  private static final Set<Class<? extends TraceEvent>> NOISE = Set.of(IpEvent.Received.class,
      IpEvent.Encapsulated.class, ArpEvent.NeighborChanged.class, ArpEvent.Heard.class, BridgeEvent.Forwarded.class,
      BridgeEvent.Flooded.class, BridgeEvent.Learned.class, UdpEvent.Delivered.class);
  /** Their types as written in events files, to skip their lines before parsing them. */
  private static final Set<String> NOISE_TYPES = NOISE.stream().map(EventCodec::typeOf)
      .collect(java.util.stream.Collectors.toUnmodifiableSet());
  /**
   * A label waits at most this long for its frame, else it becomes a note (the frame may wait for
   * ARP, and a cold node JVM can take seconds to answer).
   */
  private static final long LABEL_WAIT_NS = 5_000_000_000L;

  enum Kind { ARROW, NOTE, HEADING }

  /**
   * One row of the diagram. {@code count} > 1 for collapsed frames; {@code periodic} for a frame a
   * protocol repeats on a timer whatever happens (an OSPF Hello).
   */
  record Row(Kind kind, long ts, String from, List<String> to, boolean broadcast, boolean plain, boolean periodic,
             String label, String detail, int count) {
    Row times(int n) {
      return new Row(kind, ts, from, to, broadcast, plain, periodic, label, detail, n);
    }

    /** The same arrow: from and to the same nodes, saying the same. */
    boolean repeats(Row r) {
      return kind == Kind.ARROW && r.kind == Kind.ARROW && from.equals(r.from) && to.equals(r.to)
          && broadcast == r.broadcast && label.equals(r.label);
    }
  }

  /** A scenario step (or other phase) heading, drawn across the diagram from {@code startNanos}. */
  public record Phase(String title, long startNanos) {}

  /** The diagram as rows, and what it left out. */
  record Model(List<String> lifelines, List<Row> rows, int omittedFrames, int omittedNotes, int frames) {}

  private Ladder() {}

  static Model build(Topology topo, List<Stamped> events, List<Phase> phases, Map<String, String> knownMacs,
                     int maxArrows, int maxNotes) {
    Wiring wiring = new Wiring(topo, knownMacs, events);
    List<Row> rows = new ArrayList<>();
    Map<String, ArrayDeque<Stamped>> pending = new HashMap<>();
    Set<String> lifelines = new LinkedHashSet<>();
    topo.nodes().forEach(n -> lifelines.add(n.name()));
    for (Stamped e : events) {
      TraceEvent ev = e.event();
      if (NOISE.contains(ev.getClass()) && !tagChanged(ev) || Roles.received(ev) || Roles.quiet(ev)) {
        continue;
      }
      ArrayDeque<Stamped> waiting = pending.computeIfAbsent(e.node(), k -> new ArrayDeque<>());
      while (!waiting.isEmpty() && e.ts() - waiting.peekFirst().ts() > LABEL_WAIT_NS) {
        rows.add(note(waiting.pollFirst()));
      }
      String sentence = Story.sentence(ev);
      if (Roles.labelsNextFrame(ev)) {
        waiting.add(e);
      } else if (ev instanceof IpEvent.FrameSent f) {
        rows.add(frame(e, f, wiring, carried(waiting)));
      } else if (ev instanceof ArpEvent.RequestSent a) {
        rows.add(new Row(Kind.ARROW, e.ts(), e.node(), wiring.segment(e.node(), a.dev()), true, false, false,
            sentence, sentence, 1));
      } else if (ev instanceof ArpEvent.Announced a) {
        rows.add(new Row(Kind.ARROW, e.ts(), e.node(), wiring.segment(e.node(), a.dev()), true, false, false,
            sentence, sentence, 1));
      } else if (ev instanceof ArpEvent.ReplySent a) {
        String to = wiring.owner(a.toMac(), a.to(), e.node(), a.dev());
        rows.add(new Row(Kind.ARROW, e.ts(), e.node(), List.of(to), false, false, false, sentence, sentence,
            1));
      } else {
        rows.add(note(e));
      }
      if (!lifelines.contains(e.node())) {
        lifelines.add(e.node()); // the control plane, when it narrated faults
      }
    }
    pending.values().forEach(q -> q.forEach(e -> rows.add(note(e))));
    for (Phase p : phases) {
      rows.add(new Row(Kind.HEADING, p.startNanos(), null, List.of(), false, false, false, p.title(), p.title(),
          1));
    }
    // Stable: headings were added last, so put them first among rows of the same time.
    rows.sort(Comparator.comparingLong(Row::ts).thenComparingInt(r -> r.kind() == Kind.HEADING ? 0 : 1));
    List<Row> merged = collapse(rows);
    int frames = merged.stream().filter(r -> r.kind() == Kind.ARROW).mapToInt(Row::count).sum();
    int[] omitted = new int[2];
    List<Row> kept = cap(merged, maxArrows, maxNotes, omitted);
    return new Model(new ArrayList<>(lifelines), kept, omitted[0], omitted[1], frames);
  }

  /** True for a JSON line whose event the ladder never draws: cheap, before the line is parsed. */
  static boolean skipped(String jsonLine) {
    int at = jsonLine.indexOf("\"type\":\"");
    if (at < 0) {
      return false;
    }
    int start = at + 8;
    int end = jsonLine.indexOf('"', start);
    // A VLAN-aware switch's forward or flood may add or remove the 802.1Q tag: parsed, to be told.
    return end > start && NOISE_TYPES.contains(jsonLine.substring(start, end))
        && !(jsonLine.startsWith("bridge.", start) && jsonLine.contains("\"vlan\":"));
  }

  /**
   * A switch adding or removing the 802.1Q tag is not bookkeeping: the ladder notes it on the
   * switch's lifeline ("tags the frame with VLAN 10 on trunk p3"), where the frame's arrow shows no tag.
   */
  private static boolean tagChanged(TraceEvent ev) {
    return ev instanceof BridgeEvent.Forwarded f && (f.tagAdded() || f.tagRemoved())
        || ev instanceof BridgeEvent.Flooded fl && fl.tagChanged();
  }

  /**
   * The labels the next frame carries, taken off {@code waiting}: a router's forwarding decision
   * is about one packet, so one frame; the other steps queued since the node's last frame (a TLS
   * flight of several records, say) went out together.
   */
  private static ArrayDeque<Stamped> carried(ArrayDeque<Stamped> waiting) {
    ArrayDeque<Stamped> taken = new ArrayDeque<>();
    if (!waiting.isEmpty() && waiting.peekFirst().event() instanceof IpEvent.Forwarded) {
      taken.add(waiting.pollFirst());
      return taken;
    }
    while (!waiting.isEmpty() && !(waiting.peekFirst().event() instanceof IpEvent.Forwarded)) {
      taken.add(waiting.pollFirst());
    }
    return taken;
  }

  private static Row note(Stamped e) {
    String sentence = Story.sentence(e.event());
    return new Row(Kind.NOTE, e.ts(), e.node(), List.of(), false, false, false, sentence,
        e.type() + ": " + sentence, 1);
  }

  private static Row frame(Stamped e, IpEvent.FrameSent f, Wiring wiring, ArrayDeque<Stamped> labels) {
    // a VLAN subinterface's frame is drawn with the tag it was given on the way out
    String tag = f.vlan() == null ? "" : " [802.1Q tag VLAN " + f.vlan() + " added]";
    String summary = Story.packet(f.packet()) + tag;
    StringBuilder detail = new StringBuilder();
    labels.forEach(l -> detail.append(Story.sentence(l.event())).append('\n'));
    detail.append(Story.sentence(f));
    List<String> to;
    boolean broadcast = isGroup(f.dstMac());
    if (broadcast) {
      to = wiring.segment(e.node(), f.dev());
    } else {
      to = List.of(wiring.owner(f.dstMac(), null, e.node(), f.dev()));
    }
    if (labels.isEmpty()) {
      Packet.Ospf ospf = f.packet() == null ? null : f.packet().ospf();
      boolean hello = ospf != null && ospf.type() == OspfPacket.TYPE_HELLO;
      return new Row(Kind.ARROW, e.ts(), e.node(), to, broadcast, true, hello, summary, detail.toString(), 1);
    }
    TraceEvent first = labels.peekFirst().event();
    String label = first instanceof IpEvent.Forwarded fwd ? Story.forwardLabel(fwd, f.packet()) : Story.sentence(first);
    if (labels.size() > 1) {
      label = cut(label, 110) + " " + Story.moreInFrame(labels.size() - 1);
    }
    return new Row(Kind.ARROW, e.ts(), e.node(), to, broadcast, false, false, label + tag, detail.toString(), 1);
  }

  private static boolean isGroup(String mac) {
    if (mac.length() < 2) {
      return false;
    }
    try {
      return (Integer.parseInt(mac.substring(0, 2), 16) & 1) != 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * Consecutive plain frames between the same two nodes become one arrow "×N". Broadcasts and
   * multicasts are otherwise kept one by one (each DHCP Discover, ARP request tells), except
   * periodic ones: routers on a link send OSPF Hellos every HelloInterval (1 s in labs), and the
   * routers' Hellos interleave, so each router's identical Hellos fold into the arrow of its
   * first one as long as nothing but Hellos came in between. Any other row (an adjacency
   * stepping to Full, a DR elected, an LS Update) ends the run, so what happened still reads in
   * order; a Hello that differs (a neighbour more listed, so longer) starts an arrow of its own.
   * Folding rather than leaving them to the cap keeps the arrows for what changed: the cap would
   * drop the latest frames first, Hellos or not.
   */
  private static List<Row> collapse(List<Row> rows) {
    List<Row> out = new ArrayList<>();
    int hellos = 0; // rows at the end of out that are periodic arrows
    for (Row r : rows) {
      Row last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && r.kind() == Kind.ARROW && last.kind() == Kind.ARROW && r.plain() && last.plain()
          && !r.broadcast() && !last.broadcast() && r.periodic() == last.periodic() && r.from().equals(last.from())
          && r.to().equals(last.to())) {
        out.set(out.size() - 1, last.times(last.count() + r.count()));
        continue;
      }
      if (!r.periodic()) {
        out.add(r);
        hellos = 0;
        continue;
      }
      int same = out.size() - 1;
      while (same >= out.size() - hellos && !out.get(same).repeats(r)) {
        same--;
      }
      if (same >= out.size() - hellos) {
        out.set(same, out.get(same).times(out.get(same).count() + r.count()));
      } else {
        out.add(r);
        hellos++;
      }
    }
    return out;
  }

  /**
   * At most {@code maxArrows} arrows (plain frames are dropped first, the latest first; then the
   * latest labelled ones) and {@code maxNotes} notes (the latest dropped). {@code omitted[0]}
   * gets the number of frames left out, {@code omitted[1]} the notes.
   */
  private static List<Row> cap(List<Row> rows, int maxArrows, int maxNotes, int[] omitted) {
    Set<Row> drop = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    List<Row> arrows = rows.stream().filter(r -> r.kind() == Kind.ARROW).toList();
    int excess = arrows.size() - maxArrows;
    for (int i = arrows.size() - 1; i >= 0 && excess > 0; i--) {
      if (arrows.get(i).plain()) {
        drop.add(arrows.get(i));
        excess--;
      }
    }
    for (int i = arrows.size() - 1; i >= 0 && excess > 0; i--) {
      if (drop.add(arrows.get(i))) {
        excess--;
      }
    }
    List<Row> notes = rows.stream().filter(r -> r.kind() == Kind.NOTE).toList();
    for (int i = maxNotes; i < notes.size(); i++) {
      drop.add(notes.get(i));
    }
    List<Row> kept = new ArrayList<>();
    for (Row r : rows) {
      if (drop.contains(r)) {
        if (r.kind() == Kind.ARROW) {
          omitted[0] += r.count();
        } else {
          omitted[1]++;
        }
      } else {
        kept.add(r);
      }
    }
    return kept;
  }

  // ---- drawing ----

  private static final int TIME_W = 92;
  private static final int LANE = 84;
  private static final int TOP = 46;
  private static final int ROW_H = 20;
  private static final int HEAD_H = 28;
  private static final int TEXT_W = 900;

  static final String STYLE = ".ladder text{font:12px sans-serif;fill:#111}.ladder .t{font:11px monospace;fill:#666}"
      + ".ladder .life{stroke:#cbd5e1;stroke-width:1.5}.ladder .arrow{stroke:#1d4ed8;stroke-width:1.5}"
      + ".ladder .plain .arrow{stroke:#94a3b8}.ladder .bcast{stroke:#b45309;stroke-dasharray:5 3}"
      + ".ladder .note circle{fill:#64748b}.ladder .note text.l{fill:#475569;font-style:italic}"
      + ".ladder .row:hover rect.bg{fill:#fef9c3}.ladder rect.bg{fill:transparent}"
      + ".ladder .head rect{fill:#e2e8f0}.ladder .head text{font-weight:bold}.ladder .who{font-weight:bold}"
      + ".ladder .lane rect{fill:#f8fafc;stroke:#94a3b8}.ladder .rx{fill:#b45309}";

  /** The diagram as SVG. */
  public static String svg(Topology topo, List<Stamped> events, List<Phase> phases, Map<String, String> macs) {
    return svg(build(topo, events, phases, macs, MAX_ARROWS, MAX_NOTES));
  }

  static String svg(Model m) {
    Map<String, Double> x = new HashMap<>();
    for (int i = 0; i < m.lifelines().size(); i++) {
      x.put(m.lifelines().get(i), TIME_W + LANE / 2.0 + i * LANE);
    }
    double textX = TIME_W + m.lifelines().size() * LANE + 8;
    double width = textX + TEXT_W;
    double y = TOP;
    StringBuilder rows = new StringBuilder();
    long t0 = m.rows().isEmpty() ? 0 : m.rows().get(0).ts();
    for (Row r : m.rows()) {
      if (r.kind() == Kind.HEADING) {
        t0 = r.ts();
        rows.append(String.format(Locale.ROOT, "<g class=\"head\"><rect x=\"0\" y=\"%.0f\" width=\"%.0f\" "
            + "height=\"%d\"/><text x=\"6\" y=\"%.0f\">%s</text></g>%n", y + 2, width, HEAD_H - 6, y + 19,
            esc(cut(r.label(), 160))));
        y += HEAD_H;
        continue;
      }
      double cy = y + ROW_H / 2.0 + 2;
      rows.append("<g class=\"row").append(r.kind() == Kind.NOTE ? " note" : r.plain() ? " plain" : "")
          .append("\">");
      rows.append(String.format(Locale.ROOT, "<rect class=\"bg\" x=\"0\" y=\"%.0f\" width=\"%.0f\" height=\"%d\"/>",
          y, width, ROW_H));
      rows.append(String.format(Locale.ROOT, "<text class=\"t\" x=\"%d\" y=\"%.0f\" text-anchor=\"end\">%.3f ms"
          + "</text>", TIME_W - 8, cy + 4, (r.ts() - t0) / 1e6));
      Double from = x.get(r.from());
      if (r.kind() == Kind.NOTE) {
        if (from != null) {
          rows.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\"/>", from, cy));
        }
      } else {
        arrow(rows, r, from, x, cy);
      }
      String label = r.label() + (r.count() > 1 ? "  (×" + r.count() + " frames)" : "");
      rows.append(String.format(Locale.ROOT, "<text class=\"l\" x=\"%.0f\" y=\"%.0f\"><tspan class=\"who\">%s"
          + "</tspan> %s</text>", textX, cy + 4, esc(r.from()), esc(cut(label, 150))));
      rows.append("<title>").append(esc(r.detail())).append("</title></g>\n");
      y += ROW_H;
    }
    double height = y + 12;
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ladder\" viewBox=\"0 0 "
        + "%.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\" aria-label=\"ladder diagram\">%n", width, height,
        width, height));
    sb.append("<defs><marker id=\"ladder-head\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
        + "markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#1d4ed8\"/>"
        + "</marker><marker id=\"ladder-bhead\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
        + "markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#b45309\"/>"
        + "</marker></defs>\n");
    sb.append("<style>").append(STYLE).append("</style>\n");
    for (String n : m.lifelines()) {
      double lx = x.get(n);
      sb.append(String.format(Locale.ROOT, "<line class=\"life\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.0f\"/>"
          + "<g class=\"lane\"><rect x=\"%.1f\" y=\"6\" width=\"%d\" height=\"24\" rx=\"4\"/><text x=\"%.1f\" y=\"23\" "
          + "text-anchor=\"middle\">%s</text></g>%n", lx, TOP - 16, lx, height, lx - (LANE - 8) / 2.0, LANE - 8, lx,
          esc(cut(n, 11))));
    }
    sb.append(rows);
    sb.append("</svg>\n");
    return sb.toString();
  }

  private static void arrow(StringBuilder sb, Row r, Double from, Map<String, Double> x, double cy) {
    if (from == null) {
      return;
    }
    List<Double> targets = new ArrayList<>();
    for (String t : r.to()) {
      Double tx = x.get(t);
      if (tx != null && !tx.equals(from)) {
        targets.add(tx);
      }
    }
    if (targets.isEmpty()) {
      sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#1d4ed8\"/>", from, cy));
      return;
    }
    String cls = r.broadcast() ? "arrow bcast" : "arrow";
    String head = r.broadcast() ? "ladder-bhead" : "ladder-head";
    double min = targets.stream().mapToDouble(Double::doubleValue).min().getAsDouble();
    double max = targets.stream().mapToDouble(Double::doubleValue).max().getAsDouble();
    for (double end : new double[] {min, max}) {
      if (end < from && end == min || end > from && end == max) {
        double tip = end + (end < from ? 3 : -3);
        sb.append(String.format(Locale.ROOT, "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
            + "marker-end=\"url(#%s)\"/>", cls, from, cy, tip, cy, head));
      }
      if (min == max) {
        break;
      }
    }
    if (r.broadcast()) {
      for (double t : targets) {
        sb.append(String.format(Locale.ROOT, "<circle class=\"rx\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"/>", t, cy));
      }
    }
  }

  /** Who owns a MAC or an address, and which nodes share a broadcast domain, from the topology and the run. */
  private static final class Wiring {
    private final Topology topo;
    private final Map<String, String> macOwner = new HashMap<>();
    private final Map<String, String> ipOwner = new HashMap<>();

    Wiring(Topology topo, Map<String, String> knownMacs, List<Stamped> events) {
      this.topo = topo;
      for (NodeSpec n : topo.nodes()) {
        for (IfaceSpec i : n.interfaces()) {
          if (i.mac() != null) {
            macOwner.put(i.mac().toLowerCase(Locale.ROOT), n.name());
          }
          if (i.address() != null) {
            ipOwner.put(i.address().split("/")[0], n.name());
          }
        }
      }
      knownMacs.forEach((mac, node) -> macOwner.put(mac.toLowerCase(Locale.ROOT), node));
      for (Stamped e : events) {
        String mac = e.event() instanceof IpEvent.FrameSent f ? f.srcMac()
            : e.event() instanceof ArpEvent.Announced a ? a.mac()
            : e.event() instanceof ArpEvent.ReplySent a ? a.mac() : null;
        if (mac != null) {
          macOwner.putIfAbsent(mac.toLowerCase(Locale.ROOT), e.node());
        }
      }
    }

    /**
     * The linked interface under {@code dev}: a VLAN subinterface's frames ({@code eth0.10}) cross
     * its parent's link ({@code eth0}); interface names have no dots otherwise.
     */
    static String lower(String dev) {
      int dot = dev == null ? -1 : dev.lastIndexOf('.');
      return dot < 0 ? dev : dev.substring(0, dot);
    }

    /** The node with that MAC (or address); failing both, the peer at the other end of the sender's link. */
    String owner(String mac, String ip, String sender, String dev) {
      String o = mac == null ? null : macOwner.get(mac.toLowerCase(Locale.ROOT));
      if (o == null && ip != null) {
        o = ipOwner.get(ip);
      }
      if (o == null) {
        dev = lower(dev);
        LinkSpec l = topo.link(sender, dev);
        o = l == null ? sender : l.a().node().equals(sender) && l.a().iface().equals(dev) ? l.b().node() : l.a().node();
      }
      return o;
    }

    /** Every node other than switches that a broadcast sent on {@code node:dev} reaches (through switches). */
    List<String> segment(String node, String dev) {
      List<String> reached = new ArrayList<>();
      Set<String> seenSwitches = new HashSet<>();
      ArrayDeque<LinkSpec.Endpoint> todo = new ArrayDeque<>();
      todo.add(new LinkSpec.Endpoint(node, lower(dev)));
      while (!todo.isEmpty()) {
        LinkSpec.Endpoint from = todo.poll();
        LinkSpec l = topo.link(from.node(), from.iface());
        if (l == null) {
          continue;
        }
        LinkSpec.Endpoint peer = l.a().equals(from) ? l.b() : l.a();
        NodeSpec p = topo.node(peer.node());
        if (p == null) {
          continue;
        }
        if (p.isSwitch()) {
          if (seenSwitches.add(p.name())) {
            for (IfaceSpec port : p.interfaces()) {
              if (!port.name().equals(peer.iface())) {
                todo.add(new LinkSpec.Endpoint(p.name(), port.name()));
              }
            }
          }
        } else if (!p.name().equals(node) && !reached.contains(p.name())) {
          reached.add(p.name());
        }
      }
      return reached;
    }
  }
}
