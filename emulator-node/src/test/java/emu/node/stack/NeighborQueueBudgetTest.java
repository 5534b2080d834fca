package emu.node.stack;

import static emu.node.testing.CorporateNetwork.mac;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.testing.CorporateNetwork;
import emu.node.testing.NettyLeakLog;
import emu.node.testing.PacketBuilder;
import emu.node.testing.VirtualLab;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What packets waiting for ARP may hold on a real router (r1 of the corporate network, virtual
 * time): floods towards next hops that never answer must not pin receive buffers nor grow the
 * node's memory past its budget. Every buffer comes from the lab's tracking allocator:
 * {@code lab.close()} fails on any buffer still referenced, and Netty's leak detector, which
 * watches them too (PARANOID in this build), must report nothing.
 */
class NeighborQueueBudgetTest {
  private static final long R1_ETH0 = mac(CorporateNetwork.R1_ETH0_MAC);
  private static final long CLIENT = mac(CorporateNetwork.CLIENT_MAC);
  /** One recvmmsg or GRO read: each datagram of it is a slice of this much memory. */
  private static final int READ_BUFFER = 65_536;

  private final NettyLeakLog leaks = new NettyLeakLog();
  private VirtualLab lab;
  private CorporateNetwork net;

  @BeforeEach
  void setUp() {
    leaks.start();
    lab = new VirtualLab(20);
    net = CorporateNetwork.start(lab);
    // r1 learns the client first, so that its ICMP errors need no ARP of their own.
    lab.exec(net.client, "ping -c 1 192.168.1.1").assertExit(0);
    net.clearRecords();
  }

  @AfterEach
  void tearDown() {
    try {
      lab.close();
      leaks.assertNone();
    } finally {
      leaks.stop();
    }
  }

  private static byte[] udpFrame(String dst, int ident, int payload) {
    return PacketBuilder.ipv4("192.168.1.100", dst).ident(ident).eth(R1_ETH0, CLIENT)
        .udp(40000, 1000 + (ident & 0xFFF), new byte[payload]).frame();
  }

  private long outstandingBytes() {
    long sum = 0;
    for (ByteBuf b : lab.alloc().outstanding()) {
      sum += b.capacity();
    }
    return sum;
  }

  /**
   * Fails on the old code, where each of the 64 queued packets kept its whole 64 KiB read
   * buffer alive (4 MiB for one neighbour): now each waits in a copy of its own size.
   */
  @Test
  void smallPacketsWaitInCopiesAndReleaseTheirReadBuffers() {
    int sent = NeighborCache.Params.LINUX.queueLength();
    int frameLength = 0;
    for (int i = 0; i < sent; i++) {
      byte[] f = udpFrame("192.168.5.77", i, 64);
      frameLength = f.length;
      ByteBuf read = lab.alloc().buffer(READ_BUFFER, READ_BUFFER);
      read.writeBytes(f);
      ByteBuf datagram = read.retainedSlice(0, f.length); // as the endpoint hands a datagram of a batch on
      read.release();
      net.r1.stack().input(net.r1.nic("eth0"), datagram);
    }
    long pinned = lab.alloc().outstanding().stream().filter(b -> b.capacity() == READ_BUFFER).count();
    assertEquals(0, pinned, "read buffers still held by the ARP queue");
    NeighborCache.Entry e = net.r1.neighbor("eth1", "192.168.5.77");
    assertEquals(NeighborState.INCOMPLETE, e.state());
    assertEquals(sent, e.queued());
    // Each copy holds the IP packet and room for the Ethernet header it is sent with.
    assertEquals((long) sent * frameLength, e.queuedBytes());
    assertEquals(e.queuedBytes(), net.r1.counters().neighborQueuedBytes);
    assertEquals(0, net.r1.drops(DropReason.ARP_QUEUE_FULL));

    lab.settle();
    assertEquals(NeighborState.FAILED, e.state());
    assertEquals(sent, net.r1.drops(DropReason.ARP_TIMEOUT));
    assertEquals(0, net.r1.counters().neighborQueuedBytes);
  }

  /**
   * Fails on the old code, which queued 64 packets for each of the 60 silent neighbours (5.5 MB
   * of 1442-byte frames): the node's queues together stay within their 4 MiB, and every packet
   * past that is dropped and counted.
   */
  @Test
  void nodeBudgetHoldsAcrossManyUnansweredNeighbours() {
    int neighbours = 60;
    int each = NeighborCache.Params.LINUX.queueLength();
    long budget = NeighborCache.Params.LINUX.nodeQueueBytes();
    int frameLength = udpFrame("192.168.5.101", 0, 1400).length;
    long before = outstandingBytes();
    for (int n = 0; n < neighbours; n++) {
      for (int i = 0; i < each; i++) {
        net.r1.inject("eth0", udpFrame("192.168.5." + (101 + n), n * each + i, 1400));
      }
    }
    long queued = 0;
    long queuedBytes = 0;
    for (int n = 0; n < neighbours; n++) {
      NeighborCache.Entry e = net.r1.neighbor("eth1", "192.168.5." + (101 + n));
      queued += e.queued();
      queuedBytes += e.queuedBytes();
    }
    long sent = (long) neighbours * each;
    assertEquals(budget / frameLength, queued, "the budget filled, and no more");
    assertEquals(queuedBytes, net.r1.counters().neighborQueuedBytes);
    assertTrue(queuedBytes <= budget, queuedBytes + " bytes queued");
    assertEquals(sent - queued, net.r1.drops(DropReason.ARP_QUEUE_FULL));
    // What the allocator has outstanding is what the queues say they hold (and the ARP
    // requests in flight): the count is of real buffers, not of the queues' own bookkeeping.
    long held = outstandingBytes() - before;
    assertTrue(held >= queuedBytes && held <= queuedBytes + 64 * 1024, held + " bytes outstanding");
    System.out.printf("neighbour queues: %d of %d packets queued, %d bytes (budget %d), %d buffer bytes held%n",
        queued, sent, queuedBytes, budget, held);

    lab.settle();
    assertEquals(queued, net.r1.drops(DropReason.ARP_TIMEOUT));
    assertEquals(0, net.r1.counters().neighborQueuedBytes);
  }
}
