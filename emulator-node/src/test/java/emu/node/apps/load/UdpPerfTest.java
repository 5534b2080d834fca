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

/** udpperf against udpperf server across a router, on virtual time, beside dnsperf. */
class UdpPerfTest {
  final PerfLab p = new PerfLab();
  final UdpPerf server = new UdpPerf(p.ns.stack(), p.lab.hosts());

  @AfterEach
  void close() {
    p.exec(p.ns, server, "udpperf server --stop").assertExit(0);
    p.close();
  }

  UdpPerf client() {
    return new UdpPerf(p.client.stack(), p.lab.hosts());
  }

  @Test
  void roundTripsOnACleanLink() {
    CommandRun s = p.exec(p.ns, server, "udpperf server").assertExit(0);
    assertTrue(s.output().contains("udpperf server echoing on UDP port 7"), s.output());
    assertTrue(p.exec(p.ns, server, "udpperf server").assertExit(0).output().contains("already listening"));
    CommandRun run = p.exec(p.client, client(), "udpperf ns -c 16 -l 0.5 -s 40").assertExit(0);
    String out = run.output();
    long sent = number(run, "Datagrams sent:\\s+(\\d+)");
    assertEquals(sent, number(run, "Round trips:\\s+(\\d+)"), out);
    assertEquals(0, number(run, "Lost:\\s+(\\d+)"), out);
    assertEquals(0, number(run, "Unmatched replies:\\s+(\\d+)"), out);
    assertTrue(out.contains("40-byte datagrams, 16 in flight"), out);
    double rate = decimal(run, "Round trips per second:\\s+([0-9.]+)");
    double ideal = 16 / (PerfLab.RTT_NANOS / 1e9);
    assertTrue(rate > 0.95 * ideal && rate <= ideal * 1.001, rate + " vs " + ideal + "\n" + out);
  }

  @Test
  void sameEngineAsDnsperfSameRateOnVirtualTime() {
    p.exec(p.ns, server, "udpperf server").assertExit(0);
    CommandRun u = p.exec(p.client, client(), "udpperf 10.2.0.53 -c 32 -l 0.3").assertExit(0);
    CommandRun d = p.exec(p.client, new DnsPerf(p.client.stack(), p.lab.hosts()),
        "dnsperf @10.2.0.53 -q www.bench.test -c 32 -l 0.3").assertExit(0);
    double rtps = decimal(u, "Round trips per second:\\s+([0-9.]+)");
    double qps = decimal(d, "Queries per second:\\s+([0-9.]+)");
    // virtual time charges nothing for processing: only the wires count, the same for both
    assertEquals(1.0, qps / rtps, 0.02, u.output() + "\n" + d.output());
  }

  @Test
  void lossIsCountedBothWays() {
    p.exec(p.ns, server, "udpperf server").assertExit(0);
    p.lab.impair(p.ns, "eth0", Map.of("loss", "10%"));
    p.lab.impair(p.client, "eth0", Map.of("loss", "10%"));
    CommandRun run = p.exec(p.client, client(), "udpperf ns -c 8 -l 3 --timeout 0.2").assertExit(0);
    long sent = number(run, "Datagrams sent:\\s+(\\d+)");
    long done = number(run, "Round trips:\\s+(\\d+)");
    long lost = number(run, "Lost:\\s+(\\d+)");
    assertEquals(sent, done + lost, run.output());
    assertTrue(lost > 0.1 * sent && lost < 0.3 * sent, run.output()); // 1 - 0.9^2 = 19%
  }

  @Test
  void noServerMeansIcmpPortUnreachable() {
    CommandRun run = p.exec(p.client, client(), "udpperf ns -c 2 -l 0.2").assertExit(1);
    assertEquals(0, number(run, "Round trips:\\s+(\\d+)"), run.output());
    assertTrue(number(run, "ICMP unreachable:\\s+(\\d+)") > 0, run.output());
  }

  @Test
  void hangingUpStopsTheClient() {
    p.exec(p.ns, server, "udpperf server").assertExit(0);
    CommandRun run = p.launch(p.client, client(), "udpperf ns -l 60");
    p.lab.advance(VirtualLab.millis(10));
    run.cancel();
    assertEquals(1, run.exitCode());
    assertTrue(p.lab.settle(), "no timer left running after the caller hung up");
  }

  @Test
  void usageErrors() {
    for (String bad : new String[] {"udpperf", "udpperf ns -s 4", "udpperf ns -s 9000", "udpperf ns -c 0",
        "udpperf a b", "udpperf ns -l x", "udpperf ns -p 0"}) {
      CommandRun run = p.exec(p.client, client(), bad);
      run.assertExit(2);
      assertTrue(run.output().startsWith("udpperf: "), bad + " -> " + run.output());
    }
    p.exec(p.client, client(), "udpperf -h").assertExit(0);
  }
}
