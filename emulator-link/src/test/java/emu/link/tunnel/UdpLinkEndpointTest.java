package emu.link.tunnel;

import static emu.link.TestBytes.ARP_REQUEST_FRAME;
import static emu.link.TestBytes.buf;
import static emu.link.TestBytes.bytes;
import static emu.link.TestBytes.pattern;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.LinkCounters;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A UDP socket as one end of a link, over real sockets on 127.0.0.1, on both Netty transports:
 * frames cross byte-exact both ways; datagrams from anyone but the peer, and frames over the MTU
 * either way, are dropped and counted. Endpoint methods run on the endpoint's event loop.
 */
class UdpLinkEndpointTest {
  static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  static final int MTU = 1500;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"epoll", "nio"})
  void aFrameSentJustBeforeCloseStillLeaves(String transport) throws Exception {
    try (Harness h = new Harness(transport)) {
      int[] ports = freePorts(2);
      Endpoint a = h.open("a", ports[0], ports[1], MTU);
      Endpoint b = h.open("b", ports[1], ports[0], MTU);
      byte[] last = pattern(342, 7);
      h.on(() -> {
        a.ep.send(buf(last));
        a.ep.close(); // in the same turn of the loop, before the batch's flush
        return null;
      });
      assertArrayEquals(last, b.next());
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"epoll", "epoll/recvmmsg", "nio"})
  void twoEndpointsExchangeFramesBothWays(String transport) throws Exception {
    try (Harness h = new Harness(transport)) {
      int[] ports = freePorts(2);
      Endpoint a = h.open("a", ports[0], ports[1], MTU);
      Endpoint b = h.open("b", ports[1], ports[0], MTU);
      assertEquals(ports[0], h.on(() -> a.ep.localAddress().getPort()));
      assertEquals(new InetSocketAddress(LOOPBACK, ports[0]), b.ep.peer());

      List<byte[]> fromA = List.of(ARP_REQUEST_FRAME, pattern(60, 1), pattern(MTU + 14, 2), pattern(14, 3));
      List<byte[]> fromB = List.of(pattern(64, 4), ARP_REQUEST_FRAME, pattern(MTU + 14, 5));
      for (byte[] f : fromA) {
        h.send(a, f);
      }
      for (byte[] f : fromB) {
        h.send(b, f);
      }
      for (byte[] f : fromA) {
        assertArrayEquals(f, b.next(), "a -> b");
      }
      for (byte[] f : fromB) {
        assertArrayEquals(f, a.next(), "b -> a");
      }
      long bytesA = fromA.stream().mapToLong(x -> x.length).sum();
      long bytesB = fromB.stream().mapToLong(x -> x.length).sum();
      LinkCounters ca = h.counters(a);
      LinkCounters cb = h.counters(b);
      assertEquals(fromA.size(), ca.txFrames);
      assertEquals(bytesA, ca.txBytes);
      assertEquals(fromB.size(), ca.rxFrames);
      assertEquals(bytesB, ca.rxBytes);
      assertEquals(fromB.size(), cb.txFrames);
      assertEquals(fromA.size(), cb.rxFrames);
      assertEquals(bytesA, cb.rxBytes);
      assertEquals(0, ca.rxDrops() + ca.txDrops() + cb.rxDrops() + cb.txDrops());
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"epoll", "epoll/recvmmsg", "nio"})
  void datagramsFromStrangersAreDroppedAndCounted(String transport) throws Exception {
    try (Harness h = new Harness(transport);
         DatagramSocket stranger = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
      int[] ports = freePorts(2);
      Endpoint a = h.open("a", ports[0], ports[1], MTU);
      Endpoint b = h.open("b", ports[1], ports[0], MTU);

      // Same address as the peer, different port.
      stranger.send(new DatagramPacket(ARP_REQUEST_FRAME, ARP_REQUEST_FRAME.length, LOOPBACK, ports[1]));
      h.awaitCounter(b, c -> c.rxDropNotFromPeer, 1);
      int expected = 1;
      // Same port as the peer, different address (127.0.0.2 is loopback on Linux).
      DatagramSocket impostor = bindOrNull(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), ports[0]));
      if (impostor != null) {
        try (impostor) {
          impostor.send(new DatagramPacket(ARP_REQUEST_FRAME, ARP_REQUEST_FRAME.length, LOOPBACK, ports[1]));
        }
        expected++;
        h.awaitCounter(b, c -> c.rxDropNotFromPeer, expected);
      }
      // Frames from the peer still arrive afterwards, and only they do.
      h.send(a, pattern(60, 9));
      assertArrayEquals(pattern(60, 9), b.next());
      LinkCounters cb = h.counters(b);
      assertEquals(expected, cb.rxDropNotFromPeer);
      assertEquals(expected, cb.rxDrops());
      assertEquals(1, cb.rxFrames);
      assertEquals(60, cb.rxBytes);
      assertNull(b.received.poll(), "nothing from the strangers was delivered");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"epoll", "epoll/recvmmsg", "nio"})
  void oversizedDatagramsFromThePeerAreDroppedAndCounted(String transport) throws Exception {
    try (Harness h = new Harness(transport);
         DatagramSocket peer = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
      peer.setSoTimeout(5_000);
      int[] ports = freePorts(1);
      Endpoint b = h.open("b", ports[0], peer.getLocalPort(), MTU);
      InetSocketAddress to = new InetSocketAddress(LOOPBACK, ports[0]);

      byte[] largest = pattern(MTU + 18, 1);
      peer.send(new DatagramPacket(largest, largest.length, to));
      assertArrayEquals(largest, b.next(), "MTU + 18 bytes (header and an 802.1Q tag) is the largest legal frame");
      for (int len : new int[] {MTU + 19, MTU + 20, 9000, 65_000}) {
        byte[] big = pattern(len, 2);
        peer.send(new DatagramPacket(big, big.length, to));
      }
      h.awaitCounter(b, c -> c.rxDropOversize, 4);
      byte[] small = pattern(60, 3);
      peer.send(new DatagramPacket(small, small.length, to));
      assertArrayEquals(small, b.next(), "the link still works after the drops");
      LinkCounters c = h.counters(b);
      assertEquals(4, c.rxDropOversize);
      assertEquals(0, c.rxDropNotFromPeer);
      assertEquals(2, c.rxFrames);
      assertEquals(largest.length + small.length, c.rxBytes);
      assertNull(b.received.poll(), "no truncated frame was delivered");

      // And the endpoint's sends reach the plain socket byte-exact.
      h.send(b, ARP_REQUEST_FRAME);
      DatagramPacket got = new DatagramPacket(new byte[2048], 2048);
      peer.receive(got);
      assertArrayEquals(ARP_REQUEST_FRAME, Arrays.copyOf(got.getData(), got.getLength()));
      assertEquals(ports[0], got.getPort());
    }
  }

  /**
   * A burst of separate datagrams, as a Linux VXLAN device or QEMU sends them: with recvmmsg many
   * land in one read, each in its own slot; every frame must come out whole and in order.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"epoll", "epoll/recvmmsg", "nio"})
  void burstsOfSeparateDatagramsArriveWholeAndInOrder(String transport) throws Exception {
    try (Harness h = new Harness(transport);
         DatagramSocket peer = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
      peer.setSendBufferSize(1 << 20);
      int[] ports = freePorts(1);
      Endpoint b = h.open("b", ports[0], peer.getLocalPort(), MTU);
      InetSocketAddress to = new InetSocketAddress(LOOPBACK, ports[0]);
      List<byte[]> sent = new ArrayList<>();
      // 64 stay within the smallest default socket buffer (212992 bytes of kernel truesize)
      for (int i = 0; i < 64; i++) {
        byte[] f = pattern(i % 3 == 0 ? MTU + 14 : 60 + i, i);
        sent.add(f);
        peer.send(new DatagramPacket(f, f.length, to));
      }
      for (int i = 0; i < sent.size(); i++) {
        assertArrayEquals(sent.get(i), b.next(), "frame " + i);
      }
      LinkCounters c = h.counters(b);
      assertEquals(sent.size(), c.rxFrames);
      assertEquals(sent.stream().mapToLong(f -> f.length).sum(), c.rxBytes);
      assertEquals(0, c.rxDrops());
    }
  }

  /** Links whose ends disagree on the MTU: the larger end's legal frames are too big for the other. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"epoll", "nio"})
  void mtuMismatchIsCountedAtTheReceiver(String transport) throws Exception {
    try (Harness h = new Harness(transport)) {
      int[] ports = freePorts(2);
      Endpoint jumbo = h.open("jumbo", ports[0], ports[1], 9000);
      Endpoint small = h.open("small", ports[1], ports[0], MTU);
      h.send(jumbo, pattern(2000, 1));
      h.awaitCounter(small, c -> c.rxDropOversize, 1);
      h.send(jumbo, pattern(MTU + 18, 2));
      assertArrayEquals(pattern(MTU + 18, 2), small.next());
      assertEquals(2, h.counters(jumbo).txFrames);
      assertEquals(1, h.counters(small).rxFrames);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"epoll", "nio"})
  void oversizedFramesPassedToSendAreDroppedAndCounted(String transport) throws Exception {
    try (Harness h = new Harness(transport);
         DatagramSocket peer = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
      peer.setSoTimeout(5_000);
      int[] ports = freePorts(1);
      Endpoint a = h.open("a", ports[0], peer.getLocalPort(), MTU);
      ByteBuf tooBig = buf(pattern(MTU + 19, 1));
      h.on(() -> {
        a.ep.send(tooBig);
        return null;
      });
      assertEquals(0, tooBig.refCnt(), "send() owns and releases a dropped frame");
      h.send(a, ARP_REQUEST_FRAME);
      DatagramPacket got = new DatagramPacket(new byte[65_536], 65_536);
      peer.receive(got);
      assertArrayEquals(ARP_REQUEST_FRAME, Arrays.copyOf(got.getData(), got.getLength()),
          "the oversized frame never reached the wire");
      LinkCounters c = h.counters(a);
      assertEquals(1, c.txDropOversize);
      assertEquals(1, c.txDrops());
      assertEquals(1, c.txFrames);
      assertEquals(42, c.txBytes);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"epoll", "nio"})
  void bindingATakenPortFails(String transport) throws Exception {
    try (Harness h = new Harness(transport);
         DatagramSocket taken = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
      UdpLinkEndpoint ep = new UdpLinkEndpoint("x", new InetSocketAddress(LOOPBACK, taken.getLocalPort()),
          new InetSocketAddress(LOOPBACK, 9), MTU);
      ChannelFuture f = h.on(() -> ep.open(h.loop));
      assertTrue(f.await(5, SECONDS));
      assertNotNull(f.cause(), "bind to a taken port must fail");
      h.on(() -> {
        ep.close();
        return null;
      });
    }
  }

  @org.junit.jupiter.api.Test
  void mtuOutsideRangeIsRefused() {
    InetSocketAddress any = new InetSocketAddress(LOOPBACK, 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new UdpLinkEndpoint("r1:eth0", any, any, 67));
    assertTrue(e.getMessage().contains("r1:eth0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new UdpLinkEndpoint("x", any, any, 65_001));
    new UdpLinkEndpoint("x", any, any, 68).close();
    new UdpLinkEndpoint("x", any, any, 65_000).close();
  }

  /** An opened endpoint and the frames it received (copied, then released on the loop). */
  static final class Endpoint {
    final UdpLinkEndpoint ep;
    final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();

    Endpoint(UdpLinkEndpoint ep) {
      this.ep = ep;
    }

    byte[] next() throws InterruptedException {
      byte[] f = received.poll(5, SECONDS);
      assertNotNull(f, ep.name() + ": no frame within 5 s");
      return f;
    }
  }

  /** One event loop group on the chosen transport, and the endpoints opened on it. */
  static final class Harness implements AutoCloseable {
    final String previous = System.getProperty("emu.transport");
    final EventLoopGroup group;
    final EventLoop loop;
    final List<Endpoint> endpoints = new ArrayList<>();
    final ReceiveMode mode;

    /** @param variant a transport, or "epoll/recvmmsg": epoll with every endpoint reading by recvmmsg */
    Harness(String variant) {
      String transport = variant.split("/")[0];
      mode = variant.endsWith("/recvmmsg") ? ReceiveMode.RECVMMSG : ReceiveMode.GRO;
      if (transport.equals("epoll")) {
        Assumptions.assumeTrue(Epoll.isAvailable(), "epoll not available here");
        System.clearProperty("emu.transport");
      } else {
        System.setProperty("emu.transport", transport);
      }
      try {
        assertEquals(transport, Transports.name());
        group = Transports.singleThreadGroup();
      } catch (RuntimeException | Error e) {
        restoreProperty();
        throw e;
      }
      loop = group.next();
    }

    private void restoreProperty() {
      if (previous == null) {
        System.clearProperty("emu.transport");
      } else {
        System.setProperty("emu.transport", previous);
      }
    }

    Endpoint open(String name, int localPort, int peerPort, int mtu) throws Exception {
      UdpLinkEndpoint ep = new UdpLinkEndpoint(name, new InetSocketAddress(LOOPBACK, localPort),
          new InetSocketAddress(LOOPBACK, peerPort), mtu, UdpLinkEndpoint.RAW, mode);
      assertEquals(mode, ep.receiveMode());
      Endpoint e = new Endpoint(ep);
      ChannelFuture f = on(() -> {
        ep.receiver(frame -> {
          e.received.add(bytes(frame));
          frame.release();
        });
        return ep.open(loop);
      });
      assertTrue(f.await(5, SECONDS), name + ": bind did not finish");
      assertTrue(f.isSuccess(), () -> name + ": bind failed: " + f.cause());
      endpoints.add(e);
      return e;
    }

    <T> T on(Callable<T> task) throws Exception {
      return loop.submit(task).get(5, SECONDS);
    }

    void send(Endpoint e, byte[] frame) throws Exception {
      on(() -> {
        e.ep.send(buf(frame));
        return null;
      });
    }

    /** A copy of the counters, read on the loop that owns them. */
    LinkCounters counters(Endpoint e) throws Exception {
      return on(() -> {
        LinkCounters src = e.ep.counters();
        LinkCounters c = new LinkCounters();
        c.rxFrames = src.rxFrames;
        c.rxBytes = src.rxBytes;
        c.txFrames = src.txFrames;
        c.txBytes = src.txBytes;
        c.rxDropNotFromPeer = src.rxDropNotFromPeer;
        c.rxDropOversize = src.rxDropOversize;
        c.txDropOversize = src.txDropOversize;
        c.txDropQueueFull = src.txDropQueueFull;
        c.txErrors = src.txErrors;
        return c;
      });
    }

    /** Polls a counter on the loop until it reaches {@code want}, failing after 5 seconds. */
    void awaitCounter(Endpoint e, ToLongFunction<LinkCounters> counter, long want) throws Exception {
      long deadline = System.nanoTime() + SECONDS.toNanos(5);
      long got;
      while ((got = on(() -> counter.applyAsLong(e.ep.counters()))) < want) {
        if (System.nanoTime() > deadline) {
          break;
        }
        Thread.sleep(2);
      }
      assertEquals(want, got, e.ep.name() + ": counter did not reach " + want + " within 5 s");
    }

    /** Closes the endpoints on their loop, stops the loop, and restores the transport property. */
    @Override
    public void close() {
      try {
        on(() -> {
          for (Endpoint e : endpoints) {
            e.ep.close();
          }
          return null;
        });
        assertTrue(group.shutdownGracefully(0, 1, SECONDS).await(10, SECONDS), "event loop did not stop");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while closing", e);
      } catch (Exception e) {
        throw new AssertionError("closing failed", e);
      } finally {
        restoreProperty();
      }
    }
  }

  /** Distinct UDP ports free on 127.0.0.1 just now (held together so they differ). */
  static int[] freePorts(int n) throws SocketException {
    DatagramSocket[] s = new DatagramSocket[n];
    int[] ports = new int[n];
    try {
      for (int i = 0; i < n; i++) {
        s[i] = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        ports[i] = s[i].getLocalPort();
      }
    } finally {
      for (DatagramSocket d : s) {
        if (d != null) {
          d.close();
        }
      }
    }
    return ports;
  }

  private static DatagramSocket bindOrNull(InetSocketAddress at) {
    try {
      return new DatagramSocket(at);
    } catch (SocketException e) {
      return null;
    }
  }
}
