package emu.control.lab;

import static emu.control.lab.Tools.emu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import emu.control.TestLocks.Alone;
import emu.control.lab.Tools.Cli;
import emu.control.process.NodeProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 50-node lab as the scale benchmark builds it (benchmarks/e2e/scale-lab.py: a core router, 7
 * edge routers, a switch each, 35 hosts), started with {@code emu up}: every node comes up, a
 * ping crosses the lab (host, switch, edge router, core, edge router, switch, host), and after
 * {@code emu down} nothing of the lab is left: no node process, no control process, no socket any
 * of them held, no state folder, no lab in {@code status}. It takes about a minute on 2 cores.
 */
@Alone
class ScaleLabTest {
  static final int NODES = 50;
  static final Path GENERATOR = Path.of(System.getProperty("emu.configs", "../configs"))
      .resolveSibling("benchmarks").resolve("e2e").resolve("scale-lab.py");
  static final Pattern SOCKET = Pattern.compile("socket:\\[(\\d+)]");

  @TempDir
  static Path state;

  @BeforeAll
  static void isolateState() {
    System.setProperty("emu.stateDir", state.toString());
  }

  @AfterAll
  static void noNodeLeft() {
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
  }

  @Test
  void fiftyNodesStartPingAcrossAndLeaveNothingBehind(@TempDir Path dir) throws Exception {
    Path yml = dir.resolve("scale50.yml");
    Tools.Result gen = Tools.run(List.of("python3", GENERATOR.toString(), Integer.toString(NODES), "scale50"), 30);
    assertEquals(0, gen.exit(), gen.errors());
    Files.writeString(yml, gen.output());
    Tools.Result ends = Tools.run(List.of("python3", GENERATOR.toString(), "--ends", Integer.toString(NODES)), 30);
    String[] e = ends.output().trim().split(" ");
    assertEquals(3, e.length, ends.output());
    String from = e[0];
    String to = e[2];

    Cli up = emu("up", yml.toString(), "--out", dir.resolve("out").toString());
    assertEquals(0, up.exit(), () -> up.out() + up.err());
    List<Long> pids = new ArrayList<>();
    Set<String> sockets = new HashSet<>();
    try {
      Cli status = emu("status", "scale50", "--json");
      assertEquals(0, status.exit(), status.err());
      JsonNode nodes = new ObjectMapper().readTree(status.out()).get("nodes");
      assertEquals(NODES, nodes.size(), status.out());
      for (JsonNode n : nodes) {
        assertEquals("running", n.get("state").asText(), n.toString());
        pids.add(n.get("pid").asLong());
      }
      // and the lab's control process (`up` leaves one running: the control API, fault plans)
      JsonNode controller = new ObjectMapper().readTree(state.resolve("labs/scale50/lab.json").toFile())
          .get("controller");
      assertTrue(controller != null && controller.get("pid").asLong() > 0, "no control process recorded");
      pids.add(controller.get("pid").asLong());
      for (long pid : pids) {
        sockets.addAll(sockets(pid));
      }
      // every node holds its management listener and a socket per link end: 49 links, 98 ends
      assertTrue(sockets.size() >= NODES + 2 * (NODES - 1), "sockets of the lab's nodes: " + sockets.size());

      Cli ping = emu("exec", from, "--", "ping", "-c", "3", "-i", "0.2", to);
      assertEquals(0, ping.exit(), () -> ping.out() + ping.err());
      assertTrue(ping.out().contains("3 packets transmitted, 3 received"), ping.out());
      assertTrue(ping.out().contains("ttl=61"), "three routers on the way (e1, core, e7):\n" + ping.out());
    } finally {
      Cli down = emu("down", "scale50");
      assertEquals(0, down.exit(), () -> down.out() + down.err());
    }
    for (long pid : pids) {
      // exited: gone, or a zombie (the control process, orphaned once `up` returned, until PID 1
      // collects its exit status: it runs nothing and holds no socket or file)
      assertTrue(ProcessHandle.of(pid).map(NodeProcesses::exited).orElse(true),
          "pid " + pid + " still runs");
    }
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
    Set<String> left = new HashSet<>(sockets);
    left.retainAll(openSockets());
    assertEquals(Set.of(), left, "sockets of the lab's nodes still open (inodes)");
    Path labs = state.resolve("labs");
    if (Files.isDirectory(labs)) {
      try (var s = Files.list(labs)) {
        assertEquals(List.of(), s.toList(), "state left behind");
      }
    }
    Cli after = emu("status", "--json");
    assertFalse(after.out().contains("scale50"), "status still shows the lab: " + after.out());
  }

  /** The inodes of the sockets a process holds open. */
  private static Set<String> sockets(long pid) throws IOException {
    Set<String> found = new HashSet<>();
    try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      for (Path fd : fds.toList()) {
        try {
          Matcher m = SOCKET.matcher(Files.readSymbolicLink(fd).toString());
          if (m.matches()) {
            found.add(m.group(1));
          }
        } catch (IOException gone) {
          // closed meanwhile
        }
      }
    }
    return found;
  }

  /** The inodes of every TCP and UDP socket open on this machine (the 10th column of /proc/net's tables). */
  private static Set<String> openSockets() throws IOException {
    Set<String> found = new HashSet<>();
    for (String table : List.of("tcp", "tcp6", "udp", "udp6")) {
      Path p = Path.of("/proc/net/" + table);
      if (!Files.exists(p)) {
        continue;
      }
      List<String> lines = Files.readAllLines(p);
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 9) {
          found.add(f[9]);
        }
      }
    }
    return found;
  }
}
