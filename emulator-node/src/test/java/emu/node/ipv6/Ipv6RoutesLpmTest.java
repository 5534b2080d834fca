package emu.node.ipv6;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.memory.MemoryLink;
import emu.link.time.VirtualTime;
import emu.node.stack.NeighborCache;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.stack.StackObserver;
import emu.node.wire.Ipv4Cidr;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Cidr;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Ipv6Routes} against a naive longest-prefix match (every route in order: longest prefix,
 * lowest metric, first added; the first usable wins), on tables small enough for the flat scan
 * and large enough for binary search on lengths, through adds, replacements, removes, metric
 * ties, interfaces going down, lapsed lifetimes and the switch between the two structures both ways.
 */
class Ipv6RoutesLpmTest {
  private static final NetworkStack STACK = new NetworkStack("r1", new VirtualTime(), new SplittableRandom(1),
      StackObserver.OFF, PooledByteBufAllocator.DEFAULT, true, NeighborCache.Params.LINUX);
  private static final Nic ETH0 = nic("eth0", 0);
  private static final Nic ETH1 = nic("eth1", 1);
  private static final Nic ETH2 = nic("eth2", 2);
  private static final Nic[] NICS = {ETH0, ETH1, ETH2};

  private static Nic nic(String name, int i) {
    MemoryLink link = new MemoryLink(name, "peer", 1500, new VirtualTime(), 0);
    return STACK.addNic(name, 0x02_00_00_00_00_01L + i, Ipv4Cidr.parse("10." + i + ".0.1/16"), link.a());
  }

  private final SplittableRandom random = new SplittableRandom(7);
  /** The reference: every route, in the order added. */
  private final List<Ipv6Route> added = new ArrayList<>();
  private final Ipv6Routes table = new Ipv6Routes();
  private int gateways = 1;

  private Ipv6Route route(Ipv6Cidr prefix, Nic nic, int metric, long expiresAt) {
    return new Ipv6Route(prefix, new Ipv6Address(0xFE80_0000_0000_0000L, gateways++), nic, metric,
        Ipv6Route.Kind.STATIC, expiresAt);
  }

  private void add(Ipv6Route r) {
    added.removeIf(o -> o.prefix().networkCidr().equals(r.prefix().networkCidr())
        && o.gateway().equals(r.gateway()) && o.nic() == r.nic());
    added.add(r);
    table.add(r);
  }

  private Ipv6Route naive(long hi, long lo, long now) {
    Ipv6Route best = null;
    for (Ipv6Route r : added) {
      int len = r.prefix().prefixLength();
      Ipv6Address p = r.prefix().address();
      boolean matches = ((hi ^ p.hi()) & Ipv6Address.maskHi(len)) == 0 && ((lo ^ p.lo()) & Ipv6Address.maskLo(len)) == 0;
      if (!matches || r.expiresAt() <= now || !r.nic().isUp()) {
        continue;
      }
      if (best == null || len > best.prefix().prefixLength()
          || len == best.prefix().prefixLength() && r.metric() < best.metric()) {
        best = r;
      }
    }
    return best;
  }

  /** A destination inside a random route's prefix (host bits random), or, one time in eight, anywhere. */
  private long[] destination() {
    if (added.isEmpty() || random.nextInt(8) == 0) {
      return new long[] {0x2000_0000_0000_0000L | random.nextLong() >>> 3, random.nextLong()};
    }
    Ipv6Cidr p = added.get(random.nextInt(added.size())).prefix();
    int len = p.prefixLength();
    return new long[] {p.address().hi() & Ipv6Address.maskHi(len) | random.nextLong() & ~Ipv6Address.maskHi(len),
        p.address().lo() & Ipv6Address.maskLo(len) | random.nextLong() & ~Ipv6Address.maskLo(len)};
  }

  private void checkAgainstNaive(int lookups, long now) {
    for (int i = 0; i < lookups; i++) {
      long[] d = destination();
      Ipv6Route want = naive(d[0], d[1], now);
      Ipv6Route got = table.lookup(d[0], d[1], now);
      assertSame(want, got, () -> "lookup " + new Ipv6Address(d[0], d[1]) + " (compiled " + table.compiled() + ")");
    }
  }

  /** Prefixes nesting in one another, of lengths from /0 to /128, with host bits left set. */
  private Ipv6Cidr randomPrefix() {
    int len = switch (random.nextInt(6)) {
      case 0 -> random.nextInt(129);
      case 1 -> 64 + random.nextInt(65);
      default -> 16 + random.nextInt(33);
    };
    // few distinct bits above /40 (2001:db8:N000::/36 for N in 0-3, then 4 random bits), so prefixes nest
    long hi = 0x2001_0db8_0000_0000L | (long) random.nextInt(4) << 28 | (random.nextLong() & 0xFL) << 24
        | random.nextLong() & 0xFF_FFFFL;
    return new Ipv6Cidr(new Ipv6Address(hi | random.nextLong() & 0xF, random.nextLong()), len);
  }

