package emu.node.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.tunnel.Transports;
import emu.node.channel.EmuSocketChannel.Discard;
import emu.node.config.NodeConfig;
import emu.node.tcp.TcpConnection;
import emu.node.tcp.TcpSettings;
import emu.node.tcp.TcpState;
import emu.node.testing.CommandRun;
import emu.node.testing.LoopbackPorts;
import emu.node.wire.Ipv4Address;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topology's TCP flood settings as the node applies them: two real nodes in this JVM (h0 and
 * web, linked by a UDP tunnel on loopback), web configured as a lab would with
 * {@code tcp: {syncookies: off, max-connections-per-listener: 1}} and its tcpecho service. With
 * one connection held open, h0's tcpecho is refused at once; before the node read these words it
 * was served (its listener's cap was the default 4096) and this test failed. Cookies off is
 * checked as the node's setting; what the TCP does then is HandshakeScriptTest's backlog test.
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
    int[] p = LoopbackPorts.freeUdp(2);
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

    assertEquals(0, exec(h0, "tcpecho", "10.0.0.2", "first").exitCode(), "the only connection: served");
    // the first connection's close completes on web (LAST-ACK counts against the cap until the final ACK)
    waitFor(web, () -> web.tcp().listeners().get(0).established() == 0, "web's first connection never closed");
    // one connection held open fills the cap of 1
    TcpConnection c = h0.loop().submit(() -> h0.tcp().connect(Ipv4Address.parse("10.0.0.2"), 7, 0, Discard.INSTANCE))
        .get();
    waitFor(h0, () -> c.state() == TcpState.ESTABLISHED, "the held connection never opened");
    CommandRun second = exec(h0, "tcpecho", "10.0.0.2", "second");
    assertEquals(1, second.exitCode(), "past the cap: refused");
    assertTrue(second.output().contains("refused"), second.output());
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
    return NodeConfig.builder("tcpcaps", name, "host").interfaces(List.of(new NodeConfig.Iface("eth0", mac, address,
        1500, "127.0.0.1:" + local, "127.0.0.1:" + remote))).hosts(Map.of()).outputDir(out.toString()).seed(1)
        .tcp(tcp).services(services).build();
  }

  /** Runs a command on the node's loop until it exits. */
  private static CommandRun exec(EmulatedNode n, String... argv) throws Exception {
    CommandRun run = new CommandRun(n.config().name(), String.join(" ", argv));
    n.loop().submit(() -> n.shell().run(List.of(argv), run)).get();
    waitFor(n, run::exited, "no exit from " + run);
    return run;
  }

  /** Polls {@code condition} on the node's loop for up to 20 s. */
  private static void waitFor(EmulatedNode n, BooleanSupplier condition, String failure) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!n.loop().submit(condition::getAsBoolean).get()) {
      assertTrue(System.nanoTime() < deadline, failure);
      Thread.sleep(10);
    }
  }
}
