package emu.control.lab;

import static emu.control.lab.Tools.emu;
import static emu.control.lab.Tools.ok;
import static emu.node.mgmt.RawHttp.chunks;
import static emu.node.mgmt.RawHttp.head;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import emu.control.lab.Tools.Cli;
import emu.control.state.LabState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live captures of a running lab started without capture files ({@code --no-capture}):
 * {@code emu capture r1:eth1 -w -} piped into tshark decodes a ping's ICMP live, while a second
 * capture of the same interface with {@code -c 6} ends by itself after exactly six frames; a
 * reader that stops reading (the CLI's pipe, the control API's socket) does not slow the router's
 * forwarding, and the frames it missed are counted and reported; the control API streams pcap
 * with the token and refuses without it; bad input gets clear errors and exit codes 2 (usage)
 * or 1 (runtime).
 */
class LiveCaptureLabTest {
  @TempDir
  static Path state;
  @TempDir
  static Path out;

  static final ObjectMapper JSON = new ObjectMapper();
  static Path tshark;
  static String leakLevel;

  @BeforeAll
  static void up() throws Exception {
    Tools.requireSigint(); // a capture ends on Ctrl-C, as tcpdump's does
    tshark = Tools.require("tshark");
    System.setProperty("emu.stateDir", state.toString());
    leakLevel = Tools.nodesAtUsersLeakLevel(); // a rate is measured: nodes as users run them
    Cli up = emu("up", MultiProcessLabTest.lan.toString(), "--out", out.toString(), "--no-capture", "--seed", "7");
    assertEquals(0, up.exit(), up.out() + up.err());
    // the ARP entries are in place: the captures below see the ICMP only
    ok("exec", "client", "--", "ping", "-c", "1", "payroll");
    ok("exec", "payroll", "--", "bulk", "server");
  }

  @AfterAll
  static void down() {
    Tools.leakLevel(leakLevel);
    emu("down");
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
  }

  @Test
  void tsharkFollowsALiveCaptureWhileACountedOneEndsByItself(@TempDir Path dir) throws Exception {
    Path errA = dir.resolve("a.err");
    Path tsharkOut = dir.resolve("tshark.out");
    Path tsharkErr = dir.resolve("tshark.err");
    List<Process> pipe = ProcessBuilder.startPipeline(List.of(
        capture(errA, "r1:eth1", "-w", "-"),
        new ProcessBuilder(tshark.toString(), "-r", "-", "-T", "fields", "-e", "frame.protocols", "-e", "icmp.type",
            "-e", "icmp.seq").redirectOutput(tsharkOut.toFile()).redirectError(tsharkErr.toFile())));
    Path errB = dir.resolve("b.err");
    Path fileB = dir.resolve("b.pcap");
    // six frames: sw2 sends a BPDU to r1:eth1 every 2 s (RSTP), and one or two may fall among them
    Process counted = capture(errB, "r1:eth1", "-c", "6", "-w", fileB.toString()).start();
    try {
      waitForCaptures("r1", "eth1", 2);
      Cli ping = ok("exec", "client", "--", "ping", "-c", "3", "-i", "0.2", "payroll");
      assertTrue(ping.out().contains("3 received"), ping.out());

      assertTrue(counted.waitFor(20, TimeUnit.SECONDS), "the -c 6 capture did not end by itself");
      assertEquals(0, counted.exitValue(), Files.readString(errB));
      assertTrue(Files.readString(errB).contains("6 packets captured"), Files.readString(errB));
      assertTrue(Files.readString(errB).contains("0 packets dropped"), Files.readString(errB));
      // exactly six frames; an ARP (the neighbour reconfirmed) or a BPDU may fall among them: the ICMP ones in order
      List<String> b = icmpTypes(fileB, 6);
      assertTrue(b.size() >= 2, "the ICMP among the six frames: " + b);
      assertEquals(List.of("8", "0", "8", "0", "8", "0").subList(0, b.size()), b, "the first echoes, in order");

      Process emuCapture = pipe.get(0);
      interrupt(emuCapture);
      assertTrue(pipe.get(1).waitFor(30, TimeUnit.SECONDS), "tshark did not end after the capture's Ctrl-C");
      assertTrue(emuCapture.waitFor(10, TimeUnit.SECONDS));
      assertEquals(0, emuCapture.exitValue(), "a clean Ctrl-C exits 0, as tcpdump: " + Files.readString(errA));
      String errors = Files.readString(tsharkErr).replace("Running as user \"root\" and group \"root\". "
          + "This could be dangerous.", "").strip();
      assertEquals(0, pipe.get(1).exitValue(), errors);
      assertEquals("", errors, "tshark read the stream without complaint");
      List<String> lines = Files.readAllLines(tsharkOut);
      long requests = lines.stream().filter(l -> l.matches(".*\t8\t\\d+")).count();
      long replies = lines.stream().filter(l -> l.matches(".*\t0\t\\d+")).count();
      assertEquals(3, requests, String.join("\n", lines));
      assertEquals(3, replies, String.join("\n", lines));
      assertFalse(lines.stream().anyMatch(l -> l.contains("malformed")), String.join("\n", lines));
      String summary = Files.readString(errA);
      assertTrue(summary.contains(lines.size() + " packets captured"), summary + " / " + lines.size() + " frames");
      assertTrue(summary.contains("0 packets dropped"), summary);
      assertFalse(summary.contains("emu: "), "ended by Ctrl-C, not by a problem: " + summary);
      waitForCaptures("r1", "eth1", 0);
    } finally {
      pipe.forEach(Process::destroyForcibly);
      counted.destroyForcibly();
    }
  }