  @Test
  void smallTableScansInOrder() {
    for (int i = 0; i < 300; i++) {
      add(route(randomPrefix(), NICS[random.nextInt(3)], random.nextInt(4), Long.MAX_VALUE));
    }
    checkAgainstNaive(20_000, 0);
    assertFalse(table.compiled());
  }

  @Test
  void largeTableSearchesLengthsAndSwitchesBack() {
    for (int i = 0; i < 6000; i++) {
      add(route(randomPrefix(), NICS[random.nextInt(3)], random.nextInt(4), Long.MAX_VALUE));
    }
    add(route(new Ipv6Cidr(Ipv6Address.UNSPECIFIED, 0), ETH0, 1024, Long.MAX_VALUE));
    checkAgainstNaive(50_000, 0);
    assertTrue(table.compiled());
    assertTrue(table.markers() > 0, "binary search needs markers");

    // a second route to existing prefixes with a better metric, and replacements of the same route
    for (int i = 0; i < 500; i++) {
      Ipv6Route old = added.get(random.nextInt(added.size()));
      add(route(old.prefix(), old.nic() == ETH0 ? ETH1 : ETH0, old.metric() - 1, Long.MAX_VALUE));
      add(new Ipv6Route(old.prefix(), old.gateway(), old.nic(), old.metric() + 5, old.kind(), old.expiresAt()));
    }
    checkAgainstNaive(30_000, 0);

    // an interface down: its routes are passed over for the next best, shorter ones included
    ETH1.setUp(false);
    try {
      checkAgainstNaive(30_000, 0);
    } finally {
      ETH1.setUp(true);
    }

    // remove most prefixes: the table goes back to the flat scan
    int before = table.prefixCount();
    table.removeIf(r -> r.gateway().lo() % 20 != 0);
    added.removeIf(r -> r.gateway().lo() % 20 != 0);
    assertTrue(table.prefixCount() < before);
    checkAgainstNaive(20_000, 0);
    assertFalse(table.compiled(), table.prefixCount() + " prefixes");
    assertEquals(added.size(), table.size());
    assertEquals(new HashSet<>(added), new HashSet<>(table.routes()));
  }

  @Test
  void staysCompiledBetweenTheThresholds() {
    List<Ipv6Cidr> prefixes = SyntheticPrefixes6.generate(Ipv6Routes.COMPILE_ABOVE + 1, 5);
    for (Ipv6Cidr p : prefixes) {
      add(route(p, ETH0, 0, Long.MAX_VALUE));
    }
    checkAgainstNaive(2_000, 0);
    assertTrue(table.compiled());
    // down to 700 prefixes: still above the point where it goes back to the flat scan
    table.removeIf(r -> r.gateway().lo() > 700);
    added.removeIf(r -> r.gateway().lo() > 700);
    checkAgainstNaive(2_000, 0);
    assertTrue(table.compiled(), table.prefixCount() + " prefixes");
    table.removeIf(r -> r.gateway().lo() > Ipv6Routes.DECOMPILE_AT);
    added.removeIf(r -> r.gateway().lo() > Ipv6Routes.DECOMPILE_AT);
    checkAgainstNaive(2_000, 0);
    assertFalse(table.compiled(), table.prefixCount() + " prefixes");
  }

  @Test
  void aPrefixEmptiedAndAddedAgainBeforeAnyLookupIsOnePrefix() {
    for (int i = 0; i < 2000; i++) {
      add(route(randomPrefix(), NICS[random.nextInt(3)], random.nextInt(4), Long.MAX_VALUE));
    }
    checkAgainstNaive(1_000, 0);
    Ipv6Route r = added.get(17);
    int prefixes = table.prefixCount();
    int routes = table.size();
    // as a router advertisement's prefix is refreshed: removed, asked for, added again
    table.removeIf(x -> x.prefix().networkCidr().equals(r.prefix().networkCidr()));
    added.removeIf(x -> x.prefix().networkCidr().equals(r.prefix().networkCidr()));
    assertFalse(table.has(r.prefix(), r.nic()));
    add(r);
    assertTrue(table.has(r.prefix(), r.nic()));
    assertEquals(prefixes, table.prefixCount());
    assertEquals(added.size(), table.size());
    assertTrue(table.size() <= routes);
    checkAgainstNaive(5_000, 0);
    assertEquals(new HashSet<>(added), new HashSet<>(table.routes()));
  }

