package emu.node.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** IPv6 addresses: RFC 4291 text in, RFC 5952 text out, the derived addresses NDP uses. */
class Ipv6AddressTest {
  @Test
  void canonicalTextPerRfc5952() {
    // expected values as Python's ipaddress (an independent RFC 5952 implementation) prints them,
    // except the IPv4-mapped form, which RFC 5952 section 5 writes with a dotted quad (as iproute2)
    List<String[]> cases = List.of(
        new String[] {"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
        new String[] {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
        new String[] {"fe80::200:ff:fe00:100", "fe80::200:ff:fe00:100"},
        new String[] {"::", "::"},
        new String[] {"::1", "::1"},
        new String[] {"1::", "1::"},
        new String[] {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
        new String[] {"2001:DB8:AAAA:BBBB:CCCC:DDDD:EEEE:1", "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1"},
        new String[] {"1:0:0:2:0:0:0:3", "1:0:0:2::3"},
        new String[] {"0:0:1::", "0:0:1::"},
        new String[] {"::1.2.3.4", "::102:304"},
        new String[] {"::ffff:192.0.2.128", "::ffff:192.0.2.128"},
        new String[] {"1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"});
    for (String[] c : cases) {
      assertEquals(c[1], Ipv6Address.parse(c[0]).toString(), c[0]);
    }
  }

  @Test
  void parsingAgreesWithTheJdkOnRandomAddressesInEveryTextForm() throws Exception {
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < 2000; i++) {
      // sparse addresses, so :: runs of every length and position occur
      long hi = r.nextLong() & mask(r);
      long lo = r.nextLong() & mask(r);
      Ipv6Address a = new Ipv6Address(hi, lo);
      byte[] jdk = InetAddress.getByName(a.toString()).getAddress();
      if (jdk.length == 4) { // the JDK turns ::ffff:a.b.c.d into an Inet4Address
        assertTrue(a.isIpv4Mapped(), a.toString());
        continue;
      }
      assertArrayEquals(a.bytes(), jdk, a.toString());
      assertEquals(a, Ipv6Address.parse(a.toString()));
      assertEquals(a, Ipv6Address.of(jdk));
      StringBuilder full = new StringBuilder();
      for (int g = 0; g < 8; g++) {
        full.append(g == 0 ? "" : ":").append(String.format("%04X", a.group(g)));
      }
      assertEquals(a, Ipv6Address.parse(full.toString()), full.toString());
    }
  }

  private static long mask(SplittableRandom r) {
    long m = 0;
    for (int g = 0; g < 4; g++) {
      if (r.nextInt(3) == 0) {
        m |= 0xFFFFL << (16 * g);
      }
    }
    return m;
  }

  @Test
  void badTextIsRefusedNamingIt() {
    for (String bad : List.of("", ":", ":::", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::",
        "::g", "1:2:3:4:5:6:7:8::", ":1::", "1:", "::1.2.3", "::1.2.3.4:5", "1.2.3.4::", "::١")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv6Address.parse(bad), bad);
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
      assertFalse(Ipv6Address.isValid(bad), bad);
    }
  }

  @Test
  void linkLocalFromTheMacAsLinuxFormsIt() {
    // Linux on a NIC with MAC 02:00:00:00:01:00 (emu's client): fe80::ff:fe00:100 (the U/L bit flipped)
    assertEquals("fe80::ff:fe00:100", Ipv6Address.linkLocal(0x020000000100L).toString());
    assertEquals("fe80::5054:ff:fe12:3456", Ipv6Address.linkLocal(0x525400123456L).toString());
    assertTrue(Ipv6Address.linkLocal(0x525400123456L).isLinkLocal());
  }

  @Test
  void solicitedNodeAndItsMulticastMac() {
    Ipv6Address a = Ipv6Address.parse("2001:db8:1::1:200");
    assertEquals("ff02::1:ff01:200", a.solicitedNode().toString());
    assertEquals(0x3333_ff01_0200L, a.solicitedNode().multicastMac());
    assertEquals(0x3333_0000_0001L, Ipv6Address.ALL_NODES.multicastMac());
    assertTrue(a.solicitedNode().isMulticast());
    assertFalse(a.isMulticast());
  }

  @Test
  void prefixesAndMasks() {
    Ipv6Cidr lan = Ipv6Cidr.parse("2001:db8:1::100/64");
    assertEquals("2001:db8:1::/64", lan.networkCidr().toString());
    assertTrue(lan.contains(Ipv6Address.parse("2001:db8:1::ffff:1")));
    assertFalse(lan.contains(Ipv6Address.parse("2001:db8:2::1")));
    assertTrue(Ipv6Cidr.parse("2001:db8::/32").overlaps(lan));
    assertEquals(Ipv6Address.parse("2001:db8:1::100"), Ipv6Cidr.parse("2001:db8:1::100").address());
    assertEquals(128, Ipv6Cidr.parse("2001:db8:1::100").prefixLength());
    assertEquals("2001:db8:1:2:3:4:5:0", Ipv6Address.parse("2001:db8:1:2:3:4:5:6").masked(113).toString());
    assertEquals(126, Ipv6Address.parse("2001:db8::1").commonPrefixLength(Ipv6Address.parse("2001:db8::2")));
    assertEquals(128, Ipv6Address.parse("2001:db8::1").commonPrefixLength(Ipv6Address.parse("2001:db8::1")));
    for (String bad : List.of("2001:db8::/129", "2001:db8::/", "2001:db8::/-1", "2001:zz::/64")) {
      assertThrows(IllegalArgumentException.class, () -> Ipv6Cidr.parse(bad), bad);
    }
  }

  @Test
  void readAndWriteInPlace() {
    ByteBuf b = Unpooled.buffer(20);
    b.writerIndex(20);
    Ipv6Address a = Ipv6Address.parse("2001:db8::dead:beef");
    a.write(b, 4);
    assertEquals(a, Ipv6Address.read(b, 4));
    assertTrue(a.equalsAt(b, 4));
    assertFalse(Ipv6Address.LOOPBACK.equalsAt(b, 4));
    b.release();
  }
}
