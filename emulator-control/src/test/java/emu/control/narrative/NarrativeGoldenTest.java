package emu.control.narrative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.event.EventCodec;
import emu.node.event.Stamped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The narrative of a recorded seed run (the corporate network's https-get, {@code --seed 1}, after
 * the client's address came by DHCP through r1's relay),
 * rendered from its {@code events.jsonl} and compared line by line with the checked-in narrative.
 * A change to the event model or the renderer that changes what a person reads shows up here as
 * a diff to look at.
 *
 * <p>To record again (after an intended change): {@code ./emu run --family 4 --seed 1 --out /tmp/seed}, copy
 * {@code /tmp/seed/events.jsonl} over {@code golden/seed-run.events.jsonl}, and run this test
 * once with {@code -Demu.golden.update=true}, which rewrites {@code golden/seed-run.narrative.txt};
 * read its diff before committing it.
 */
class NarrativeGoldenTest {
  private static final Path DIR = Path.of("src/test/resources/golden");

  /** The classic IPv4 story ({@code ./emu run --family 4 --seed 1}). */
  @Test
  void theSeedRunReadsAsRecorded() throws IOException {
    assertReadsAsRecorded("seed-run", 200);
  }

  /**
   * The seed run as it is by default, on the dual-stack corporate network ({@code ./emu run --seed 1},
   * recorded into {@code golden/seed-run-dualstack.*}): AAAA and A, IPv6 first, the router
   * solicited, TCP and TLS over IPv6.
   */
  @Test
  void theDualStackSeedRunReadsAsRecorded() throws IOException {
    assertReadsAsRecorded("seed-run-dualstack", 300);
    String story = String.join("\n", Files.readAllLines(DIR.resolve("seed-run-dualstack.narrative.txt"),
        StandardCharsets.UTF_8));
    for (String step : List.of("looks up payroll.corp.com: not in its hosts table",
        "DNS answer id 0x2846: payroll.corp.com AAAA 2001:db8:5::100",
        "resolves payroll.corp.com to 2001:db8:5::100, 192.168.5.100; will try IPv6 first",
        "tries [2001:db8:5::100]:443 first (1 of 2 addresses)",
        "routing decision for 2001:db8:5::100: matched 'default via 2001:db8:1::1 dev eth0",
        "not on my link, so send to my default router 2001:db8:1::1 and solicit the router, not the destination",
        "neighbour solicitation on eth0: who has 2001:db8:1::1 tell 2001:db8:1::100",
        "IPv6 (EtherType 0x86dd)", "hop limit 64 -> 63 (IPv6 has no header checksum to update)",
        "SYN-SENT -> ESTAB", "ClientHello", "receives GET / over TLS")) {
      assertTrue(story.contains(step), "the dual-stack seed narrative tells: " + step);
    }
  }

  /**
   * IPv6 fragments and path MTU discovery between emu nodes ({@code labs/ipv6-pmtu.yml}, recorded
   * with {@code --seed 1} as above, into {@code golden/ipv6-pmtu.*}).
   */
  @Test
  void theIpv6PathMtuRunReadsAsRecorded() throws IOException {
    assertReadsAsRecorded("ipv6-pmtu", 150);
    String story = String.join("\n", Files.readAllLines(DIR.resolve("ipv6-pmtu.narrative.txt"),
        StandardCharsets.UTF_8));
    for (String step : List.of("the packet for 2001:db8:5::100 is 3048 bytes, more than the path MTU 1500: sends it "
        + "in 3 fragments", "sends ICMPv6 packet too big", "learns from 2001:db8:1::1's packet too big that the path "
        + "to 2001:db8:5::100 carries at most 1280 bytes", "more than the path MTU 1280: sends it in 3 fragments",
        "frag (0|1232) ICMP6, echo request", "frag (1232|1232)", "frag (2464|544)",
        "reassembles the packet from 2001:db8:1::100", "reassembles the packet from 2001:db8:5::100")) {
      assertTrue(story.contains(step), "the path MTU narrative tells: " + step);
    }
  }

  private static void assertReadsAsRecorded(String name, int atLeast) throws IOException {
    List<Stamped> events = new ArrayList<>();
    for (String line : Files.readAllLines(DIR.resolve(name + ".events.jsonl"), StandardCharsets.UTF_8)) {
      events.add(EventCodec.read(line)); // every line of a recorded run must read back
    }
    assertTrue(events.size() > atLeast, "a whole run: " + events.size() + " events");
    List<String> rendered = Narrative.lines(events);
    Path golden = DIR.resolve(name + ".narrative.txt");
    if (Boolean.getBoolean("emu.golden.update")) {
      Files.write(golden, rendered, StandardCharsets.UTF_8);
    }
    List<String> expected = Files.readAllLines(golden, StandardCharsets.UTF_8);
    for (int i = 0; i < Math.min(expected.size(), rendered.size()); i++) {
      assertEquals(expected.get(i), rendered.get(i), "line " + (i + 1) + " of " + golden);
    }
    assertEquals(expected.size(), rendered.size(), "lines in " + golden);
  }

  @Test
  void theRecordedRunTellsEveryStepOfTheConnectionProcess() throws IOException {
    String story = String.join("\n", Files.readAllLines(DIR.resolve("seed-run.narrative.txt"), StandardCharsets.UTF_8));
    for (String step : List.of("broadcasts DHCP DISCOVER from 0.0.0.0:68 to 255.255.255.255:67",
        "r1        relays 02:00:00:00:01:00 (client)'s DHCP DISCOVER heard on eth0 to 192.168.5.53:67, from 192.168.5.1:67:"
            + " giaddr 192.168.1.1", "relayed by 192.168.5.1:67 for the client on 192.168.1.1's subnet (giaddr)",
        "sent to the relay agent at 192.168.1.1:67 (giaddr)",
        "r1        passes server 192.168.5.53's DHCP OFFER of 192.168.1.100 to 02:00:00:00:01:00 on eth0",
        "configures 192.168.1.100/24 on eth0 from 192.168.5.53's lease, default route via 192.168.1.1",
        "looks up payroll.corp.com: not in its hosts table",
        "sends DNS query id", "A? payroll.corp.com: cache miss; forwards to 192.168.5.53",
        "answers A? payroll.corp.com from zone corp.com: 192.168.5.100 (authoritative)",
        "different subnets, so I cannot reach it directly; send to my default gateway 192.168.1.1",
        "ARP request on eth0: who-has 192.168.1.1 tell 192.168.1.100",
        "routes 192.168.5.100: longest match", "TTL 64 -> 63",
        "SYN-SENT -> ESTAB", "ClientHello", "ServerHello", "Finished", "receives GET / over TLS")) {
      assertTrue(story.contains(step), "the seed narrative tells: " + step);
    }
  }
}
