package emu.control.lab;

import emu.control.process.NodeProcesses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * External programs tests use (tshark). Missing tools skip the test with the reason, unless
 * EMU_REQUIRE_TOOLS=1 (as in CI), where a missing tool fails it: CI must never pass by skipping.
 */
final class Tools {
  private Tools() {}

  /**
   * Starts nodes from now on at Netty's default leak detector level (simple: 1 buffer in 128
   * tracked), as users run them. This module's tests already do (see its pom); this is for a test
   * that measures rates, round trips or memory and must not be skewed by a stricter level given on
   * the command line ({@code -Demu.labLeakLevel=paranoid}). Returns the level to give back to
   * {@link #leakLevel}.
   */
  static String nodesAtUsersLeakLevel() {
    return nodesAtLeakLevel("simple");
  }

  /**
   * Starts nodes from now on at Netty's paranoid leak detector level (a stack trace recorded at
   * every access to every buffer: a node forwards about a tenth as fast), for the tests that read
   * the nodes' logs for LEAK reports after real traffic. Returns the level to give back.
   */
  static String nodesAtParanoidLeakLevel() {
    return nodesAtLeakLevel("paranoid");
  }

  private static String nodesAtLeakLevel(String level) {
    String before = System.getProperty("io.netty.leakDetection.level");
    System.setProperty("io.netty.leakDetection.level", level);
    return before;
  }

  /** Gives back the leak detector level {@link #nodesAtUsersLeakLevel} returned. */
  static void leakLevel(String before) {
    if (before == null) {
      System.clearProperty("io.netty.leakDetection.level");
    } else {
      System.setProperty("io.netty.leakDetection.level", before);
    }
  }

