package emu.node.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.tunnel.Transports;
import emu.node.config.NodeConfig;
import emu.node.shell.CommandIo;
import emu.node.tcp.TcpConnection;
import emu.node.tcp.TcpError;
import emu.node.tcp.TcpEvents;
import emu.node.tcp.TcpSettings;
import emu.node.wire.Ipv4Address;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topology's TCP flood settings as the node applies them: two real nodes in this JVM (h0 and
 * web, linked by a UDP tunnel on loopback), web configured as a lab would with
 * {@code tcp: {syncookies: off, max-connections-per-listener: 1}} and its tcpecho service. With
 * one connection held open, h0's tcpecho is refused at once; before the node read these words it
 * was served (its listener's cap was the default 4096) and this test failed.
 */
class TcpSettingsFromConfigTest {
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

  @Test
  void theListenerCapAndCookiesAreTheConfiguredOnes() throws Exception {
    int[] p = freeUdpPorts(2);
    EmulatedNode h0 = node(config("h0", "02:00:00:00:00:01", "10.0.0.1/24", p[0], p[1], null, null));
    EmulatedNode web = node(config("web", "02:00:00:00:00:02", "10.0.0.2/24", p[1], p[0],
        Map.of("syncookies", "off", "max-connections-per-listener", "1"), List.of("tcpecho")));
    for (EmulatedNode n : nodes) {
      n.loop().submit(n::start).get();
    }
    TcpSettings s = web.loop().submit(() -> web.tcp().settings()).get();
    assertFalse(s.synCookies());
    assertEquals(1, s.maxConnectionsPerListener());
    assertEquals(TcpSettings.defaults().maxConnections(), s.maxConnections(), "not given: the default");

    assertEquals(0, exec(h0, "tcpecho", "10.0.0.2", "first"), "the only connection: served");
    // the first connection's close completes on web (LAST-ACK counts against the cap until the final ACK)
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (web.loop().submit(() -> web.tcp().listeners().get(0).established()).get() > 0) {
      assertTrue(System.nanoTime() < deadline, "web's first connection never closed");
      Thread.sleep(10);
    }
    // one connection held open fills the cap of 1
    CompletableFuture<TcpConnection> held = new CompletableFuture<>();
    h0.loop().submit(() -> h0.tcp().connect(Ipv4Address.parse("10.0.0.2"), 7, 0, new TcpEvents() {
      @Override
      public void onEstablished(TcpConnection c) {
        held.complete(c);
      }

      @Override
      public void onData(TcpConnection c, ByteBuf data) {
        data.release();
      }

      @Override
      public void onPeerFin(TcpConnection c) {}

      @Override
      public void onWritable(TcpConnection c) {}

      @Override
      public void onClosed(TcpConnection c, TcpError error) {
        held.completeExceptionally(new AssertionError("held connection closed: " + error));
      }
    })).get();
    TcpConnection c = held.get(10, TimeUnit.SECONDS);
    StringBuilder text = new StringBuilder();
    assertEquals(1, exec(h0, text, "tcpecho", "10.0.0.2", "second"), "past the cap: refused");
    assertTrue(text.toString().contains("refused"), text.toString());
    assertEquals(1, web.loop().submit(() -> web.tcp().counters().connectionCapRefusals).get());
    h0.loop().submit(c::abort).get();
  }

  private EmulatedNode node(NodeConfig c) throws Exception {
    EventLoopGroup g = Transports.singleThreadGroup();
    groups.add(g);
    EventLoop loop = g.next();
    EmulatedNode n = loop.submit(() -> EmulatedNode.create(c, loop)).get();
    n.open();
    nodes.add(n);
    return n;
  }

  private NodeConfig config(String name, String mac, String address, int local, int remote, Map<String, String> tcp,
                            List<String> services) {
    return new NodeConfig("tcpcaps", name, "host", List.of(new NodeConfig.Iface("eth0", mac, address, 1500,
        "127.0.0.1:" + local, "127.0.0.1:" + remote)), null, null, Map.of(), null, out.toString(), false, false, 0,
        1, null, tcp, services, null, null, null, null, null, null, null, null);
  }

  private static int exec(EmulatedNode n, String... argv) throws Exception {
    return exec(n, new StringBuilder(), argv);
  }

  /** Runs a command on the node's loop; its output goes to {@code text}; returns its exit status. */
  private static int exec(EmulatedNode n, StringBuilder text, String... argv) throws Exception {
    CompletableFuture<Integer> done = new CompletableFuture<>();
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
    return done.get(20, TimeUnit.SECONDS);
  }

  private static int[] freeUdpPorts(int n) throws Exception {
    int[] ports = new int[n];
    List<DatagramSocket> held = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress());
      held.add(s);
      ports[i] = s.getLocalPort();
    }
    held.forEach(DatagramSocket::close);
    return ports;
  }
}
