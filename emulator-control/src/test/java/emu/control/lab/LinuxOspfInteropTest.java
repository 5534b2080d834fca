package emu.control.lab;

import static emu.control.lab.Tools.emu;
import static emu.control.lab.Tools.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import emu.control.TestLocks.KernelNetwork;
import emu.control.lab.FrrDaemons.Iface;
import emu.control.lab.FrrDaemons.Neighbor;
import emu.control.lab.FrrDaemons.Ospf;
import emu.control.lab.Tools.Cli;
import emu.control.linux.LinuxNamespaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * emu's OSPFv2 against FRR's ospfd (FRR 8.4, in linux nodes; see {@link FrrDaemons}), on the
 * lab this test writes:
 *
 * <pre>
 *   stub 10.1.1.0/24 ── r1 (FRR, 1.1.1.1) ─┐
 *                                          ├─ sw1 (LAN 10.0.12.0/24) ── e3 (emu, 3.3.3.3) ── h3 10.3.3.10 (passive LAN)
 *   stub 10.2.2.0/24 ── r2 (FRR, 2.2.2.2) ─┘                              │ point-to-point 10.0.34.0/24
 *                                                              r4 (FRR, 4.4.4.4) ── stub 10.4.4.0/24
 * </pre>
 *
 * Hellos every second, dead interval 4 s. On the LAN, once with the emu router elected DR
 * (priority 100 against FRR's 1) and once with FRR's r2 DR (priority 10) and emu priority 0
 * (DROther): every adjacency reaches Full on both sides with the roles each side expects; on the
 * point-to-point link, Full without an election. Routes are learned both ways (FRR installs
 * emu's passive LAN and, through emu, r4's stub; emu installs FRR's stubs) and traffic flows end
 * to end through the emu router (r1's stub to h3 and to r4's stub). Then {@code link down} of the
 * point-to-point link: emu loses carrier and withdraws r4's stub at once, FRR's r1 loses the route
 * when emu's new router-LSA floods; {@code link up} brings the adjacency and the route back.
 * Every capture passes tshark with OSPF decoded. Needs root and FRR (CI installs both).
 */
@KernelNetwork
class LinuxOspfInteropTest {
  @TempDir
  static Path state;

  static final int HELLO = 1;
  static final int DEAD = 4;
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
    assertTrue(LinuxNamespaces.namespaces().stream().noneMatch(n -> n.startsWith("emu-ospfemu")),
        "namespaces left behind: " + LinuxNamespaces.namespaces());
  }

  /** The lab, with the emu router's priority on the LAN. */
  private static Path lab(Path dir, int emuPriority) throws Exception {
    String yaml = """
        name: ospfemu
        topology:
          nodes:
            r1: {kind: linux, interfaces: {eth0: {address: 10.0.12.1/24, mac: "02:00:00:00:12:01"}}}
            r2: {kind: linux, interfaces: {eth0: {address: 10.0.12.2/24, mac: "02:00:00:00:12:02"}}}
            r4: {kind: linux, interfaces: {eth0: {address: 10.0.34.4/24, mac: "02:00:00:00:34:04"}}}
            sw1: {kind: switch}
            e3:
              kind: router
              ospf: {router-id: 3.3.3.3}
              interfaces:
                eth0: {address: 10.0.12.3/24, ospf: {hello: 1, dead: 4, priority: %d, cost: 10}}
                eth1: {address: 10.3.3.1/24, ospf: {passive: true, cost: 1}}
                eth2: {address: 10.0.34.3/24, ospf: {hello: 1, dead: 4, network: point-to-point, cost: 10}}
            h3: {kind: host, interfaces: {eth0: {address: 10.3.3.10/24}}, gateway: 10.3.3.1}
          links:
            - endpoints: ["r1:eth0", "sw1:p1"]
            - endpoints: ["r2:eth0", "sw1:p2"]
            - endpoints: ["e3:eth0", "sw1:p3"]
            - endpoints: ["e3:eth1", "h3:eth0"]
            - endpoints: ["e3:eth2", "r4:eth0"]
        """.formatted(emuPriority);
    Path file = dir.resolve("ospfemu.yml");
    Files.writeString(file, yaml);
    return file;
  }

  private static FrrDaemons frr(String node, String routerId, String net, String stubNet, Iface eth0)
      throws Exception {
    String config = new Ospf(routerId, List.of(net, stubNet), List.of(eth0, Iface.passive("stub0").withCost(1)))
        .text(node);
    return FrrDaemons.start(LinuxNamespaces.netnsName("ospfemu", node), node, config);
  }

  /** Waits until FRR's zebra has an OSPF route to {@code prefix} via {@code nexthop}. */
  private static void awaitRoute(FrrDaemons d, String prefix, String nexthop) throws Exception {
    d.awaitJson("zebra", "show ip route ospf json", CONVERGE, "an OSPF route to " + prefix + " via " + nexthop, j -> {
      for (JsonNode r : j.path(prefix)) {
        for (JsonNode nh : r.path("nexthops")) {
          if (r.path("installed").asBoolean() && nexthop.equals(nh.path("ip").asText())) {
            return true;
          }
        }
      }
      return false;
    });
  }

  /** Waits until emu's e3 routes {@code prefix} (proto ospf) via {@code nexthop}. */
  private static String awaitEmuRoute(String prefix, String nexthop) throws Exception {
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    String routes = "";
    while (System.nanoTime() < deadline) {
      routes = ok("exec", "e3", "--", "ip", "route").out();
      if (routes.contains(prefix + " via " + nexthop + " dev ") && routes.contains("proto ospf")) {
        return routes;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("e3 has no OSPF route to " + prefix + " via " + nexthop + ":\n" + routes
        + ok("exec", "e3", "--", "show", "ip", "ospf", "neighbor").out());
  }

  private static void assertPings(String from, String source, String to) {
    Cli ping = ok("exec", from, "--", "ping", "-c", "2", "-W", "5", "-I", source, to);
    assertTrue(ping.out().contains("2 received"), ping.out());
  }

  @Test
  void emuAsDesignatedRouter(@TempDir Path dir) throws Exception {
    run(dir, 100, 1, "Full/DR", "Full/Backup"); // r2 (router ID 2.2.2.2 over 1.1.1.1) is elected BDR
  }

  @Test
  void frrAsDesignatedRouterAndEmuNeverElected(@TempDir Path dir) throws Exception {
    run(dir, 0, 10, "Full/DROther", "Full/DR");
  }

  /**
   * @param emuPriority e3's priority on the LAN
   * @param r2Priority r2's (r1's is 1)
   * @param e3SeenAs e3's state as FRR's r1 lists it
   * @param r2SeenByR1 r2's state as r1 lists it
   */
  private void run(Path dir, int emuPriority, int r2Priority, String e3SeenAs, String r2SeenByR1) throws Exception {
    Path out = dir.resolve("out");
    ok("up", lab(dir, emuPriority).toString(), "--out", out.toString());
    try {
      // stub networks as the harness test makes them (veth pairs: this kernel has no dummy module)
      LinuxOspfFrrHarnessTest.stub("r1", "10.1.1.1/24");
      LinuxOspfFrrHarnessTest.stub("r2", "10.2.2.1/24");
      LinuxOspfFrrHarnessTest.stub("r4", "10.4.4.1/24");
      long started = System.nanoTime();
      // r2 starts before r1. The election is not pre-emptive (RFC 2328 9.4): had r1 started first
      // and r2's start (zebra, ospfd, their answers) outlasted r1's wait timer (the dead interval,
      // 4 s) on a loaded machine, r1 would have made itself backup, or designated router with r2
      // at priority 10, and kept it. Started first, r2 takes the role the test expects of it
      // whatever r1's timing: its wait ends first, and r1 hears it well within its own.
      try (FrrDaemons r2 = frr("r2", "2.2.2.2", "10.0.12.0/24", "10.2.2.0/24",
               Iface.broadcast("eth0", HELLO, DEAD, r2Priority));
           FrrDaemons r1 = frr("r1", "1.1.1.1", "10.0.12.0/24", "10.1.1.0/24", Iface.broadcast("eth0", HELLO, DEAD, 1));
           FrrDaemons r4 = frr("r4", "4.4.4.4", "10.0.34.0/24", "10.4.4.0/24", Iface.pointToPoint("eth0", HELLO, DEAD))) {
        List<Neighbor> seenByR1 = r1.awaitFull(CONVERGE, "2.2.2.2", "3.3.3.3");
        r2.awaitFull(CONVERGE, "1.1.1.1", "3.3.3.3");
        List<Neighbor> seenByR4 = r4.awaitFull(CONVERGE, "3.3.3.3");
        System.out.printf("emu <-> FRR: all Full %d ms after the daemons started%n",
            (System.nanoTime() - started) / 1_000_000);
        assertTrue(seenByR1.stream().anyMatch(n -> n.routerId().equals("3.3.3.3") && n.state().equals(e3SeenAs)
            && n.priority() == emuPriority), "e3 as r1 sees it: " + seenByR1);
        assertTrue(seenByR1.stream().anyMatch(n -> n.routerId().equals("2.2.2.2") && n.state().equals(r2SeenByR1)),
            "r2 as r1 sees it: " + seenByR1);
        assertEquals("Full/-", seenByR4.get(0).state(), "point-to-point: no election: " + seenByR4);

        long emuFull = System.nanoTime();
        String neighbors = "";
        while (System.nanoTime() - emuFull < CONVERGE.toNanos()) {
          String now = ok("exec", "e3", "--", "show", "ip", "ospf", "neighbor").out();
          neighbors = now;
          if (List.of("1.1.1.1", "2.2.2.2", "4.4.4.4").stream()
              .allMatch(id -> now.lines().anyMatch(l -> l.startsWith(id + " ") && l.contains(" Full")))) {
            break;
          }
          Thread.sleep(100);
        }
        System.out.printf("emu side all Full %d ms after FRR's:%n%s", (System.nanoTime() - emuFull) / 1_000_000,
            neighbors);
        for (String id : List.of("1.1.1.1", "2.2.2.2", "4.4.4.4")) {
          assertTrue(neighbors.lines().anyMatch(l -> l.startsWith(id + " ") && l.contains(" Full")),
              "emu sees " + id + " Full:\n" + neighbors);
        }

        // routes both ways, and through the emu router: every route a ping below takes, there and
        // back (Full is not routed: each router runs its SPF when its own throttle says; r4's
        // route to r2's stub, not awaited, was missing once on a loaded machine)
        awaitRoute(r1, "10.3.3.0/24", "10.0.12.3");
        awaitRoute(r1, "10.4.4.0/24", "10.0.12.3");
        awaitRoute(r4, "10.1.1.0/24", "10.0.34.3");
        awaitRoute(r4, "10.2.2.0/24", "10.0.34.3");
        awaitRoute(r2, "10.4.4.0/24", "10.0.12.3");
        awaitEmuRoute("10.1.1.0/24", "10.0.12.1");
        awaitEmuRoute("10.2.2.0/24", "10.0.12.2");
        String emuRoutes = awaitEmuRoute("10.4.4.0/24", "10.0.34.4");
        assertTrue(emuRoutes.contains("proto ospf metric"), emuRoutes);
        assertPings("r1", "10.1.1.1", "10.3.3.10");
        assertPings("r1", "10.1.1.1", "10.4.4.1");
        assertPings("r4", "10.4.4.1", "10.2.2.1");

        // the point-to-point link goes down: emu loses carrier at once; its new router-LSA takes
        // r4's stub from r1's table
        long down = System.nanoTime();
        ok("link", "down", "e3:eth2");
        r1.awaitJson("zebra", "show ip route ospf json", CONVERGE, "the route to r4's stub to go",
            j -> !j.has("10.4.4.0/24"));
        System.out.printf("emu link down: r1 withdrew r4's stub %d ms later%n", (System.nanoTime() - down) / 1_000_000);
        r4.awaitJson("ospfd", "show ip ospf neighbor json", Duration.ofSeconds(DEAD + 10), "r4 to drop e3",
            j -> Neighbor.of(j).stream().noneMatch(Neighbor::full));
        assertTrue(!ok("exec", "e3", "--", "ip", "route").out().contains("10.4.4.0/24"));

        long up = System.nanoTime();
        ok("link", "up", "e3:eth2");
        r4.awaitFull(CONVERGE, "3.3.3.3");
        awaitRoute(r1, "10.4.4.0/24", "10.0.12.3");
        System.out.printf("emu link up: r1 routes r4's stub again %d ms later%n", (System.nanoTime() - up) / 1_000_000);
        awaitEmuRoute("10.4.4.0/24", "10.0.34.4"); // and the rest of the ping's way, there and back
        awaitRoute(r4, "10.1.1.0/24", "10.0.34.3");
        assertPings("r1", "10.1.1.1", "10.4.4.1");
      }
    } finally {
      Cli down = emu("down");
      assertEquals(0, down.exit(), down.err());
    }
    Tools.assertCapturesClean(out);
    for (String pcap : List.of("e3-eth0.pcap", "e3-eth2.pcap")) {
      Tools.Result types = Tools.run(List.of(Tools.require("tshark").toString(), "-r", out.resolve(pcap).toString(),
          "-Y", "ospf", "-T", "fields", "-e", "ospf.msg"), 60);
      assertEquals(0, types.exit(), types.errors());
      assertTrue(types.output().lines().distinct().count() >= 4, pcap + ": OSPF message types "
          + types.output().lines().distinct().toList());
    }
  }
}
