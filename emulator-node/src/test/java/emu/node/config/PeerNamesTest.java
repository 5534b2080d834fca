package emu.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerNamesTest {
  private static NodeConfig node(String... peers) {
    List<NodeConfig.Iface> ifs = new ArrayList<>();
    for (int i = 0; i < peers.length; i++) {
      ifs.add(new NodeConfig.Iface("eth" + i, "02:00:00:00:01:0" + i, "10.0." + i + ".1/24", 1500,
          "0.0.0.0:" + (40000 + i), peers[i]));
    }
    return NodeConfig.builder("lab", "h1", "host").interfaces(ifs).routes(List.of())
        .management(new NodeConfig.Management("0.0.0.0", 9900, "t")).outputDir("/tmp").seed(1).build();
  }

  @Test
  void literalPeersAreLeftExactlyAsTheyAre() throws Exception {
    NodeConfig c = node("127.0.0.1:5000", null);
    NodeConfig r = PeerNames.resolve(c, Duration.ofSeconds(1), Duration.ofMillis(1),
        h -> { throw new AssertionError("no lookup for a literal: " + h); }, d -> { }, m -> { });
    assertSame(c, r);
  }

  @Test
  void namesAreResolvedOnceAndTheAddressReplacesThem() throws Exception {
    NodeConfig c = node("r1:40001", "127.0.0.1:5000");
    List<String> log = new ArrayList<>();
    NodeConfig r = PeerNames.resolve(c, Duration.ofSeconds(1), Duration.ofMillis(1),
        h -> InetAddress.getByAddress(h, new byte[] {10, 44, 1, 7}), d -> { }, log::add);
    assertEquals("10.44.1.7:40001", r.interfaces().get(0).peer());
    assertEquals("127.0.0.1:5000", r.interfaces().get(1).peer());
    assertEquals("0.0.0.0:40000", r.interfaces().get(0).bind());
    assertEquals(c.management(), r.management());
    assertTrue(log.get(0).contains("r1 is 10.44.1.7:40001"), log.toString());
    // the resolved address is what the link endpoint is built from
    assertEquals(InetAddress.getByAddress(new byte[] {10, 44, 1, 7}),
        HostPort.parse(r.interfaces().get(0).peer()).getAddress());
  }

  @Test
  void aNameThatIsNotThereYetIsAskedAgain() throws Exception {
    AtomicInteger tries = new AtomicInteger();
    List<String> log = new ArrayList<>();
    NodeConfig r = PeerNames.resolve(node("sw1:40000"), Duration.ofSeconds(30), Duration.ofMillis(1), h -> {
      if (tries.incrementAndGet() < 4) {
        throw new UnknownHostException(h + ": Name or service not known");
      }
      return InetAddress.getByAddress(h, new byte[] {10, 0, 0, 9});
    }, d -> { }, log::add);
    assertEquals(4, tries.get());
    assertEquals("10.0.0.9:40000", r.interfaces().get(0).peer());
    assertTrue(log.get(0).contains("waiting for link peer sw1"), log.toString());
  }

  @Test
  void aNameThatNeverResolvesStopsTheNodeNamingThePeer() {
    var e = assertThrows(IllegalArgumentException.class, () -> PeerNames.resolve(node("payroll:40000"),
        Duration.ofMillis(30), Duration.ofMillis(5),
        h -> { throw new UnknownHostException(h + ": Name or service not known"); },
        d -> Thread.sleep(d.toMillis()), m -> { }));
    assertTrue(e.getMessage().contains("interface eth0: link peer payroll did not resolve"), e.getMessage());
  }

  @Test
  void aBadPortIsRefusedWithoutWaiting() {
    var e = assertThrows(IllegalArgumentException.class, () -> PeerNames.resolve(node("r1:http"),
        Duration.ofSeconds(30), Duration.ofSeconds(1), h -> { throw new AssertionError(); }, d -> { }, m -> { }));
    assertTrue(e.getMessage().contains("not host:port: 'r1:http'"), e.getMessage());
  }

  @Test
  void secretsAreMergedIntoTheConfiguration(@TempDir Path dir) throws Exception {
    NodeConfig c = node("r1:40001");
    var tree = (com.fasterxml.jackson.databind.node.ObjectNode) NodeConfig.JSON.valueToTree(c);
    ((com.fasterxml.jackson.databind.node.ObjectNode) tree.get("management")).remove("token");
    Files.writeString(dir.resolve("node.json"), NodeConfig.JSON.writeValueAsString(tree));
    Files.writeString(dir.resolve("secret.json"), "{\"management\": {\"token\": \"s3cret\"}}");
    NodeConfig r = NodeConfig.read(dir.resolve("node.json"), dir.resolve("secret.json"));
    assertEquals(new NodeConfig.Management("0.0.0.0", 9900, "s3cret"), r.management());
    assertEquals(c.interfaces(), r.interfaces());
    Files.writeString(dir.resolve("bad.json"), "{\"managment\": {\"token\": \"x\"}}");
    assertThrows(Exception.class, () -> NodeConfig.read(dir.resolve("node.json"), dir.resolve("bad.json")));
  }
}
