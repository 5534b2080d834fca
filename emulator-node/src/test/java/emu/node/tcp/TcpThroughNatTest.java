package emu.node.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.config.NatConfig;
import emu.node.nat.Nat;
import emu.node.testing.LabNode;
import emu.node.testing.VirtualLab;
import emu.node.trace.Tracer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A TCP transfer through a masquerading router whose links lose, duplicate, reorder and corrupt
 * packets both ways: every byte arrives (SHA-256), the server never learns the inside address
 * (it has no route to it: only the translation brings its segments back), and the NAT's
 * incremental checksum updates let no corrupted segment through (a wrong update would fail the
 * receiver's checksum and stall or corrupt the transfer).
 */
class TcpThroughNatTest {
  private static final long S = 1_000_000_000L;
  private static final long BYTES = 20L << 20;
  private static final Map<String, String> NETEM = Map.of("loss", "3%", "duplicate", "1%", "reorder", "5%",
      "gap", "3", "corrupt", "0.5%", "delay", "10ms", "jitter", "2ms");

  @Test
  void twentyMegabytesByteExactThroughNatWithLoss() {
    try (VirtualLab lab = VirtualLab.bulk(18, 0)) {
      LabNode inside = lab.host("inside");
      LabNode home = lab.router("home");
      LabNode server = lab.host("server");
      lab.connect(inside, "eth0", "02:00:00:00:01:02", "192.168.0.10/24", home, "eth0", "02:00:00:00:01:01",
          "192.168.0.1/24", VirtualLab.DEFAULT_MTU);
      lab.connect(home, "eth1", "02:00:00:00:02:01", "198.51.100.2/24", server, "eth0", "02:00:00:00:02:02",
          "198.51.100.9/24", VirtualLab.DEFAULT_MTU);
      inside.defaultRoute("192.168.0.1");
      // the server has its connected subnet only: 192.168.0.10 is unreachable from it
      Nat nat = new Nat(home.stack(), Tracer.OFF, (p, port) -> false);
      home.stack().setNat(nat);
      nat.masquerade(home.nic("eth1"), new NatConfig(NatConfig.DEFAULT_MAX, null));
      lab.start();
      lab.impairBothWays(home, "eth0", NETEM);
      lab.impairBothWays(home, "eth1", NETEM);

      Transfer.Sink sink = new Transfer.Sink();
      TcpConnection[] accepted = new TcpConnection[1];
      server.tcp().listen(0, 5001, 0, c -> {
        accepted[0] = c;
        return sink;
      });
      Transfer.Source source = new Transfer.Source(BYTES, 18);
      inside.tcp().connect(TcpEndToEndTest.ip("198.51.100.9"), 5001, 0, source);
      boolean done = lab.runUntil(() -> source.closes == 1 && sink.closes == 1, 3600 * S);
      assertTrue(done, "the transfer did not finish within an hour of virtual time; received " + sink.received);
      assertEquals(BYTES, sink.received);
      assertEquals(source.sha(), sink.sha(), "SHA-256 of what was sent and what arrived");
      assertNull(source.error);
      assertNull(sink.error);
      assertEquals(TcpEndToEndTest.ip("198.51.100.2"), accepted[0].remoteIp(), "the server saw the router only");
      assertTrue(nat.counters().translatedOut > 10_000 && nat.counters().translatedIn > 1_000,
          "segments went through the translation both ways");
      assertTrue(inside.tcp().counters().retransmits > 0, "the impairments did happen");
      System.out.println("through NAT: " + sink.received + " bytes in " + lab.now() / 1e9 + " s virtual; out "
          + nat.counters().translatedOut + ", in " + nat.counters().translatedIn + ", retransmits "
          + inside.tcp().counters().retransmits);
    }
  }
}
