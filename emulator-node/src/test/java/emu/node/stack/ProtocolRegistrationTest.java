package emu.node.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.DisconnectedEndpoint;
import emu.link.time.VirtualTime;
import emu.link.wire.EthernetFrame;
import emu.link.wire.MacAddress;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import emu.node.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Protocols above IPv4 and beside it reach their packets by registering, not by editing the stack. */
class ProtocolRegistrationTest {
  private static final long MAC = 0x020000000100L;
  private final NetworkStack stack = new NetworkStack("h1", new VirtualTime(), new SplittableRandom(1),
      StackObserver.OFF, io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, false, NeighborCache.Params.LINUX);
  private final Nic nic = stack.addNic("eth0", MAC, Ipv4Cidr.parse("10.0.0.1/24"),
      new DisconnectedEndpoint("h1:eth0", 1500));

  @org.junit.jupiter.api.AfterEach
  void down() {
    stack.setLinkUp(nic, false); // frees what waits for ARP (the ICMP error to 10.0.0.2)
  }

  private static ByteBuf frame(int etherType, int protocol) {
    ByteBuf f = Unpooled.buffer(64);
    f.writerIndex(EthernetFrame.HEADER_LEN + 20 + 8);
    new EthernetFrame.Repr(new MacAddress(MAC), new MacAddress(0x020000000200L), etherType)
        .emit(new EthernetFrame().wrap(f));
    if (etherType == EthernetFrame.ETHERTYPE_IPV4) {
      new Ipv4Packet.Repr(Ipv4Address.parse("10.0.0.2"), Ipv4Address.parse("10.0.0.1"), protocol, 64, 1, true, 0, 8)
          .emit(new Ipv4Packet().wrap(f, EthernetFrame.HEADER_LEN));
    }
    return f;
  }

  @Test
  void aRegisteredIpProtocolGetsItsPacketsAndOthersAreUnreachable() {
    List<Integer> got = new ArrayList<>();
    stack.registerProtocol(89, (n, buf, ipStart, noErrors) -> {
      got.add((int) buf.getUnsignedByte(ipStart + Ipv4Packet.PROTOCOL));
      buf.release();
    });
    stack.input(nic, frame(EthernetFrame.ETHERTYPE_IPV4, 89));
    assertEquals(List.of(89), got);
    stack.input(nic, frame(EthernetFrame.ETHERTYPE_IPV4, 132)); // SCTP: nobody registered
    assertEquals(1, stack.counters().drops(DropReason.UNSUPPORTED_PROTOCOL));
    assertEquals(1, stack.counters().icmpErrorsSent, "protocol unreachable (RFC 1122 3.2.2.1)");
    assertThrows(IllegalStateException.class, () -> stack.registerProtocol(89, (n, b, i, e) -> b.release()));
    assertThrows(IllegalStateException.class, () -> stack.registerProtocol(17, (n, b, i, e) -> b.release()),
        "UDP is the stack's");
    assertThrows(IllegalStateException.class,
        () -> stack.registerProtocol(Ipv4Packet.PROTO_ICMP, (n, b, i, e) -> b.release()), "ICMP is IPv4's");
  }

  @Test
  void aRegisteredEtherTypeGetsItsFramesAndOthersAreDropped() {
    List<Integer> got = new ArrayList<>();
    stack.registerEtherType(0x86DD, (n, frame, payloadStart, unicast) -> {
      got.add(payloadStart);
      assertTrue(unicast);
      frame.release();
    });
    stack.input(nic, frame(0x86DD, 0));
    assertEquals(List.of(EthernetFrame.HEADER_LEN), got);
    stack.input(nic, frame(0x88CC, 0)); // LLDP: nobody registered
    assertEquals(1, stack.counters().drops(DropReason.UNKNOWN_ETHERTYPE));
    assertThrows(IllegalStateException.class, () -> stack.registerEtherType(0x0806, (n, f, p, u) -> f.release()));
  }
}
