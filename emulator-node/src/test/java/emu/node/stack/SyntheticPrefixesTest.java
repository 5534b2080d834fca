package emu.node.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.wire.Ipv4Cidr;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The synthetic Internet table: its prefix-length mix, its addresses, its determinism. */
class SyntheticPrefixesTest {
  private static final List<Ipv4Cidr> TABLE = SyntheticPrefixes.generate(900_000, 1);

  private static double share(int shortest, int longest) {
    return TABLE.stream().filter(p -> p.prefixLength() >= shortest && p.prefixLength() <= longest).count()
        / (double) TABLE.size();
  }

  @Test
  void lengthMixIsTheBgpTables() {
    assertEquals(900_000, TABLE.size());
    assertEquals(0.60, share(24, 24), 0.001);
    assertEquals(0.20, share(22, 23), 0.001);
    assertEquals(0.17, share(16, 21), 0.001);
    assertEquals(0.01, share(8, 15), 0.001);
    assertEquals(0.02, share(25, 32), 0.001);
    assertEquals(0, share(0, 7));
  }

  @Test
  void prefixesAreDistinctUnicastNetworks() {
    long[] keys = new long[TABLE.size()];
    int n = 0;
    for (Ipv4Cidr p : TABLE) {
      assertEquals(p.network(), p.address(), p + " has host bits");
      int firstOctet = p.network() >>> 24;
      assertTrue(firstOctet >= 1 && firstOctet <= 223 && firstOctet != 127, p + " outside the unicast space");
      keys[n++] = (Integer.toUnsignedLong(p.network()) << 6) | p.prefixLength();
    }
    Arrays.sort(keys);
    for (int i = 1; i < keys.length; i++) {
      assertNotEquals(keys[i - 1], keys[i], "a prefix twice");
    }
  }

  @Test
  void sameSeedSameTableOtherSeedOtherTable() {
    assertEquals(SyntheticPrefixes.generate(20_000, 7), SyntheticPrefixes.generate(20_000, 7));
    assertNotEquals(SyntheticPrefixes.generate(20_000, 7), SyntheticPrefixes.generate(20_000, 8));
    assertEquals(List.of(), SyntheticPrefixes.generate(0, 7));
  }

  @Test
  void refusesCountsTheAddressSpaceCannotHold() {
    assertThrows(IllegalArgumentException.class, () -> SyntheticPrefixes.generate(5_000_000, 1));
    assertThrows(IllegalArgumentException.class, () -> SyntheticPrefixes.generate(-1, 1));
  }
}