  @Test
  void aReaderThatStopsReadingDoesNotSlowTheRouterAndItsLossIsCounted(@TempDir Path dir) throws Exception {
    bulkMillis(); // warm-up (JIT, TCP windows), not timed
    long without1 = bulkMillis();
    long with1 = bulkWithStuckCaptures(dir.resolve("1.err"));
    long without2 = bulkMillis();
    long with2 = bulkWithStuckCaptures(dir.resolve("2.err"));
    System.err.println("LiveCaptureLabTest: 20M bulk " + without1 + ", " + without2 + " ms without a capture, "
        + with1 + ", " + with2 + " ms with two stuck ones");
    long bound = 2 * Math.max(without1, without2) + 2_000;
    assertTrue(Math.max(with1, with2) <= bound, "bulk took " + with1 + ", " + with2 + " ms with two stuck "
        + "captures, " + without1 + ", " + without2 + " ms without");
  }

  @Test
  void aSwitchPortIsCapturedAndFramesAnImpairmentDropsAreNot(@TempDir Path dir) throws Exception {
    Path p3 = dir.resolve("p3.pcap");
    Path eth1 = dir.resolve("eth1.pcap");
    Process port = capture(dir.resolve("p3.err"), "sw1:p3", "-w", p3.toString()).start();
    Process egress = capture(dir.resolve("eth1.err"), "r1:eth1", "-w", eth1.toString()).start();
    try {
      waitForCaptures("sw1", "p3", 1);
      waitForCaptures("r1", "eth1", 1);
      assertEquals(0, emu("link", "set", "r1:eth1", "--loss", "100%").exit());
      Cli ping = emu("exec", "client", "--", "ping", "-c", "2", "-i", "0.2", "-W", "1", "payroll");
      assertTrue(ping.out().contains("0 received"), ping.out());
    } finally {
      assertEquals(0, emu("link", "clear", "r1:eth1").exit());
    }
    interrupt(port);
    interrupt(egress);
    assertTrue(port.waitFor(20, TimeUnit.SECONDS) && egress.waitFor(20, TimeUnit.SECONDS), "Ctrl-C ended them");
    assertEquals(0, port.exitValue(), Files.readString(dir.resolve("p3.err")));
    assertEquals(0, egress.exitValue(), Files.readString(dir.resolve("eth1.err")));
    // the switch port toward r1 saw the echo requests reach the router...
    List<String> atPort = icmpTypes(p3, -1);
    assertEquals(2, atPort.stream().filter("8"::equals).count(), "echo requests at sw1:p3: " + atPort);
    // ...which dropped them on r1:eth1's egress (the impairment comes before the tap, as a qdisc before
    // tcpdump): they were never on that wire, so not in its capture
    List<String> atEth1 = icmpTypes(eth1, -1);
    assertEquals(List.of(), atEth1, "ICMP in r1:eth1's capture with 100% egress loss");
    waitForCaptures("sw1", "p3", 0);
    waitForCaptures("r1", "eth1", 0);
  }

