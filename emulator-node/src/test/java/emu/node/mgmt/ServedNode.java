package emu.node.mgmt;

import emu.link.tunnel.Transports;
import emu.node.config.NodeConfig;
import emu.node.host.EmulatedNode;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A started host h0 with one link on loopback, and its management server on 127.0.0.1, for the
 * management API's tests over real sockets.
 */
final class ServedNode implements AutoCloseable {
  final EventLoopGroup group;
  final EmulatedNode node;
  final ManagementServer mgmt;
  final InetSocketAddress at;

  private ServedNode(EventLoopGroup group, EmulatedNode node, ManagementServer mgmt, InetSocketAddress at) {
    this.group = group;
    this.node = node;
    this.mgmt = mgmt;
    this.at = at;
  }

  /** @param key the node's key; {@code clock} the wall clock requests' times are checked against */
  static ServedNode start(String lab, Path out, String key, HttpLimits limits, LongSupplier clock) throws Exception {
    int[] p = new int[2];
    for (int i = 0; i < 2; i++) {
      try (DatagramSocket s = new DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
        p[i] = s.getLocalPort();
      }
    }
    NodeConfig c = NodeConfig.builder(lab, "h0", "host").interfaces(List.of(new NodeConfig.Iface("eth0",
        "02:00:00:00:00:01", "10.0.0.1/24", 1500, "127.0.0.1:" + p[0], "127.0.0.1:" + p[1])))
        .hosts(Map.of()).outputDir(out.toString()).seed(1).build();
    EventLoopGroup group = Transports.singleThreadGroup();
    EventLoop loop = group.next();
    EmulatedNode node = loop.submit(() -> EmulatedNode.create(c, loop)).get();
    node.open();
    loop.submit(node::start).get();
    ManagementServer mgmt = new ManagementServer(node, key, () -> { }, limits, clock);
    return new ServedNode(group, node, mgmt, mgmt.bind(new InetSocketAddress("127.0.0.1", 0)));
  }

  @Override
  public void close() throws Exception {
    node.loop().submit(() -> {
      mgmt.close();
      node.close();
    }).get(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
  }
}
