package emu.node.apps.load;

import static emu.node.apps.load.PerfLab.decimal;
import static emu.node.apps.load.PerfLab.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.testing.CommandRun;
import emu.node.testing.VirtualLab;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** dnsperf against the authoritative DnsServer across a router, on virtual time. */
class DnsPerfTest {
  final PerfLab p = new PerfLab();

  @AfterEach
  void close() {
    p.close(); // fails on any buffer left referenced
  }

  DnsPerf dnsperf() {
    return new DnsPerf(p.client.stack(), p.lab.hosts());
  }

  @Test
  void cleanLinkCompletesEveryQueryAtWindowOverRtt() {
    CommandRun run = p.exec(p.client, dnsperf(), "dnsperf @ns -q www.bench.test -t A -c 16 -l 0.5").assertExit(0);
    String out = run.output();
    long sent = number(run, "Queries sent:\\s+(\\d+)");
    long completed = number(run, "Queries completed:\\s+(\\d+)");
    assertTrue(sent > 1000, out);
    assertEquals(sent, completed, out);
    assertEquals(0, number(run, "Queries lost:\\s+(\\d+)"), out);
    assertEquals(0, number(run, "Late responses:\\s+(\\d+)"), out);
    assertEquals(0, number(run, "Unmatched responses:\\s+(\\d+)"), out);
    assertTrue(out.contains("Response codes:       NOERROR " + completed + " (100.00%)"), out);
    assertTrue(out.contains("[Status] Sending queries (to 10.2.0.53:53 from UDP port "), out);
    assertEquals(completed, p.dns.counters().udpQueries, "the server saw every query once");
    // Little's law on virtual time (the stacks take no time): 16 in flight / 400 µs = 40000/s
    double qps = decimal(run, "Queries per second:\\s+([0-9.]+)");
    double ideal = 16 / (PerfLab.RTT_NANOS / 1e9);
    assertTrue(qps > 0.95 * ideal && qps <= ideal * 1.001, qps + " vs " + ideal + "\n" + out);
    double avg = decimal(run, "Average Latency \\(s\\):\\s+([0-9.]+)");
    assertEquals(PerfLab.RTT_NANOS / 1e9, avg, 0.00005, out);
  }

  @Test
  void responseCodesAreCounted() {
    CommandRun run = p.exec(p.client, dnsperf(), "dnsperf @10.2.0.53 -q nope.bench.test -c 4 -l 0.05").assertExit(0);
    long completed = number(run, "Queries completed:\\s+(\\d+)");
    assertTrue(run.output().contains("Response codes:       NXDOMAIN " + completed + " (100.00%)"), run.output());
    CommandRun refused = p.exec(p.client, dnsperf(), "dnsperf @ns -l 0.05").assertExit(0); // default . NS
    assertTrue(refused.output().contains(": . NS"), refused.output());
    assertTrue(refused.output().contains("REFUSED"), refused.output());
  }

  @Test
  void lossyLinkCountsLostQueriesAndReplacesThem() {
    p.lab.impair(p.client, "eth0", Map.of("loss", "20%"));
    CommandRun run = p.exec(p.client, dnsperf(), "dnsperf @ns -q www.bench.test -c 8 -l 3").assertExit(0);
    String out = run.output();
    long sent = number(run, "Queries sent:\\s+(\\d+)");
    long completed = number(run, "Queries completed:\\s+(\\d+)");
    long lost = number(run, "Queries lost:\\s+(\\d+)");
    assertTrue(lost > 0, out);
    assertTrue(completed > 0, out);
    assertEquals(sent, completed + lost, "every query ends answered or lost\n" + out);
    // about 20% of queries never reach the server
    assertTrue(lost > 0.1 * sent && lost < 0.3 * sent, out);
    assertEquals(0, number(run, "Late responses:\\s+(\\d+)"), out);
  }

  @Test
  void slowAnswersAreLostThenLate() {
    // every answer takes 700 ms more than the 500 ms the client waits
    p.lab.impair(p.ns, "eth0", Map.of("delay", "700ms"));
    CommandRun run = p.exec(p.client, dnsperf(), "dnsperf @ns -q www.bench.test -c 4 -l 3 --timeout 0.5")
        .assertExit(1);
    String out = run.output();
    assertEquals(0, number(run, "Queries completed:\\s+(\\d+)"), out);
    long lost = number(run, "Queries lost:\\s+(\\d+)");
    long late = number(run, "Late responses:\\s+(\\d+)");
    assertTrue(lost >= 8, out);
    assertTrue(late >= 4, out);
    assertEquals(0, number(run, "Unmatched responses:\\s+(\\d+)"), out);
  }

  @Test
  void nothingListeningShowsIcmpErrors() {
    CommandRun run = p.exec(p.client, dnsperf(), "dnsperf @r -q www.bench.test -c 2 -l 0.2").assertExit(1);
    assertEquals(0, number(run, "Queries completed:\\s+(\\d+)"), run.output());
    assertTrue(number(run, "ICMP unreachable:\\s+(\\d+)") > 0, run.output());
  }

  @Test
  void hangingUpStopsEverything() {
    CommandRun run = p.launch(p.client, dnsperf(), "dnsperf @ns -q www.bench.test -l 60");
    p.lab.advance(VirtualLab.millis(20));
    assertTrue(!run.exited());
    run.cancel();
    assertEquals(1, run.exitCode());
    long before = p.dns.counters().udpQueries;
    assertTrue(p.lab.settle(), "no timer left running after the caller hung up");
    assertTrue(p.dns.counters().udpQueries - before <= 64, "no new query after hanging up");
    // the port is free again: a new run works
    p.exec(p.client, dnsperf(), "dnsperf @ns -q www.bench.test -c 2 -l 0.01").assertExit(0);
  }

  @Test
  void usageErrors() {
    for (String bad : new String[] {"dnsperf", "dnsperf -q www.bench.test", "dnsperf @ns -t NOPE",
        "dnsperf @ns -c 0", "dnsperf @ns -c many", "dnsperf @ns -l -1", "dnsperf @ns extra", "dnsperf @ns -q a..b",
        "dnsperf @ns -p 70000", "dnsperf @ns --bogus"}) {
      CommandRun run = p.exec(p.client, dnsperf(), bad);
      run.assertExit(2);
      assertTrue(run.output().startsWith("dnsperf: "), bad + " -> " + run.output());
    }
    p.exec(p.client, dnsperf(), "dnsperf --help").assertExit(0);
    CommandRun unknown = p.exec(p.client, dnsperf(), "dnsperf @nowhere");
    unknown.assertExit(1);
    assertTrue(unknown.output().contains("nowhere: Name or service not known"), unknown.output());
  }
}