  /**
   * Milliseconds the bulk transfer takes while two captures of r1:eth1 do not read: the CLI's
   * (its standard output a pipe nobody reads) and the control API's (a socket nobody reads); then
   * both end, the CLI by Ctrl-C with exit status 0 and its dropped frames counted in {@code err}.
   */
  private static long bulkWithStuckCaptures(Path err) throws Exception {
    Process stuck = capture(err, "r1:eth1", "-w", "-").start();
    LabState lab = LabState.read(state.resolve("labs/lan"));
    String[] api = lab.controller().api().split(":");
    long with;
    try (Socket apiReader = new Socket()) {
      apiReader.setReceiveBufferSize(4096);
      apiReader.connect(new java.net.InetSocketAddress(api[0], Integer.parseInt(api[1])));
      send(apiReader, "GET /labs/lan/links/r1:eth1/capture HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
          + lab.token() + "\r\n\r\n");
      waitForCaptures("r1", "eth1", 2);
      with = bulkMillis();
    }
    interrupt(stuck);
    CompletableFuture<byte[]> drained = CompletableFuture.supplyAsync(() -> {
      try {
        return stuck.getInputStream().readAllBytes();
      } catch (IOException e) {
        return new byte[0];
      }
    });
    assertTrue(stuck.waitFor(20, TimeUnit.SECONDS), "the capture did not end on SIGINT");
    drained.get(10, TimeUnit.SECONDS);
    String summary = Files.readString(err);
    assertEquals(0, stuck.exitValue(), summary);
    Matcher dropped = Pattern.compile("(\\d+) packets dropped").matcher(summary);
    assertTrue(dropped.find(), summary);
    assertTrue(Long.parseLong(dropped.group(1)) > 0, summary);
    assertTrue(summary.contains("packets captured"), summary);
    assertFalse(summary.contains("emu: "), "ended by Ctrl-C, not by a problem: " + summary);
    waitForCaptures("r1", "eth1", 0); // neither the CLI's nor the control API's left behind
    return with;
  }

