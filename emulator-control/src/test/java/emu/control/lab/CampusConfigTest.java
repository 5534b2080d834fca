package emu.control.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.lab.SeedScenarioTest.Story;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./emu run configs/campus.yml}, as its comment promises: five OSPF routers in a ring come
 * up from nothing, a1 pings c1 across the ring for 15 s, and the fault plan takes the core link
 * r1-r2 down during the ping and brings it back. The run shows the reroute (r1's SPF moves
 * 10.3.0.0/24 to r5 and r4, the replies come back one hop longer), a loss window of at most a
 * second (carrier loss: the routers reroute at once) and the recovery (the route moves back).
 */
class CampusConfigTest {
  @TempDir
  static Path state;

  @BeforeAll
  static void isolateState() {
    System.setProperty("emu.stateDir", state.toString());
    System.setProperty("emu.home", Path.of("..").toAbsolutePath().normalize().toString());
  }

  @AfterAll
  static void noProcessLeft() {
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
    System.clearProperty("emu.home");
  }

  @Test
  void theCampusRingReroutesAroundTheCutLinkAndBack(@TempDir Path out) throws Exception {
    String console = SeedScenarioTest.emu(0, "run", "configs/campus.yml", "--out", out.toString());
    assertTrue(console.contains("O>* 10.3.0.0/24 [110/30] via 10.0.12.2, eth1"), "before the ping: " + console);

    // The ping's replies, in order: the TTL tells the path (61 via r2, 60 via r5 and r4).
    Matcher m = Pattern.compile("icmp_seq=(\\d+) ttl=(\\d+)").matcher(console);
    List<int[]> replies = new ArrayList<>();
    while (m.find()) {
      replies.add(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
    }
    assertTrue(replies.size() >= 56, "at most a second (4 requests at 0.25 s) lost: " + replies.size() + "\n" + console);
    StringBuilder paths = new StringBuilder();
    for (int[] r : replies) {
      String p = r[1] == 61 ? "r2 " : r[1] == 60 ? "r5r4 " : "other ";
      if (paths.length() == 0 || !paths.toString().endsWith(p)) {
        paths.append(p);
      }
    }
    assertEquals("r2 r5r4 r2 ", paths.toString(), "via r2, around the cut link, back via r2: " + console);

    String narrative = Files.readString(out.resolve("narrative.txt"));
    Story s = new Story(narrative);
    s.next("the fault", "control +at 14\\.000s: down r1:eth1");
    s.next("r1 loses the adjacency", "r1 +OSPF neighbour 2\\.2\\.2\\.2 \\(10\\.0\\.12\\.2\\) on eth1: Full -> Down \\(LLDown\\)");
    s.next("r1's new router-LSA", "r1 +originates its router-LSA 1\\.1\\.1\\.1 0x8000000[0-9a-f]");
    s.next("the reroute", "r1 +SPF[^\\n]*10\\.3\\.0\\.0/24 now via 10\\.0\\.15\\.5 cost 40 \\(was via 10\\.0\\.12\\.2 cost 30\\)");
    s.next("the link back", "control +at 18\\.000s: up r1:eth1");
    s.next("the adjacency again", "r1 +OSPF neighbour 2\\.2\\.2\\.2 \\(10\\.0\\.12\\.2\\) on eth1: (Loading|Exchange) -> Full");
    // r3, three hops from the cut, reroutes the replies once r1's new LSA reaches it
    Story r3 = new Story(narrative);
    r3.next("the fault", "control +at 14\\.000s: down r1:eth1");
    r3.next("r3 reroutes the replies", "r3 +SPF after 1\\.1\\.1\\.1's router-LSA[^\\n]*10\\.1\\.0\\.0/24 now via 10\\.0\\.34\\.4");
    s.next("the route back", "r1 +SPF[^\\n]*10\\.3\\.0\\.0/24 now via 10\\.0\\.12\\.2 cost 30 \\(was via 10\\.0\\.15\\.5 cost 40\\)");

    // Every capture decodes in tshark without an error or a malformed packet, OSPF included.
    Tools.assertCapturesClean(out);
    Path tshark = Tools.require("tshark");
    var kinds = Tools.run(List.of(tshark.toString(), "-r", out.resolve("r1-eth2.pcap").toString(), "-Y", "ospf",
        "-T", "fields", "-e", "ospf.msg"), 60);
    for (String type : List.of("1", "2", "3", "4", "5")) {
      assertTrue(kinds.output().lines().anyMatch(type::equals), "OSPF packet type " + type + " on r1-eth2:\n"
          + kinds.output());
    }
  }
}
