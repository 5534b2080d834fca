package emu.control.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.TestLocks.KernelNetwork;
import emu.control.cli.EmuCommand;
import emu.control.linux.LinuxNamespaces;
import emu.control.state.LabState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a linux node leaves behind: nothing after {@code down}, nothing after a start that
 * failed half-way, and nothing once the next lab starts after a crash. And what it refuses: a
 * namespace name already taken, before anything is created. Needs root; otherwise skipped.
 */
@KernelNetwork
class LinuxLifecycleTest {
  @TempDir
  static Path state;

  @BeforeAll
  static void root() {
    System.setProperty("emu.stateDir", state.toString());
    if (!LinuxNamespaces.isRoot()) {
      String why = "linux nodes need root (network namespaces, veth, VXLAN)";
      if ("1".equals(System.getenv("EMU_REQUIRE_TOOLS"))) {
        throw new AssertionError(why + ", and EMU_REQUIRE_TOOLS=1");
      }
      System.err.println("SKIPPED: " + why);
      Assumptions.abort(why);
    }
    Tools.require("ip");
    Tools.require("ethtool");
  }

  @AfterAll
  static void nothingLeft() throws Exception {
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
    assertTrue(LinuxNamespaces.namespaces().stream().noneMatch(n -> n.startsWith("emu-life")),
        "namespaces left behind: " + LinuxNamespaces.namespaces());
  }

  record Cli(int exit, String text) {}

  static Cli emu(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = EmuCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Cli(code, out + err.toString());
  }

  /** One emu host and one linux node on a link. */
  static Path lab(Path dir, String name) throws Exception {
    Path f = dir.resolve(name + ".yml");
    Files.writeString(f, """
        name: %s
        topology:
          nodes:
            h1:
              kind: host
              interfaces: {eth0: {address: 10.7.0.1/24}}
            k1:
              kind: linux
              interfaces: {eth0: {address: 10.7.0.2/24}}
          links:
            - endpoints: [h1:eth0, k1:eth0]
        """.formatted(name));
    return f;
  }

  @Test
  void downRemovesTheNamespaceAndItsInterfaces(@TempDir Path dir) throws Exception {
    Cli up = emu("up", lab(dir, "life1").toString(), "--out", dir.resolve("out").toString());
    assertEquals(0, up.exit(), up.text());
    String veth = LinuxNamespaces.vethBase("life1", "k1") + "h";
    try {
      assertTrue(LinuxNamespaces.exists("emu-life1-k1"));
      assertTrue(Tools.run(List.of("ip", "link", "show", veth), 10).exit() == 0, "the veth pair exists");
      Cli ping = emu("exec", "k1", "--", "ping", "-c", "1", "-W", "5", "10.7.0.1");
      assertEquals(0, ping.exit(), ping.text());
    } finally {
      Cli down = emu("down", "life1");
      assertEquals(0, down.exit(), down.text());
    }
    assertFalse(LinuxNamespaces.exists("emu-life1-k1"));
    assertNotEquals(0, Tools.run(List.of("ip", "link", "show", veth), 10).exit(), "veth left behind");
    assertFalse(Files.exists(Path.of("/etc/netns/emu-life1-k1")), "/etc/netns files left behind");
  }

  @Test
  void aStartThatFailsRemovesWhatItMade(@TempDir Path dir) throws Exception {
    // The namespace is made first; then h1 cannot bind the VXLAN port on its underlay address,
    // because something (here this test; it could be a VXLAN device of the host) holds
    // 0.0.0.0:4789, and the start fails.
    DatagramSocket taken = new DatagramSocket(null);
    taken.setReuseAddress(false);
    try (taken) {
      taken.bind(new InetSocketAddress("0.0.0.0", 4789));
      Cli up = emu("up", lab(dir, "life2").toString(), "--out", dir.resolve("out").toString());
      assertNotEquals(0, up.exit(), up.text());
      assertTrue(up.text().contains("4789"), up.text());
    }
    assertFalse(LinuxNamespaces.exists("emu-life2-k1"), "namespace left behind by a failed start");
    String veth = LinuxNamespaces.vethBase("life2", "k1") + "h";
    assertNotEquals(0, Tools.run(List.of("ip", "link", "show", veth), 10).exit(), "veth left behind");
  }

  @Test
  void aTakenNamespaceNameIsRefusedBeforeAnythingIsCreated(@TempDir Path dir) throws Exception {
    assertEquals(0, Tools.run(List.of("ip", "netns", "add", "emu-life3-k1"), 10).exit());
    try {
      Cli up = emu("up", lab(dir, "life3").toString(), "--out", dir.resolve("out").toString());
      assertNotEquals(0, up.exit(), up.text());
      assertTrue(up.text().contains("network namespace emu-life3-k1 already exists"), up.text());
      assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "a node started anyway");
      String veth = LinuxNamespaces.vethBase("life3", "k1") + "h";
      assertNotEquals(0, Tools.run(List.of("ip", "link", "show", veth), 10).exit(), "a veth was created");
    } finally {
      Tools.run(List.of("ip", "netns", "del", "emu-life3-k1"), 10);
    }
  }

  @Test
  void theNextStartRemovesWhatACrashedLabLeft(@TempDir Path dir) throws Exception {
    Cli up = emu("up", lab(dir, "life4").toString(), "--out", dir.resolve("out4").toString());
    assertEquals(0, up.exit(), up.text());
    assertTrue(LinuxNamespaces.exists("emu-life4-k1"));
    // The lab's control process dies without a word (its nodes follow it).
    LabState s = LabState.all().stream().filter(l -> l.name().equals("life4")).findFirst().orElseThrow();
    ProcessHandle controller = ProcessHandle.of(s.controller().pid()).orElseThrow();
    Tools.run(List.of("kill", "-KILL", Long.toString(controller.pid())), 10);
    controller.onExit().get(10, TimeUnit.SECONDS);
    assertTrue(LinuxNamespaces.exists("emu-life4-k1"), "nothing removed it yet");

    Cli next = emu("up", lab(dir, "life5").toString(), "--out", dir.resolve("out5").toString());
    try {
      assertEquals(0, next.exit(), next.text());
      assertTrue(next.text().contains("removed network namespace emu-life4-k1"), next.text());
      assertFalse(LinuxNamespaces.exists("emu-life4-k1"));
      assertTrue(LinuxNamespaces.exists("emu-life5-k1"), "the new lab's own namespace stays");
    } finally {
      assertEquals(0, emu("down", "life5").exit());
      emu("down", "life4");
    }
  }
}
