package emu.node.mgmt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.tunnel.Transports;
import emu.node.config.NodeConfig;
import emu.node.host.EmulatedNode;
import emu.node.shell.CommandIo;
import emu.node.testing.LoopbackPorts;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's meters, on three real nodes in this JVM (h0 - r1 - h1, each on its own event loop,
 * linked by UDP tunnels on loopback): what one end sends the other receives, the router's
 * forwarded packets, impairment and no-route drops, and the management API's {@code /metrics}.
 */
class NodeMetricsTest {
  @TempDir
  Path out;

  private final List<EventLoopGroup> groups = new ArrayList<>();
  private final Map<String, EmulatedNode> nodes = new LinkedHashMap<>();
  private final Map<String, NodeMetrics> metrics = new LinkedHashMap<>();

  @BeforeEach
  void start() throws Exception {
    int[] p = LoopbackPorts.freeUdp(4);
    String lo = "127.0.0.1:";
    node(NodeConfig.builder("metricslab", "h0", "host").interfaces(List.of(
        new NodeConfig.Iface("eth0", "02:00:00:00:00:01", "10.0.0.1/24", 1500, lo + p[0], lo + p[1])))
        .gateway("10.0.0.254").hosts(Map.of()).outputDir(out.toString()).seed(1).build());
    node(NodeConfig.builder("metricslab", "r1", "router").interfaces(List.of(
        new NodeConfig.Iface("eth0", "02:00:00:00:00:fe", "10.0.0.254/24", 1500, lo + p[1], lo + p[0]),
        new NodeConfig.Iface("eth1", "02:00:00:00:01:fe", "10.0.1.254/24", 1500, lo + p[2], lo + p[3])))
        .hosts(Map.of()).outputDir(out.toString()).seed(1).build());
    node(NodeConfig.builder("metricslab", "h1", "host").interfaces(List.of(
        new NodeConfig.Iface("eth0", "02:00:00:00:01:01", "10.0.1.1/24", 1500, lo + p[3], lo + p[2])))
        .gateway("10.0.1.254").hosts(Map.of()).outputDir(out.toString()).seed(1).build());
    // every socket is bound before anyone sends (the gratuitous ARPs at start would be lost otherwise)
    for (EmulatedNode n : nodes.values()) {
      n.loop().submit(n::start).get();
    }
  }

  private void node(NodeConfig c) throws Exception {
    EventLoopGroup g = Transports.singleThreadGroup();
    groups.add(g);
    EventLoop loop = g.next();
    EmulatedNode n = loop.submit(() -> EmulatedNode.create(c, loop)).get();
    n.open();
    nodes.put(c.name(), n);
  }

