package emu.node.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import emu.link.memory.MemoryLink;
import emu.link.time.VirtualTime;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link RouteTable} against a naive longest-prefix match, on random tables small enough for the
 * per-length maps and large enough for the compiled structure, through adds, removes, metric
 * ties and the switch between the two structures in both directions.
 */
class RouteTableLpmTest {
  private static final Nic ETH0 = nic("eth0", "10.255.0.1/16");
  private static final Nic ETH1 = nic("eth1", "192.168.1.1/24");
  private static final Nic ETH2 = nic("eth2", "192.168.2.1/24");
  private static final Nic[] NICS = {ETH0, ETH1, ETH2};

  private static Nic nic(String name, String cidr) {
    MemoryLink link = new MemoryLink(name, "peer", 1500, new VirtualTime(), 0);
    return new Nic(2, name, 0x02_00_00_00_00_01L, Ipv4Cidr.parse(cidr), link.a(), null);
  }

  private int gateways = 1;

  /** A route told apart from every other by its gateway. */
  private Route route(Ipv4Cidr prefix, int metric, Nic nic) {
    return new Route(prefix, gateways++, nic, metric, Route.Kind.STATIC);
  }

  /**
   * The obviously correct table: every route in the order added, grouped by exact prefix; a
   * lookup tries every length from 32 down and takes the lowest metric, the first added on a tie.
   */
  private static final class Reference {
    private final Map<Ipv4Cidr, List<Route>> byPrefix = new HashMap<>();
    private int size;

    void add(Route r) {
      byPrefix.computeIfAbsent(r.prefix().networkCidr(), p -> new ArrayList<>()).add(r);
      size++;
    }

    int remove(Ipv4Cidr prefix) {
      List<Route> gone = byPrefix.remove(prefix.networkCidr());
      size -= gone == null ? 0 : gone.size();
      return gone == null ? 0 : gone.size();
    }

    void removeAll(Nic nic) {
      for (List<Route> list : byPrefix.values()) {
        int before = list.size();
        list.removeIf(r -> r.nic() == nic);
        size -= before - list.size();
      }
      byPrefix.values().removeIf(List::isEmpty);
    }

    Route lookup(int dst) {
      for (int length = 32; length >= 0; length--) {
        List<Route> list = byPrefix.get(new Ipv4Cidr(dst & Ipv4Address.mask(length), length));
        if (list != null) {
          Route best = list.get(0);
          for (Route r : list) {
            if (r.metric() < best.metric()) {
              best = r;
            }
          }
          return best;
        }
      }
      return null;
    }

    List<Ipv4Cidr> prefixes() {
      return new ArrayList<>(byPrefix.keySet());
    }

    int prefixCount() {
      return byPrefix.size();
    }
  }

  /** Checks the table against the reference at each destination; fails at the first difference. */
  private static void assertAgree(Reference ref, RouteTable table, int[] destinations, String when) {
    for (int dst : destinations) {
      Route expected = ref.lookup(dst);
      Route actual = table.lookup(dst);
      if (expected != actual) {
        fail(when + ": lookup " + Ipv4Address.format(dst) + " gave " + describe(actual) + ", expected "
            + describe(expected) + " (" + ref.prefixCount() + " prefixes, compiled "
            + (table.compiledBytes() > 0) + ")");
      }
    }
    assertEquals(ref.size, table.size(), when + ": size");
  }

  private static String describe(Route r) {
    return r == null ? "no route" : r.prefix() + " metric " + r.metric() + " gw " + r.gateway();
  }

  /** Uniform destinations, plus the first and last address of some prefixes and their neighbours. */
  private static int[] destinations(SplittableRandom random, int uniform, List<Ipv4Cidr> edgesOf) {
    int[] out = new int[uniform + 4 * edgesOf.size()];
    int n = 0;
    for (int i = 0; i < uniform; i++) {
      out[n++] = random.nextInt();
    }
    for (Ipv4Cidr p : edgesOf) {
      out[n++] = p.network();
      out[n++] = p.broadcast();
      out[n++] = p.network() - 1;
      out[n++] = p.broadcast() + 1;
    }
    return out;
  }

  private static List<Ipv4Cidr> sample(SplittableRandom random, List<Ipv4Cidr> from, int count) {
    List<Ipv4Cidr> out = new ArrayList<>(count);
    for (int i = 0; i < count && !from.isEmpty(); i++) {
      out.add(from.get(random.nextInt(from.size())));
    }
    return out;
  }