  @Test
  void theControlApiStreamsPcapWithTheTokenOnly(@TempDir Path dir) throws Exception {
    LabState lab = LabState.read(state.resolve("labs/lan"));
    String[] api = lab.controller().api().split(":");
    String auth = "Authorization: Bearer " + lab.token() + "\r\n";
    assertEquals("401", call(api, "GET /labs/lan/links/r1:eth1/capture HTTP/1.1\r\nHost: x\r\n\r\n").get(":status"));
    assertEquals("404", call(api, "GET /labs/lan/links/r1:eth9/capture HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n")
        .get(":status"));
    assertEquals("400", call(api, "GET /labs/lan/links/r1:eth1/capture?count=0 HTTP/1.1\r\nHost: x\r\n" + auth
        + "\r\n").get(":status"));

    try (Socket s = new Socket(api[0], Integer.parseInt(api[1]))) {
      s.setSoTimeout(30_000);
      send(s, "GET /labs/lan/links/r1:eth1/capture?count=4 HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n");
      InputStream in = s.getInputStream();
      Map<String, String> head = head(in);
      assertEquals("200", head.get(":status"), head.toString());
      assertEquals("application/vnd.tcpdump.pcap", head.get("content-type"));
      assertEquals("close", head.get("connection"), head.toString());
      waitForCaptures("r1", "eth1", 1);
      ok("exec", "client", "--", "ping", "-c", "3", "-i", "0.2", "payroll");
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      Map<String, String> trailers = chunks(in, body);
      assertEquals("4", trailers.get("x-emu-captured"), trailers.toString());
      assertEquals("0", trailers.get("x-emu-dropped"), trailers.toString());
      ByteBuffer b = ByteBuffer.wrap(body.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
      assertEquals(0xa1b2c3d4, b.getInt());
      Path file = dir.resolve("api.pcap");
      Files.write(file, body.toByteArray());
      List<String> icmp = icmpTypes(file, 4);
      assertTrue(icmp.size() >= 2, "the ICMP among the four frames: " + icmp);
      assertEquals(List.of("8", "0", "8", "0").subList(0, icmp.size()), icmp);
      assertEquals(-1, in.read(), "the connection closed after the trailers");
    }
    waitForCaptures("r1", "eth1", 0);
  }

  @Test
  void badInputGetsClearErrors(@TempDir Path dir) throws Exception {
    String pcap = dir.resolve("x.pcap").toString();
    Cli noNode = emu("capture", "ghost:eth0", "-w", pcap);
    assertEquals(2, noNode.exit(), noNode.err());
    assertTrue(noNode.err().contains("no node named ghost"), noNode.err());
    Cli noIface = emu("capture", "r1:eth9", "-w", pcap);
    assertEquals(2, noIface.exit(), noIface.err());
    assertTrue(noIface.err().contains("has no interface eth9 (it has: eth0, eth1)"), noIface.err());
    Cli noPort = emu("capture", "sw1:p9", "-w", pcap);
    assertEquals(2, noPort.exit(), noPort.err());
    assertTrue(noPort.err().contains("has no interface p9"), noPort.err());
    for (String c : new String[] {"0", "-3"}) {
      Cli zero = emu("capture", "r1:eth1", "-c", c, "-w", pcap);
      assertEquals(2, zero.exit(), zero.err());
      assertTrue(zero.err().contains("-c wants a number of frames, 1 or more"), zero.err());
    }
    Cli noColon = emu("capture", "r1", "-w", pcap);
    assertEquals(2, noColon.exit(), noColon.err());
    assertTrue(noColon.err().contains("capture wants NODE:IF"), noColon.err());
    Cli unwritable = emu("capture", "r1:eth1", "-w", dir.resolve("no/such/dir.pcap").toString());
    assertEquals(1, unwritable.exit(), unwritable.err());
    assertTrue(unwritable.err().contains("cannot write"), unwritable.err());
    waitForCaptures("r1", "eth1", 0); // the capture started for it was ended

    // standard output a terminal (script(1) gives it one): no binary written to it
    Path script = Tools.require("script", "bsdutils");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cmd = java + " -cp " + System.getProperty("java.class.path") + " emu.control.cli.EmuCommand capture r1:eth1";
    Tools.Result tty = Tools.run(List.of(script.toString(), "-qec", cmd, "/dev/null"), 60);
    assertEquals(2, tty.exit(), tty.output());
    assertTrue(tty.output().contains("not writing a binary pcap to the terminal"), tty.output());

    assertEquals(0, emu("node", "kill", "printer").exit());
    try {
      Cli killed = emu("capture", "printer:eth0", "-w", pcap);
      assertEquals(1, killed.exit(), killed.err());
      assertTrue(killed.err().contains("node printer is not running"), killed.err());
    } finally {
      assertEquals(0, emu("node", "restart", "printer").exit());
    }
  }

  @Test
  void aPausedNodeIsRefusedAtOnceAndAKilledOneEndsTheCaptureWithStatusOne(@TempDir Path dir) throws Exception {
    String pcap = dir.resolve("p.pcap").toString();
    assertEquals(0, emu("node", "pause", "printer").exit());
    try {
      long t0 = System.nanoTime();
      Cli paused = emu("capture", "printer:eth0", "-w", pcap);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(1, paused.exit(), paused.err());
      assertTrue(paused.err().contains("node printer is paused") && paused.err().contains("./emu node resume printer"),
          paused.err());
      assertTrue(ms < 5_000, "refused after " + ms + " ms, not at once");
    } finally {
      assertEquals(0, emu("node", "resume", "printer").exit());
    }

    Path err = dir.resolve("killed.err");
    Process running = capture(err, "printer:eth0", "-w", pcap).start();
    try {
      waitForCaptures("printer", "eth0", 1);
      assertEquals(0, emu("node", "kill", "printer").exit());
      assertTrue(running.waitFor(20, TimeUnit.SECONDS), "the capture did not end when its node was killed");
      String summary = Files.readString(err);
      assertEquals(1, running.exitValue(), summary);
      assertTrue(summary.contains("emu: node printer "), "says what happened to the node: " + summary);
      assertTrue(summary.matches("(?s).*\\d+ packets? captured.*"), summary); // 1 packet: the printer's VLAN is quiet
    } finally {
      running.destroyForcibly();
      assertEquals(0, emu("node", "restart", "printer").exit());
    }
  }

  // ---- helpers ----

  /** {@code emu capture ARGS} as its own process (a JVM of its own, as ./emu runs it), stderr to {@code err}. */
  private static ProcessBuilder capture(Path err, String... args) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "emu.control.cli.EmuCommand", "capture"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
    pb.environment().put("EMU_STATE_DIR", state.toString());
    return pb;
  }

