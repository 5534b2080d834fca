package emu.node.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link PoptrieFib} on its own against a naive longest-prefix match: adversarial small tables
 * (default route, /32s at both ends of the space, /0-/8 overlaps, chains of nested prefixes, cut
 * blocks, a chunk with a leaf per block) built and edited prefix by prefix, and the 900,000-prefix
 * synthetic table, at random addresses and at every kind of boundary the structure has.
 */
class PoptrieFibTest {
  private int gateways = 1;

  /** One route per prefix, as {@link RouteTable} hands the structure the best of each. */
  private final class Table {
    final Map<Long, Route> byKey = new HashMap<>();
    PoptrieFib fib = build();

    Route route(String cidr) {
      Ipv4Cidr p = Ipv4Cidr.parse(cidr);
      return new Route(new Ipv4Cidr(p.network(), p.prefixLength()), gateways++, null, 0, Route.Kind.STATIC);
    }

    void add(String cidr) {
      Route r = route(cidr);
      byKey.put(PoptrieFib.key(r.prefix().network(), r.prefix().prefixLength()), r);
      fib.set(r.prefix().network(), r.prefix().prefixLength(), r);
    }

    void remove(String cidr) {
      Ipv4Cidr p = Ipv4Cidr.parse(cidr);
      byKey.remove(PoptrieFib.key(p.network(), p.prefixLength()));
      fib.set(p.network(), p.prefixLength(), covering(p.network(), p.prefixLength()));
    }

    /** The route of the longest prefix of at most {@code length} bits covering the address. */
    Route covering(int address, int length) {
      for (int len = length; len >= 0; len--) {
        Route r = byKey.get(PoptrieFib.key(address & Ipv4Address.mask(len), len));
        if (r != null) {
          return r;
        }
      }
      return null;
    }

    PoptrieFib build() {
      long[] keys = byKey == null ? new long[0] : byKey.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
      Route[] routes = new Route[keys.length];
      for (int i = 0; i < keys.length; i++) {
        routes[i] = byKey.get(keys[i]);
      }
      return PoptrieFib.compile(keys, routes, keys.length);
    }

    /** Every edge of every prefix, chunk and block boundaries near them, both ends of the space. */
    void check(String when) {
      check(when, true);
    }

    void check(String when, boolean againstFresh) {
      List<Integer> addresses = new ArrayList<>(List.of(0, -1, 1, -2, 0x7FFF_FFFF, 0x8000_0000));
      for (Route r : byKey.values()) {
        int first = r.prefix().network();
        int last = r.prefix().broadcast();
        for (int a : new int[] {first, last, first - 1, last + 1, first | 0xFF, first & ~0xFF,
            (first | 0xFFFF) + 1, first & ~0xFFFF, (first & ~0xFFFF) - 1, first + 0x80, last - 0x80}) {
          addresses.add(a);
        }
      }
      PoptrieFib fresh = againstFresh ? build() : fib;
      for (int a : addresses) {
        Route expected = covering(a, 32);
        if (fib.lookup(a) != expected || fresh.lookup(a) != expected) {
          fail(when + ": " + Ipv4Address.format(a) + " edited " + describe(fib.lookup(a)) + ", fresh "
              + describe(fresh.lookup(a)) + ", expected " + describe(expected));
        }
      }
      assertEquals(fresh.ranges(), fib.ranges(), when + ": ranges after edits against a fresh build");
    }
  }

  private static String describe(Route r) {
    return r == null ? "no route" : r.prefix().toString();
  }

  @Test
  void emptyAndDefaultOnly() {
    Table t = new Table();
    t.check("empty");
    assertEquals(null, t.fib.lookup(0));
    t.add("0.0.0.0/0");
    t.check("default route");
    t.add("0.0.0.0/32");
    t.add("255.255.255.255/32");
    t.add("255.255.255.254/31");
    t.add("0.0.0.1/32");
    t.check("/32s at both ends");
    t.remove("0.0.0.0/0");
    t.check("default gone");
    assertEquals(null, t.fib.lookup(0x0000_0002));
    assertEquals(null, t.fib.lookup(0xFFFF_FFFD));
  }

  @Test
  void shortPrefixesOverlapAndNest() {
    Table t = new Table();
    for (String p : List.of("0.0.0.0/1", "128.0.0.0/1", "0.0.0.0/2", "64.0.0.0/3", "10.0.0.0/8", "10.0.0.0/7",
        "11.0.0.0/8", "0.0.0.0/0", "12.0.0.0/6", "255.0.0.0/8", "254.0.0.0/7", "0.0.0.0/5")) {
      t.add(p);
      t.check("added " + p);
    }
    for (String p : List.of("10.0.0.0/7", "0.0.0.0/0", "0.0.0.0/1", "255.0.0.0/8", "12.0.0.0/6")) {
      t.remove(p);
      t.check("removed " + p);
    }
  }

  @Test
  void aChainOfNestedPrefixesAtOneAddressAndItsEnd() {
    Table t = new Table();
    for (int length = 0; length <= 32; length++) {
      t.add("10.1.2.3/" + length);
      t.add("10.1.2.255/" + length);
    }
    t.check("every length at two addresses");
    for (int length = 32; length >= 0; length -= 3) {
      t.remove("10.1.2.3/" + length);
      t.check("removed /" + length);
    }
  }

