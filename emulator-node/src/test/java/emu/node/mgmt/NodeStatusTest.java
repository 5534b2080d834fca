package emu.node.mgmt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import emu.link.tunnel.Transports;
import emu.node.config.NodeConfig;
import emu.node.host.EmulatedNode;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /status} of a node whose interface takes its address by DHCP, asked before the node starts. */
class NodeStatusTest {
  @TempDir
  Path out;

  @Test
  void aDhcpInterfaceBeforeStartIsReportedInit() throws Exception {
    NodeConfig c = new NodeConfig("statuslab", "h0", "host", List.of(new NodeConfig.Iface("eth0",
        "02:00:00:00:00:01", null, 1500, null, null, null, null, null, null, null, null, true)),
        null, null, Map.of(), null, out.toString(), false, false, 0, 1, null);
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
}
