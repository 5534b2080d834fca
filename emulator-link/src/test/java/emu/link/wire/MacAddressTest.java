package emu.link.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.TestBytes;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** MAC address parsing and printing, the group bit, and six-byte reads and writes. */
class MacAddressTest {

  @Test
  void parsesColonsAndDashesInEitherCase() {
    assertEquals(0x001a2b3c4d5eL, MacAddress.parse("00:1a:2b:3c:4d:5e").bits());
    assertEquals(0x001a2b3c4d5eL, MacAddress.parse("00-1A-2B-3C-4D-5E").bits());
    assertEquals(0x020000000100L, MacAddress.parse(" 02:00:00:00:01:00 ").bits());
    assertEquals(MacAddress.BROADCAST, MacAddress.parse("ff:ff:ff:ff:ff:ff"));
    assertEquals(MacAddress.ZERO, MacAddress.parse("00:00:00:00:00:00"));
  }

  @Test
  void formatsLowercaseWithColons() {
    assertEquals("00:1a:2b:3c:4d:5e", MacAddress.format(0x001a2b3c4d5eL));
    assertEquals("ff:ff:ff:ff:ff:ff", MacAddress.BROADCAST.toString());
    assertEquals("00:00:00:00:00:00", MacAddress.ZERO.toString());
    assertEquals("0a:0b:0c:0d:0e:0f", new MacAddress(0x0a0b0c0d0e0fL).toString());
  }

  @Test
  void roundTripsRandomAddresses() {
    Random rnd = new Random(802);
    for (int i = 0; i < 10_000; i++) {
      long bits = rnd.nextLong() & MacAddress.BROADCAST_BITS;
      MacAddress m = new MacAddress(bits);
      assertEquals(m, MacAddress.parse(m.toString()));
      assertEquals(m, MacAddress.parse(m.toString().replace(':', '-').toUpperCase()));
    }
  }

  @Test
  void rejectsBadTextNamingIt() {
    String[] bad = {
        "", "00:1a:2b:3c:4d", "00:1a:2b:3c:4d:5e:6f", "0:1a:2b:3c:4d:5e", "000:1a:2b:3c:4d:5e",
        "00:1a:2b:3c:4d:5g", "00.1a.2b.3c.4d.5e", "001a2b3c4d5e", "00:1a:2b::4d:5e", ":::::",
        "zz:zz:zz:zz:zz:zz", "00 1a 2b 3c 4d 5e",
    };
    for (String text : bad) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> MacAddress.parse(text), "should reject '" + text + "'");
      assertTrue(e.getMessage().contains(text), e.getMessage());
    }
  }

  /**
   * Text with a trailing separator, or with a sign in an octet, is not six hex pairs:
   * String.split drops trailing empty strings and Integer.parseInt accepts a leading '+'.
   */
  @Test
  void rejectsTrailingSeparatorAndSignedOctets() {
    List<String> accepted = new ArrayList<>();
    for (String text : new String[] {"02:00:00:00:01:00:", "02-00-00-00-01-00-", "02:00:00:00:01:00::",
        "+2:00:00:00:01:00", "02:00:00:+0:01:00"}) {
      try {
        MacAddress m = MacAddress.parse(text);
        accepted.add("'" + text + "' -> " + m);
      } catch (IllegalArgumentException e) {
        assertTrue(e.getMessage().contains(text), e.getMessage());
      }
    }
    assertEquals(List.of(), accepted, "malformed MAC text accepted");
  }

  @Test
  void constructorRejectsMoreThan48Bits() {
    assertThrows(IllegalArgumentException.class, () -> new MacAddress(1L << 48));
    assertThrows(IllegalArgumentException.class, () -> new MacAddress(-1L));
    assertEquals(MacAddress.BROADCAST_BITS, new MacAddress(MacAddress.BROADCAST_BITS).bits());
  }

  @Test
  void groupBitAndBroadcast() {
    assertTrue(MacAddress.isMulticast(MacAddress.parse("01:00:5e:00:00:01").bits()));
    assertTrue(MacAddress.parse("33:33:00:00:00:01").isMulticast());
    assertTrue(MacAddress.BROADCAST.isMulticast());
    assertFalse(MacAddress.parse("00:1a:2b:3c:4d:5e").isMulticast());
    assertFalse(MacAddress.parse("02:00:00:00:01:00").isMulticast(), "locally administered unicast");
    assertFalse(MacAddress.parse("fe:ff:ff:ff:ff:ff").isMulticast());
    assertTrue(MacAddress.isBroadcast(MacAddress.BROADCAST_BITS));
    assertFalse(MacAddress.isBroadcast(0xfeffffffffffL));
  }

  @Test
  void readsAndWritesSixBytesInPlace() {
    ByteBuf b = TestBytes.buf(TestBytes.hex("aaaa 001a 2b3c 4d5e bbbb"));
    try {
      int reader = b.readerIndex();
      int writer = b.writerIndex();
      assertEquals(0x001a2b3c4d5eL, MacAddress.read(b, 2));
      MacAddress.write(b, 2, 0xfedcba987654L);
      assertEquals("aaaafedcba987654bbbb", TestBytes.toHex(TestBytes.bytes(b)));
      MacAddress.write(b, 2, MacAddress.BROADCAST_BITS);
      assertEquals("aaaaffffffffffffbbbb", TestBytes.toHex(TestBytes.bytes(b)));
      assertEquals(MacAddress.BROADCAST_BITS, MacAddress.read(b, 2));
      assertEquals(reader, b.readerIndex());
      assertEquals(writer, b.writerIndex());
    } finally {
      b.release();
    }
  }
}