  @AfterEach
  void stop() throws Exception {
    for (EmulatedNode n : nodes.values()) {
      n.loop().submit(n::close).get(5, TimeUnit.SECONDS);
    }
    for (EventLoopGroup g : groups) {
      g.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void framesSentOnOneEndAreReceivedOnTheOtherAndDropsAreCounted() throws Exception {
    assertEquals(0, exec("h0", "ping", "-c", "3", "-i", "0.1", "10.0.1.1"));
    Map<String, Double> h0 = scrape("h0");
    Map<String, Double> r1 = scrape("r1");
    Map<String, Double> h1 = scrape("h1");
    // 3 echo requests and replies plus ARP each way: whatever crossed, both ends agree
    double sent = h0.get("emu_interface_transmit_frames_total{interface=\"eth0\"}");
    assertTrue(sent >= 4, "h0 sent " + sent);
    assertEquals(sent, r1.get("emu_interface_receive_frames_total{interface=\"eth0\"}"));
    assertEquals(h0.get("emu_interface_transmit_bytes_total{interface=\"eth0\"}"),
        r1.get("emu_interface_receive_bytes_total{interface=\"eth0\"}"));
    assertEquals(r1.get("emu_interface_transmit_frames_total{interface=\"eth1\"}"),
        h1.get("emu_interface_receive_frames_total{interface=\"eth0\"}"));
    assertEquals(h1.get("emu_interface_transmit_frames_total{interface=\"eth0\"}"),
        r1.get("emu_interface_receive_frames_total{interface=\"eth1\"}"));
    assertEquals(6.0, r1.get("emu_ip_forwarded_packets_total"), "3 requests and 3 replies crossed r1");
    assertEquals(0.0, h0.get("emu_ip_forwarded_packets_total"));
    assertEquals(1.0, h0.get("emu_arp_cache_entries{interface=\"eth0\"}"), "h0 knows its gateway");
    assertTrue(h0.get("emu_arp_cache_misses_total") >= 1, "the first packet waited for ARP");
    assertEquals(1.0, h0.get("emu_interface_up{interface=\"eth0\"}"));
    assertEquals(0.0, h0.get("emu_drops_total{reason=\"no_route\"}"));

    // a destination the router has no route for: dropped there (and answered with ICMP)
    assertEquals(1, exec("h0", "ping", "-c", "1", "-W", "0.5", "10.9.9.9"));
    assertEquals(1.0, scrape("r1").get("emu_drops_total{reason=\"no_route\"}"));

    // loss 100% on h0's egress: every request is dropped and counted as such, per interface and in total
    nodes.get("h0").loop().submit(() -> nodes.get("h0").impair("eth0", Map.of("loss", "100%"))).get();
    assertEquals(1, exec("h0", "ping", "-c", "2", "-i", "0.1", "-W", "0.5", "10.0.1.1"));
    Map<String, Double> after = scrape("h0");
    assertEquals(2.0, after.get("emu_impairment_drops_total{interface=\"eth0\",reason=\"loss\"}"));
    assertEquals(2.0, after.get("emu_drops_total{reason=\"impairment_loss\"}"));
    assertEquals(after.get("emu_interface_transmit_frames_total{interface=\"eth0\"}"),
        scrape("r1").get("emu_interface_receive_frames_total{interface=\"eth0\"}"), "still equal: nothing was lost on the wire");
  }

  @Test
  void managementApiServesMetricsWithTheNodesToken() throws Exception {
    EmulatedNode h0 = nodes.get("h0");
    ManagementServer mgmt = new ManagementServer(h0, "secret", () -> { });
    InetSocketAddress at = mgmt.bind(new InetSocketAddress("127.0.0.1", 0));
    try {
      HttpClient http = HttpClient.newHttpClient();
      URI uri = URI.create("http://127.0.0.1:" + at.getPort() + "/metrics");
      HttpResponse<String> denied = http.send(HttpRequest.newBuilder(uri).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(401, denied.statusCode());
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).header("Authorization", signed("GET", uri))
          .GET().build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
      String text = r.body();
      assertTrue(text.contains("# TYPE emu_drops_total counter"), text);
      assertTrue(text.contains("emu_tcp_rtt_seconds_count{lab=\"metricslab\",node=\"h0\"}"), text);
      assertTrue(text.contains("emu_tls_handshakes_total{lab=\"metricslab\",node=\"h0\",outcome=\"success\",side=\"client\"}"),
          text);
      assertTrue(text.contains("emu_dns_client_answers_total{lab=\"metricslab\",node=\"h0\",rcode=\"nxdomain\"}"), text);
      assertTrue(text.contains("emu_tcp_connections{lab=\"metricslab\",node=\"h0\",state=\"established\"}"), text);
      assertFalse(text.contains("NaN"), text);
      HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri).header("Authorization", signed("POST", uri))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(405, post.statusCode());
    } finally {
      h0.loop().submit(mgmt::close).get();
    }
  }

  /** An Authorization header for a request without a body, signed with the node's key "secret". */
  private static String signed(String method, URI uri) {
    return MgmtAuth.authorization("secret".getBytes(java.nio.charset.StandardCharsets.UTF_8), method,
        uri.getRawAuthority(), uri.getRawPath(), System.currentTimeMillis(), MgmtAuth.nonce(), new byte[0]);
  }

  @Test
  void aSwitchHasBridgeMetersAndNoStackMeters() throws Exception {
    int[] p = LoopbackPorts.freeUdp(1);
    node(NodeConfig.builder("metricslab", "sw1", "switch").interfaces(List.of(
        new NodeConfig.Iface("p1", "02:00:00:00:09:01", null, 1500, "127.0.0.1:" + p[0], "127.0.0.1:9"),
        new NodeConfig.Iface("p2", "02:00:00:00:09:02", null, 1500, null, null)))
        .hosts(Map.of()).outputDir(out.toString()).seed(1).macTableSize(4).build());
    nodes.get("sw1").loop().submit(nodes.get("sw1")::start).get();
    assertEquals(4, nodes.get("sw1").bridge().maxEntries(), "the topology's mac-table-size");
    Map<String, Double> sw = scrape("sw1");
    assertEquals(0.0, sw.get("emu_bridge_forwarded_frames_total"));
    assertEquals(0.0, sw.get("emu_bridge_fdb_overflow_total"));
    assertEquals(0.0, sw.get("emu_drops_total{reason=\"runt\"}"));
    assertTrue(sw.containsKey("emu_interface_receive_frames_total{interface=\"p1\"}"), sw.toString());
    assertFalse(sw.containsKey("emu_interface_receive_frames_total{interface=\"p2\"}"), "p2 is not linked");
    assertFalse(sw.containsKey("emu_ip_forwarded_packets_total"));
    // RSTP runs by default: it started on the loop after start() and sent its first BPDU out of p1.
    nodes.get("sw1").loop().submit(() -> { }).get();
    sw = scrape("sw1");
    assertTrue(sw.get("emu_stp_bpdus_total{direction=\"out\"}") >= 1, sw.toString());
    assertEquals(0.0, sw.get("emu_stp_bpdu_drops_total{reason=\"bad-protocol-id\"}"));
    assertEquals(0.0, sw.get("emu_stp_topology_changes_total"));
  }

  /** Runs a command on a node's loop; returns its exit status. */
  private int exec(String node, String... argv) throws Exception {
    EmulatedNode n = nodes.get(node);
    CompletableFuture<Integer> done = new CompletableFuture<>();
    StringBuilder text = new StringBuilder();
    n.loop().execute(() -> n.shell().run(List.of(argv), new CommandIo() {
      @Override
      public void out(String line) {
        text.append(line).append('\n');
      }

      @Override
      public void exit(int code) {
        done.complete(code);
      }

      @Override
      public void onCancel(Runnable action) {}
    }));
    int code = done.get(20, TimeUnit.SECONDS);
    System.out.print(text);
    return code;
  }

  private static final Pattern SAMPLE = Pattern.compile("^([a-z_]+)(?:\\{(.*)})? (\\S+)$");

  /**
   * Scrapes a node on its loop; samples keyed by name and labels without the common ones
   * (lab, node), e.g. {@code emu_drops_total{reason="no_route"}}.
   */
  private Map<String, Double> scrape(String node) throws Exception {
    EmulatedNode n = nodes.get(node);
    String text = n.loop().submit(() -> metrics.computeIfAbsent(node, k -> NodeMetrics.bind(n)).scrape()).get();
    Map<String, Double> m = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      Matcher s = SAMPLE.matcher(line);
      assertTrue(s.matches(), "not a Prometheus sample: " + line);
      String labels = s.group(2) == null ? "" : s.group(2)
          .replaceAll("(^|,)lab=\"metricslab\"", "").replaceAll("(^|,)node=\"" + node + "\"", "").replaceAll("^,", "");
      m.put(s.group(1) + (labels.isEmpty() ? "" : "{" + labels + "}"), Double.parseDouble(s.group(3)));
    }
    return m;
  }
}
