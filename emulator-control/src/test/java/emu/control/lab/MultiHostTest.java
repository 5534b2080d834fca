package emu.control.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import emu.control.TestLocks.KernelNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A lab spread over several machines: network namespaces play the hosts (see
 * {@link HostNamespaces}), each with its own sshd, and the control plane runs as its own JVM in
 * yet another namespace ({@code emut-m0}), so every node is started over ssh and every link
 * crosses the bridge between the hosts.
 */
@KernelNetwork
class MultiHostTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Path dir;
  private static HostNamespaces hosts;

  @BeforeAll
  static void machines() throws Exception {
    dir = Files.createTempDirectory("emut-multihost");
    hosts = HostNamespaces.create(dir, 5);
  }

  @AfterAll
  static void nothingLeft() throws Exception {
    try {
      if (hosts != null) {
        assertEquals(List.of(), Tools.nodeProcesses(dir.toString()), "node processes left behind");
      }
    } finally {
      if (hosts != null) {
        hosts.close();
      }
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** {@code emu ARGS...} as its own JVM in namespace m0 (the control plane's machine). */
  static Tools.Result emu(String... args) throws Exception {
    return emuWith(List.of(), args);
  }

  /** As {@link #emu}, with environment variables (NAME=VALUE) for the control plane. */
  static Tools.Result emuWith(List<String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("env"));
    cmd.addAll(env);
    cmd.addAll(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Demu.stateDir=" + dir.resolve("state"),
        "-Demu.home=" + Path.of("..").toAbsolutePath().normalize(), "-cp", System.getProperty("java.class.path"),
        "emu.control.cli.EmuCommand"));
    cmd.addAll(List.of(args));
    return hosts.exec(0, cmd.toArray(String[]::new));
  }

  /** hosts: m1..m4, each with its own folder under the test's temp dir. */
  static String hostsSection(Path key, int sshPortOfM4) {
    StringBuilder b = new StringBuilder("hosts:\n");
    for (int i = 1; i <= 4; i++) {
      b.append("  m").append(i).append(": {address: ").append(HostNamespaces.address(i)).append(", ssh: root@")
          .append(HostNamespaces.address(i)).append(", identity: ").append(key).append(", dir: ")
          .append(dir.resolve("hosts/m" + i)).append(i == 4 ? ", port: " + sshPortOfM4 : "").append("}\n");
    }
    return b.toString();
  }

  /** The repository's configs, whose zone and content files the copies below name: allowed with --allow-files. */
  static final Path CONFIGS = Path.of("..", "configs").toAbsolutePath().normalize();

  /** The seed's corporate network with client, r1, dns and payroll on four different hosts. */
  static Path corporateAcrossHosts(Path key, int sshPortOfM4) throws Exception {
    String yml = Files.readString(CONFIGS.resolve("corporate.yml"))
        .replace("zones/", CONFIGS.resolve("zones") + "/").replace("www/", CONFIGS.resolve("www") + "/");
    String[][] placement = {{"client", "m1"}, {"printer", "m1"}, {"resolver", "m1"}, {"sw1", "m1"}, {"sw3", "m1"}, {"dist", "m1"}, {"r1", "m2"},
        {"sw2", "m2"}, {"dns", "m3"}, {"payroll", "m4"}};
    for (String[] p : placement) {
      yml = yml.replace("\n    " + p[0] + ":\n", "\n    " + p[0] + ":\n      host: " + p[1] + "\n");
    }
    Path file = Files.createTempFile(dir, "corporate", ".yml");
    Files.writeString(file, yml + hostsSection(key, sshPortOfM4));
    return file;
  }

  /**
   * Also: host m4's clock (payroll's) is 1.5 s behind (a test-only property of the node), yet the
   * narrative's phases come in the order they happened, since events are ordered by their
   * send/receive pairs rather than by raw timestamps.
   */
  @Test
  void theSeedScenarioRunsAcrossHostsWithTheControlPlaneOnAnother() throws Exception {
    Path out = dir.resolve("run-seed");
    Tools.Result r = emuWith(List.of("EMU_NODE_JVM_OPTS=-Demu.test.clockSkewMs.payroll=-1500"), "run",
        corporateAcrossHosts(hosts.key(), 22).toString(), "--out", out.toString(), "--seed", "3", "--allow-files",
        CONFIGS.toString());
    String console = r.output() + r.errors();
    assertEquals(0, r.exit(), console);
    assertTrue(console.contains("1/1 steps succeeded"), console);
    assertTrue(console.contains("ready (pid ") && console.contains("on host m4 (10.77.0.14)"), console);
    String narrative = Files.readString(out.resolve("narrative.txt"));
    SeedScenarioTest.Story s = new SeedScenarioTest.Story(narrative.substring(narrative.indexOf("step 1/1")));
    // the dual-stack corporate network: AAAA and A, then TCP over IPv6 across the hosts
    s.next("DNS query", "client +sends DNS query id 0x[0-9a-f]{4} A{1,4}\\? payroll\\.corp\\.com to 192\\.168\\.1\\.53");
    // dns runs on another host than the client: its lines are placed by the clock offsets the
    // narrative estimates from frames (ClockOffsets), which on a loaded machine were seen 80 ms
    // off, enough to put its answer after the client's next step; so: in the step, in any place.
    s.anywhere("authoritative answer", "dns +answers A{1,4}\\? payroll\\.corp\\.com from zone corp\\.com: ");
    s.next("solicits the router", "client +neighbour solicitation on eth0: who has 2001:db8:1::1 tell 2001:db8:1::100");
    // r1 runs on a third host, placed the same way: its offset, estimated from the few frames it
    // exchanged before this step, was once 90 ms late on a loaded machine (a CI run, 2026-12-08),
    // which put its forwarding after payroll's receipt of what it forwarded: so, r1's line in the
    // step, in any place (the hosts' offsets themselves are ClockOffsetsTest's).
    s.anywhere("router forwards", "r1 +routes 2001:db8:5::100");
    s.next("client's SYN reaches payroll", "payroll +receives a frame on eth0 [^\n]*\\[S\\]");
    s.next("TLS ClientHello", "client +sends ClientHello");
    s.next("TLS", "payroll +sends ServerHello");
    s.next("client gets it", "client +receives ServerHello");
    s.next("HTTP", "payroll +answers 200 OK");
    // The remote nodes' files came back into the local run folder, and nothing is left on the hosts.
    for (String f : List.of("client-eth0.pcap", "r1-eth1.pcap", "dns-eth0.pcap", "payroll-eth0.pcap",
        "payroll.events.jsonl", "r1.log", "report.html")) {
      assertTrue(Files.size(out.resolve(f)) > 24, f + " missing or empty in " + out);
    }
    for (int i = 1; i <= 4; i++) {
      assertTrue(!Files.exists(dir.resolve("hosts/m" + i + "/corporate")), "folder left on host m" + i);
    }
    assertEquals(List.of(), Tools.nodeProcesses(dir.toString()));
  }

  @Test
  void aKilledHostsNodeIsReportedByNameAndStrayDatagramsAreCounted() throws Exception {
    Path out = dir.resolve("run-up");
    Path file = corporateAcrossHosts(hosts.key(), 22);
    Tools.Result up = emu("up", file.toString(), "--out", out.toString(), "--allow-files", CONFIGS.toString());
    try {
      assertEquals(0, up.exit(), up.output() + up.errors());
      JsonNode status = JSON.readTree(emu("status", "--json").output());
      JsonNode dns = node(status, "dns");
      String bind = iface(dns, "eth0").path("bind").asText();
      assertTrue(bind.startsWith("10.77.0.13:"), status.toPrettyString());
      String mgmt = dns.path("mgmt").asText();
      assertTrue(mgmt.startsWith("10.77.0.13:"), mgmt);

      // The management API listens on the host's address, over TLS: plain HTTP gets only a 400 saying
      // so; a TLS client without the lab's client certificate is refused by an alert; with it (from
      // the lab's state folder), verifying the node's certificate for the host's address, an unsigned request
      // gets the node's 401.
      Tools.Result plain = hosts.exec(0, "curl", "-sS", "-i", "--max-time", "10", "http://" + mgmt + "/status");
      assertTrue(plain.output().startsWith("HTTP/1.1 400") && plain.output().contains("HTTPS only"),
          plain.output() + plain.errors());
      Path pki = dir.resolve("state/labs/corporate/pki");
      Tools.Result anonymous = hosts.exec(0, "curl", "-sS", "-i", "--max-time", "10", "--cacert",
          pki.resolve("ca.pem").toString(), "https://" + mgmt + "/status");
      assertTrue(anonymous.exit() != 0 && anonymous.errors().contains("alert") && anonymous.output().isEmpty(),
          anonymous.output() + anonymous.errors());
      Tools.Result noToken = hosts.exec(0, "curl", "-sS", "-i", "--max-time", "10", "--cacert",
          pki.resolve("ca.pem").toString(), "--cert", pki.resolve("control.pem").toString(), "--key",
          pki.resolve("control.key").toString(), "https://" + mgmt + "/status");
      assertTrue(noToken.output().matches("(?s)HTTP/1\\.1 40[13].*"), noToken.output() + noToken.errors());

      // A datagram from an address that is not the link's peer (host m4) is dropped and counted.
      String[] hp = bind.split(":");
      hosts.exec(4, "bash", "-c", "printf '" + "x".repeat(60) + "' > /dev/udp/" + hp[0] + "/" + hp[1]);
      long drops = 0;
      for (int i = 0; i < 50 && drops == 0; i++) {
        Thread.sleep(100);
        drops = iface(node(JSON.readTree(emu("status", "--json").output()), "dns"), "eth0").toString()
            .contains("\"rx_drop_not_from_peer\":1") ? 1 : 0;
      }
      assertEquals(1, drops, iface(node(JSON.readTree(emu("status", "--json").output()), "dns"), "eth0")
          .toPrettyString());

      // Kill host m3's node processes: the control plane names the node and its host.
      for (String line : Tools.nodeProcesses(dir.resolve("hosts/m3").toString())) {
        hosts.exec(3, "kill", "-9", line.substring(0, line.indexOf(' ')));
      }
      Path log = out.resolve("control.log");
      String said = "";
      for (int i = 0; i < 100 && !said.contains("node dns on host m3 (10.77.0.13)"); i++) {
        Thread.sleep(100);
        said = Files.readString(log);
      }
      assertTrue(said.contains("node dns on host m3 (10.77.0.13)") && said.contains("died unexpectedly"), said);

      // Host m4 stops answering (its cable pulled): the control plane names the host.
      Tools.run(List.of("ip", "link", "set", "emut-v4", "down"), 10); // the bridge side, in the root namespace
      for (int i = 0; i < 300 && !said.contains("host m4 (10.77.0.14) unreachable"); i++) {
        Thread.sleep(100);
        said = Files.readString(log);
      }
      Tools.run(List.of("ip", "link", "set", "emut-v4", "up"), 10);
      assertTrue(said.contains("host m4 (10.77.0.14) unreachable: lost the ssh session of node payroll"), said);
    } finally {
      Tools.Result down = emu("down");
      assertEquals(0, down.exit(), down.output() + down.errors());
    }
    assertEquals(List.of(), Tools.nodeProcesses(dir.toString()));
    // Files of every node came back, also of the lost host's node once the host answered again.
    for (String f : List.of("r1-eth1.pcap", "payroll-eth0.pcap", "dns-eth0.pcap")) {
      assertTrue(Files.size(out.resolve(f)) > 24, f);
    }
  }

  private static JsonNode node(JsonNode status, String name) {
    for (JsonNode n : status.path("nodes")) {
      if (name.equals(n.path("name").asText())) {
        return n;
      }
    }
    throw new AssertionError("no node " + name + " in " + status.toPrettyString());
  }

  private static JsonNode iface(JsonNode node, String name) {
    for (JsonNode i : node.path("interfaces")) {
      if (name.equals(i.path("name").asText())) {
        return i;
      }
    }
    throw new AssertionError("no interface " + name + " in " + node.toPrettyString());
  }

  /** Two hosts, h1 on m1 and h2 on m3, with h2's link port pinned. */
  private static Path small(Path key, int sshPortOfM4, String h2Host, Integer h2Port) throws Exception {
    String yml = "name: emutsmall\n" + hostsSection(key, sshPortOfM4) + "topology:\n  nodes:\n"
        + "    h1: {kind: host, host: m1, interfaces: {eth0: {address: 10.0.0.1/24}}}\n"
        + "    h2: {kind: host, host: " + h2Host + ", interfaces: {eth0: {address: 10.0.0.2/24"
        + (h2Port == null ? "" : ", port: " + h2Port) + "}}}\n"
        + "  links:\n    - endpoints: [\"h1:eth0\", \"h2:eth0\"]\n"
        + "scenario:\n  - h1: ping -c 1 h2\n";
    Path file = Files.createTempFile(dir, "small", ".yml");
    Files.writeString(file, yml);
    return file;
  }

  @Test
  void badHostsFailWithTheHostAndNodeNamedAndNothingLeftRunning() throws Exception {
    // Nothing listens for ssh on m4's port 2222.
    Tools.Result refused = emu("run", small(hosts.key(), 2222, "m4", null).toString(), "--out",
        dir.resolve("run-bad1").toString());
    assertEquals(3, refused.exit(), refused.output() + refused.errors());
    assertTrue(refused.errors().contains("host m4 (10.77.0.14) is unreachable") && refused.errors().contains("h2"),
        refused.errors());
    // A key the hosts do not accept.
    Tools.Result login = emu("run", small(hosts.otherKey(), 22, "m3", null).toString(), "--out",
        dir.resolve("run-bad2").toString());
    assertEquals(3, login.exit(), login.output() + login.errors());
    assertTrue(login.errors().contains("host m1 (10.77.0.11) refused the ssh login as root")
        && login.errors().contains("nodes placed there: h1"), login.errors());
    assertEquals(List.of(), Tools.nodeProcesses(dir.toString()));
    // A port already taken on host m3: h1 starts on m1, h2 cannot bind, and h1 is stopped again.
    Process holder = new ProcessBuilder("ip", "netns", "exec", HostNamespaces.ns(3), "/usr/bin/python3", "-c",
        "import socket,time\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.bind(('10.77.0.13',23456))\n"
            + "print('bound',flush=True)\ntime.sleep(120)").redirectErrorStream(true).start();
    try {
      assertTrue(new String(holder.getInputStream().readNBytes(5)).equals("bound"));
      Tools.Result taken = emu("run", small(hosts.key(), 22, "m3", 23456).toString(), "--out",
          dir.resolve("run-bad3").toString());
      assertEquals(3, taken.exit(), taken.output() + taken.errors());
      Matcher m = Pattern.compile(
          "node h2 on host m3 \\(10\\.77\\.0\\.13\\) exited during start-up[^\\n]*\\n(?s).*23456")
          .matcher(taken.errors());
      assertTrue(m.find(), taken.errors());
    } finally {
      holder.destroyForcibly();
    }
    assertEquals(List.of(), Tools.nodeProcesses(dir.toString()));
    for (int i = 1; i <= 4; i++) {
      assertTrue(!Files.exists(dir.resolve("hosts/m" + i + "/emutsmall")), "folder left on host m" + i);
    }
  }
}
