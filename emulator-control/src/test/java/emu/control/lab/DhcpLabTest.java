package emu.control.lab;

import static emu.control.lab.Tools.emu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.lab.Tools.Cli;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * emu's DHCP client and server, every node its own process (lab {@code labs/dhcp.yml}): the run
 * waits for the client's lease before the first step and narrates the exchange from both ends
 * and the ARP probe; the client shows its address as dynamic, pings through the gateway the lease
 * named; the server lists the lease; every capture passes tshark's checks.
 */
class DhcpLabTest {
  @TempDir
  static Path state;

  static final Path LAB = Path.of("src/test/resources/labs/dhcp.yml");
  static final Path ROGUE = Path.of("src/test/resources/labs/dhcp-rogue.yml");

  @BeforeAll
  static void isolateState() {
    System.setProperty("emu.stateDir", state.toString());
  }

  @AfterAll
  static void noNodeLeft() {
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
  }

  @Test
  void runWaitsForTheLeaseAndNarratesIt(@TempDir Path out) throws Exception {
    Cli r = emu("run", LAB.toString(), "--out", out.toString(), "--seed", "6");
    String o = r.out();
    System.out.println(o);
    assertEquals(0, r.exit(), () -> "run failed:\n" + o + "\n" + r.err());
    assertFalse(o.contains("no DHCP lease after"), o);
    for (String line : List.of(
        "client   broadcasts DHCP DISCOVER from 0.0.0.0:68 to 255.255.255.255:67 (it has no address yet)",
        "dhcpsrv  offers 192.168.1.100 for 1h with gateway 192.168.1.1 to 02:00:00:00:00:64, broadcast to"
            + " 255.255.255.255:68",
        "client   takes the first offer, from 192.168.1.2: 192.168.1.100 for 1h with gateway 192.168.1.1",
        "client   broadcasts DHCP REQUEST from 0.0.0.0:68 to 255.255.255.255:67 (it has no address yet): asks for"
            + " 192.168.1.100 from server 192.168.1.2",
        "dhcpsrv  acknowledges 192.168.1.100 to 02:00:00:00:00:64",
        "client   ARP-probes 192.168.1.100 on eth0 before using it (RFC 5227, probe 1 of 2)",
        "client   configures 192.168.1.100/24 on eth0 from 192.168.1.2's lease, default route via 192.168.1.1;"
            + " renews after 30m (T1), rebinds after 52m30s (T2), expires after 1h",
        "inet 192.168.1.100/24 brd 192.168.1.255 scope global dynamic eth0",
        "64 bytes from 192.168.5.100: icmp_seq=2 ttl=63")) {
      assertTrue(o.contains(line), () -> "missing: " + line + "\n" + o);
    }
    assertTrue(o.matches("(?s).*valid_lft 3[0-9]{3}sec preferred_lft 3[0-9]{3}sec.*"), o);
    assertTrue(o.matches("(?s).*\\d+ 02:00:00:00:00:64 192\\.168\\.1\\.100 client 01:02:00:00:00:00:64.*"), o);
    // the lease comes before the first step: the exchange is told under the lab's start
    int start = o.indexOf("DISCOVER");
    int firstStep = o.indexOf("step 1/3");
    assertTrue(start > 0 && start < firstStep, o);
    // the ladder draws the exchange: each message's arrow labelled by what its sender said
    String report = java.nio.file.Files.readString(out.resolve("report.html"));
    assertTrue(report.contains("broadcasts DHCP DISCOVER from 0.0.0.0:68 to 255.255.255.255:67"), "ladder");
    assertTrue(report.contains("offers 192.168.1.100 for 1h with gateway 192.168.1.1"), "ladder");
    Tools.assertCapturesClean(out);
  }

  /**
   * A rogue second server (lab {@code labs/dhcp-rogue.yml}): both offer, the client takes the
   * first offer to arrive (either may be first: two processes race) and leaves the other, and
   * the narrative names both; the left server withdraws its offer and lists no lease.
   */
  @Test
  void withARogueSecondServerTheClientTakesTheFirstOfferAndTheStoryNamesBoth(@TempDir Path out) throws Exception {
    // Both servers must hear the client's DISCOVER for there to be two offers. The four node
    // processes start side by side, and on a loaded machine one server's may come up after the
    // client has broadcast it (a CI run: rogue's server started 330 ms after the DISCOVER, so only
    // one offer was made, as on a real LAN). That is a lab that did not set up what this test is
    // about, not a wrong answer: run it again, three times at most.
    Cli r = null;
    String o = "";
    for (int attempt = 1; attempt <= 3; attempt++) {
      Path dir = java.nio.file.Files.createDirectories(out.resolve("attempt" + attempt));
      r = emu("run", ROGUE.toString(), "--out", dir.toString(), "--seed", "7");
      o = r.out();
      if (r.exit() != 0 || o.matches("(?s).*dhcpsrv +receives DHCP DISCOVER.*")
          && o.matches("(?s).*rogue +receives DHCP DISCOVER.*")) {
        break;
      }
    }
    Cli run = r;
    String told = o;
    assertEquals(0, run.exit(), () -> "run failed:\n" + told + "\n" + run.err());
    assertTrue(o.matches("(?s).*dhcpsrv +receives DHCP DISCOVER.*")
        && o.matches("(?s).*rogue +receives DHCP DISCOVER.*"), "3 runs, never both servers up before the DISCOVER: "
        + o);
    java.util.regex.Matcher taken = java.util.regex.Pattern.compile(
        "client +takes the first offer, from (192\\.168\\.1\\.[23]): (192\\.168\\.1\\.\\d+) for").matcher(o);
    assertTrue(taken.find(), o);
    String chosen = taken.group(1);
    String other = chosen.equals("192.168.1.2") ? "192.168.1.3" : "192.168.1.2";
    assertTrue(o.matches("(?s).*client +leaves the offer of 192\\.168\\.1\\.\\d+ for \\S+ with gateway \\S+ from "
        + other.replace(".", "\\.") + ": it already took " + taken.group(2).replace(".", "\\.")
        + " from another server.*"), o);
    String loser = chosen.equals("192.168.1.2") ? "rogue" : "dhcpsrv";
    assertTrue(o.matches("(?s).*" + loser + " +02:[0-9a-f:]+ took the offer of server " + chosen.replace(".", "\\.")
        + "; withdraws its own offer of .*"), o);
    assertTrue(o.contains("inet " + taken.group(2) + "/24"), o);
  }
}