  private static void interrupt(Process p) throws Exception {
    assertEquals(0, new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).inheritIO().start().waitFor());
  }

  /** Milliseconds a 20 MB TCP transfer from client to payroll (through r1:eth1) takes. */
  private static long bulkMillis() {
    long t0 = System.nanoTime();
    ok("exec", "client", "--", "bulk", "client", "payroll", "--bytes", "20M");
    return (System.nanoTime() - t0) / 1_000_000;
  }

  /**
   * The ICMP types of the file's frames, in order, the other frames (ARP: a neighbour reconfirmed
   * while the test ran) left out; the file must hold {@code frames} frames (-1: any number), none
   * malformed.
   */
  private static List<String> icmpTypes(Path file, int frames) throws Exception {
    Tools.Result r = Tools.run(List.of(tshark.toString(), "-r", file.toString(), "-T", "fields", "-e",
        "frame.protocols", "-e", "icmp.type"), 60);
    assertEquals(0, r.exit(), r.errors());
    List<String> lines = r.output().lines().filter(l -> !l.isBlank()).toList();
    if (frames >= 0) {
      assertEquals(frames, lines.size(), r.output());
    }
    assertFalse(r.output().contains("malformed"), r.output());
    return lines.stream().filter(l -> l.contains(":icmp")).map(l -> l.substring(l.indexOf('\t') + 1).strip())
        .toList();
  }

  private static void waitForCaptures(String node, String iface, int n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int now = -1;
    while (System.nanoTime() < deadline) {
      JsonNode status = JSON.readTree(emu("status", "--json").out());
      now = FaultInjectionTest.iface(status, node, iface).path("live_captures").asInt(-1);
      if (now == n) {
        return;
      }
      Thread.sleep(100);
    }
    assertEquals(n, now, "live captures of " + node + ":" + iface);
  }

  private static void send(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
  }

  private static Map<String, String> call(String[] api, String request) throws IOException {
    try (Socket s = new Socket(api[0], Integer.parseInt(api[1]))) {
      s.setSoTimeout(10_000);
      send(s, request);
      return head(s.getInputStream());
    }
  }
}