  /**
   * A prefix near one of a few base addresses, so that random prefixes nest and overlap; /0 and
   * /32 come up often, and host bits are left in for the table to ignore.
   */
  private static Ipv4Cidr nearbyPrefix(SplittableRandom random, int[] bases) {
    int roll = random.nextInt(10);
    int length = roll == 0 ? 0 : roll == 1 ? 32 : random.nextInt(33);
    int address = bases[random.nextInt(bases.length)] ^ (random.nextInt() >>> random.nextInt(1, 32));
    return new Ipv4Cidr(address, length);
  }

  @Test
  void smallRandomTablesAgreeWithTheReferenceThroughAddsRemovesAndTies() {
    SplittableRandom random = new SplittableRandom(11);
    int[] metrics = {0, 0, 5, 10};
    for (int round = 0; round < 200; round++) {
      int[] bases = {random.nextInt(), random.nextInt(), random.nextInt(), 0, -1};
      RouteTable table = new RouteTable();
      Reference ref = new Reference();
      for (int op = 0; op < 60; op++) {
        int kind = random.nextInt(10);
        Ipv4Cidr p = nearbyPrefix(random, bases);
        if (kind < 6) {
          Route r = route(p, metrics[random.nextInt(metrics.length)], NICS[random.nextInt(NICS.length)]);
          table.add(r);
          ref.add(r);
        } else if (kind < 9) {
          Ipv4Cidr existing = ref.prefixes().isEmpty() || random.nextBoolean() ? p
              : sample(random, ref.prefixes(), 1).get(0);
          assertEquals(ref.remove(existing), table.remove(existing), "removed from " + existing);
        } else {
          Nic nic = NICS[random.nextInt(NICS.length)];
          table.removeAll(nic);
          ref.removeAll(nic);
        }
        assertEquals(0, table.compiledBytes(), "a small table uses the per-length maps");
        int[] near = new int[16];
        for (int i = 0; i < near.length; i++) {
          near[i] = bases[random.nextInt(bases.length)] ^ (random.nextInt() >>> random.nextInt(1, 33));
        }
        assertAgree(ref, table, near, "round " + round + " op " + op);
        assertAgree(ref, table, destinations(random, 16, List.of(p)), "round " + round + " op " + op);
      }
    }
  }