  @Test
  void cutBlocksComeAndGo() {
    Table t = new Table();
    t.add("20.0.0.0/16");
    for (int i = 0; i < 256; i++) {
      t.add("20.0.7." + i + "/32"); // a block with 256 ranges
      t.add("20.0." + i + ".128/25"); // every block of the chunk cut
    }
    t.check("every block cut, one into 256 ranges");
    for (int i = 0; i < 256; i += 2) {
      t.remove("20.0." + i + ".128/25");
    }
    t.check("every other /25 gone");
    for (int i = 0; i < 256; i++) {
      t.remove("20.0.7." + i + "/32");
      t.remove("20.0." + i + ".128/25");
    }
    t.check("all gone but the /16");
    Table alone = new Table();
    alone.add("20.0.0.0/16");
    assertEquals(alone.fib.ranges(), t.fib.ranges());
  }

  @Test
  void aChunkWithALeafPerBlock() {
    Table t = new Table();
    for (int i = 0; i < 256; i++) {
      t.add("30.0." + i + ".0/24"); // 256 leaves: the count before the last word is 192
    }
    t.add("30.1.0.0/23");
    t.add("30.0.0.0/15");
    t.check("a leaf per block");
    t.remove("30.0.200.0/24");
    t.remove("30.0.0.0/15");
    t.check("after removals");
  }

  @Test
  void randomSmallTablesEditedPrefixByPrefix() {
    SplittableRandom random = new SplittableRandom(21);
    for (int round = 0; round < 30; round++) {
      Table t = new Table();
      int base = random.nextInt();
      List<String> present = new ArrayList<>();
      for (int op = 0; op < 80; op++) {
        if (present.isEmpty() || random.nextInt(3) > 0) {
          int roll = random.nextInt(10);
          int length = roll == 0 ? random.nextInt(9) : roll <= 2 ? random.nextInt(25, 33) : random.nextInt(33);
          int address = base ^ (random.nextInt() >>> random.nextInt(1, 32));
          String p = Ipv4Address.format(address & Ipv4Address.mask(length)) + "/" + length;
          t.add(p);
          present.add(p);
        } else {
          t.remove(present.remove(random.nextInt(present.size())));
        }
        t.check("round " + round + " op " + op, op % 10 == 9);
      }
    }
  }

  /**
   * The benchmark's table, built in one sweep, against per-length sorted networks searched from
   * /32 down, at random addresses and at the edges of prefixes, chunks and blocks.
   */
  @Test
  void theSyntheticFullSizeTable() {
    List<Ipv4Cidr> prefixes = SyntheticPrefixes.generate(900_000, 1);
    long[] keys = new long[prefixes.size()];
    Route[] routes = new Route[keys.length];
    Map<Long, Route> byKey = new HashMap<>();
    for (Ipv4Cidr p : prefixes) {
      Route r = new Route(p, gateways++, null, 0, Route.Kind.STATIC);
      byKey.put(PoptrieFib.key(p.network(), p.prefixLength()), r);
    }
    int n = 0;
    for (long key : byKey.keySet()) {
      keys[n++] = key;
    }
    Arrays.sort(keys);
    int[][] networks = new int[33][];
    Route[][] owners = new Route[33][];
    int[] count = new int[33];
    for (int i = 0; i < n; i++) {
      routes[i] = byKey.get(keys[i]);
      count[(int) (keys[i] & 63)]++;
    }
    for (int len = 0; len <= 32; len++) {
      networks[len] = new int[count[len]];
      owners[len] = new Route[count[len]];
      count[len] = 0;
    }
    for (int i = 0; i < n; i++) { // keys ascend by unsigned network: shift to signed order for binarySearch
      int len = (int) (keys[i] & 63);
      networks[len][count[len]] = (int) (keys[i] >>> 6) ^ Integer.MIN_VALUE;
      owners[len][count[len]++] = routes[i];
    }
    for (int len = 0; len <= 32; len++) {
      int[] order = networks[len];
      for (int i = 1; i < order.length; i++) {
        assertTrue(order[i - 1] < order[i]);
      }
    }
    PoptrieFib fib = PoptrieFib.compile(keys, routes, n);

    SplittableRandom random = new SplittableRandom(7);
    int[] probes = new int[2_000_000 + 8 * 50_000 + 4 * 65536];
    int m = 0;
    for (int i = 0; i < 2_000_000; i++) {
      probes[m++] = random.nextInt();
    }
    for (int i = 0; i < 50_000; i++) {
      Route r = routes[random.nextInt(n)];
      int first = r.prefix().network();
      int last = r.prefix().broadcast();
      for (int a : new int[] {first, last, first - 1, last + 1, first | 0xFF, first & ~0xFF, (first & ~0xFF) - 1,
          first + 0x7F}) {
        probes[m++] = a;
      }
    }
    for (int c = 0; c < 65536; c++) {
      probes[m++] = c << 16;
      probes[m++] = (c << 16) | 0xFFFF;
      probes[m++] = (c << 16) | (random.nextInt(256) << 8);
      probes[m++] = (c << 16) | (random.nextInt(256) << 8) | 0xFF;
    }
    for (int i = 0; i < m; i++) {
      int a = probes[i];
      Route expected = null;
      for (int len = 32; len >= 0 && expected == null; len--) {
        int at = Arrays.binarySearch(networks[len], (a & Ipv4Address.mask(len)) ^ Integer.MIN_VALUE);
        if (at >= 0) {
          expected = owners[len][at];
        }
      }
      if (fib.lookup(a) != expected) {
        fail(Ipv4Address.format(a) + " gave " + describe(fib.lookup(a)) + ", expected " + describe(expected));
      }
    }
  }
}