  /**
   * Skips the test (fails it under EMU_REQUIRE_TOOLS=1) when SIGINT is ignored by this process,
   * and so by all it starts: a build started in the background by a shell without job control
   * ({@code cmd &} in a script) cannot test what Ctrl-C does.
   */
  static void requireSigint() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.isReadable(status)) {
      return;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("SigIgn:") && (Long.parseUnsignedLong(line.substring(7).strip(), 16) & 0x2) != 0) {
        String why = "SIGINT is ignored by this process and all it starts (the build was started in the "
            + "background by a shell without job control): run it in the foreground to test Ctrl-C";
        if ("1".equals(System.getenv("EMU_REQUIRE_TOOLS"))) {
          throw new AssertionError(why);
        }
        Assumptions.abort(why);
      }
    }
  }

  /**
   * Skips the test unless it runs as root (linux nodes need network namespaces, veth and VXLAN
   * devices), or fails it under EMU_REQUIRE_TOOLS=1 (CI).
   */
  static void requireRoot() {
    if (!emu.control.linux.LinuxNamespaces.isRoot()) {
      String why = "linux nodes need root (network namespaces, veth, VXLAN)";
      if ("1".equals(System.getenv("EMU_REQUIRE_TOOLS"))) {
        throw new AssertionError(why + ", and EMU_REQUIRE_TOOLS=1");
      }
      System.err.println("SKIPPED: " + why);
      Assumptions.abort(why);
    }
  }

  /**
   * Something a test needs is missing ({@code why} says what and which package brings it): skips
   * the test, or fails it under EMU_REQUIRE_TOOLS=1 (CI).
   */
  static void unavailable(String why) {
    if ("1".equals(System.getenv("EMU_REQUIRE_TOOLS"))) {
      throw new AssertionError(why + ", and EMU_REQUIRE_TOOLS=1");
    }
    System.err.println("SKIPPED: " + why);
    Assumptions.abort(why);
  }

  /** Runs the CLI and asserts it succeeded, saying what it printed if not. */
  static Cli ok(String... args) {
    Cli c = emu(args);
    org.junit.jupiter.api.Assertions.assertEquals(0, c.exit(), () -> String.join(" ", args) + ":\n" + c.out()
        + c.err());
    return c;
  }

  static Path require(String tool) {
    return require(tool, tool);
  }

  /**
   * Like {@link #require(String)} for a tool of Debian package {@code pkg}, looked for in
   * {@code dirs} first and then on PATH: FRR's daemons (zebra, ospfd) live in /usr/lib/frr, which
   * is on no one's PATH.
   */
  static Path require(String tool, String pkg, Path... dirs) {
    List<Path> candidates = new ArrayList<>();
    for (Path d : dirs) {
      candidates.add(d.resolve(tool));
    }
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      candidates.add(Path.of(dir, tool));
    }
    for (Path p : candidates) {
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    String why = tool + " is not installed (apt-get install " + pkg + ")";
    if ("1".equals(System.getenv("EMU_REQUIRE_TOOLS"))) {
      throw new AssertionError(why + " but EMU_REQUIRE_TOOLS=1");
    }
    System.err.println("SKIPPED: " + why);
    Assumptions.abort(why);
    return null;
  }

  /**
   * A Python with the Prometheus client library (Debian's python3-prometheus-client): Debian's
   * own interpreter first, since a python3 earlier on PATH (pyenv, a venv) may not see Debian's
   * packages. Skips (or fails under EMU_REQUIRE_TOOLS=1) when there is none.
   */
  static Path prometheusPython() {
    List<Path> candidates = new ArrayList<>(List.of(Path.of("/usr/bin/python3")));
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      candidates.add(Path.of(dir, "python3"));
    }
    for (Path p : candidates) {
      if (!Files.isExecutable(p)) {
        continue;
      }
      try {
        Result r = run(List.of(p.toString(), "-c", "import prometheus_client.parser"), 30);
        if (r.exit() == 0) {
          return p;
        }
      } catch (IOException | InterruptedException e) {
        // try the next one
      }
    }
    String why = "no python3 with prometheus_client (apt-get install python3-prometheus-client)";
    if ("1".equals(System.getenv("EMU_REQUIRE_TOOLS"))) {
      throw new AssertionError(why + " but EMU_REQUIRE_TOOLS=1");
    }
    System.err.println("SKIPPED: " + why);
    Assumptions.abort(why);
    return null;
  }

  /**
   * Parses Prometheus text with the reference parser (prometheus_client's
   * text_string_to_metric_families); returns "family type samples" lines, one per family, or
   * fails with the parser's error.
   */
  static List<String> parsePrometheus(Path python, String text) throws IOException, InterruptedException {
    Path in = Files.createTempFile("emu-metrics", ".txt");
    try {
      Files.writeString(in, text);
      String script = String.join("\n",
          "import sys",
          "from prometheus_client.parser import text_string_to_metric_families",
          "for f in text_string_to_metric_families(open(sys.argv[1]).read()):",
          "    print(f.name, f.type, len(f.samples))");
      Result r = run(List.of(python.toString(), "-c", script, in.toString()), 60);
      if (r.exit() != 0) {
        throw new AssertionError("prometheus_client cannot parse the metrics: " + r.errors() + "\n" + text);
      }
      return List.of(r.output().strip().split("\n"));
    } finally {
      Files.deleteIfExists(in);
    }
  }

  /** Runs a command, returning its standard output and error apart; fails on timeout. */
  static Result run(List<String> cmd, long timeoutSeconds) throws IOException, InterruptedException {
    Path err = Files.createTempFile("emu-tool", ".err");
    try {
      Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("timed out: " + cmd);
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), Files.readString(err));
    } finally {
      Files.deleteIfExists(err);
    }
  }

  /**
   * Checks every capture ({@code *.pcap}) in {@code out} with tshark: no malformed packet, no
   * expert error, no bad IPv4, TCP, UDP or ICMPv6 checksum; {@code extra} are more tshark options
   * (a port decoded as plain data, say). Returns the captures, sorted.
   */
  static List<Path> assertCapturesClean(Path out, String... extra) throws IOException, InterruptedException {
    Path tshark = require("tshark");
    List<Path> pcaps = new ArrayList<>();
    try (var s = Files.list(out)) {
      s.filter(p -> p.toString().endsWith(".pcap")).sorted().forEach(pcaps::add);
    }
    for (Path pcap : pcaps) {
      List<String> cmd = new ArrayList<>(List.of(tshark.toString(), "-r", pcap.toString(), "-o",
          "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"));
      cmd.addAll(List.of(extra));
      cmd.addAll(List.of("-Y", "_ws.malformed || _ws.expert.severity==error || icmpv6.checksum.status==0"));
      Result check = run(cmd, 60);
      if (check.exit() != 0 || !check.output().isBlank()) {
        throw new AssertionError("tshark found problems in " + pcap + ":\n" + check.output() + check.errors());
      }
    }
    return pcaps;
  }

  /** What a tool printed: {@code output} is its standard output, {@code errors} its standard error. */
  record Result(int exit, String output, String errors) {}

  /** Node JVMs still running whose command line mentions {@code marker}. */
  static List<String> nodeProcesses(String marker) {
    List<String> found = new ArrayList<>();
    ProcessHandle.allProcesses().forEach(p -> NodeProcesses.commandLine(p).ifPresent(cl -> {
      if (cl.contains("emu.node.NodeMain") && cl.contains(marker)) {
        found.add(p.pid() + " " + cl);
      }
    }));
    return found;
  }

  /** What one {@code emu} command line printed and returned. */
  record Cli(int exit, String out, String err) {}

  /** Runs an {@code emu} command line in this JVM, as the CLI would. */
  static Cli emu(String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    int code = emu.control.cli.EmuCommand.execute(new java.io.PrintWriter(out, true),
        new java.io.PrintWriter(err, true), args);
    return new Cli(code, out.toString(), err.toString());
  }
}
