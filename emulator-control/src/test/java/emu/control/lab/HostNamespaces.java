package emu.control.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Several machines on one: network namespaces {@code emut-m0..emut-mN} with addresses
 * 10.77.0.1N/24 on veth pairs joined by the root-namespace bridge {@code emut-br}, each (but m0,
 * where the control plane runs) with Debian's sshd listening on its own address only, which
 * accepts one generated ed25519 key for root. Everything is named emut-... and removed by
 * {@link #close()}, which also ends node JVMs started under {@link #dir()}.
 *
 * <p>Needs root, ip, ssh, ssh-keygen and /usr/sbin/sshd (openssh-server); otherwise the test is
 * skipped saying why, or fails under EMU_REQUIRE_TOOLS=1.
 */
final class HostNamespaces implements AutoCloseable {
  static final String BRIDGE = "emut-br";
  private final Path dir;
  private final int count;
  private final List<Process> daemons = new ArrayList<>();
  private boolean createdRunSshd;

  private HostNamespaces(Path dir, int count) {
    this.dir = dir;
    this.count = count;
  }

  /** Namespaces m0..m(count-1); sshd in m1 and up. */
  static HostNamespaces create(Path dir, int count) throws Exception {
    requireRoot();
    Tools.require("ip");
    Tools.require("ssh");
    Tools.require("ssh-keygen");
    if (!Files.isExecutable(Path.of("/usr/sbin/sshd"))) {
      String why = "/usr/sbin/sshd is not installed (apt-get install openssh-server)";
      if ("1".equals(System.getenv("EMU_REQUIRE_TOOLS"))) {
        throw new AssertionError(why + " but EMU_REQUIRE_TOOLS=1");
      }
      System.err.println("SKIPPED: " + why);
      Assumptions.abort(why);
    }
    HostNamespaces h = new HostNamespaces(dir, count);
    h.removeLeftovers();
    try {
      h.build();
    } catch (Exception | AssertionError e) {
      h.close();
      throw e;
    }
    return h;
  }

  private static void requireRoot() {
    if (!"root".equals(System.getProperty("user.name"))) {
      String why = "multi-host tests need root (network namespaces, sshd)";
      if ("1".equals(System.getenv("EMU_REQUIRE_TOOLS"))) {
        throw new AssertionError(why + " but EMU_REQUIRE_TOOLS=1");
      }
      System.err.println("SKIPPED: " + why);
      Assumptions.abort(why);
    }
  }

  Path dir() {
    return dir;
  }

  static String ns(int i) {
    return "emut-m" + i;
  }

  static String address(int i) {
    return "10.77.0.1" + i;
  }

  /** The private key root logs in with on every host. */
  Path key() {
    return dir.resolve("id");
  }

  /** A key no host accepts. */
  Path otherKey() {
    return dir.resolve("other");
  }

  private void build() throws Exception {
    sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "emut", "-f", key().toString());
    sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "emut-other", "-f", otherKey().toString());
    sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "emut-host", "-f", dir.resolve("hostkey").toString());
    if (!Files.isDirectory(Path.of("/run/sshd"))) {
      Files.createDirectories(Path.of("/run/sshd")); // sshd's privilege separation folder
      createdRunSshd = true;
    }
    sh("ip", "link", "add", BRIDGE, "type", "bridge");
    sh("ip", "link", "set", BRIDGE, "up");
    for (int i = 0; i < count; i++) {
      String ns = ns(i);
      sh("ip", "netns", "add", ns);
      sh("ip", "link", "add", "emut-v" + i, "type", "veth", "peer", "name", "eth0", "netns", ns);
      sh("ip", "link", "set", "emut-v" + i, "master", BRIDGE, "up");
      sh("ip", "-n", ns, "addr", "add", address(i) + "/24", "dev", "eth0");
      sh("ip", "-n", ns, "link", "set", "eth0", "up");
      sh("ip", "-n", ns, "link", "set", "lo", "up");
      if (i == 0) {
        continue;
      }
      Path cfg = dir.resolve("sshd-m" + i + ".conf");
      Files.writeString(cfg, String.join("\n",
          "ListenAddress " + address(i) + ":22",
          "HostKey " + dir.resolve("hostkey"),
          "PidFile " + dir.resolve("sshd-m" + i + ".pid"),
          "PermitRootLogin prohibit-password",
          "AuthorizedKeysFile " + dir.resolve("id.pub"),
          "PasswordAuthentication no",
          "KbdInteractiveAuthentication no",
          "UsePAM no",
          "StrictModes no",
          "") + "\n");
      // -D: stays in the foreground as our child, so close() ends exactly this daemon.
      daemons.add(new ProcessBuilder("ip", "netns", "exec", ns, "/usr/sbin/sshd", "-D", "-f", cfg.toString(),
          "-E", dir.resolve("sshd-m" + i + ".log").toString()).redirectErrorStream(true)
          .redirectOutput(dir.resolve("sshd-m" + i + ".out").toFile()).start());
    }
    // Wait until every sshd answers.
    for (int i = 1; i < count; i++) {
      long deadline = System.currentTimeMillis() + 10_000;
      while (true) {
        Tools.Result r = Tools.run(List.of("ip", "netns", "exec", ns(0), "bash", "-c",
            "exec 3<>/dev/tcp/" + address(i) + "/22 && head -c 4 <&3"), 10);
        if (r.output().startsWith("SSH-")) {
          break;
        }
        if (System.currentTimeMillis() > deadline) {
          throw new AssertionError("sshd in " + ns(i) + " does not answer: " + r.errors()
              + Files.readString(dir.resolve("sshd-m" + i + ".out")));
        }
        Thread.sleep(100);
      }
    }
  }

  /** Runs a command in namespace {@code i}. */
  Tools.Result exec(int i, String... cmd) throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns(i)));
    all.addAll(List.of(cmd));
    return Tools.run(all, 180);
  }

  private static void sh(String... cmd) throws IOException, InterruptedException {
    Tools.Result r = Tools.run(List.of(cmd), 30);
    if (r.exit() != 0) {
      throw new AssertionError(String.join(" ", cmd) + " failed: " + r.errors() + r.output());
    }
  }

  private static void quiet(String... cmd) {
    try {
      Tools.run(List.of(cmd), 30);
    } catch (Exception | AssertionError e) {
      // best effort
    }
  }

  private void removeLeftovers() {
    for (int i = 0; i < 10; i++) {
      quiet("ip", "netns", "del", ns(i));
      quiet("ip", "link", "del", "emut-v" + i);
    }
    quiet("ip", "link", "del", BRIDGE);
  }

  /** Ends node JVMs started from {@link #dir()}, the sshd daemons, and removes namespaces and bridge. */
  @Override
  public void close() {
    for (String line : Tools.nodeProcesses(dir.toString())) {
      ProcessHandle.of(Long.parseLong(line.substring(0, line.indexOf(' ')))).ifPresent(ProcessHandle::destroyForcibly);
    }
    for (Process d : daemons) {
      d.descendants().forEach(ProcessHandle::destroyForcibly); // sshd itself, under ip netns exec
      d.destroyForcibly();
    }
    for (int i = 1; i < count; i++) {
      Path pid = dir.resolve("sshd-m" + i + ".pid");
      try {
        if (Files.exists(pid)) {
          ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).ifPresent(ProcessHandle::destroyForcibly);
        }
      } catch (IOException | NumberFormatException e) {
        // gone
      }
    }
    removeLeftovers();
    if (createdRunSshd) {
      try {
        Files.deleteIfExists(Path.of("/run/sshd"));
      } catch (IOException e) {
        // not empty or gone: leave it
      }
    }
  }
}
