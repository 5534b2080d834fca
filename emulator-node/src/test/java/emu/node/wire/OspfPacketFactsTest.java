package emu.node.wire;

import static emu.node.wire.WireBytes.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.event.Packet;
import emu.node.trace.PacketFacts;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/**
 * The facts a trace event records of an OSPFv2 packet ({@link PacketFacts}), read off the golden
 * packets of {@link OspfGolden} (here, in their package, to borrow them) behind an IPv4 header
 * to AllSPFRouters.
 */
class OspfPacketFactsTest {
  /** {@code ospf} behind a 20-byte IPv4 header 10.0.0.1 > 224.0.0.5, protocol 89, TTL 1. */
  private static Packet facts(String ospf) {
    byte[] body = hex(ospf);
    ByteBuf buf = Unpooled.buffer(Ipv4Packet.MIN_HEADER_LEN + body.length);
    buf.writeZero(Ipv4Packet.MIN_HEADER_LEN).writeBytes(body);
    new Ipv4Packet.Repr(0x0a000001, OspfPacket.ALL_SPF_ROUTERS, OspfPacket.PROTOCOL, 1, 7, false, 0xc0, body.length)
        .emit(new Ipv4Packet().wrap(buf, 0));
    try {
      return PacketFacts.ipv4(buf, 0);
    } finally {
      buf.release();
    }
  }

  @Test
  void helloGivesItsTypeAndTheSendersRouterId() {
    Packet p = facts(OspfGolden.HELLO);
    assertEquals("224.0.0.5", p.dst());
    assertEquals(89, p.protocol());
    assertEquals(new Packet.Ospf(OspfPacket.TYPE_HELLO, "1.1.1.1", null), p.ospf());
    assertEquals(48, p.payloadLength());
  }

  @Test
  void lsUpdateCountsItsLsas() {
    assertEquals(new Packet.Ospf(OspfPacket.TYPE_LS_UPDATE, "1.1.1.1", 2), facts(OspfGolden.LS_UPDATE).ospf());
    assertEquals(OspfPacket.TYPE_DB_DESCRIPTION, facts(OspfGolden.DD_INIT).ospf().type());
    assertEquals(OspfPacket.TYPE_LS_REQUEST, facts(OspfGolden.LS_REQUEST).ospf().type());
    assertNull(facts(OspfGolden.LS_ACK).ospf().lsas());
  }

  @Test
  void aPacketThatDoesNotCheckIsMalformed() {
    // the Hello with its checksum broken
    Packet p = facts(OspfGolden.HELLO.replaceFirst("ec93", "ec94"));
    assertNull(p.ospf());
    assertTrue(p.malformed());
  }
}
