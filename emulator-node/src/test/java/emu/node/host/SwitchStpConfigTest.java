package emu.node.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.tunnel.Transports;
import emu.node.bridge.stp.Rstp;
import emu.node.config.NodeConfig;
import emu.node.config.StpSettings;
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

/** A switch node's spanning tree from its configuration: on by default, the settings applied, {@code stp: false}. */
class SwitchStpConfigTest {
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

  private NodeConfig sw(StpSettings stp) throws java.io.IOException {
    int[] p = LoopbackPorts.freeUdp(1);
    return NodeConfig.builder("stplab", "sw1", "switch").interfaces(List.of(
        new NodeConfig.Iface("p1", "02:00:00:00:09:02", null, 1500, "127.0.0.1:" + p[0], "127.0.0.1:9"),
        new NodeConfig.Iface("p2", "02:00:00:00:09:01", null, 1500, null, null)))
        .hosts(Map.of()).outputDir(out.toString()).seed(1).stp(stp).build();
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
  void rstpByDefaultWithTheLowestPortMacAsBridgeAddress() throws Exception {
    Rstp r = node(sw(null)).rstp();
    assertEquals(0x8000_0200_0000_0901L, r.bridgeId(), "priority 32768, MAC of p2 (the lowest)");
    assertEquals(20000, r.port(r.ports().get(0).port()).pathCost());
    assertEquals(0x80, r.ports().get(0).portId() >> 8);
    assertEquals(2, r.config().forceVersion());
  }

  @Test
  void settingsApply() throws Exception {
    EmulatedNode n = node(sw(new StpSettings(null, 4096, 1, 10, 8, 0, Map.of("p2", new StpSettings.Port(2000, 64)))));
    Rstp r = n.rstp();
    assertEquals(0x1000_0200_0000_0901L, r.bridgeId());
    assertEquals(List.of(1, 10, 8, 0), List.of(r.config().hello(), r.config().maxAge(), r.config().forwardDelay(),
        r.config().forceVersion()));
    assertEquals(2000, r.ports().get(1).pathCost());
    assertEquals(64, r.ports().get(1).portId() >> 8);
    assertEquals(20000, r.ports().get(0).pathCost());
  }

  @Test
  void stpFalseLeavesAPlainLearningBridge() throws Exception {
    EmulatedNode n = node(sw(StpSettings.OFF));
    assertNull(n.rstp());
    assertNull(n.bridge().stp());
  }

  @Test
  void badSettingsStopTheNodeWithAMessage() {
    ExecutionException port = assertThrows(ExecutionException.class,
        () -> node(sw(new StpSettings(null, null, null, null, null, null, Map.of("p9", new StpSettings.Port(1, 0))))));
    assertTrue(port.getCause().getMessage().contains("switch sw1 has no port p9"), port.getCause().getMessage());
    ExecutionException prio = assertThrows(ExecutionException.class,
        () -> node(sw(new StpSettings(null, 1000, null, null, null, null, null))));
    assertTrue(prio.getCause().getMessage().contains("multiple of 4096"), prio.getCause().getMessage());
  }
}
