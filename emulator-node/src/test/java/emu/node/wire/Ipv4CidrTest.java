package emu.node.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Prefix parsing and printing, network and broadcast arithmetic, containment and overlap. */
class Ipv4CidrTest {

  @Test
  void parsesInterfaceAddress() {
    Ipv4Cidr c = Ipv4Cidr.parse("192.168.1.100/24");
    assertEquals(0xC0A80164, c.address());
    assertEquals(24, c.prefixLength());
    assertEquals(0xFFFFFF00, c.mask());
    assertEquals(0xC0A80100, c.network());
    assertEquals(0xC0A801FF, c.broadcast());
    assertEquals(new Ipv4Cidr(0xC0A80100, 24), c.networkCidr());
    assertEquals("192.168.1.100/24", c.toString());
    assertEquals("192.168.1.0/24", c.networkCidr().toString());
    assertEquals(c, Ipv4Cidr.parse(" 192.168.1.100/24 "));
  }

  @Test
  void bareAddressIsSlash32AndEdgesWork() {
    Ipv4Cidr host = Ipv4Cidr.parse("10.1.2.3");
    assertEquals(new Ipv4Cidr(0x0A010203, 32), host);
    assertEquals(0x0A010203, host.network());
    assertEquals(0x0A010203, host.broadcast());
    assertTrue(host.contains(0x0A010203));
    assertFalse(host.contains(0x0A010204));

    Ipv4Cidr all = Ipv4Cidr.parse("0.0.0.0/0");
    assertEquals(0, all.mask());
    assertEquals(0, all.network());
    assertEquals(-1, all.broadcast());
    assertTrue(all.contains(0x08080808));
    assertTrue(all.contains(-1));
    assertEquals("0.0.0.0/0", all.toString());

    Ipv4Cidr p2p = Ipv4Cidr.parse("10.0.0.1/31");
    assertEquals(0x0A000000, p2p.network());
    assertEquals(0x0A000001, p2p.broadcast());
    assertEquals(Ipv4Cidr.parse("10.0.0.0/8"), Ipv4Cidr.parse("10.0.0.0/08"));
  }

  @Test
  void roundTripsEveryPrefixLength() {
    for (int n = 0; n <= 32; n++) {
      Ipv4Cidr c = new Ipv4Cidr(0xAC10FE01, n);
      assertEquals(c, Ipv4Cidr.parse(c.toString()));
      assertTrue(c.contains(c.address()));
      assertTrue(c.contains(c.network()));
      assertTrue(c.contains(c.broadcast()));
    }
  }

  @Test
  void containsAndOverlaps() {
    Ipv4Cidr net = Ipv4Cidr.parse("172.16.0.0/12");
    assertTrue(net.contains(Ipv4Address.parse("172.31.255.255")));
    assertFalse(net.contains(Ipv4Address.parse("172.32.0.0")));
    assertFalse(net.contains(Ipv4Address.parse("172.15.255.255")));
    assertTrue(net.overlaps(Ipv4Cidr.parse("172.20.1.0/24")));
    assertTrue(Ipv4Cidr.parse("172.20.1.0/24").overlaps(net));
    assertFalse(net.overlaps(Ipv4Cidr.parse("192.168.0.0/16")));
    assertTrue(Ipv4Cidr.parse("0.0.0.0/0").overlaps(net));
    assertFalse(Ipv4Cidr.parse("10.0.0.0/25").overlaps(Ipv4Cidr.parse("10.0.0.128/25")));
  }

  @Test
  void rejectsBadTextNamingIt() {
    // The message names the whole text or the offending part of it.
    String[][] bad = {
        {"10.0.0.0/33", "10.0.0.0/33"},
        {"10.0.0.0/", "10.0.0.0/"},
        {"10.0.0.0/abc", "10.0.0.0/abc"},
        {"10.0.0.0/-1", "10.0.0.0/-1"},
        {"10.0.0.0/+8", "10.0.0.0/+8"},
        {"10.0.0.0/024", "10.0.0.0/024"},
        {"10.0.0.0/8/8", "10.0.0.0/8/8"},
        {"10.0.0.0/ 8", "10.0.0.0/ 8"},
        {"10.0.0/8", "10.0.0"},
        {"300.0.0.0/8", "300.0.0.0"},
        {"bad/24", "bad"},
        {"", ""},
    };
    for (String[] c : bad) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Ipv4Cidr.parse(c[0]), "should reject '" + c[0] + "'");
      assertTrue(e.getMessage().contains(c[1]), "'" + c[0] + "' gave: " + e.getMessage());
    }
  }

  /** With nothing before the slash, quoting the (empty) address part says nothing useful. */
  @Test
  void emptyAddressPartMessageNamesTheText() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv4Cidr.parse("/24"));
    assertTrue(e.getMessage().contains("/24"), "message should quote '/24' but was: " + e.getMessage());
  }

  @Test
  void rejectsNonAsciiPrefixLength() {
    assertThrows(IllegalArgumentException.class, () -> Ipv4Cidr.parse("10.0.0.0/\u0662\u0664"));
  }

  @Test
  void constructorChecksPrefixLength() {
    assertThrows(IllegalArgumentException.class, () -> new Ipv4Cidr(0, -1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Ipv4Cidr(0, 33));
    assertTrue(e.getMessage().contains("33"), e.getMessage());
  }
}
