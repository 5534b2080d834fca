package emu.control.report;

import static emu.control.report.Html.esc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import emu.control.narrative.EventLog;
import emu.control.narrative.Narrative;
import emu.node.event.EventCodec;
import emu.node.event.Stamped;
import emu.control.topology.IfaceSpec;
import emu.control.topology.LinkSpec;
import emu.control.topology.NodeSpec;
import emu.control.topology.Topology;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code report.html}: one self-contained page per run folder (inline CSS, SVG and a few lines
 * of script; nothing fetched, so it works from file://) with the topology, the ladder diagram
 * of what crossed the wires, the step results, per-link and per-interface counters taken before
 * the nodes stopped, links to the captures, and the narrative. Every piece of text is escaped.
 */
public final class RunReport {
  public static final String FILE = "report.html";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One scenario step as it ran. */
  public record Step(int index, String node, String command, int exit, long startNanos) {}

  /**
   * What a report is made of.
   *
   * @param status each node's state as the lab controller saw it before the nodes stopped
   *     ({@code name}, {@code kind}, {@code state}, {@code reason}, {@code interfaces} with counters);
   *     a node missing here is shown as "no status taken"
   * @param narrative narrative.txt, or null if there is none (a lab started with up)
   * @param origin how the run was made ("./emu run", "./emu up ... down")
   */
  public record Input(Topology topo, List<Stamped> events, List<Step> steps, List<JsonNode> status,
                      String narrative, List<String> pcaps, String origin, Instant made) {}

  private RunReport() {}

  /** What {@link #writeWhile} ends with: the report's path, or why it could not be written. */
  public record Written(Path path, Exception error) {
    /** The line a command prints about it. */
    public String line() {
      return error == null ? "report: " + path : "emu: cannot write the report: " + error;
    }
  }

  /**
   * {@link #write} on another thread, started now: {@code run} and {@code down} hand it what was
   * recorded up to the last step and stop the nodes meanwhile (on two cores that hid the report's
   * 0.25 s of rendering behind the stop's). Never fails: a failure is in the result.
   */
  public static CompletableFuture<Written> writeWhile(Path outDir, Topology topo, List<String> eventNodes,
                                                      List<Step> steps, List<JsonNode> status, String origin) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return new Written(write(outDir, topo, eventNodes, steps, status, origin), null);
      } catch (IOException | RuntimeException e) {
        return new Written(null, e);
      }
    });
  }

  /**
   * Reads what the run left in {@code outDir} (node events, narrative, pcaps), adds the steps and
   * the status snapshot, and writes {@code outDir/report.html}; returns its path.
   */
  public static Path write(Path outDir, Topology topo, List<String> eventNodes, List<Step> steps,
                           List<JsonNode> status, String origin) throws IOException {
    List<Stamped> events = events(outDir, eventNodes);
    Path narrativeFile = outDir.resolve("narrative.txt");
    String narrative = Files.exists(narrativeFile) ? Files.readString(narrativeFile) : null;
    List<String> pcaps = new ArrayList<>();
    try (var s = Files.list(outDir)) {
      s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".pcap")).sorted().forEach(pcaps::add);
    }
    Path file = outDir.resolve(FILE);
    Files.writeString(file, html(new Input(topo, events, steps, status, narrative, pcaps, origin, Instant.now())),
        StandardCharsets.UTF_8);
    return file;
  }

  /** Events read per node: the ladder draws at most a few hundred rows, and the control process has a small heap. */
  static final int EVENTS_PER_NODE = 5_000;

  /**
   * The first {@link #EVENTS_PER_NODE} events of each node that the ladder can use (bookkeeping
   * events are skipped before they are kept), merged in time order. Unreadable lines are skipped.
   */
  static List<Stamped> events(Path dir, List<String> nodes) throws IOException {
    List<Stamped> all = new ArrayList<>();
    for (String node : nodes) {
      Path f = EventLog.file(dir, node);
      if (!Files.exists(f)) {
        continue;
      }
      int kept = 0;
      try (var lines = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
        String line;
        while (kept < EVENTS_PER_NODE && (line = lines.readLine()) != null) {
          if (line.isBlank() || Ladder.skipped(line)) {
            continue;
          }
          try {
            all.add(EventCodec.read(line));
            kept++;
          } catch (IOException e) {
            // a node killed mid-write, or a type this version does not know: skip the line
          }
        }
      }
    }
    all.sort(EventLog.ORDER);
    return all;
  }

  static final String STYLE = "body{font:14px sans-serif;margin:20px;color:#111;background:#fff}"
      + "h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #cbd5e1}"
      + "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #cbd5e1;padding:3px 6px;"
      + "text-align:left;vertical-align:top}th{background:#f1f5f9}td.n{text-align:right;font-family:monospace}"
      + ".ok{color:#15803d;font-weight:bold}.fail{color:#b91c1c;font-weight:bold}.down td{background:#fee2e2}"
      + "pre{background:#f8fafc;border:1px solid #e2e8f0;padding:8px;overflow:auto;font-size:12px}"
      + ".scroll{overflow:auto;max-width:100%}.muted{color:#555}#js-errors{color:#b91c1c}"
      + "code{font-size:12px}";

  /** Catches script errors into the page (a test reads them with --dump-dom). */
  static final String SCRIPT = "<script>window.addEventListener('error',function(e){var d=document."
      + "getElementById('js-errors');if(d){d.hidden=false;d.textContent+='script error: '+e.message+'\\n';}});"
      + "</script>\n";

  static String head(String title) {
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        + "script-src 'unsafe-inline'; img-src data:\">"
        + "<title>" + esc(title) + "</title><style>" + STYLE + "</style>" + SCRIPT + "</head><body>\n"
        + "<pre id=\"js-errors\" hidden></pre>\n";
  }

  /** The whole page. */
  public static String html(Input in) {
    Topology topo = in.topo();
    StringBuilder sb = new StringBuilder(head("emu run report: " + topo.name()));
    sb.append("<h1>emu run report: lab ").append(esc(topo.name())).append("</h1>\n");
    sb.append("<p class=\"muted\">").append(esc(in.origin())).append(" from <code>").append(esc(topo.file()))
        .append("</code>; ").append(topo.nodes().size()).append(" nodes, ").append(topo.links().size())
        .append(" links; report written ").append(esc(in.made())).append("</p>\n");
    steps(sb, in);
    Map<String, String> states = new HashMap<>();
    Map<String, JsonNode> byNode = new LinkedHashMap<>();
    Map<String, String> macs = new HashMap<>();
    for (JsonNode n : in.status()) {
      String name = n.path("name").asText();
      byNode.put(name, n);
      states.put(name, n.path("state").asText("unknown"));
      for (JsonNode i : n.path("interfaces")) {
        if (i.hasNonNull("mac")) {
          macs.put(i.path("mac").asText(), name);
        }
      }
    }
    sb.append("<h2>Topology</h2>\n<div class=\"scroll\">").append(TopologyDrawing.svg(topo, states))
        .append("</div>\n");
    ladder(sb, in, macs);
    counters(sb, in, byNode);
    captures(sb, in);
    sb.append("<h2>Narrative</h2>\n");
    if (in.narrative() == null) {
      sb.append("<p class=\"muted\">No narrative: no scenario was run (a lab started with <code>./emu up</code>). "
          + "Each node's events are in its <code>NODE.events.jsonl</code>.</p>\n");
    } else {
      sb.append("<pre>").append(esc(in.narrative())).append("</pre>\n");
    }
    sb.append("</body></html>\n");
    return sb.toString();
  }

  private static void steps(StringBuilder sb, Input in) {
    sb.append("<h2>Steps</h2>\n");
    if (in.steps().isEmpty()) {
      sb.append("<p class=\"muted\">No scenario steps were run.</p>\n");
      return;
    }
    long ok = in.steps().stream().filter(s -> s.exit() == 0).count();
    sb.append("<p>").append(ok).append('/').append(in.steps().size()).append(" steps succeeded</p>\n");
    sb.append("<table><tr><th>#</th><th>node</th><th>command</th><th>result</th></tr>\n");
    for (Step s : in.steps()) {
      sb.append("<tr><td class=\"n\">").append(s.index()).append("</td><td>").append(esc(s.node()))
          .append("</td><td><code>").append(esc(s.command())).append("</code></td><td class=\"")
          .append(s.exit() == 0 ? "ok\">succeeded" : "fail\">failed (exit status " + s.exit() + ")")
          .append("</td></tr>\n");
    }
    sb.append("</table>\n");
  }

  private static void ladder(StringBuilder sb, Input in, Map<String, String> macs) {
    sb.append("<h2>What crossed the wires</h2>\n");
    List<Ladder.Phase> phases = new ArrayList<>();
    if (!in.events().isEmpty()) {
      phases.add(new Ladder.Phase(Narrative.labStartHeading(in.topo().nodes().stream().anyMatch(NodeSpec::hasIpv6)),
          in.events().get(0).ts()));
    }
    for (Step s : in.steps()) {
      phases.add(new Ladder.Phase("step " + s.index() + "/" + in.steps().size() + "  " + s.node() + ": "
          + s.command(), s.startNanos()));
    }
    Ladder.Model m = Ladder.build(in.topo(), in.events(), phases, macs, Ladder.MAX_ARROWS, Ladder.MAX_NOTES);
    if (in.events().isEmpty()) {
      sb.append("<p class=\"muted\">No events were recorded (tracing off, or no node wrote any).</p>\n");
      return;
    }
    sb.append("<p class=\"muted\">One lifeline per node; an arrow per frame sent, from the sender to the node "
        + "owning the destination MAC (switches forward frames unchanged, so arrows cross them); dashed: a "
        + "broadcast, dots where it is received; grey: frames with no narrated step of their own; dots on a "
        + "lifeline: a node's own steps. Times are from the start of each phase. Hover a row for the whole "
        + "story.</p>\n");
    sb.append("<p>").append(m.frames()).append(" frames");
    if (m.omittedFrames() > 0 || m.omittedNotes() > 0) {
      sb.append("; <strong>omitted to keep the diagram readable: ").append(m.omittedFrames())
          .append(" frames and ").append(m.omittedNotes()).append(" notes</strong> (every event is in <a href=\"")
          .append(Html.href("events.jsonl")).append("\">events.jsonl</a>, every frame in the captures)");
    }
    sb.append("</p>\n<div class=\"scroll\">").append(Ladder.svg(m)).append("</div>\n");
  }

  private static void counters(StringBuilder sb, Input in, Map<String, JsonNode> byNode) {
    Topology topo = in.topo();
    sb.append("<h2>Links</h2>\n<p class=\"muted\">Frames each end sent, counted by the nodes before they "
        + "stopped.</p>\n<table><tr><th>link</th><th>state</th><th>frames a&rarr;b</th><th>frames b&rarr;a</th>"
        + "<th>impairments (file)</th></tr>\n");
    for (LinkSpec l : topo.links()) {
      JsonNode a = iface(byNode, l.a());
      JsonNode b = iface(byNode, l.b());
      String state = a == null || b == null ? "unknown (no counters from " + (a == null ? l.a().node()
          : l.b().node()) + ")"
          : "DOWN".equals(a.path("state").asText()) || "DOWN".equals(b.path("state").asText()) ? "down" : "up";
      StringBuilder imp = new StringBuilder();
      l.impairments().forEach((k, v) -> imp.append(imp.length() == 0 ? "" : " ").append(k).append(' ').append(v));
      sb.append("<tr><td>").append(esc(l.a() + " -- " + l.b())).append("</td><td>").append(esc(state))
          .append("</td><td class=\"n\">").append(a == null ? "-" : esc(a.path("tx_frames").asText("-")))
          .append("</td><td class=\"n\">").append(b == null ? "-" : esc(b.path("tx_frames").asText("-")))
          .append("</td><td>").append(esc(imp.length() == 0 ? "-" : imp)).append("</td></tr>\n");
    }
    sb.append("</table>\n<h2>Interfaces</h2>\n<table><tr><th>node</th><th>kind</th><th>state</th><th>iface</th>"
        + "<th>address</th><th>MAC</th><th>link</th><th>rx frames</th><th>rx bytes</th><th>tx frames</th>"
        + "<th>tx bytes</th><th>dropped (rx/tx)</th><th>impairment (egress)</th><th>capture</th></tr>\n");
    for (NodeSpec n : topo.nodes()) {
      JsonNode st = byNode.get(n.name());
      String state = st == null ? "no status taken" : st.path("state").asText("unknown");
      JsonNode ifaces = st == null ? null : st.path("interfaces");
      if (!"running".equals(state) || ifaces == null || !ifaces.isArray() || ifaces.isEmpty()) {
        String reason = st == null ? "the node was not asked" : st.path("reason").asText("");
        sb.append("<tr class=\"down\"><td>").append(esc(n.name())).append("</td><td>").append(esc(n.kind()))
            .append("</td><td>").append(esc(state)).append("</td><td colspan=\"11\">")
            .append("running".equals(state) ? "no interfaces reported" : "down: no counters")
            .append(reason.isEmpty() ? "" : " (" + esc(reason) + ")").append("</td></tr>\n");
        continue;
      }
      for (JsonNode i : ifaces) {
        String dropped = i.path("rx_dropped").asText("0") + "/" + i.path("tx_dropped").asText("0");
        sb.append("<tr><td>").append(esc(n.name())).append("</td><td>").append(esc(n.kind())).append("</td><td>")
            .append(esc(state)).append("</td><td>").append(esc(i.path("name").asText())).append("</td><td>")
            .append(esc(i.path("address").asText("-"))).append("</td><td><code>").append(esc(i.path("mac").asText()))
            .append("</code></td><td>").append(esc(i.path("state").asText("-"))).append("</td>");
        for (String c : List.of("rx_frames", "rx_bytes", "tx_frames", "tx_bytes")) {
          sb.append("<td class=\"n\">").append(esc(i.path(c).asText("-"))).append("</td>");
        }
        String pcap = n.name() + "-" + i.path("name").asText() + ".pcap";
        sb.append("<td class=\"n\">").append(esc(dropped)).append("</td><td>")
            .append(esc(words(i.path("impairment")))).append("</td><td>")
            .append(in.pcaps().contains(pcap) ? "<a href=\"" + Html.href(pcap) + "\">" + esc(pcap) + "</a>" : "-")
            .append("</td></tr>\n");
      }
    }
    sb.append("</table>\n");
  }

  private static String words(JsonNode impairment) {
    StringBuilder sb = new StringBuilder();
    impairment.fields().forEachRemaining(e -> sb.append(sb.length() == 0 ? "" : " ").append(e.getKey()).append(' ')
        .append(e.getValue().asText()));
    return sb.length() == 0 ? "-" : sb.toString();
  }

  private static JsonNode iface(Map<String, JsonNode> byNode, LinkSpec.Endpoint e) {
    JsonNode n = byNode.get(e.node());
    if (n == null || !"running".equals(n.path("state").asText())) {
      return null;
    }
    for (JsonNode i : n.path("interfaces")) {
      if (e.iface().equals(i.path("name").asText())) {
        return i;
      }
    }
    return null;
  }

  private static void captures(StringBuilder sb, Input in) {
    sb.append("<h2>Captures and files</h2>\n");
    if (in.pcaps().isEmpty()) {
      sb.append("<p class=\"muted\">No captures (run with --no-capture, or no emu node had a link).</p>\n");
    } else {
      sb.append("<p>One pcap per interface; open them in Wireshark:</p>\n<ul>\n");
      for (String p : in.pcaps()) {
        sb.append("<li><a href=\"").append(Html.href(p)).append("\">").append(esc(p)).append("</a></li>\n");
      }
      sb.append("</ul>\n");
    }
    sb.append("<p>");
    for (String f : List.of("events.jsonl", "narrative.txt", "lab-ca.pem")) {
      sb.append("<a href=\"").append(Html.href(f)).append("\">").append(esc(f)).append("</a> &nbsp; ");
    }
    sb.append("and each node's <code>NODE.log</code> and <code>NODE.events.jsonl</code>.</p>\n");
  }

  /** {@code ./emu graph}'s page: the drawing and a table of every node's interfaces. */
  public static String graphPage(Topology topo) {
    StringBuilder sb = new StringBuilder(head("emu topology: " + topo.name()));
    sb.append("<h1>emu topology: lab ").append(esc(topo.name())).append("</h1>\n<p class=\"muted\">from <code>")
        .append(esc(topo.file())).append("</code>: ").append(topo.nodes().size()).append(" nodes, ")
        .append(topo.links().size()).append(" links, ").append(topo.scenario().size())
        .append(" scenario steps (nothing was started)</p>\n<div class=\"scroll\">")
        .append(TopologyDrawing.svg(topo)).append("</div>\n");
    sb.append("<h2>Interfaces</h2>\n<table><tr><th>node</th><th>kind</th><th>iface</th><th>address</th>"
        + "<th>link to</th></tr>\n");
    for (NodeSpec n : topo.nodes()) {
      for (IfaceSpec i : n.interfaces()) {
        LinkSpec l = topo.link(n.name(), i.name());
        String peer = l == null ? "-" : (l.a().node().equals(n.name()) && l.a().iface().equals(i.name()) ? l.b()
            : l.a()).toString();
        sb.append("<tr><td>").append(esc(n.name())).append("</td><td>").append(esc(n.kind())).append("</td><td>")
            .append(esc(i.name())).append("</td><td>").append(esc(i.address() == null ? "-" : i.address()))
            .append("</td><td>").append(esc(peer)).append("</td></tr>\n");
      }
    }
    sb.append("</table>\n</body></html>\n");
    return sb.toString();
  }
}
