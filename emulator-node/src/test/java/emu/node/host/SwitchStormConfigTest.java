package emu.node.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.tunnel.Transports;
import emu.node.bridge.StormControl;
import emu.node.config.NodeConfig;
import emu.node.config.StormSettings;
import emu.node.testing.LoopbackPorts;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A switch node's storm control from its configuration: each port's rates applied, a missing port refused. */
class SwitchStormConfigTest {
  @TempDir
  Path out;
  private final List<EventLoopGroup> groups = new ArrayList<>();
  private final List<EmulatedNode> nodes = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (EmulatedNode n : nodes) {
      n.loop().submit(n::close).get(5, TimeUnit.SECONDS);
    }
    for (EventLoopGroup g : groups) {
      g.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
  }

  private NodeConfig sw(Map<String, StormSettings> storm) throws java.io.IOException {
    int[] p = LoopbackPorts.freeUdp(1);
    return NodeConfig.builder("stormlab", "sw1", "switch").interfaces(List.of(
        new NodeConfig.Iface("p1", "02:00:00:00:09:02", null, 1500, "127.0.0.1:" + p[0], "127.0.0.1:9"),
        new NodeConfig.Iface("p2", "02:00:00:00:09:01", null, 1500, null, null)))
        .hosts(Map.of()).outputDir(out.toString()).seed(1).storm(storm).build();
  }

  private EmulatedNode node(NodeConfig c) throws Exception {
    EventLoopGroup g = Transports.singleThreadGroup();
    groups.add(g);
    EventLoop loop = g.next();
    EmulatedNode n = loop.submit(() -> EmulatedNode.create(c, loop)).get();
    nodes.add(n);
    return n;
  }

  @Test
  void eachPortGetsItsRates() throws Exception {
    EmulatedNode n = node(sw(Map.of("p1", new StormSettings(1000L, null, 50L))));
    StormControl p1 = n.bridge().port("p1").storm();
    assertEquals(1000L, p1.rate(StormControl.Kind.BROADCAST));
    assertNull(p1.rate(StormControl.Kind.MULTICAST), "not set: not policed");
    assertEquals(50L, p1.rate(StormControl.Kind.UNKNOWN_UNICAST));
    assertNull(n.bridge().port("p2").storm(), "p2 has none");
    assertNull(node(sw(null)).bridge().port("p1").storm(), "no storm control unless asked for");
  }

  @Test
  void aPortThatIsNotThereStopsTheNodeWithAMessage() {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> node(sw(Map.of("p9", new StormSettings(10L, null, null)))));
    assertTrue(e.getCause().getMessage().contains("storm: switch sw1 has no port p9"), e.getCause().getMessage());
    assertThrows(IllegalArgumentException.class, () -> new StormSettings(0L, null, null), "0 pps is refused");
  }
}
