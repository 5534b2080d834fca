package emu.node.wire;

import static emu.node.wire.WireBytes.buf;
import static emu.node.wire.WireBytes.bytes;
import static emu.node.wire.WireBytes.hex;
import static emu.node.wire.WireBytes.toHex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * BOOTP/DHCP view (RFC 2131/2132): a DISCOVER and an OFFER both ways against golden bytes, each
 * malformation refused with its reason, and a mutation fuzz that never throws nor reads past the
 * message.
 */
class DhcpMessageTest {
  private static final String ZEROS_16 = "00".repeat(10);
  private static final String SNAME_FILE = "00".repeat(64 + 128);

  /**
   * DISCOVER, xid 0x3903f326, BROADCAST flag, chaddr 02:00:00:00:00:01, asking for 1 3 6 15, host
   * name "client", padded to 300 bytes (as tshark decodes it: Boot Request, DHCP Discover).
   */
  static final byte[] DISCOVER = hex("01010600 3903f326 0000 8000"
      + "00000000 00000000 00000000 00000000" + "020000000001" + ZEROS_16 + SNAME_FILE + "63825363"
      + "350101" + "37040103060f" + "0c06636c69656e74" + "ff" + "00".repeat(300 - 240 - 18));

  /**
   * OFFER of 192.168.1.100 from server 192.168.1.1: mask /24, router 192.168.1.1, DNS
   * 192.168.1.53, lease 3600 s, T1 1800 s, T2 3150 s.
   */
  static final byte[] OFFER = hex("02010600 3903f326 0000 8000"
      + "00000000 c0a80164 00000000 00000000" + "020000000001" + ZEROS_16 + SNAME_FILE + "63825363"
      + "350102" + "3604c0a80101" + "3304 00000e10" + "3a04 00000708" + "3b04 00000c4e"
      + "0104ffffff00" + "0304c0a80101" + "0604c0a80135" + "ff" + "00".repeat(300 - 240 - 46));

  private final DhcpMessage m = new DhcpMessage();

  private DhcpMessage.Check check(byte[] p) {
    ByteBuf b = buf(p);
    return m.wrap(b, 0, p.length).check();
  }

  @Test
  void discoverParses() {
    assertEquals(300, DISCOVER.length);
    assertEquals(DhcpMessage.Check.OK, check(DISCOVER));
    assertEquals(DhcpMessage.OP_REQUEST, m.op());
    assertEquals(0x3903f326, m.xid());
    assertTrue(m.broadcastFlag());
    assertEquals(0x020000000001L, m.chaddr());
    assertEquals(DhcpMessage.DISCOVER, m.messageType());
    assertTrue(m.requests(DhcpMessage.OPT_DNS));
    assertFalse(m.requests(DhcpMessage.OPT_BROADCAST));
    assertEquals("client", m.optionText(DhcpMessage.OPT_HOSTNAME));
    assertNull(m.optionText(DhcpMessage.OPT_CLIENT_ID));
    assertEquals(0, m.optionInt(DhcpMessage.OPT_REQUESTED_IP, 0));
  }

  @Test
  void offerParsesAndIsEmittedByteForByte() {
    assertEquals(DhcpMessage.Check.OK, check(OFFER));
    assertEquals(DhcpMessage.OFFER, m.messageType());
    assertEquals(0xC0A80164, m.yiaddr());
    assertEquals(0xC0A80101, m.optionInt(DhcpMessage.OPT_SERVER_ID, 0));
    assertEquals(3600, m.optionInt(DhcpMessage.OPT_LEASE_TIME, 0));
    ByteBuf out = Unpooled.buffer();
    int len = new DhcpMessage.Writer().begin(out, DhcpMessage.OP_REPLY, 0x3903f326, 0, DhcpMessage.FLAG_BROADCAST,
            0, 0xC0A80164, 0, 0, 0x020000000001L)
        .optionByte(DhcpMessage.OPT_MESSAGE_TYPE, DhcpMessage.OFFER)
        .optionInt(DhcpMessage.OPT_SERVER_ID, 0xC0A80101)
        .optionInt(DhcpMessage.OPT_LEASE_TIME, 3600)
        .optionInt(DhcpMessage.OPT_RENEWAL_TIME, 1800)
        .optionInt(DhcpMessage.OPT_REBINDING_TIME, 3150)
        .optionInt(DhcpMessage.OPT_SUBNET_MASK, 0xFFFFFF00)
        .optionInts(DhcpMessage.OPT_ROUTER, new int[] {0xC0A80101})
        .optionInts(DhcpMessage.OPT_DNS, new int[] {0xC0A80135})
        .finish();
    assertEquals(300, len);
    assertEquals(toHex(OFFER), toHex(bytes(out)));
  }

