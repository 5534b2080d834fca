package emu.node.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.LinkCounters;
import emu.link.tunnel.Transports;
import emu.node.config.NodeConfig;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A link whose planned port is taken binds another on the same address (and says so) instead of
 * failing the node; {@link EmulatedNode#peerPort} then moves the peer filter: frames from the old
 * port are dropped and counted as not from the peer, frames from the new one are taken, and
 * frames go to the new one. Before: the node could not start (exit 3), and the peer filter could
 * not change.
 */
class LinkPortMoveTest {
  @TempDir
  Path out;

  @Test
  void aTakenLinkPortMovesAndThePeerFilterFollowsTheNewPort() throws Exception {
    InetAddress lo = InetAddress.getLoopbackAddress();
    try (DatagramSocket squatter = new DatagramSocket(new InetSocketAddress(lo, 0));
         DatagramSocket oldPeer = new DatagramSocket(new InetSocketAddress(lo, 0));
         DatagramSocket newPeer = new DatagramSocket(new InetSocketAddress(lo, 0))) {
      int taken = squatter.getLocalPort();
      NodeConfig c = NodeConfig.builder("move", "h1", "host").interfaces(List.of(new NodeConfig.Iface("eth0",
          "02:00:00:00:01:00", "10.0.0.1/24", 1500, "127.0.0.1:" + taken, "127.0.0.1:" + oldPeer.getLocalPort())))
          .hosts(Map.of()).outputDir(out.toString()).seed(1).build();
      EventLoopGroup group = Transports.singleThreadGroup();
      EventLoop loop = group.next();
      EmulatedNode node = loop.submit(() -> EmulatedNode.create(c, loop)).get();
      try {
        List<String> said = new ArrayList<>();
        node.open(said::add);
        int bound = node.udpEndpoints().get(0).localAddress().getPort();
        assertNotEquals(taken, bound);
        assertEquals(" links=eth0:" + bound, node.linkPorts());
        assertEquals(1, said.size(), said.toString());
        assertTrue(said.get(0).contains("UDP 127.0.0.1:" + taken + " for eth0 is taken")
            && said.get(0).contains("bound port " + bound + " instead"), said.get(0));

        InetSocketAddress to = new InetSocketAddress(lo, bound);
        byte[] frame = new byte[60];
        java.util.Arrays.fill(frame, 0, 6, (byte) 0xff);
        frame[12] = (byte) 0x88;
        frame[13] = (byte) 0xb5;
        oldPeer.send(new DatagramPacket(frame, frame.length, to));
        assertEquals(1, await(node, 1, 0).rxFrames, "from the configured peer: taken");

        loop.submit(() -> node.peerPort("eth0", newPeer.getLocalPort())).get();
        assertThrows(java.util.concurrent.ExecutionException.class, () -> loop.submit(() -> node.peerPort("eth0", 0))
            .get());
        oldPeer.send(new DatagramPacket(frame, frame.length, to));
        newPeer.send(new DatagramPacket(frame, frame.length, to));
        LinkCounters after = await(node, 2, 1);
        assertEquals(1, after.rxDropNotFromPeer, "the old port is no longer the peer");
        assertEquals(2, after.rxFrames, "the new port is");

        // and what h1 sends goes to the new port only (a gratuitous ARP at start)
        newPeer.setSoTimeout(3_000);
        oldPeer.setSoTimeout(300);
        loop.submit(node::start).get();
        DatagramPacket got = new DatagramPacket(new byte[2048], 2048);
        newPeer.receive(got);
        assertTrue(got.getLength() >= 42, "an ARP frame reached the new port");
        assertThrows(java.net.SocketTimeoutException.class, () -> oldPeer.receive(new DatagramPacket(new byte[2048],
            2048)));
      } finally {
        loop.submit(node::close).get(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
      }
    }
  }

  /** The link's counters once it has taken {@code frames} and dropped {@code drops} (5 s at most). */
  private static LinkCounters await(EmulatedNode node, long frames, long drops) throws Exception {
    for (int i = 0; i < 100; i++) {
      LinkCounters c = node.loop().submit(() -> {
        LinkCounters copy = new LinkCounters();
        LinkCounters live = node.udpEndpoints().get(0).counters();
        copy.rxFrames = live.rxFrames;
        copy.rxDropNotFromPeer = live.rxDropNotFromPeer;
        return copy;
      }).get();
      if (c.rxFrames >= frames && c.rxDropNotFromPeer >= drops) {
        return c;
      }
      Thread.sleep(50);
    }
    return node.udpEndpoints().get(0).counters();
  }

  /** A port that must not move (pinned by the topology, or an outside peer's) fails the start, naming it. */
  @Test
  void aFixedPortThatIsTakenFailsTheStart() throws Exception {
    InetAddress lo = InetAddress.getLoopbackAddress();
    try (DatagramSocket squatter = new DatagramSocket(new InetSocketAddress(lo, 0))) {
      int taken = squatter.getLocalPort();
      NodeConfig.Iface pinned = new NodeConfig.Iface("eth0", "02:00:00:00:01:00", "10.0.0.1/24", 1500,
          "127.0.0.1:" + taken, "127.0.0.1:9", null, null, null, null, null, null, null, null, true);
      NodeConfig c = NodeConfig.builder("move", "h1", "host").interfaces(List.of(pinned)).hosts(Map.of())
          .outputDir(out.toString()).seed(1).build();
      EventLoopGroup group = Transports.singleThreadGroup();
      EventLoop loop = group.next();
      EmulatedNode node = loop.submit(() -> EmulatedNode.create(c, loop)).get();
      try {
        List<String> said = new ArrayList<>();
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> node.open(said::add));
        assertTrue(e.getMessage().contains("cannot bind UDP 127.0.0.1:" + taken + " for eth0")
            && e.getMessage().contains("must not move"), e.getMessage());
        assertEquals(List.of(), said);
      } finally {
        loop.submit(node::close).get(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      }
    }
  }
}
