package emu.control.lab;

import static emu.control.lab.Tools.emu;
import static emu.control.lab.Tools.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.TestLocks.KernelNetwork;
import emu.control.lab.Tools.Cli;
import emu.control.linux.LinuxNamespaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real kernels on both sides of emu's NAT (lab {@code labs/linux-nat.yml}): curl in the inside
 * namespace fetches from a Python HTTP server in the outside one, which has no route back to the
 * inside subnet and logs the router's address as its client; the inside kernel pings and
 * traceroutes through (echo mapped by identifier, time-exceeded and port-unreachable errors
 * translated back per RFC 5508); curl from outside to the router's forwarded port reaches the
 * inside server, which logs the outside address; curl from outside to a port forwarded to an
 * address nobody holds fails as soon as the router's ARP gives up (its host unreachable
 * quotes the forwarded address and port, RFC 5508 4.2); {@code conntrack -L} on the router shows the
 * flows; every capture passes tshark's checks, and the outside link's capture holds no inside
 * address. Needs root (CI runs as root); otherwise skipped, saying why.
 */
@KernelNetwork
class LinuxNatInteropTest {
  @TempDir
  static Path state;

  static final Path LAB = Path.of("src/test/resources/labs/linux-nat.yml");

  @BeforeAll
  static void requirements() {
    System.setProperty("emu.stateDir", state.toString());
    Tools.requireRoot();
    for (String tool : List.of("ip", "ping", "curl", "python3", "traceroute", "tshark")) {
      Tools.require(tool);
    }
  }

  @AfterAll
  static void nothingLeft() throws Exception {
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
    assertTrue(LinuxNamespaces.namespaces().stream().noneMatch(n -> n.startsWith("emu-natinterop")),
        "namespaces left behind: " + LinuxNamespaces.namespaces());
  }

  /** A Python HTTP server in {@code node}'s namespace on {@code port}, logging each request's client to {@code log}. */
  private static Process httpServer(String node, int port, Path root, Path log) throws Exception {
    Files.writeString(root.resolve("index.html"), "hello from " + node + "\n");
    Process p = new ProcessBuilder("ip", "netns", "exec", "emu-natinterop-" + node, Tools.require("python3").toString(),
        "-u", "-m", "http.server", Integer.toString(port), "--directory", root.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.currentTimeMillis() + 20_000;
    while (System.currentTimeMillis() < deadline) {
      if (Files.readString(log).contains("Serving HTTP")) {
        return p;
      }
      Thread.sleep(100);
    }
    p.destroy();
    throw new AssertionError("the HTTP server in " + node + " did not start: " + Files.readString(log));
  }

  @Test
  void realHostsTalkThroughEmusNat(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("out");
    Path outsideRoot = Files.createDirectories(dir.resolve("outside-www"));
    Path insideRoot = Files.createDirectories(dir.resolve("inside-www"));
    ok("up", LAB.toString(), "--out", out.toString());
    Process outsideServer = null;
    Process insideServer = null;
    try {
      Path outsideLog = dir.resolve("outside-http.log");
      Path insideLog = dir.resolve("inside-http.log");
      outsideServer = httpServer("outside", 8000, outsideRoot, outsideLog);
      insideServer = httpServer("inside", 8000, insideRoot, insideLog);

      Cli fetch = ok("exec", "inside", "--", "curl", "-sS", "--max-time", "20", "http://198.51.100.9:8000/");
      assertEquals("hello from outside\n", fetch.out());
      String log = Files.readString(outsideLog);
      assertTrue(log.contains("198.51.100.2 - - ") && !log.contains("192.168.0.10"),
          "the outside server sees only the router's address:\n" + log);

      Cli ping = ok("exec", "inside", "--", "ping", "-c", "2", "-W", "5", "198.51.100.9");
      assertTrue(ping.out().contains("2 received"), ping.out());
      Cli trace = ok("exec", "inside", "--", "traceroute", "-n", "-q", "1", "-w", "3", "198.51.100.9");
      assertTrue(trace.out().matches("(?s).*\\n *1 +192\\.168\\.0\\.1 .*\\n *2 +198\\.51\\.100\\.9 .*"),
          "the router's hop, then the server's port unreachable, translated back:\n" + trace.out());

      Cli table = ok("exec", "home", "--", "conntrack", "-L");
      assertTrue(table.out().matches("(?s).*tcp +6 \\d+ \\S+ src=192\\.168\\.0\\.10 dst=198\\.51\\.100\\.9 sport=\\d+"
          + " dport=8000 src=198\\.51\\.100\\.9 dst=198\\.51\\.100\\.2 sport=8000 dport=\\d+ \\[ASSURED] mark=0 use=1.*"),
          table.out());
      assertTrue(table.out().contains("icmp     1 "), table.out());

      Cli in = ok("exec", "outside", "--", "curl", "-sS", "--max-time", "20", "http://198.51.100.2:8080/");
      assertEquals("hello from inside\n", in.out());
      String insideSeen = Files.readString(insideLog);
      assertTrue(insideSeen.contains("198.51.100.9 - - "), "a port forward keeps the client's address:\n" + insideSeen);

      // a forward to an inside address nobody holds: the router's ARP gives up (3 s) and its host
      // unreachable quotes the router's address and port as the outside kernel sent them, which
      // ends the kernel's connect at once (tcp_v4_err in SYN-SENT) instead of SYN retries
      long t0 = System.nanoTime();
      Cli dead = emu("exec", "outside", "--", "curl", "-sS", "--max-time", "30", "http://198.51.100.2:8081/");
      double took = (System.nanoTime() - t0) / 1e9;
      // (curl 7.88 says "Couldn't connect to server" for EHOSTUNREACH; without the error it
      // would time out: exit 28 after 30 s)
      assertEquals(7, dead.exit(), "curl: failed to connect\n" + dead.out() + dead.err());
      assertTrue(took < 15, "ended by the error, not by curl's own limit: " + took + " s");

      Cli stats = ok("exec", "home", "--", "conntrack", "-S");
      assertTrue(stats.out().contains("icmp_errors="), stats.out());
      assertTrue(!stats.out().contains("icmp_errors=0 "), "traceroute's errors were translated: " + stats.out());
    } finally {
      for (Process p : new Process[] {outsideServer, insideServer}) {
        if (p != null) {
          p.destroy();
          p.waitFor(5, TimeUnit.SECONDS);
        }
      }
      Cli down = emu("down");
      assertEquals(0, down.exit(), down.err());
    }
    Tools.assertCapturesClean(out);
    Path outsideLink = out.resolve("home-eth1.pcap");
    Tools.Result crossing = Tools.run(List.of(Tools.require("tshark").toString(), "-r", outsideLink.toString(),
        "-Y", "ip.addr == 192.168.0.10 || ip.addr == 192.168.0.99"), 60); // quoted headers too
    assertEquals(0, crossing.exit(), crossing.errors());
    assertEquals("", crossing.output().strip(), "no inside address crosses the outside link");
    Tools.Result unreachable = Tools.run(List.of(Tools.require("tshark").toString(), "-r", outsideLink.toString(),
        "-Y", "icmp.type == 3 && icmp.code == 1 && tcp.dstport == 8081"), 60);
    assertTrue(!unreachable.output().isBlank(), "the host unreachable quoting port 8081 went out");
    Tools.Result tcp = Tools.run(List.of(Tools.require("tshark").toString(), "-r", outsideLink.toString(),
        "-Y", "tcp.port == 8000 && ip.src == 198.51.100.2"), 60);
    assertTrue(!tcp.output().isBlank(), "the outside link carried the masqueraded HTTP request");
  }
}
