package emu.node.apps.load;

import emu.node.config.DnsConfig;
import emu.node.dns.DnsServer;
import emu.node.shell.Command;
import emu.node.shell.Shell;
import emu.node.testing.CommandRun;
import emu.node.testing.LabNode;
import emu.node.testing.VirtualLab;
import java.util.List;

/**
 * The path dnsperf and udpperf measure, on virtual time: {@code client} (10.1.0.1) - router
 * {@code r} - {@code ns} (10.2.0.53, authoritative for bench.test), every wire 100 µs one way,
 * so a round trip client - ns is 4 wire crossings, 400 µs. A bulk lab: no frame recording and
 * no tracing, but every buffer is still counted and {@link #close()} fails on a leak.
 */
final class PerfLab implements AutoCloseable {
  static final long WIRE_NANOS = 100_000;
  static final long RTT_NANOS = 4 * WIRE_NANOS;
  static final String NS = "10.2.0.53";
  static final String ZONE = """
      $TTL 300
      @     IN SOA ns1.bench.test. hostmaster.bench.test. 1 3600 600 86400 60
            IN NS  ns1
      ns1   IN A   10.2.0.53
      www   IN A   10.2.0.80
      """;

  final VirtualLab lab = VirtualLab.bulk(42, WIRE_NANOS);
  final LabNode client = lab.host("client");
  final LabNode r = lab.router("r");
  final LabNode ns = lab.host("ns");
  final DnsServer dns;

  PerfLab() {
    lab.connect(client, "eth0", "02:00:00:00:01:01", "10.1.0.1/24", r, "eth0", "02:00:00:00:01:fe", "10.1.0.254/24",
        VirtualLab.DEFAULT_MTU);
    lab.connect(r, "eth1", "02:00:00:00:02:fe", "10.2.0.254/24", ns, "eth0", "02:00:00:00:02:35", NS + "/24",
        VirtualLab.DEFAULT_MTU);
    client.defaultRoute("10.1.0.254");
    ns.defaultRoute("10.2.0.254");
    dns = lab.dnsServer(ns, new DnsConfig(DnsConfig.AUTHORITATIVE,
        List.of(new DnsConfig.Zone("bench.test.", "bench.test.zone", ZONE)), null));
    lab.start();
  }

  /** Starts {@code line} on {@code node} through a shell holding {@code cmd}; returns at once. */
  CommandRun launch(LabNode node, Command cmd, String line) {
    CommandRun run = new CommandRun(node.name(), line);
    new Shell(node.name()).add(cmd).run(Shell.split(line), run);
    return run;
  }

  /** Runs {@code line} to its end on virtual time. */
  CommandRun exec(LabNode node, Command cmd, String line) {
    return lab.await(launch(node, cmd, line));
  }

  static long number(CommandRun run, String regex) {
    List<String> got = run.extract(regex);
    if (got.size() != 1) {
      throw new AssertionError("expected one match of /" + regex + "/, got " + got + " in:\n" + run.output());
    }
    return Long.parseLong(got.get(0));
  }

  static double decimal(CommandRun run, String regex) {
    List<String> got = run.extract(regex);
    if (got.size() != 1) {
      throw new AssertionError("expected one match of /" + regex + "/, got " + got + " in:\n" + run.output());
    }
    return Double.parseDouble(got.get(0));
  }

  @Override
  public void close() {
    dns.stop();
    lab.close();
  }
}