  @Test
  void largeTableAgreesWithTheReferenceBulkLoadedThenUpdatedOneByOne() {
    SplittableRandom random = new SplittableRandom(5);
    RouteTable table = new RouteTable();
    Reference ref = new Reference();
    List<Route> load = new ArrayList<>();
    for (Ipv4Cidr p : SyntheticPrefixes.generate(100_000, 3)) {
      int roll = random.nextInt(50);
      load.add(route(p, 10, roll == 0 ? ETH1 : roll <= 10 ? ETH2 : ETH0)); // 2%, 20%, the rest
    }
    // The edges of the space, and second routes to existing prefixes: better, tied and worse.
    for (String p : List.of("0.0.0.0/0", "0.0.0.0/32", "255.255.255.255/32", "0.0.0.0/1", "128.0.0.0/1",
        "255.255.255.0/24", "0.0.0.0/8")) {
      load.add(route(Ipv4Cidr.parse(p), 10, ETH0));
    }
    for (int i = 0; i < 3000; i++) {
      Route twin = load.get(random.nextInt(100_000));
      int metric = new int[] {5, 10, 20}[i % 3];
      load.add(route(twin.prefix(), metric, i % 2 == 0 ? ETH2 : ETH0));
    }
    table.addAll(load);
    load.forEach(ref::add);
    assertTrue(table.compiledBytes() > 0, "a table this large is compiled");
    List<Ipv4Cidr> prefixes = ref.prefixes();
    assertAgree(ref, table, destinations(random, 100_000, sample(random, prefixes, 20_000)), "bulk load");

    // One by one: new prefixes, removals, better and tied second routes, the default route going.
    List<Ipv4Cidr> fresh = SyntheticPrefixes.generate(3000, 99);
    List<Ipv4Cidr> touched = new ArrayList<>();
    for (int op = 0; op < 3000; op++) {
      Ipv4Cidr p;
      switch (op % 4) {
        case 0 -> {
          p = fresh.get(op);
          Route r = route(p, 10, ETH0);
          table.add(r);
          ref.add(r);
        }
        case 1 -> {
          p = prefixes.get(random.nextInt(prefixes.size()));
          assertEquals(ref.remove(p), table.remove(p), "removed from " + p);
        }
        case 2 -> {
          p = prefixes.get(random.nextInt(prefixes.size()));
          Route r = route(p, random.nextInt(3) * 5 + 5, ETH0);
          table.add(r);
          ref.add(r);
        }
        default -> {
          p = op % 400 == 3 ? Ipv4Cidr.parse("0.0.0.0/0") : nearbyPrefix(random, new int[] {random.nextInt()});
          if (random.nextBoolean()) {
            Route r = route(p, 10, ETH0);
            table.add(r);
            ref.add(r);
          } else {
            assertEquals(ref.remove(p), table.remove(p), "removed from " + p);
          }
        }
      }
      touched.add(p);
      if (op % 100 == 99) {
        assertAgree(ref, table, destinations(random, 2000, touched), "after update " + op);
        touched.clear();
      }
    }
    assertAgree(ref, table, destinations(random, 100_000, sample(random, ref.prefixes(), 20_000)),
        "after 3000 updates");

    // The edited structure is the one a fresh build of the same routes makes.
    RouteTable rebuilt = new RouteTable();
    rebuilt.addAll(table.routes());
    assertEquals(table.routes(), rebuilt.routes());
    assertEquals(rebuilt.compiledRanges(), table.compiledRanges(), "ranges after edits against a fresh build");

    // An interface with 2% of the routes goes (applied chunk by chunk), then one with a fifth of
    // them (one rebuild), then the one with all the rest (back to the per-length maps).
    table.removeAll(ETH1);
    ref.removeAll(ETH1);
    assertAgree(ref, table, destinations(random, 50_000, sample(random, ref.prefixes(), 5000)), "eth1 gone");
    table.removeAll(ETH2);
    ref.removeAll(ETH2);
    assertAgree(ref, table, destinations(random, 50_000, sample(random, ref.prefixes(), 5000)), "eth2 gone");
    table.removeAll(ETH0);
    ref.removeAll(ETH0);
    assertAgree(ref, table, destinations(random, 1000, List.of()), "eth0 gone");
    assertEquals(0, table.size());
    assertEquals(0, table.compiledBytes());
  }

  @Test
  void crossingTheThresholdEitherWayKeepsTheAnswers() {
    SplittableRandom random = new SplittableRandom(8);
    List<Ipv4Cidr> prefixes = new ArrayList<>(SyntheticPrefixes.generate(RouteTable.COMPILE_ABOVE + 100, 4));
    prefixes.add(Ipv4Cidr.parse("0.0.0.0/0"));
    RouteTable table = new RouteTable();
    Reference ref = new Reference();
    for (Ipv4Cidr p : prefixes) {
      Route r = route(p, 0, ETH0);
      table.add(r);
      ref.add(r);
      int n = ref.prefixCount();
      assertEquals(n > RouteTable.COMPILE_ABOVE, table.compiledBytes() > 0, n + " prefixes");
      if (Math.abs(n - RouteTable.COMPILE_ABOVE) <= 2 || n % 100 == 0) {
        assertAgree(ref, table, destinations(random, 500, sample(random, ref.prefixes(), 100)),
            "growing to " + n);
      }
    }
    for (Ipv4Cidr p : prefixes) {
      assertEquals(1, table.remove(p));
      ref.remove(p);
      int n = ref.prefixCount();
      assertEquals(n > RouteTable.DECOMPILE_AT, table.compiledBytes() > 0, n + " prefixes");
      if (Math.abs(n - RouteTable.DECOMPILE_AT) <= 2 || n % 100 == 0) {
        assertAgree(ref, table, destinations(random, 500, sample(random, ref.prefixes(), 100)),
            "shrinking to " + n);
      }
    }
    assertEquals(0, table.size());
  }

