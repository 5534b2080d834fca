package emu.node.warm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.tunnel.Transports;
import emu.node.config.NodeConfig;
import emu.node.host.EmulatedNode;
import emu.node.testing.NettyLeakLog;
import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warm-up really drives the node's paths (pings both ways across a switch and a router, UDP
 * and TCP, counted by the throwaway nodes themselves) and leaves nothing behind: no thread, no
 * socket, no buffer (Netty's leak detector at PARANOID, and the pooled allocator's live
 * allocations), no file, and nothing in a real node's counters or output.
 */
class WarmUpTest {
  @TempDir
  Path out;

  @Test
  void theLightLevelRunsEveryPathAndLeavesNothingBehind() throws Exception {
    NodeConfig real = NodeConfig.builder("lab", "h1", "host").interfaces(List.of(new NodeConfig.Iface("eth0",
        "02:00:00:00:01:00", "10.0.0.1/24", 1500, "127.0.0.1:0", "127.0.0.1:9"))).hosts(Map.of())
        .outputDir(out.toString()).capture(true).trace(true).seed(1).build();
    EventLoopGroup group = Transports.singleThreadGroup();
    EventLoop loop = group.next();
    EmulatedNode node = loop.submit(() -> EmulatedNode.create(real, loop)).get();
    NettyLeakLog leaks = new NettyLeakLog();
    leaks.start();
    try {
      node.open(msg -> {});
      Set<String> filesBefore = files(out);
      Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();
      long liveBefore = liveAllocations();

      WarmUp.Result r = WarmUp.run(WarmUp.Level.LIGHT, true, true);

      int pings = WarmUp.Level.LIGHT.pings;
      // all but the few sent while IPv6 duplicate address detection or ARP still ran
      assertTrue(r.echoReplies() >= 2L * pings * 95 / 100, "echo requests of both families answered: " + r);
      assertTrue(r.routed() >= 4L * pings, "requests and replies forwarded by the router: " + r);
      assertTrue(r.bridged() >= 4L * pings, "and switched: " + r);
      assertTrue(r.tcpSegments() > (WarmUp.Level.LIGHT.tcpBytes / 1460), "the TCP transfer arrived: " + r);
      assertTrue(r.udpSent() > 0, "UDP was sent: " + r);
      assertTrue(r.freshReplies() >= 2L * WarmUp.Level.LIGHT.fresh * 9 / 10,
          "pings from emptied neighbour tables, both families, answered: " + r);

      assertFalse(Files.exists(r.dir()), "the throwaway nodes' events and captures are gone: " + r.dir());
      for (InetSocketAddress port : r.ports()) {
        try (DatagramSocket again = new DatagramSocket(port)) {
          assertEquals(port.getPort(), again.getLocalPort(), port + " is free again");
        }
      }
      assertEquals(6, r.ports().size(), "a, two switch ports, two router interfaces, b: " + r.ports());
      Set<Thread> left = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> !threadsBefore.contains(t) && t.isAlive()).collect(Collectors.toSet());
      assertTrue(left.isEmpty(), "no thread left: " + left);
      assertEquals(liveBefore, liveAllocations(), "no pooled buffer still allocated");
      leaks.assertNone();

      // the real node saw none of it
      loop.submit(() -> {
        assertEquals(0, node.stack().counters().ipReceived);
        assertEquals(0, node.stack().counters().ipSent);
        assertEquals(0, node.tcp().counters().segmentsIn);
        assertEquals(0, node.udpEndpoints().get(0).counters().rxFrames);
      }).get();
      assertEquals(filesBefore, files(out), "nothing new in the real node's output folder");
      assertEquals(0, Files.size(out.resolve("h1.events.jsonl")), "nothing in its events");
    } finally {
      leaks.stop();
      loop.submit(node::close).get();
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void offDoesNothingAndALevelIsNamed() throws Exception {
    assertEquals(null, WarmUp.run(WarmUp.Level.OFF, true, true));
    assertEquals(WarmUp.Level.FULL, WarmUp.Level.parse("Full"));
    assertEquals(WarmUp.Level.OFF, WarmUp.Level.parse(" off"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WarmUp.Level.parse("max"));
    assertEquals("warm-up level 'max': one of full, light, off", e.getMessage());
  }

  private static long liveAllocations() {
    PooledByteBufAllocator p = PooledByteBufAllocator.DEFAULT;
    long n = 0;
    for (List<PoolArenaMetric> arenas : List.of(p.metric().directArenas(), p.metric().heapArenas())) {
      for (PoolArenaMetric a : arenas) {
        n += a.numActiveAllocations();
      }
    }
    return n;
  }

  private static Set<String> files(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
  }
}
