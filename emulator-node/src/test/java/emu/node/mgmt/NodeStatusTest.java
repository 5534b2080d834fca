package emu.node.mgmt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.tunnel.Transports;
import emu.node.config.NodeConfig;
import emu.node.host.EmulatedNode;
import emu.node.ospf.Ospf;
import emu.node.testing.LabNode;
import emu.node.testing.LabSwitch;
import emu.node.testing.VirtualLab;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /status}: a node whose interface takes its address by DHCP, asked before the node
 * starts; a router's OSPF summary.
 */
class NodeStatusTest {
  @TempDir
  Path out;

  @Test
  void aDhcpInterfaceBeforeStartIsReportedInit() throws Exception {
    NodeConfig c = NodeConfig.builder("statuslab", "h0", "host").interfaces(List.of(new NodeConfig.Iface("eth0",
        "02:00:00:00:00:01", null, 1500, null, null, null, null, null, null, null, null, true)))
        .hosts(Map.of()).outputDir(out.toString()).seed(1).build();
    EventLoopGroup g = Transports.singleThreadGroup();
    try {
      EventLoop loop = g.next();
      EmulatedNode n = loop.submit(() -> EmulatedNode.create(c, loop)).get();
      Map<String, Object> status = loop.submit(() -> NodeStatus.of(n)).get(5, TimeUnit.SECONDS);
      @SuppressWarnings("unchecked")
      Map<String, Object> eth0 = ((List<Map<String, Object>>) status.get("interfaces")).get(0);
      assertEquals("init", eth0.get("dhcp"));
      assertEquals(null, eth0.get("address"));
      assertEquals(Map.of(), status.get("dhcp_client"), "the client's drops by reason, none yet");
      loop.submit(n::close).get(5, TimeUnit.SECONDS);
    } finally {
      g.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aRouterRunningOspfReportsItsNeighboursLsasAndSpfRuns() {
    // routers 1.1.1.1 and 2.2.2.2 on a LAN (a DR elected) and on a point-to-point link
    VirtualLab lab = new VirtualLab(3);
    LabSwitch sw = lab.bridge("sw");
    List<LabNode> routers = List.of(lab.router("r1"), lab.router("r2"));
    for (int i = 1; i <= 2; i++) {
      lab.connect(routers.get(i - 1), "eth0", "02:00:00:00:00:0" + i, "10.0.0." + i + "/24", sw, "p" + i);
    }
    lab.connect(routers.get(0), "eth1", "02:00:00:00:01:01", "10.0.12.1/24", routers.get(1), "eth1",
        "02:00:00:00:01:02", "10.0.12.2/24", 1500);
    lab.start();
    List<Ospf> ospf = new ArrayList<>();
    for (int i = 1; i <= 2; i++) {
      ospf.add(new Ospf(routers.get(i - 1).stack(), new Ospf.Config(0x01010101 * i, List.of(
          new Ospf.InterfaceConfig("eth0", 10, 1, 4, 1, false, Ospf.NetworkType.BROADCAST),
          new Ospf.InterfaceConfig("eth1", 10, 1, 4, 1, false, Ospf.NetworkType.POINT_TO_POINT)))));
      ospf.get(i - 1).start();
    }
    lab.advance(VirtualLab.seconds(20));
    Ospf o1 = ospf.get(0);
    Map<String, Object> s = NodeStatus.ospf(o1);
    assertEquals("1.1.1.1", s.get("router_id"));
    assertEquals(List.of(
        Map.of("router_id", "2.2.2.2", "address", "10.0.0.2", "dev", "eth0", "state", "Full/DR"),
        Map.of("router_id", "2.2.2.2", "address", "10.0.12.2", "dev", "eth1", "state", "Full/-")), s.get("neighbors"));
    assertEquals(o1.database().size(), s.get("lsas"));
    assertTrue((int) s.get("lsas") >= 3, "two router-LSAs and the LAN's network-LSA: " + s);
    assertTrue((long) s.get("spf_runs") > 0, s.toString());
  }
}