  @Test
  void lapsedRoutesArePassedOverThenExpired() {
    long s = 1_000_000_000L;
    for (int i = 0; i < 3000; i++) {
      long expires = random.nextInt(3) == 0 ? (1 + random.nextInt(100)) * s : Long.MAX_VALUE;
      add(route(randomPrefix(), NICS[random.nextInt(3)], random.nextInt(4), expires));
    }
    for (long now : new long[] {0, 30 * s, 70 * s, 200 * s}) {
      checkAgainstNaive(10_000, now);
    }
    assertTrue(table.compiled(), table.prefixCount() + " prefixes");
    table.expire(50 * s);
    added.removeIf(r -> r.expiresAt() <= 50 * s);
    assertEquals(added.size(), table.size());
    checkAgainstNaive(20_000, 60 * s);
  }

  @Test
  void routesListLongestFirstThenMetric() {
    Ipv6Route def = route(Ipv6Cidr.parse("::/0"), ETH0, 1024, Long.MAX_VALUE);
    Ipv6Route lan = route(Ipv6Cidr.parse("2001:db8:1::/64"), ETH1, 256, Long.MAX_VALUE);
    Ipv6Route lanBackup = route(Ipv6Cidr.parse("2001:db8:1::/64"), ETH2, 512, Long.MAX_VALUE);
    Ipv6Route host = route(Ipv6Cidr.parse("2001:db8:1::5/128"), ETH2, 1, Long.MAX_VALUE);
    add(lanBackup);
    add(def);
    add(lan);
    add(host);
    assertEquals(List.of(host, lan, lanBackup, def), table.routes());
    assertTrue(table.has(Ipv6Cidr.parse("2001:db8:1::/64"), ETH2));
    assertFalse(table.has(Ipv6Cidr.parse("2001:db8:1::/64"), ETH0));
    assertSame(host, table.lookup(Ipv6Address.parse("2001:db8:1::5"), 0));
    assertSame(lan, table.lookup(Ipv6Address.parse("2001:db8:1::6"), 0));
    assertSame(def, table.lookup(Ipv6Address.parse("2001:db8:2::6"), 0));
    table.removeIf(r -> r.isDefault());
    assertNull(table.lookup(Ipv6Address.parse("2001:db8:2::6"), 0));
  }

  @Test
  void fullSizeSyntheticTableMatchesNaive() {
    List<Ipv6Cidr> prefixes = SyntheticPrefixes6.generate(230_000, 1);
    List<Ipv6Route> routes = new ArrayList<>(prefixes.size());
    for (Ipv6Cidr p : prefixes) {
      routes.add(route(p, ETH0, 0, Long.MAX_VALUE));
    }
    table.addAll(routes);
    assertEquals(230_000, table.prefixCount());
    // the naive reference is too slow for 230k routes per lookup: check against a per-length map
    Map<Integer, Map<Long, Ipv6Route>> byLength = new HashMap<>();
    for (Ipv6Route r : routes) {
      byLength.computeIfAbsent(r.prefix().prefixLength(), k -> new HashMap<>()).put(r.prefix().address().hi(), r);
    }
    added.addAll(routes.subList(0, 10_000)); // destinations drawn inside these
    for (int i = 0; i < 100_000; i++) {
      long[] d = destination();
      Ipv6Route want = null;
      for (int len = 64; len >= 0 && want == null; len--) {
        Map<Long, Ipv6Route> m = byLength.get(len);
        want = m == null ? null : m.get(d[0] & Ipv6Address.maskHi(len));
      }
      assertSame(want, table.lookup(d[0], d[1], 0));
    }
    assertTrue(table.compiled());
  }

  @Test
  void syntheticTableRefusesCountsItCannotMake() {
    assertThrows(IllegalArgumentException.class, () -> SyntheticPrefixes6.generate(SyntheticPrefixes6.MAX_COUNT + 1, 1));
    assertThrows(IllegalArgumentException.class, () -> SyntheticPrefixes6.generate(-1, 1));
  }

  @Test
  void syntheticTableHasTheMixAndIsDeterministic() {
    List<Ipv6Cidr> a = SyntheticPrefixes6.generate(50_000, 3);
    assertEquals(a, SyntheticPrefixes6.generate(50_000, 3));
    assertEquals(50_000, new HashSet<>(a).size());
    int[] byLength = new int[129];
    for (Ipv6Cidr p : a) {
      assertEquals(p, p.networkCidr(), "no host bits");
      assertEquals(0x2, p.address().hi() >>> 60, "global unicast 2000::/3");
      byLength[p.prefixLength()]++;
    }
    assertTrue(byLength[48] > 20_000 && byLength[48] < 22_000, "about 42% /48: " + byLength[48]);
    assertTrue(byLength[32] > 6_000 && byLength[32] < 7_500, "about 13.5% /32: " + byLength[32]);
  }
}
