package emu.control.lab;

import static emu.control.lab.Tools.emu;
import static emu.control.lab.Tools.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import emu.control.TestLocks.KernelNetwork;
import emu.control.lab.FrrDaemons.Iface;
import emu.control.lab.FrrDaemons.Lsa;
import emu.control.lab.FrrDaemons.Neighbor;
import emu.control.lab.FrrDaemons.Ospf;
import emu.control.lab.Tools.Cli;
import emu.control.linux.LinuxNamespaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FRR side of the emu <-> FRR OSPFv2 interop (issue 19), proven between two real ospfd's
 * across emu (lab {@code labs/linux-ospf-frr.yml}): zebra and ospfd run in linux nodes r1 and r2
 * ({@link FrrDaemons}), each with a stub network, with Hellos every second and a dead interval
 * of 4 s. On the switch's broadcast LAN they elect r2 (priority 10) DR and r1 Backup, reach Full,
 * hold the same database (both router LSAs and the DR's network LSA), and install each other's
 * stub in zebra and in the namespace's kernel ({@code proto ospf}), over which the stubs ping;
 * sw1's captures decode as OSPF (Hello, Database Description, LS Request, Update and Ack) with no
 * malformed packet or expert error. {@code emu link down} on r1's link ends r2's adjacency by
 * the dead timer alone (r2 keeps its carrier: between 3 and 4 s, plus polling), and its route to
 * r1's stub goes; {@code link up} brings Full back, and the route (10 to 16 s later in these
 * runs: r2 takes r1's new router LSA only from a retransmission, 5 s per round; see FRR.md). The
 * point-to-point variant (same LAN, {@code ip ospf network point-to-point}) reaches Full with no
 * election and no network LSA. Needs root and FRR (CI installs both); otherwise skipped, saying
 * why.
 */
@KernelNetwork
class LinuxOspfFrrHarnessTest {
  @TempDir
  static Path state;

  static final Path LAB = Path.of("src/test/resources/labs/linux-ospf-frr.yml");
  static final int HELLO = 1;
  static final int DEAD = 4;
  /** The stubs' cost; the LAN's is {@link Iface#COST}: a route to the far stub costs 11. */
  static final int STUB_COST = 1;
  /** Long enough for a cold start on a loaded machine: the broadcast LAN alone waits DEAD before electing. */
  static final Duration CONVERGE = Duration.ofSeconds(40);

  @BeforeAll
  static void requirements() {
    System.setProperty("emu.stateDir", state.toString());
    Tools.requireRoot();
    for (String tool : List.of("ip", "ping", "tshark")) {
      Tools.require(tool);
    }
    FrrDaemons.requireInstalled();
  }

  @AfterAll
  static void nothingLeft() throws Exception {
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
    assertEquals(List.of(), FrrDaemons.leftovers(), "FRR daemons or folders left behind");
    assertTrue(LinuxNamespaces.namespaces().stream().noneMatch(n -> n.startsWith("emu-ospffrr")),
        "namespaces left behind: " + LinuxNamespaces.namespaces());
  }

  /**
   * A stub network inside {@code node}'s namespace: a veth pair (stub0, with the address, and
   * its peer stub0p, up so that stub0 has carrier). A dummy interface would do as well, but the
   * kernel of this machine (and CI's) has no dummy module ("Error: Unknown device type").
   */
  static void stub(String node, String address) {
    ok("exec", node, "--", "ip", "link", "add", "stub0", "type", "veth", "peer", "name", "stub0p");
    ok("exec", node, "--", "ip", "link", "set", "stub0p", "up");
    ok("exec", node, "--", "ip", "addr", "add", address, "dev", "stub0");
    ok("exec", node, "--", "ip", "link", "set", "stub0", "up");
  }

  private static String config(String node, String routerId, String stub, Iface eth0) {
    return new Ospf(routerId, List.of("10.0.12.0/24", stub), List.of(eth0, Iface.passive("stub0").withCost(STUB_COST)))
        .text(node);
  }

  private static FrrDaemons frr(String node, String config) throws Exception {
    return FrrDaemons.start(LinuxNamespaces.netnsName("ospffrr", node), node, config);
  }

  /**
   * Waits until zebra has {@code prefix} from OSPF installed in the kernel, via {@code nexthop} on
   * eth0, at the cost of eth0 and the far stub.
   */
  private static void awaitRoute(FrrDaemons d, String prefix, String nexthop) throws Exception {
    d.awaitJson("zebra", "show ip route ospf json", CONVERGE, "an installed OSPF route to " + prefix, j -> {
      for (JsonNode r : j.path(prefix)) {
        if (r.path("installed").asBoolean() && r.path("selected").asBoolean()
            && r.path("metric").asInt() == Iface.COST + STUB_COST) {
          for (JsonNode nh : r.path("nexthops")) {
            if (nexthop.equals(nh.path("ip").asText()) && "eth0".equals(nh.path("interfaceName").asText())) {
              return true;
            }
          }
        }
      }
      return false;
    });
  }

  /**
   * The kernel's own table in {@code node}'s namespace has {@code prefix} via {@code nexthop}, put
   * there by zebra ({@code proto ospf}; zebra gives every route it installs the kernel metric 20,
   * whatever the OSPF cost).
   */
  private static void assertKernelRoute(String node, String prefix, String nexthop) {
    Cli routes = ok("exec", node, "--", "ip", "-4", "route", "show", prefix);
    assertTrue(routes.out().matches("(?s)" + prefix.replace(".", "\\.") + " (nhid \\d+ )?via "
        + nexthop.replace(".", "\\.") + " dev eth0 proto ospf metric 20 ?\\n"), node + ": " + routes.out());
  }

  private static void assertPings(String from, String source, String to) {
    Cli ping = ok("exec", from, "--", "ping", "-c", "2", "-W", "5", "-I", source, to);
    assertTrue(ping.out().contains("2 received"), ping.out());
  }

  private static Set<String> lsas(FrrDaemons d) throws Exception {
    Set<String> s = new TreeSet<>();
    for (Lsa l : d.lsas()) {
      s.add(l.area() + " " + l.kind() + " " + l.lsId() + " " + l.advertisingRouter());
    }
    return s;
  }

  @Test
  void twoOspfdsOnTheSwitchElectReachFullAndRoute(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("out");
    long labUp = System.nanoTime();
    ok("up", LAB.toString(), "--out", out.toString());
    System.out.printf("lab up in %d ms%n", (System.nanoTime() - labUp) / 1_000_000);
    try {
      stub("r1", "10.1.1.1/24");
      stub("r2", "10.2.2.1/24");
      long started = System.nanoTime();
      // r2 first: the election is not pre-emptive (RFC 2328 9.4), and r1 started first would make
      // itself designated router, for good, if r2's start outlasted its wait timer (4 s) on a
      // loaded machine (LinuxOspfInteropTest says more)
      try (FrrDaemons r2 = frr("r2", config("r2", "2.2.2.2", "10.2.2.0/24", Iface.broadcast("eth0", HELLO, DEAD, 10)));
           FrrDaemons r1 = frr("r1", config("r1", "1.1.1.1", "10.1.1.0/24", Iface.broadcast("eth0", HELLO, DEAD, 1)))) {
        List<Neighbor> seenByR1 = r1.awaitFull(CONVERGE, "2.2.2.2");
        List<Neighbor> seenByR2 = r2.awaitFull(CONVERGE, "1.1.1.1");
        System.out.printf("FRR broadcast adjacency Full %d ms after the daemons started%n",
            (System.nanoTime() - started) / 1_000_000);
        // the state names the neighbor's role: r2 (priority 10) is DR, r1 (priority 1) Backup
        assertEquals(List.of(new Neighbor("2.2.2.2", "Full/DR", 10, "10.0.12.2", "eth0:10.0.12.1")), seenByR1);
        assertEquals(List.of(new Neighbor("1.1.1.1", "Full/Backup", 1, "10.0.12.1", "eth0:10.0.12.2")), seenByR2);
        // The neighbour is Full before r1's interface machine has re-run its election on that news:
        // ospfd was once seen, right then, as DROther with DR and BDR both 2.2.2.2 (a loaded CI
        // machine); its own state settles on the next NeighborChange, so it is awaited.
        JsonNode eth0 = r1.vtysh("ospfd", "show ip ospf interface eth0 json").path("interfaces").path("eth0");
        for (long until = System.nanoTime() + 10_000_000_000L;
             !"Backup".equals(eth0.path("state").asText()) && System.nanoTime() < until; ) {
          Thread.sleep(200);
          eth0 = r1.vtysh("ospfd", "show ip ospf interface eth0 json").path("interfaces").path("eth0");
        }
        assertEquals("Backup", eth0.path("state").asText(), eth0.toString());
        assertEquals("BROADCAST", eth0.path("networkType").asText(), eth0.toString());
        assertEquals(HELLO * 1000, eth0.path("timerMsecs").asInt(), eth0.toString());
        assertEquals(DEAD, eth0.path("timerDeadSecs").asInt(), eth0.toString());
        assertEquals(Iface.COST, eth0.path("cost").asInt(), eth0.toString());
        assertEquals(1500, eth0.path("mtuBytes").asInt(), eth0.toString()); // what its DBDs carry

        awaitRoute(r1, "10.2.2.0/24", "10.0.12.2");
        awaitRoute(r2, "10.1.1.0/24", "10.0.12.1");
        assertKernelRoute("r1", "10.2.2.0/24", "10.0.12.2");
        assertKernelRoute("r2", "10.1.1.0/24", "10.0.12.1");
        assertPings("r1", "10.1.1.1", "10.2.2.1");

        // one area, the same database on both: each router's LSA and the DR's network LSA for the LAN
        Set<String> expected = new TreeSet<>(Set.of("0.0.0.0 routerLinkStates 1.1.1.1 1.1.1.1",
            "0.0.0.0 routerLinkStates 2.2.2.2 2.2.2.2", "0.0.0.0 networkLinkStates 10.0.12.2 2.2.2.2"));
        assertEquals(expected, lsas(r1), () -> r1.name() + " database");
        assertEquals(expected, lsas(r2), () -> r2.name() + " database");

        // r1's link goes down: r1 loses its interface at once, r2 still has carrier and notices
        // only when its dead timer (4 s from the last Hello, which came less than 1 s ago) fires
        long down = System.nanoTime();
        ok("link", "down", "sw1:p1");
        r2.awaitJson("ospfd", "show ip ospf neighbor json", Duration.ofSeconds(DEAD + 10),
            "the adjacency with 1.1.1.1 to leave Full", j -> Neighbor.of(j).stream().noneMatch(Neighbor::full));
        long gone = (System.nanoTime() - down) / 1_000_000;
        System.out.printf("FRR dead timer: r2 dropped r1 %d ms after link down (dead interval %d s)%n", gone, DEAD);
        assertTrue(gone >= (DEAD - HELLO) * 1000L - 500, "too soon for the dead timer: " + gone + " ms");
        assertTrue(gone <= DEAD * 1000L + 1500, "later than the dead interval: " + gone + " ms");
        assertEquals(List.of(), r1.neighbors(), "r1's interface is down");
        r2.awaitJson("zebra", "show ip route ospf json", CONVERGE, "the route to r1's stub to go",
            j -> !j.has("10.1.1.0/24"));
        System.out.printf("FRR route to r1's stub withdrawn %d ms after link down%n",
            (System.nanoTime() - down) / 1_000_000);

        long up = System.nanoTime();
        ok("link", "up", "sw1:p1");
        r1.awaitFull(CONVERGE, "2.2.2.2");
        r2.awaitFull(CONVERGE, "1.1.1.1");
        System.out.printf("FRR adjacency Full again %d ms after link up%n", (System.nanoTime() - up) / 1_000_000);
        awaitRoute(r2, "10.1.1.0/24", "10.0.12.1");
        System.out.printf("FRR route to r1's stub back %d ms after link up%n", (System.nanoTime() - up) / 1_000_000);
        // the reply needs r1's way back too: r1 lost its route with its interface, and relearns it
        // on its own SPF schedule (a ping right after r2's route came back once went unanswered)
        awaitRoute(r1, "10.2.2.0/24", "10.0.12.2");
        assertPings("r2", "10.2.2.1", "10.1.1.1");
      }
    } finally {
      long stop = System.nanoTime();
      Cli down = emu("down");
      assertEquals(0, down.exit(), down.err());
      System.out.printf("lab down in %d ms%n", (System.nanoTime() - stop) / 1_000_000);
    }
    long checks = System.nanoTime();
    assertOspfCaptured(out);
    System.out.printf("captures checked in %d ms%n", (System.nanoTime() - checks) / 1_000_000);
  }

  @Test
  void pointToPointNeedsNoElection(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("out");
    ok("up", LAB.toString(), "--out", out.toString());
    try {
      stub("r1", "10.1.1.1/24");
      stub("r2", "10.2.2.1/24");
      long started = System.nanoTime();
      try (FrrDaemons r1 = frr("r1", config("r1", "1.1.1.1", "10.1.1.0/24", Iface.pointToPoint("eth0", HELLO, DEAD)));
           FrrDaemons r2 = frr("r2", config("r2", "2.2.2.2", "10.2.2.0/24", Iface.pointToPoint("eth0", HELLO, DEAD)))) {
        List<Neighbor> seenByR1 = r1.awaitFull(CONVERGE, "2.2.2.2");
        List<Neighbor> seenByR2 = r2.awaitFull(CONVERGE, "1.1.1.1");
        System.out.printf("FRR point-to-point adjacency Full %d ms after the daemons started%n",
            (System.nanoTime() - started) / 1_000_000);
        assertEquals("Full/-", seenByR1.get(0).state(), seenByR1.toString());
        assertEquals("Full/-", seenByR2.get(0).state(), seenByR2.toString());
        JsonNode eth0 = r2.vtysh("ospfd", "show ip ospf interface eth0 json").path("interfaces").path("eth0");
        assertEquals("POINTOPOINT", eth0.path("networkType").asText(), eth0.toString());

        awaitRoute(r1, "10.2.2.0/24", "10.0.12.2");
        awaitRoute(r2, "10.1.1.0/24", "10.0.12.1");
        assertKernelRoute("r1", "10.2.2.0/24", "10.0.12.2");
        assertPings("r2", "10.2.2.1", "10.1.1.1");
        // no DR, so no network LSA: the link is in each router LSA
        Set<String> expected = new TreeSet<>(Set.of("0.0.0.0 routerLinkStates 1.1.1.1 1.1.1.1",
            "0.0.0.0 routerLinkStates 2.2.2.2 2.2.2.2"));
        assertEquals(expected, lsas(r1), () -> r1.name() + " database");
      }
    } finally {
      Cli down = emu("down");
      assertEquals(0, down.exit(), down.err());
    }
    assertOspfCaptured(out);
  }

  /**
   * Every capture passes tshark's checks, and sw1's ports carried OSPF (IP protocol 89) that
   * tshark decodes, every message type of an adjacency's life among it.
   */
  private static void assertOspfCaptured(Path out) throws Exception {
    Tools.assertCapturesClean(out);
    List<Path> switchPorts = new ArrayList<>();
    try (Stream<Path> s = Files.list(out)) {
      s.filter(p -> p.getFileName().toString().matches("sw1-p\\d\\.pcap")).sorted().forEach(switchPorts::add);
    }
    assertEquals(2, switchPorts.size(), "sw1's captures: " + switchPorts);
    for (Path pcap : switchPorts) {
      Tools.Result types = Tools.run(List.of(Tools.require("tshark").toString(), "-r", pcap.toString(), "-Y", "ospf",
          "-T", "fields", "-e", "ospf.msg"), 60);
      assertEquals(0, types.exit(), types.errors());
      List<String> lines = types.output().lines().toList();
      assertTrue(lines.size() > 0, pcap + " has no OSPF");
      // 1 Hello, 2 Database Description, 3 LS Request, 4 LS Update, 5 LS Acknowledge
      assertEquals(Set.of("1", "2", "3", "4", "5"), new TreeSet<>(lines), pcap + ": OSPF message types");
      System.out.printf("%s: %d OSPF packets%n", pcap.getFileName(), lines.size());
    }
  }
}