  @Test
  void discoverIsEmittedByteForByte() {
    ByteBuf out = Unpooled.buffer();
    new DhcpMessage.Writer().begin(out, DhcpMessage.OP_REQUEST, 0x3903f326, 0, DhcpMessage.FLAG_BROADCAST,
            0, 0, 0, 0, 0x020000000001L)
        .optionByte(DhcpMessage.OPT_MESSAGE_TYPE, DhcpMessage.DISCOVER)
        .optionBytes(DhcpMessage.OPT_PARAMETER_LIST, new byte[] {1, 3, 6, 15})
        .optionText(DhcpMessage.OPT_HOSTNAME, "client")
        .finish();
    assertEquals(toHex(DISCOVER), toHex(bytes(out)));
  }

  @Test
  void malformedMessagesAreRefusedWithTheirReason() {
    assertEquals(DhcpMessage.Check.TRUNCATED, check(java.util.Arrays.copyOf(DISCOVER, 239)));
    byte[] p = DISCOVER.clone();
    p[0] = 3;
    assertEquals(DhcpMessage.Check.BAD_OP, check(p));
    p = DISCOVER.clone();
    p[2] = 8;
    assertEquals(DhcpMessage.Check.NOT_ETHERNET, check(p));
    p = DISCOVER.clone();
    p[1] = 6; // IEEE 802
    assertEquals(DhcpMessage.Check.NOT_ETHERNET, check(p));
    p = DISCOVER.clone();
    p[239] = 0;
    assertEquals(DhcpMessage.Check.BAD_MAGIC, check(p));
    p = DISCOVER.clone();
    p[244] = (byte) 255; // the parameter list claims 255 bytes
    assertEquals(DhcpMessage.Check.OPTIONS_OVERRUN, check(p));
    // options without an end option
    assertEquals(DhcpMessage.Check.OPTIONS_OVERRUN, check(java.util.Arrays.copyOf(DISCOVER, 243)));
    // a lone option code at the very end
    byte[] lone = java.util.Arrays.copyOf(DISCOVER, 244);
    lone[243] = 12;
    assertEquals(DhcpMessage.Check.OPTIONS_OVERRUN, check(lone));
    p = DISCOVER.clone();
    p[240] = 52; // overload
    assertEquals(DhcpMessage.Check.OVERLOAD, check(p));
    p = DISCOVER.clone();
    p[240] = 99; // the message type option becomes an unknown one
    assertEquals(DhcpMessage.Check.NO_MESSAGE_TYPE, check(p));
    p = DISCOVER.clone();
    p[242] = 9;
    assertEquals(DhcpMessage.Check.BAD_MESSAGE_TYPE, check(p));
    p = DISCOVER.clone();
    p[242] = 0;
    assertEquals(DhcpMessage.Check.BAD_MESSAGE_TYPE, check(p));
    // option 53 of length 0 followed by option 1: not read as a DISCOVER
    byte[] empty = java.util.Arrays.copyOf(DISCOVER, 249);
    byte[] tail = {53, 0, 1, 4, (byte) 255, (byte) 255, (byte) 255, 0, (byte) 255};
    System.arraycopy(tail, 0, empty, 240, tail.length);
    assertEquals(DhcpMessage.Check.BAD_MESSAGE_TYPE, check(empty));
  }

  @Test
  void aLengthPastTheBufferIsCut() {
    ByteBuf b = buf(java.util.Arrays.copyOf(DISCOVER, 260));
    assertEquals(DhcpMessage.Check.OK, m.wrap(b, 0, 300).check());
    assertEquals(DhcpMessage.Check.TRUNCATED, m.wrap(b, 100, 300).check());
  }

  @Test
  void mutationFuzzNeverThrowsNorReadsPastTheMessage() {
    List<byte[]> seeds = List.of(DISCOVER, OFFER);
    SplittableRandom rnd = new SplittableRandom(2131);
    int ok = 0;
    for (int i = 0; i < 20000; i++) {
      byte[] f = seeds.get(rnd.nextInt(seeds.size())).clone();
      int edits = 1 + rnd.nextInt(4);
      for (int e = 0; e < edits; e++) {
        // mostly the options, where the walking is
        int at = rnd.nextBoolean() ? 240 + rnd.nextInt(f.length - 240) : rnd.nextInt(f.length);
        f[at] = (byte) rnd.nextInt(256);
      }
      int cut = rnd.nextInt(6) == 0 ? rnd.nextInt(f.length + 1) : f.length;
      // the view sits in a larger buffer whose bytes past the message must never be read
      ByteBuf b = Unpooled.buffer(cut + 64);
      b.writeBytes(f, 0, cut);
      int writer = b.writerIndex();
      b.writeBytes(new byte[64]);
      b.writerIndex(writer);
      DhcpMessage.Check c = m.wrap(b, 0, cut).check();
      assertNotNull(c);
      if (c == DhcpMessage.Check.OK) {
        ok++;
        for (int code = 1; code < 255; code++) {
          if (m.has(code)) {
            assertTrue(m.optionIndex(code) + m.optionLength(code) <= cut, "option " + code + " within the message");
          }
        }
        m.optionText(DhcpMessage.OPT_HOSTNAME);
        m.optionHex(DhcpMessage.OPT_CLIENT_ID);
        m.requests(DhcpMessage.OPT_DNS);
        m.chaddr();
      }
      b.release();
    }
    assertTrue(ok > 1000, "many mutants still parse: " + ok);
  }
}
