package emu.node.mgmt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.tunnel.Transports;
import emu.node.config.NodeConfig;
import emu.node.host.EmulatedNode;
import emu.node.shell.CommandIo;
import emu.node.testing.LoopbackPorts;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VLAN subinterfaces from a node's configuration, on two real nodes in this JVM over a UDP tunnel
 * on loopback: r1 and h1 each have eth0 with no address of its own, and eth0.10 and eth0.20 on it
 * (listed after their parent, as the control plane lists them; eth0.20 has IPv6 too). Pings cross both VLANs; the
 * subinterfaces have their own meters and status (with their parent and VLAN), their parent's
 * MAC, and their parent's carrier; a subinterface cannot be set down or impaired by itself.
 */
class SubinterfaceNodeTest {
  private static final Pattern SAMPLE = Pattern.compile("([a-z_0-9]+)(?:\\{(.*)})? (\\S+)");
  @TempDir
  Path out;

  private final List<EventLoopGroup> groups = new ArrayList<>();
  private final Map<String, EmulatedNode> nodes = new LinkedHashMap<>();

  private static List<NodeConfig.Iface> ifaces(String mac, String bind, String peer, int host) {
    return List.of(new NodeConfig.Iface("eth0", mac, null, 1500, bind, peer),
        new NodeConfig.Iface("eth0.10", mac, "10.10.0." + host + "/24", 1500, null, null),
        // VLAN 20 speaks IPv6 too: its link-local address from the (parent's) MAC, neighbour discovery tagged
        new NodeConfig.Iface("eth0.20", mac, "10.20.0." + host + "/24", 1500, null, null, null, null, null,
            List.of("2001:db8:20::" + host + "/64"), null));
  }

  @BeforeEach
  void start() throws Exception {
    int[] p = LoopbackPorts.freeUdp(2);
    String lo = "127.0.0.1:";
    // r1 traces its events (the carrier's among them)
    node(NodeConfig.builder("vlanlab", "r1", "router").interfaces(ifaces("02:00:00:00:00:01", lo + p[0], lo + p[1], 1))
        .hosts(Map.of()).outputDir(out.toString()).trace(true).seed(1).build());
    node(NodeConfig.builder("vlanlab", "h1", "host").interfaces(ifaces("02:00:00:00:00:02", lo + p[1], lo + p[0], 2))
        .hosts(Map.of()).outputDir(out.toString()).seed(1).build());
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
  void pingsCrossBothVlansAndEachSubinterfaceIsCountedAndShown() throws Exception {
    assertEquals(0, exec("h1", "ping", "-c", "2", "-i", "0.1", "10.10.0.1").code());
    assertEquals(0, exec("h1", "ping", "-c", "2", "-i", "0.1", "10.20.0.1").code());
    // duplicate address detection first (about a second): until then the address is tentative, unusable
    for (String node : List.of("h1", "r1")) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (exec(node, "ip", "-6", "addr").text().contains("tentative") && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
    }
    Exec six = exec("h1", "ping", "-c", "1", "-W", "5", "2001:db8:20::1");
    assertEquals(0, six.code(), six.text());
    Map<String, Double> h1 = scrape("h1");
    Map<String, Double> r1 = scrape("r1");
    for (String sub : List.of("eth0.10", "eth0.20")) {
      double sent = h1.get("emu_interface_transmit_frames_total{interface=\"" + sub + "\"}");
      assertTrue(sent >= 3, sub + ": ARP and 2 echo requests at least, got " + sent);
      assertEquals(sent, r1.get("emu_interface_receive_frames_total{interface=\"" + sub + "\"}"), sub);
      assertEquals(h1.get("emu_interface_transmit_bytes_total{interface=\"" + sub + "\"}"),
          r1.get("emu_interface_receive_bytes_total{interface=\"" + sub + "\"}"), sub);
      assertEquals(1.0, r1.get("emu_interface_up{interface=\"" + sub + "\"}"), sub);
      assertEquals(1.0, r1.get("emu_arp_cache_entries{interface=\"" + sub + "\"}"), sub);
    }
    // the parent's link carried them all: its own counters are the sum (plus nothing untagged)
    assertEquals(h1.get("emu_interface_transmit_frames_total{interface=\"eth0\"}"),
        h1.get("emu_interface_transmit_frames_total{interface=\"eth0.10\"}")
            + h1.get("emu_interface_transmit_frames_total{interface=\"eth0.20\"}"));
    assertEquals(0.0, r1.get("emu_drops_total{reason=\"vlan_unknown\"}"));

    Exec link = exec("r1", "ip", "link");
    assertTrue(link.text().contains("eth0.10@eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP"
        + " mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:01"), link.text());
    EmulatedNode n = nodes.get("r1");
    Map<String, Object> status = n.loop().submit(() -> NodeStatus.of(n)).get();
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> ifs = (List<Map<String, Object>>) status.get("interfaces");
    assertEquals(Map.of("parent", "eth0", "id", 20), ifs.get(2).get("vlan"));
    assertEquals("eth0.20", ifs.get(2).get("name"));
    assertTrue(ifs.get(2).containsKey("link"), ifs.get(2).toString());
  }

  @Test
  void aSubinterfaceFollowsItsParentsLink() throws Exception {
    EmulatedNode r1 = nodes.get("r1");
    r1.loop().submit(() -> r1.setLinkUp("eth0", false)).get();
    assertEquals(0.0, scrape("r1").get("emu_interface_up{interface=\"eth0.10\"}"));
    assertEquals(1, exec("h1", "ping", "-c", "1", "-W", "0.5", "10.10.0.1").code());
    r1.loop().submit(() -> r1.setLinkUp("eth0", true)).get();
    assertEquals(0, exec("h1", "ping", "-c", "1", "-W", "2", "10.10.0.1").code());
    // each line is flushed as written: the carrier's events are in the file, each subinterface's after eth0's
    List<String> states = Files.readAllLines(out.resolve("r1.events.jsonl")).stream()
        .filter(l -> l.contains("\"link.state\"")).map(l -> l.replaceAll(".*\"dev\":\"([^\"]+)\",\"up\":(\\w+).*",
            "$1 $2")).toList();
    assertEquals(List.of("eth0 false", "eth0.10 false", "eth0.20 false", "eth0 true", "eth0.10 true", "eth0.20 true"),
        states);
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> r1.loop().submit(() -> r1.setLinkUp("eth0.10", false)).get());
    assertTrue(e.getCause().getMessage().contains("r1:eth0.10 is a VLAN subinterface of eth0, whose link carries it"),
        e.getCause().getMessage());
    assertTrue(r1.loop().submit(() -> r1.stack().nic("eth0.10").isUp()).get(), "unchanged by the refused call");
  }

  record Exec(int code, String text) {}

  private Exec exec(String node, String... argv) throws Exception {
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
    return new Exec(code, text.toString());
  }

  private Map<String, Double> scrape(String node) throws Exception {
    EmulatedNode n = nodes.get(node);
    String text = n.loop().submit(() -> NodeMetrics.bind(n).scrape()).get();
    Map<String, Double> m = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      Matcher s = SAMPLE.matcher(line);
      assertTrue(s.matches(), "not a Prometheus sample: " + line);
      String labels = s.group(2) == null ? "" : s.group(2)
          .replaceAll("(^|,)lab=\"vlanlab\"", "").replaceAll("(^|,)node=\"" + node + "\"", "").replaceAll("^,", "");
      m.put(s.group(1) + (labels.isEmpty() ? "" : "{" + labels + "}"), Double.parseDouble(s.group(3)));
    }
    return m;
  }
}