  @Test
  void editsLeaveTheCompiledStructureAsSmallAsAFreshBuild() {
    SplittableRandom random = new SplittableRandom(13);
    RouteTable table = new RouteTable();
    Reference ref = new Reference();
    List<Route> base = new ArrayList<>();
    for (Ipv4Cidr p : SyntheticPrefixes.generate(20_000, 6)) {
      base.add(route(p, 0, ETH0));
    }
    table.addAll(base);
    base.forEach(ref::add);
    // Prefixes come and go, a different batch each time, nested in and overlapping the table.
    List<Ipv4Cidr> touched = new ArrayList<>();
    for (int cycle = 0; cycle < 50; cycle++) {
      List<Ipv4Cidr> batch = SyntheticPrefixes.generate(200, 100 + cycle);
      for (Ipv4Cidr p : batch) {
        Route r = route(p, 0, ETH0);
        table.add(r);
        ref.add(r);
      }
      for (Ipv4Cidr p : batch.subList(0, 150)) {
        table.remove(p);
        ref.remove(p);
      }
      touched.addAll(batch);
    }
    assertAgree(ref, table, destinations(random, 20_000, touched), "after the edits");
    RouteTable rebuilt = new RouteTable();
    rebuilt.addAll(table.routes());
    assertEquals(rebuilt.compiledRanges(), table.compiledRanges(), "ranges after edits against a fresh build");
    assertTrue(table.compiledBytes() <= 2 * rebuilt.compiledBytes(),
        table.compiledBytes() + " bytes after edits, " + rebuilt.compiledBytes() + " fresh");
  }

  @Test
  void compiledTableKeepsTheMetricRule() {
    RouteTable table = new RouteTable();
    List<Route> filler = new ArrayList<>();
    for (Ipv4Cidr p : SyntheticPrefixes.generate(2000, 1)) {
      if (!p.overlaps(Ipv4Cidr.parse("10.0.0.0/8"))) {
        filler.add(route(p, 0, ETH0));
      }
    }
    table.addAll(filler);
    assertTrue(table.compiledBytes() > 0);
    int dst = Ipv4Address.parse("10.9.9.9");
    Route m10 = route(Ipv4Cidr.parse("10.0.0.0/8"), 10, ETH0);
    Route m5 = route(Ipv4Cidr.parse("10.0.0.0/8"), 5, ETH1);
    Route tie = route(Ipv4Cidr.parse("10.0.0.0/8"), 5, ETH0);
    table.add(m10);
    assertSame(m10, table.lookup(dst));
    table.add(m5);
    assertSame(m5, table.lookup(dst), "a lower metric takes over");
    table.add(tie);
    assertSame(m5, table.lookup(dst), "an equal metric does not");
    Route longer = route(Ipv4Cidr.parse("10.9.0.0/16"), 100, ETH0);
    table.add(longer);
    assertSame(longer, table.lookup(dst), "a longer prefix beats a better metric");
    assertEquals(1, table.remove(Ipv4Cidr.parse("10.9.0.0/16")));
    table.removeAll(ETH1);
    assertSame(tie, table.lookup(dst), "the best remaining route takes over when the best goes");
    assertEquals(2, table.remove(Ipv4Cidr.parse("10.0.0.0/8")));
    assertNull(table.lookup(dst));
  }

  @Test
  void lookupAllocatesNothingInEitherStructure() {
    assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean);
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
    RouteTable small = new RouteTable();
    for (String p : List.of("0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "192.168.1.0/24", "10.1.2.3/32")) {
      small.add(route(Ipv4Cidr.parse(p), 0, ETH0));
    }
    RouteTable large = new RouteTable();
    List<Route> routes = new ArrayList<>();
    for (Ipv4Cidr p : SyntheticPrefixes.generate(5000, 2)) {
      routes.add(route(p, 0, ETH0));
    }
    large.addAll(routes);
    assertTrue(large.compiledBytes() > 0);
    int[] destinations = destinations(new SplittableRandom(3), 4096, List.of());
    long thread = Thread.currentThread().getId();
    for (RouteTable table : List.of(small, large)) {
      int found = 0;
      long before = threads.getThreadAllocatedBytes(thread);
      for (int round = 0; round < 100; round++) {
        for (int dst : destinations) {
          found += table.lookup(dst) != null ? 1 : 0;
        }
      }
      long allocated = threads.getThreadAllocatedBytes(thread) - before;
      assertTrue(found > 0);
      assertTrue(allocated < 1024, allocated + " bytes allocated by " + 100 * destinations.length + " lookups");
    }
  }
}
