package emu.control.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.topology.Topology;
import emu.control.topology.TopologyLoader;
import emu.node.event.AppEvent;
import emu.node.event.ArpEvent;
import emu.node.event.EventCodec;
import emu.node.event.IcmpEvent;
import emu.node.event.IpEvent;
import emu.node.event.OspfEvent;
import emu.node.event.Packet;
import emu.node.event.RouteInfo;
import emu.node.event.Stamped;
import emu.node.event.TraceEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import javax.xml.parsers.DocumentBuilderFactory;

/** The report generator on made-up runs: escaping, the ladder's caps, nodes that are down. */
class ReportTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EVIL = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>&amp;";

  @TempDir
  Path dir;

  /** h1 and h2 on a switch, h2 behind router r1 from h3. */
  private Topology topo() throws Exception {
    Path f = dir.resolve("lab.yml");
    Files.writeString(f, """
        name: tiny
        topology:
          defaults: {kind: host}
          nodes:
            h1: {interfaces: {eth0: {address: 10.0.0.1/24, mac: "02:00:00:00:00:01"}}, gateway: 10.0.0.254}
            h2: {interfaces: {eth0: {address: 10.0.0.2/24, mac: "02:00:00:00:00:02"}}}
            sw: {kind: switch}
            r1:
              kind: router
              interfaces:
                eth0: {address: 10.0.0.254/24, mac: "02:00:00:00:00:fe"}
                eth1: {address: 10.0.1.254/24}
            h3: {interfaces: {eth0: {address: 10.0.1.3/24}}, gateway: 10.0.1.254}
          links:
            - endpoints: ["h1:eth0", "sw:p1"]
            - endpoints: ["h2:eth0", "sw:p2"]
            - endpoints: ["r1:eth0", "sw:p3"]
            - endpoints: ["r1:eth1", "h3:eth0"]
              impairments: {delay: 10ms}
        """);
    return TopologyLoader.load(f);
  }

  private static long seq;

  private static Stamped event(long ts, String node, TraceEvent e) {
    return new Stamped(ts, seq++, node, e);
  }

  private static Stamped frame(long ts, String node, String dstMac, Packet packet) {
    return event(ts, node, new IpEvent.FrameSent("eth0", "02:00:00:00:00:0" + node.charAt(1), dstMac, 60, packet));
  }

  /** A UDP datagram {@code src > dst}, ports 1000 > 2000, {@code n} bytes of payload. */
  private static Packet udp(String src, String dst, int n) {
    return new Packet(4, src, dst, 17, 64, n, 28 + n, 20, 0, false, null, new Packet.Udp(1000, 2000, n), null, null);
  }

  /** An ICMP echo reply {@code src > dst} with sequence number {@code seq}. */
  private static Packet echoReply(String src, String dst, int seq) {
    return new Packet(4, src, dst, 1, 63, seq, 84, 20, 0, false, new Packet.Icmp(0, 0, 7, seq), null, null, null);
  }

  /** Something a node says about the next frame it sends: here, answering a ping. */
  private static Stamped answers(long ts, String node, String to) {
    return event(ts, node, new IcmpEvent.EchoAnswered(to, 7, 1));
  }

  private static JsonNode running(String name, String kind, String iface, long tx) {
    ObjectNode n = JSON.createObjectNode();
    n.put("name", name);
    n.put("kind", kind);
    n.put("state", "running");
    ObjectNode i = n.putArray("interfaces").addObject();
    i.put("name", iface);
    i.put("address", "10.0.0.1/24");
    i.put("mac", "02:00:00:00:00:01");
    i.put("state", "UP");
    i.put("rx_frames", 7);
    i.put("rx_bytes", 700);
    i.put("tx_frames", tx);
    i.put("tx_bytes", 900);
    return n;
  }

  private RunReport.Input input(List<Stamped> events, List<JsonNode> status, String narrative) throws Exception {
    return new RunReport.Input(topo(), events, List.of(new RunReport.Step(1, "h1", "ping " + EVIL, 1, 1_000)),
        status, narrative, List.of("h1-eth0.pcap", "odd name&<.pcap"), "./emu run", Instant.EPOCH);
  }

  @Test
  void textFromPacketsNodesAndFilesIsEscapedEverywhere() throws Exception {
    List<Stamped> events = List.of(
        answers(1_000, "h1", EVIL),
        frame(2_000, "h1", "02:00:00:00:00:02", udp("10.0.0.1", EVIL, 4)),
        event(3_000, "h2", new AppEvent.Ping(EVIL, "10.0.0.1", 1, 1)));
    ObjectNode down = JSON.createObjectNode();
    down.put("name", "h2");
    down.put("kind", "host");
    down.put("state", "not answering");
    down.put("reason", EVIL);
    String html = RunReport.html(input(events, List.of(running("h1", "host", "eth0", 3), down), "narrative " + EVIL));
    assertFalse(html.contains("<script>alert"), "a script tag from an event reached the page");
    assertFalse(html.contains("<img"), "an img tag from an event reached the page");
    assertFalse(html.contains("onerror=alert(1)>"), html);
    assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&gt;&lt;img"), "escaped, still shown");
    assertTrue(html.contains("&amp;amp;"), "an ampersand is escaped once more, so it shows as typed");
    assertTrue(html.contains("href=\"./odd%20name%26%3C.pcap\""), "file names are percent-encoded in links");
    // The only <script> is the report's own error hook; nothing is fetched from anywhere.
    assertEquals(1, html.split("<script", -1).length - 1, "one script element");
    assertFalse(html.matches("(?s).*(src|href)=\"(https?:)?//.*"), "no external resource");
    // Each SVG is well-formed XML even with hostile text inside.
    for (String svg : svgs(html)) {
      DocumentBuilderFactory.newInstance().newDocumentBuilder()
          .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }
  }

  private static List<String> svgs(String html) {
    List<String> out = new ArrayList<>();
    int at = 0;
    while ((at = html.indexOf("<svg", at)) >= 0) {
      int end = html.indexOf("</svg>", at) + "</svg>".length();
      out.add(html.substring(at, end));
      at = end;
    }
    return out;
  }

  @Test
  void framesBeyondTheCapAreOmittedPlainOnesFirstAndCounted() throws Exception {
    List<Stamped> events = new ArrayList<>();
    long t = 1_000;
    // 40 plain frames alternating h1 -> h2 and h2 -> h1 (so none collapse), 5 labelled ones at the end.
    for (int i = 0; i < 40; i++) {
      events.add(i % 2 == 0 ? frame(t += 10, "h1", "02:00:00:00:00:02", udp("10.0.0.1", "10.0.0.2", i))
          : frame(t += 10, "h2", "02:00:00:00:00:01", udp("10.0.0.2", "10.0.0.1", i)));
    }
    for (int i = 0; i < 5; i++) {
      events.add(answers(t += 10, "h1", "10.0.0.2"));
      events.add(frame(t += 10, "h1", "02:00:00:00:00:02", echoReply("10.0.0.1", "10.0.0.2", i)));
    }
    Ladder.Model m = Ladder.build(topo(), events, List.of(), Map.of(), 12, 100);
    assertEquals(45, m.frames());
    assertEquals(33, m.omittedFrames(), "45 frames, 12 drawn");
    List<Ladder.Row> arrows = m.rows().stream().filter(r -> r.kind() == Ladder.Kind.ARROW).toList();
    assertEquals(12, arrows.size());
    assertEquals(5, arrows.stream().filter(r -> r.label().startsWith("answers ICMP echo request")).count(),
        "the labelled frames are kept, plain ones go first");
    assertEquals("10.0.0.1 > 10.0.0.2: UDP 1000 > 2000, length 0", arrows.get(0).label(),
        "the earliest plain frames are kept");
    assertEquals(List.of("h2"), arrows.get(0).to(), "the arrow goes to the owner of the destination MAC");

    // Consecutive plain frames between the same nodes become one arrow, counted as all of them.
    List<Stamped> burst = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      burst.add(frame(1_000 + i, "h1", "02:00:00:00:00:fe", udp("10.0.0.1", "10.0.1.3", i)));
    }
    Ladder.Model b = Ladder.build(topo(), burst, List.of(), Map.of(), 100, 100);
    assertEquals(1, b.rows().size());
    assertEquals(10, b.rows().get(0).count());
    assertEquals(List.of("r1"), b.rows().get(0).to());
    assertTrue(Ladder.svg(b).contains("(×10 frames)"));

    // The page says how many were left out.
    StringBuilder many = new StringBuilder();
    List<Stamped> lots = new ArrayList<>();
    for (int i = 0; i < Ladder.MAX_ARROWS + 30; i++) {
      lots.add(i % 2 == 0 ? frame(10L * i, "h1", "02:00:00:00:00:02", udp("10.0.0.1", "10.0.0.2", i))
          : frame(10L * i, "h2", "02:00:00:00:00:01", udp("10.0.0.2", "10.0.0.1", i)));
    }
    many.append(RunReport.html(input(lots, List.of(), null)));
    assertTrue(many.toString().contains("omitted to keep the diagram readable: 30 frames and 0 notes"), many.toString());
  }

  /** Routers r1 and r2 on one LAN through a switch, as OSPF neighbours. */
  private Topology ospfTopo() throws Exception {
    Path f = dir.resolve("ospf.yml");
    Files.writeString(f, """
        name: ospf
        topology:
          nodes:
            r1: {kind: router, interfaces: {eth0: {address: 10.0.12.1/24, mac: "02:00:00:00:00:01"}}}
            r2: {kind: router, interfaces: {eth0: {address: 10.0.12.2/24, mac: "02:00:00:00:00:02"}}}
            sw: {kind: switch}
          links:
            - endpoints: ["r1:eth0", "sw:p1"]
            - endpoints: ["r2:eth0", "sw:p2"]
        """);
    return TopologyLoader.load(f);
  }

  /** An OSPF packet of {@code type} from router {@code rid} at {@code src} to AllSPFRouters, {@code len} bytes. */
  private static Stamped ospf(long ts, String node, String src, int type, String rid, Integer lsas, int len) {
    return frame(ts, node, "01:00:5e:00:00:05", new Packet(4, src, "224.0.0.5", 89, 1, (int) ts, 20 + len, 20, 0,
        false, null, null, null, null, new Packet.Ospf(type, rid, lsas)));
  }

  @Test
  void periodicOspfHellosFoldIntoOneArrowPerRouterUntilSomethingHappens() throws Exception {
    List<Stamped> events = new ArrayList<>();
    long t = 1_000_000_000L;
    // the two routers' Hellos interleave, one a second each, neither hearing the other yet
    for (int i = 0; i < 10; i++) {
      events.add(ospf(t += 500_000_000L, "r1", "10.0.12.1", 1, "1.1.1.1", null, 44));
      events.add(ospf(t += 500_000_000L, "r2", "10.0.12.2", 1, "2.2.2.2", null, 44));
      if (i == 5) { // left out of the diagram: they neither show nor end the run of Hellos
        events.add(event(t += 1_000, "r1", new OspfEvent.Spf(100, 0, null, null, null, null, List.of())));
      }
    }
    events.add(event(t += 1_000, "r1", new OspfEvent.Neighbor("eth0", "2.2.2.2", "10.0.12.2", "Down", "Init",
        "HelloReceived")));
    for (int i = 0; i < 3; i++) {
      events.add(ospf(t += 500_000_000L, "r1", "10.0.12.1", 1, "1.1.1.1", null, 48)); // now listing 2.2.2.2
    }
    events.add(ospf(t += 1_000, "r2", "10.0.12.2", 4, "2.2.2.2", 3, 120));
    events.add(ospf(t += 1_000, "r1", "10.0.12.1", 1, "1.1.1.1", null, 48)); // after the update: an arrow of its own
    Ladder.Model m = Ladder.build(ospfTopo(), events, List.of(), Map.of(), 100, 100);
    List<String> rows = m.rows().stream().map(r -> r.label() + (r.count() > 1 ? " ×" + r.count() : "")).toList();
    assertEquals(List.of("10.0.12.1 > 224.0.0.5: OSPFv2 Hello from 1.1.1.1, length 44 ×10",
        "10.0.12.2 > 224.0.0.5: OSPFv2 Hello from 2.2.2.2, length 44 ×10",
        "OSPF neighbour 2.2.2.2 (10.0.12.2) on eth0: Down -> Init (HelloReceived), heard its Hello",
        "10.0.12.1 > 224.0.0.5: OSPFv2 Hello from 1.1.1.1, length 48 ×3",
        "10.0.12.2 > 224.0.0.5: OSPFv2 LS Update from 2.2.2.2 (3 LSAs), length 120",
        "10.0.12.1 > 224.0.0.5: OSPFv2 Hello from 1.1.1.1, length 48"), rows);
    assertEquals(List.of("r2"), m.rows().get(0).to());
    assertEquals(25, m.frames());
    assertTrue(Ladder.svg(m).contains("OSPFv2 Hello from 1.1.1.1, length 44  (×10 frames)"));

    // the same Hellos without their OSPF header (an older events file) are multicasts: one arrow each
    List<Stamped> old = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      old.add(frame(1_000L * i, "r1", "01:00:5e:00:00:05", new Packet(4, "10.0.12.1", "224.0.0.5", 89, 1, i, 64, 20,
          0, false, null, null, null, null)));
    }
    assertEquals(4, Ladder.build(ospfTopo(), old, List.of(), Map.of(), 100, 100).rows().size());
  }

  @Test
  void aRouterForwardingTwoQueuedPacketsLabelsEachFrameWithItsOwnDecision() throws Exception {
    RouteInfo lan = new RouteInfo("10.0.0.0/24", null, "eth0", "kernel", "10.0.0.254", 0);
    IpEvent.Forwarded fwd = new IpEvent.Forwarded("eth1", "eth0", "10.0.0.1", lan, "10.0.0.1", 64, 63, 0x1234, 0x1334);
    List<Stamped> events = List.of(event(1_000, "r1", fwd), event(2_000, "r1", fwd),
        frame(3_000, "r1", "02:00:00:00:00:01", echoReply("10.0.1.3", "10.0.0.1", 1)),
        frame(4_000, "r1", "02:00:00:00:00:01", echoReply("10.0.1.3", "10.0.0.1", 2)));
    List<Ladder.Row> rows = Ladder.build(topo(), events, List.of(), Map.of(), 100, 100).rows();
    assertEquals(List.of("forwards 10.0.1.3 > 10.0.0.1: ICMP echo reply, id 7, seq 1, length 64; TTL 64 -> 63",
        "forwards 10.0.1.3 > 10.0.0.1: ICMP echo reply, id 7, seq 2, length 64; TTL 64 -> 63"),
        rows.stream().map(Ladder.Row::label).toList());
  }

  @Test
  void aBroadcastReachesEveryHostOfItsSegmentThroughTheSwitch() throws Exception {
    List<Stamped> events = List.of(
        event(1_000, "h1", new ArpEvent.RequestSent("eth0", "10.0.0.254", "10.0.0.1", "02:00:00:00:00:01", true, null)),
        event(2_000, "r1", new ArpEvent.ReplySent("eth0", "10.0.0.254", "02:00:00:00:00:fe", "10.0.0.1",
            "02:00:00:00:00:01")));
    Ladder.Model m = Ladder.build(topo(), events, List.of(), Map.of(), 100, 100);
    assertEquals(List.of("h2", "r1"), m.rows().get(0).to());
    assertTrue(m.rows().get(0).broadcast());
    assertEquals(List.of("h1"), m.rows().get(1).to());
  }

  @Test
  void aNodeThatIsDownGetsARowSayingSoAndTheRestAreReported() throws Exception {
    ObjectNode killed = JSON.createObjectNode();
    killed.put("name", "h2");
    killed.put("kind", "host");
    killed.put("state", "killed");
    killed.put("reason", "process 4242 is gone; see h2.log");
    String html = RunReport.html(input(List.of(), List.of(running("h1", "host", "eth0", 3), killed), null));
    assertTrue(html.contains("<tr class=\"down\"><td>h2</td><td>host</td><td>killed</td><td colspan=\"11\">down: no "
        + "counters (process 4242 is gone; see h2.log)</td></tr>"), html);
    assertTrue(html.matches("(?s).*<td>h1</td><td>host</td><td>running</td><td>eth0</td>.*"), "h1's row is there");
    assertTrue(html.contains("<td><a href=\"./h1-eth0.pcap\">h1-eth0.pcap</a></td></tr>"), "with its capture");
    assertTrue(html.contains("<td>h1:eth0 -- sw:p1</td><td>unknown (no counters from sw)</td><td class=\"n\">3</td>"
        + "<td class=\"n\">-</td>"), "sw was not asked: its end has no counters, h1's has");
    assertTrue(html.contains("<td>r1</td><td>router</td><td>no status taken</td>"), html);
    assertTrue(html.contains("class=\"node host down\" id=\"topo-h2\""), "drawn as down");
  }

  @Test
  void eventFilesAreReadSkippingBookkeepingAndBrokenLinesUpToACapPerNode() throws Exception {
    StringBuilder h1 = new StringBuilder();
    Packet p = udp("10.0.0.2", "10.0.0.1", 4);
    for (int i = 0; i < RunReport.EVENTS_PER_NODE + 10; i++) {
      h1.append(EventCodec.toJson(new Stamped(10 * i, 2 * i, "h1",
          new IpEvent.Received("eth0", "02:00:00:00:00:02", "02:00:00:00:00:01", true, true, p)), "noise")).append('\n');
      h1.append(EventCodec.toJson(new Stamped(10 * i + 1, 2 * i + 1, "h1",
          new ArpEvent.Announced("m" + i, "10.0.0.1", "02:00:00:00:00:01")), null)).append('\n');
    }
    Files.writeString(dir.resolve("h1.events.jsonl"), h1 + "{\"ts\":5,\"node\":\"h1\",\"ty");
    Files.writeString(dir.resolve("h2.events.jsonl"), "not json\n"
        + "{\"ts\":14,\"seq\":0,\"node\":\"h2\",\"type\":\"no.such.type\"}\n"
        + "{\"ts\":15,\"seq\":1,\"node\":\"h2\",\"type\":\"arp.announce\",\"dev\":\"x\",\"ip\":\"10.0.0.2\"}\n");
    List<Stamped> events = RunReport.events(dir, List.of("h1", "h2", "control"));
    assertEquals(RunReport.EVENTS_PER_NODE + 1, events.size());
    assertEquals(List.of("m0", "m1", "x", "m2"),
        events.subList(0, 4).stream().map(e -> ((ArpEvent.Announced) e.event()).dev()).toList());
  }

  @Test
  void aSnapshotNeverWaitsForANodeThatDoesNotAnswer() {
    CountDownLatch never = new CountDownLatch(1);
    Map<String, String> kinds = new LinkedHashMap<>();
    kinds.put("hung", "host");
    kinds.put("broken", "host");
    kinds.put("fine", "router");
    long t0 = System.nanoTime();
    List<JsonNode> s = LabSnapshot.take(kinds, name -> {
      switch (name) {
        case "hung" -> {
          try {
            never.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return Map.of();
        }
        case "broken" -> throw new IllegalStateException("connection refused");
        default -> {
          return Map.of("name", name, "kind", "router", "state", "running");
        }
      }
    }, Duration.ofMillis(300));
    assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "bounded by the deadline");
    assertEquals("not answering", s.get(0).path("state").asText());
    assertEquals("no status within 0 s", s.get(0).path("reason").asText());
    assertEquals("connection refused", s.get(1).path("reason").asText());
    assertEquals("running", s.get(2).path("state").asText());
    never.countDown();
  }
}
