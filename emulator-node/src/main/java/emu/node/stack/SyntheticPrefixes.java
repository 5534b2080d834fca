package emu.node.stack;

import emu.node.wire.Ipv4Cidr;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Synthetic IPv4 routing tables shaped like the Internet's: the tests and benchmarks of
 * {@link RouteTable} load hundreds of thousands of prefixes without shipping a BGP dump.
 *
 * <p>The prefix-length mix approximates the public IPv4 BGP table (the default-free zone as
 * route collectors see it; see e.g. G. Huston, "BGP in 2024", APNIC Labs, and the CIDR Report):
 * /24 60%; /22-/23 20% (/22 11.5%, /23 8.5%); /16-/21 17% (/21 5.5%, /20 4.4%, /19 2.8%,
 * /18 1.8%, /16 1.5%, /17 1%); /8-/15 1%, thinning towards /8; and 2% longer than /24, which
 * route collectors filter but a provider's own table carries (customer and infrastructure
 * routes). Networks are drawn uniformly from the unicast space a BGP table announces (first
 * octet 1 to 223, not 10 or 127), so prefixes nest and overlap as the draw falls: among 900,000
 * prefixes most /24s lie inside some shorter prefix. There is no default route: callers that want
 * one add it. The same count and seed always give the same prefixes in the same order; the order
 * is shuffled, not sorted, so a table loaded from it is not built in address order.
 */
public final class SyntheticPrefixes {
  /** Share of each prefix length, in parts per 100,000. */
  private static final int[] SHARE = new int[33];
  private static final int PARTS = 100_000;
  /** The first octets drawn from: 1-223, without 10 (private) and 127 (loopback). */
  private static final int[] FIRST_OCTETS;

  static {
    int[] lengths = {8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
        25, 26, 27, 28, 29, 30, 31, 32};
    int[] parts = {2, 5, 15, 40, 100, 180, 280, 378, // /8-/15: 1%
        1_500, 1_000, 1_800, 2_800, 4_400, 5_500, // /16-/21: 17%
        11_500, 8_500, // /22-/23: 20%
        60_000, // /24: 60%
        300, 300, 300, 300, 300, 200, 50, 250}; // /25-/32: 2%
    for (int i = 0; i < lengths.length; i++) {
      SHARE[lengths[i]] = parts[i];
    }
    FIRST_OCTETS = new int[221];
    for (int octet = 1, i = 0; octet <= 223; octet++) {
      if (octet != 10 && octet != 127) {
        FIRST_OCTETS[i++] = octet;
      }
    }
  }

  private SyntheticPrefixes() {}

  /**
   * {@code count} distinct prefixes (network addresses, no host bits) with the mix above,
   * deterministic from {@code seed}. Throws if {@code count} is so large that some length
   * would need more than half of its networks: above about 1.7 million prefixes, where the /12s
   * run short.
   */
  public static List<Ipv4Cidr> generate(int count, long seed) {
    if (count < 0) {
      throw new IllegalArgumentException("negative prefix count " + count);
    }
    SplittableRandom random = new SplittableRandom(seed);
    int[] perLength = new int[33];
    int assigned = 0;
    for (int length = 0; length <= 32; length++) {
      perLength[length] = (int) ((long) count * SHARE[length] / PARTS);
      assigned += perLength[length];
      if (SHARE[length] > 0) {
        long available = (long) FIRST_OCTETS.length << (length - 8);
        if (perLength[length] > available / 2) {
          throw new IllegalArgumentException(count + " prefixes would need " + perLength[length] + " of the "
              + available + " /" + length + " networks");
        }
      }
    }
    perLength[24] += count - assigned; // rounding leftovers go to the commonest length
    Ipv4Cidr[] out = new Ipv4Cidr[count];
    int n = 0;
    for (int length = 8; length <= 32; length++) {
      for (int network : distinctNetworks(random, length, perLength[length])) {
        out[n++] = new Ipv4Cidr(network, length);
      }
    }
    for (int i = count - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      Ipv4Cidr t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return Collections.unmodifiableList(Arrays.asList(out));
  }

  /** {@code count} distinct random networks of {@code length} bits, sorted. */
  private static int[] distinctNetworks(SplittableRandom random, int length, int count) {
    int mask = length == 0 ? 0 : -1 << (32 - length);
    int[] networks = new int[count];
    int distinct = 0;
    while (distinct < count) {
      for (int i = distinct; i < count; i++) {
        int address = (FIRST_OCTETS[random.nextInt(FIRST_OCTETS.length)] << 24) | random.nextInt(1 << 24);
        networks[i] = address & mask;
      }
      Arrays.sort(networks);
      distinct = 0;
      for (int i = 0; i < count; i++) {
        if (i == 0 || networks[i] != networks[i - 1]) {
          networks[distinct++] = networks[i];
        }
      }
    }
    return networks;
  }
}
