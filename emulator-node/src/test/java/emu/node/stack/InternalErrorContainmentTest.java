package emu.node.stack;

import static emu.node.testing.CorporateNetwork.mac;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.LinkEndpoint;
import emu.link.memory.MemoryLink;
import emu.link.wire.MacAddress;
import emu.node.bridge.BridgeObserver;
import emu.node.bridge.BridgePort;
import emu.node.bridge.LearningBridge;
import emu.node.testing.CorporateNetwork;
import emu.node.testing.PacketBuilder;
import emu.node.testing.VirtualLab;
import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A frame whose handling throws (a bug of ours in a protocol, or an application's socket
 * listener) is contained: counted as an internal_error drop by exception class, its buffer
 * released (the lab's tracking allocator fails {@link VirtualLab#close} on any buffer still
 * referenced, Netty's detector runs at PARANOID), and the node goes on forwarding and answering.
 * Before the guard the exception came out of the stack into the link (with a UDP tunnel: Netty
 * counted it as a socket error and the frame leaked).
 */
class InternalErrorContainmentTest {
  private static final long R1 = mac(CorporateNetwork.R1_ETH0_MAC);
  private static final long ME = PacketBuilder.STRANGER_MAC;
  private static final String ISE = IllegalStateException.class.getName();

  private VirtualLab lab;
  private CorporateNetwork net;

  @BeforeEach
  void setUp() {
    lab = new VirtualLab(20);
    net = CorporateNetwork.start(lab);
  }

  @AfterEach
  void tearDown() {
    lab.close();
  }

  @Test
  void aThrowingUdpListenerIsCountedAndTheRouterGoesOn() {
    net.r1.stack().udp().bind(9999, (src, srcPort, dst, dstPort, payload) -> {
      throw new IllegalStateException("a bug in the application");
    });
    long[] before = net.r1.dropSnapshot();
    byte[] datagram = PacketBuilder.ipv4("192.168.1.77", "192.168.1.1").eth(R1, ME).udp(40000, 9999, new byte[12])
        .frame();
    assertDoesNotThrow(() -> net.r1.inject("eth0", datagram));
    assertDoesNotThrow(() -> net.r1.inject("eth0", datagram));

    assertEquals(Map.of(DropReason.INTERNAL_ERROR, 2L), net.r1.dropsSince(before));
    assertEquals(Map.of(ISE, 2L), net.r1.stack().internalErrors().byClass());
    lab.exec(net.client, "ping -c 2 192.168.5.100").assertExit(0);
  }

  @Test
  void aProtocolThatThrowsHasItsFrameReleasedAndCounted() {
    // a network layer with a parser bug: it throws before it releases the frame it owns
    net.r1.stack().registerEtherType(0x88B5, (nic, frame, at, unicast) -> {
      throw new IndexOutOfBoundsException("parser bug at " + at);
    });
    long[] before = net.r1.dropSnapshot();
    long rxDropped = net.r1.nic("eth0").rxDropped;
    assertDoesNotThrow(() -> net.r1.inject("eth0", PacketBuilder.ethernet(R1, ME, 0x88B5, new byte[46])));

    assertEquals(Map.of(DropReason.INTERNAL_ERROR, 1L), net.r1.dropsSince(before));
    assertEquals(rxDropped + 1, net.r1.nic("eth0").rxDropped);
    assertEquals(Map.of(IndexOutOfBoundsException.class.getName(), 1L), net.r1.stack().internalErrors().byClass());
    lab.assertNoLeaks();
    lab.exec(net.client, "ping -c 1 192.168.5.100").assertExit(0);
  }

  @Test
  void aThrowingIcmpListenerDoesNotStarvePing() {
    // registered before ping's own listener, so it is called first for the echo reply
    net.client.stack().icmp().addListener((ip, icmp) -> {
      throw new IllegalStateException("a bug in another ICMP user");
    });
    lab.exec(net.client, "ping -c 1 192.168.5.100").assertExit(0);
    assertEquals(1, net.client.drops(DropReason.INTERNAL_ERROR));
    assertEquals(Map.of(ISE, 1L), net.client.stack().internalErrors().byClass());
  }

  @Test
  void theBridgeContainsAThrowAndGoesOnForwarding() {
    long poison = MacAddress.parse("02:00:00:00:66:66").bits();
    BridgeObserver throwsOnPoison = new BridgeObserver() {
      @Override
      public boolean enabled() {
        return true;
      }

      @Override
      public void forwarded(BridgePort in, BridgePort out, long src, long dst) {}

      @Override
      public void learned(long mac, BridgePort port, boolean moved) {
        if (mac == poison) {
          throw new IllegalStateException("a bug while learning");
        }
      }

      @Override
      public void flooded(BridgePort in, List<BridgePort> out, long src, long dst) {}
    };
    LearningBridge sw = new LearningBridge("sw", lab.time(), throwsOnPoison, LearningBridge.DEFAULT_AGEING_NANOS);
    MemoryLink l1 = new MemoryLink("h1", "sw:p1", 1500, lab.time(), 1000);
    MemoryLink l2 = new MemoryLink("h2", "sw:p2", 1500, lab.time(), 1000);
    BridgePort p1 = sw.addPort("p1", l1.b());
    sw.addPort("p2", l2.b());
    List<Long> arrived = new ArrayList<>();
    l2.a().receiver(f -> {
      arrived.add(f.getLong(6) >>> 16); // the source MAC
      f.release();
    });
    send(l1.a(), MacAddress.BROADCAST_BITS, poison);
    send(l1.a(), MacAddress.BROADCAST_BITS, ME);
    assertDoesNotThrow(() -> lab.settle());

    assertEquals(List.of(ME), arrived, "the next frame is flooded as ever");
    assertEquals(Map.of(ISE, 1L), sw.internalErrors().byClass());
    assertEquals(1, p1.rxDropped);
    l1.close();
    l2.close();
    lab.assertNoLeaks();
  }

  private void send(LinkEndpoint from, long dst, long src) {
    byte[] frame = PacketBuilder.ethernet(dst, src, 0x88B5, new byte[46]);
    ByteBuf buf = lab.alloc().buffer(frame.length);
    from.send(buf.writeBytes(frame));
  }

  @Test
  void eachExceptionClassIsLoggedOnceAndCountedEveryTime() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InternalErrors errors = new InternalErrors("r1", new PrintStream(out, true, StandardCharsets.UTF_8));
    for (int i = 0; i < 1000; i++) {
      errors.count(new IllegalStateException("again " + i), "handling a frame from eth0");
    }
    errors.count(new ArithmeticException("/ by zero"), "in the listener of UDP port 53");
    String log = out.toString(StandardCharsets.UTF_8);
    assertEquals(1001, errors.total());
    assertEquals(Map.of(ISE, 1000L, ArithmeticException.class.getName(), 1L), errors.byClass());
    assertEquals(2, log.lines().filter(l -> l.startsWith("r1: internal error")).count(), log);
    assertTrue(log.contains("r1: internal error handling a frame from eth0: java.lang.IllegalStateException: again 0"),
        log);
    assertTrue(log.contains("\n    at "), "where it was thrown: " + log);
  }
}
