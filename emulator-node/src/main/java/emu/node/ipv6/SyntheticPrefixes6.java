package emu.node.ipv6;

import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Cidr;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Synthetic IPv6 routing tables shaped like the Internet's, for the tests and benchmarks of
 * {@link Ipv6Routes}: a full table (about 230,000 prefixes) without shipping a BGP dump.
 *
 * <p>The prefix-length mix approximates the public IPv6 BGP table as route collectors see it
 * (G. Huston, "BGP in 2024", APNIC Labs; the CIDR Report's IPv6 pages): /48 about 42% (end sites
 * announcing their own block), /32 13.5% (a provider's allocation), /44 8.5%, /40 6.5%, /29 4.5%
 * (the RIPE region's newer allocations), /46-/47 6.5%, /36 3%, and the rest spread over /19 to
 * /45. Real prefixes cluster: providers announce an allocation and more specifics inside it. So
 * prefixes of /32 and shorter are drawn across the global unicast ranges the registries hand out
 * (2001::/16, 2400::/12, 2600::/12, 2800::/12, 2a00::/12, 2c00::/12), and nine in ten longer ones
 * are drawn inside one of those already drawn (the rest anywhere in those ranges, as an end site
 * with provider-independent space). No default route: callers that want one add it. The same
 * count and seed give the same prefixes in the same (shuffled, not sorted) order.
 */
public final class SyntheticPrefixes6 {
  private static final int[] LENGTHS = {19, 20, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38,
      39, 40, 41, 42, 43, 44, 45, 46, 47, 48};
  /** Parts per 100,000 of each length above. */
  private static final int[] PARTS = {100, 200, 100, 100, 300, 50, 100, 100, 1_000, 4_500, 1_000, 600, 13_500,
      1_200, 1_200, 1_000, 3_000, 600, 1_000, 800, 6_500, 900, 2_000, 900, 8_500, 2_000, 3_500, 3_000, 42_150};
  /** The ranges drawn from: their upper 16 bits, and how many of those are the range's prefix. */
  private static final int[][] RANGES = {{0x2001, 16}, {0x2400, 12}, {0x2600, 12}, {0x2800, 12}, {0x2a00, 12},
      {0x2c00, 12}};

  private SyntheticPrefixes6() {}

  /** The most prefixes {@link #generate} makes: beyond, the /19s it draws from would run short. */
  public static final int MAX_COUNT = 300_000;

  /**
   * {@code count} distinct prefixes (no host bits) with the mix above, deterministic from
   * {@code seed}; at most {@value #MAX_COUNT} (the ranges hold 648 /19s, and the mix wants one
   * in a thousand prefixes to be one).
   */
  public static List<Ipv6Cidr> generate(int count, long seed) {
    if (count < 0 || count > MAX_COUNT) {
      throw new IllegalArgumentException("prefix count " + count + " is not between 0 and " + MAX_COUNT);
    }
    int total = 0;
    for (int p : PARTS) {
      total += p;
    }
    SplittableRandom random = new SplittableRandom(seed);
    List<Ipv6Cidr> out = new ArrayList<>(count);
    Set<Ipv6Cidr> seen = new HashSet<>(2 * count);
    List<Ipv6Cidr> parents = new ArrayList<>();
    // the allocations first, so that more specifics have somewhere to nest
    int[] quota = new int[LENGTHS.length];
    for (int i = 0, given = 0; i < LENGTHS.length; i++) {
      quota[i] = i == LENGTHS.length - 1 ? count - given : (int) ((long) count * PARTS[i] / total);
      given += quota[i];
    }
    for (int i = 0; i < LENGTHS.length; i++) {
      int len = LENGTHS[i];
      for (int made = 0; made < quota[i]; ) {
        Ipv6Cidr p = len > 32 && !parents.isEmpty() && random.nextInt(10) != 0
            ? inside(parents.get(random.nextInt(parents.size())), len, random)
            : anywhere(len, random);
        if (seen.add(p)) {
          out.add(p);
          made++;
          if (len <= 32) {
            parents.add(p);
          }
        }
      }
    }
    Collections.shuffle(out, new Random(seed));
    return out;
  }

  private static Ipv6Cidr anywhere(int len, SplittableRandom random) {
    int[] range = RANGES[random.nextInt(RANGES.length)];
    long fixed = Ipv6Address.maskHi(range[1]);
    long hi = ((long) range[0] << 48) & fixed | random.nextLong() & ~fixed;
    return new Ipv6Cidr(new Ipv6Address(hi & Ipv6Address.maskHi(len), 0), len);
  }

  private static Ipv6Cidr inside(Ipv6Cidr parent, int len, SplittableRandom random) {
    long free = Ipv6Address.maskHi(len) & ~Ipv6Address.maskHi(parent.prefixLength());
    long hi = parent.address().hi() | (random.nextLong() & free);
    return new Ipv6Cidr(new Ipv6Address(hi, 0), len);
  }
}
