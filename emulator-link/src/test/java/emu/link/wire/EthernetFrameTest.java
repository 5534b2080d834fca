package emu.link.wire;

import static emu.link.TestBytes.ARP_REQUEST_FRAME;
import static emu.link.TestBytes.buf;
import static emu.link.TestBytes.bytes;
import static emu.link.TestBytes.hex;
import static emu.link.TestBytes.toHex;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** Ethernet II header view: golden bytes both ways, static accessors, short frames. */
class EthernetFrameTest {
  static final MacAddress HOST = MacAddress.parse("00:1a:2b:3c:4d:5e");

  /** An IPv4 frame to 00:11:22:33:44:55 from 00:1a:2b:3c:4d:5e: just the 14-byte header. */
  static final byte[] IPV4_HEADER = hex("0011 2233 4455 001a 2b3c 4d5e 0800");

  @Test
  void parseArpRequestHeader() {
    ByteBuf b = buf(ARP_REQUEST_FRAME);
    try {
      EthernetFrame f = new EthernetFrame();
      assertTrue(f.wrapChecked(b));
      assertSame(b, f.buffer());
      assertEquals(MacAddress.BROADCAST_BITS, f.dst());
      assertEquals(HOST.bits(), f.src());
      assertEquals(EthernetFrame.ETHERTYPE_ARP, f.etherType());
      assertEquals(14, f.payloadIndex());
      assertEquals(28, f.payloadLength());
      var r = EthernetFrame.Repr.parse(f);
      assertEquals(new EthernetFrame.Repr(MacAddress.BROADCAST, HOST, 0x0806), r);
      assertEquals(14, r.bufferLen());
      // Static accessors read the same fields without a view.
      assertEquals(0x0806, EthernetFrame.etherType(b, 0));
      assertEquals(MacAddress.BROADCAST_BITS, EthernetFrame.dst(b, 0));
      assertEquals(HOST.bits(), EthernetFrame.src(b, 0));
      assertEquals(0, b.readerIndex(), "a view does not consume");
    } finally {
      b.release();
    }
  }

  @Test
  void emitHeadersIntoZeroedBuffers() {
    ByteBuf b = Unpooled.buffer(14).writeZero(14);
    ByteBuf c = Unpooled.buffer(14).writeZero(14);
    try {
      new EthernetFrame.Repr(MacAddress.BROADCAST, HOST, EthernetFrame.ETHERTYPE_ARP)
          .emit(new EthernetFrame().wrap(b));
      assertEquals(toHex(java.util.Arrays.copyOf(ARP_REQUEST_FRAME, 14)), toHex(bytes(b)));
      new EthernetFrame.Repr(MacAddress.parse("00:11:22:33:44:55"), HOST, EthernetFrame.ETHERTYPE_IPV4)
          .emit(new EthernetFrame().wrap(c));
      assertEquals(toHex(IPV4_HEADER), toHex(bytes(c)));
    } finally {
      b.release();
      c.release();
    }
  }

  @Test
  void settersEditInPlace() {
    ByteBuf b = buf(ARP_REQUEST_FRAME);
    try {
      EthernetFrame f = new EthernetFrame().wrap(b);
      f.dst(0x001122334455L).src(HOST.bits()).etherType(EthernetFrame.ETHERTYPE_IPV4);
      byte[] want = ARP_REQUEST_FRAME.clone();
      System.arraycopy(IPV4_HEADER, 0, want, 0, 14);
      assertEquals(toHex(want), toHex(bytes(b)));
    } finally {
      b.release();
    }
  }

  /** The view starts at the reader index, so a frame behind consumed bytes reads correctly. */
  @Test
  void viewStartsAtReaderIndex() {
    ByteBuf b = Unpooled.buffer(64).writeBytes(hex("dead beef")).writeBytes(ARP_REQUEST_FRAME);
    try {
      b.skipBytes(4);
      EthernetFrame f = new EthernetFrame();
      assertTrue(f.wrapChecked(b));
      assertEquals(MacAddress.BROADCAST_BITS, f.dst());
      assertEquals(HOST.bits(), f.src());
      assertEquals(0x0806, f.etherType());
      assertEquals(18, f.payloadIndex());
      assertEquals(28, f.payloadLength());
      assertEquals(0x0806, EthernetFrame.etherType(b, 4));
      f.etherType(0x86dd);
      assertEquals(0x86dd, b.getUnsignedShort(16));
      assertEquals(0xdeadbeefL, b.getUnsignedInt(0), "bytes before the frame untouched");
    } finally {
      b.release();
    }
  }

  @Test
  void vlanAndIpv6EtherTypesAreJustNumbers() {
    byte[] vlan = hex("ffff ffff ffff 001a 2b3c 4d5e 8100 0064 0800");
    ByteBuf b = buf(vlan);
    try {
      EthernetFrame f = new EthernetFrame();
      assertTrue(f.wrapChecked(b));
      assertEquals(EthernetFrame.ETHERTYPE_VLAN, f.etherType());
      assertEquals(4, f.payloadLength());
    } finally {
      b.release();
    }
  }

  @Test
  void shortFramesAreRefused() {
    for (int len = 0; len < 14; len++) {
      ByteBuf b = buf(java.util.Arrays.copyOf(ARP_REQUEST_FRAME, len));
      try {
        EthernetFrame f = new EthernetFrame();
        boolean ok = assertDoesNotThrow(() -> f.wrapChecked(b));
        assertFalse(ok, len + " bytes");
        assertNull(f.buffer(), "a refused frame is not viewed");
      } finally {
        b.release();
      }
    }
    // A view that held a good frame lets go of it when the next one is refused.
    ByteBuf good = buf(ARP_REQUEST_FRAME);
    ByteBuf shortOne = buf(hex("ffff ffff ffff 001a 2b3c 4d5e 08"));
    try {
      EthernetFrame f = new EthernetFrame();
      assertTrue(f.wrapChecked(good));
      assertFalse(f.wrapChecked(shortOne));
      assertNull(f.buffer());
    } finally {
      good.release();
      shortOne.release();
    }
    // 14 bytes exactly: a header with an empty payload.
    ByteBuf header = buf(IPV4_HEADER);
    try {
      EthernetFrame f = new EthernetFrame();
      assertTrue(f.wrapChecked(header));
      assertEquals(0, f.payloadLength());
    } finally {
      header.release();
    }
    // Readable bytes count, not capacity: 13 readable bytes in a large buffer are refused.
    ByteBuf roomy = Unpooled.buffer(1500).writeBytes(ARP_REQUEST_FRAME, 0, 13);
    try {
      assertFalse(new EthernetFrame().wrapChecked(roomy));
    } finally {
      roomy.release();
    }
  }
}
