package emu.node.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Dotted-quad parsing and printing, masks, classification, and reads from a buffer. */
class Ipv4AddressTest {

  @Test
  void parsesDottedQuads() {
    assertEquals(0xC0A80164, Ipv4Address.parse("192.168.1.100"));
    assertEquals(0x00000000, Ipv4Address.parse("0.0.0.0"));
    assertEquals(0xFFFFFFFF, Ipv4Address.parse("255.255.255.255"));
    assertEquals(0x7F000001, Ipv4Address.parse("127.0.0.1"));
    assertEquals(0x0A000001, Ipv4Address.parse(" 10.0.0.1 "), "surrounding blanks are trimmed");
    assertEquals(0x0A000001, Ipv4Address.parse("10.000.0.001"), "leading zeros are decimal");
    assertEquals(Ipv4Address.ANY, Ipv4Address.parse("0.0.0.0"));
    assertEquals(Ipv4Address.BROADCAST, Ipv4Address.parse("255.255.255.255"));
  }

  @Test
  void formats() {
    assertEquals("192.168.1.100", Ipv4Address.format(0xC0A80164));
    assertEquals("0.0.0.0", Ipv4Address.format(0));
    assertEquals("255.255.255.255", Ipv4Address.format(-1));
    assertEquals("128.0.0.1", Ipv4Address.format(0x80000001));
  }

  @Test
  void roundTripsRandomAddresses() {
    Random rnd = new Random(791);
    for (int i = 0; i < 10_000; i++) {
      int a = rnd.nextInt();
      assertEquals(a, Ipv4Address.parse(Ipv4Address.format(a)));
    }
  }

  @Test
  void rejectsBadTextNamingIt() {
    String[] bad = {
        "", " ", "1.2.3", "1.2.3.4.5", "1.2.3.", ".1.2.3", "1..2.3", "256.1.1.1", "1.2.3.999",
        "a.b.c.d", "1.2.3.4/24", "-1.2.3.4", "1.2.3.+4", "0x1.2.3.4", "1234.1.1.1", "1 .2.3.4",
        "1,2,3,4", "localhost", "::1",
    };
    for (String text : bad) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Ipv4Address.parse(text), "should reject '" + text + "'");
      assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
      assertFalse(Ipv4Address.isValid(text));
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Ipv4Address.parse("300.1.1.1"));
    assertTrue(e.getMessage().contains("300"), e.getMessage());
    assertTrue(Ipv4Address.isValid("10.1.2.3"));
  }

  /**
   * Only ASCII digits make an address: Character.isDigit and Integer.parseInt also accept other
   * Unicode digits (Arabic-Indic, fullwidth), which no configuration should silently accept.
   */
  @Test
  void rejectsNonAsciiDigits() {
    java.util.List<String> accepted = new java.util.ArrayList<>();
    for (String text : new String[] {"\u0661\u0669\u0662.168.1.1", "10.0.0.\uFF11", "\u0967.2.3.4"}) {
      try {
        accepted.add("'" + text + "' -> " + Ipv4Address.format(Ipv4Address.parse(text)));
      } catch (IllegalArgumentException expected) {
        // right
      }
    }
    assertEquals(java.util.List.of(), accepted, "non-ASCII digits accepted");
  }

  @Test
  void masks() {
    assertEquals(0, Ipv4Address.mask(0));
    assertEquals(0x80000000, Ipv4Address.mask(1));
    assertEquals(0xFF000000, Ipv4Address.mask(8));
    assertEquals(0xFFFFFF00, Ipv4Address.mask(24));
    assertEquals(0xFFFFFFFE, Ipv4Address.mask(31));
    assertEquals(0xFFFFFFFF, Ipv4Address.mask(32));
    for (int n = 0; n <= 32; n++) {
      assertEquals(n, Integer.bitCount(Ipv4Address.mask(n)), "prefix " + n);
    }
    assertTrue(Ipv4Address.sameSubnet(0xC0A80101, 0xC0A801FE, 24));
    assertFalse(Ipv4Address.sameSubnet(0xC0A80101, 0xC0A80201, 24));
    assertTrue(Ipv4Address.sameSubnet(0xC0A80101, 0xC0A80201, 16));
    assertTrue(Ipv4Address.sameSubnet(1, -1, 0));
    assertFalse(Ipv4Address.sameSubnet(0x0A000001, 0x0A000002, 32));
  }

  @Test
  void classification() {
    assertTrue(Ipv4Address.isMulticast(Ipv4Address.parse("224.0.0.1")));
    assertTrue(Ipv4Address.isMulticast(Ipv4Address.parse("239.255.255.255")));
    assertFalse(Ipv4Address.isMulticast(Ipv4Address.parse("223.255.255.255")));
    assertFalse(Ipv4Address.isMulticast(Ipv4Address.parse("240.0.0.0")));
    assertTrue(Ipv4Address.isLoopback(Ipv4Address.parse("127.0.0.1")));
    assertTrue(Ipv4Address.isLoopback(Ipv4Address.parse("127.255.0.9")));
    assertFalse(Ipv4Address.isLoopback(Ipv4Address.parse("128.0.0.1")));
  }

  @Test
  void readsNetworkOrderAndConvertsToInet() throws Exception {
    ByteBuf b = WireBytes.buf(WireBytes.hex("ffff c0a8 0164 ffff"));
    try {
      assertEquals(0xC0A80164, Ipv4Address.read(b, 2));
    } finally {
      b.release();
    }
    assertEquals(java.net.InetAddress.getByName("192.168.1.100"), Ipv4Address.toInet(0xC0A80164));
    assertEquals(java.net.InetAddress.getByName("255.255.255.255"), Ipv4Address.toInet(-1));
  }
}
