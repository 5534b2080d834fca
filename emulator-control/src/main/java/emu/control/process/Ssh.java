package emu.control.process;

import emu.control.state.EmuHome;
import emu.control.topology.HostSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Commands on another machine through OpenSSH's client, never interactively: key login only
 * ({@code BatchMode}), a 5 s connect timeout, and keep-alives every 2 s so that a host that
 * stops answering ends the session within about 8 s (that is how a lost host is noticed).
 *
 * <p>Host keys: trust on first use, per machine running the control plane. Unknown hosts are
 * accepted and remembered in emu's own known_hosts file ({@code EMU_STATE_DIR/known_hosts});
 * a host whose key later changes is refused, as plain ssh does. emu's own file rather than
 * ~/.ssh/known_hosts, so that labs never write into the user's ssh configuration; to pin keys
 * beforehand, put them in that file.
 */
public final class Ssh {
  /** ssh's own exit status when it could not connect, log in, or lost the connection. */
  public static final int SSH_FAILED = 255;

  private Ssh() {}

  /** The ssh command line that reaches {@code host}, up to (and including) the destination. */
  public static List<String> argv(HostSpec host) {
    List<String> cmd = new ArrayList<>(List.of("ssh", "-T",
        "-o", "BatchMode=yes", "-o", "ConnectTimeout=5",
        "-o", "ServerAliveInterval=2", "-o", "ServerAliveCountMax=3",
        "-o", "StrictHostKeyChecking=accept-new",
        "-o", "UserKnownHostsFile=" + EmuHome.state().resolve("known_hosts"),
        "-o", "LogLevel=ERROR",
        "-p", Integer.toString(host.port())));
    if (host.identity() != null) {
      cmd.addAll(List.of("-i", expandHome(host.identity()), "-o", "IdentitiesOnly=yes"));
    }
    cmd.add(host.ssh());
    return cmd;
  }

  private static String expandHome(String path) {
    return path.startsWith("~/") ? Path.of(System.getProperty("user.home"), path.substring(2)).toString() : path;
  }

  /** {@code s} quoted for a POSIX shell. */
  public static String quote(String s) {
    return "'" + s.replace("'", "'\"'\"'") + "'";
  }

  /** What a command on a host printed (standard output and error together) and its exit status. */
  public record Result(int exit, String output) {
    public boolean ok() {
      return exit == 0;
    }
  }

  /** Runs {@code command} (a shell command line) through {@code ssh}, waiting at most {@code seconds}. */
  public static Result run(List<String> ssh, String command, long seconds) {
    return run(ssh, command, seconds, null);
  }

  /** As {@link #run(List, String, long)}, with {@code input} (null: none) as the command's standard input. */
  public static Result run(List<String> ssh, String command, long seconds, byte[] input) {
    List<String> cmd = new ArrayList<>(ssh);
    cmd.add(command);
    try {
      ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true);
      if (input == null) {
        b.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      }
      Process p = b.start();
      if (input != null) {
        try (var in = p.getOutputStream()) {
          in.write(input);
        }
      }
      byte[][] out = new byte[1][];
      Thread reader = new Thread(() -> {
        try {
          out[0] = p.getInputStream().readAllBytes();
        } catch (IOException e) {
          out[0] = new byte[0];
        }
      }, "emu-ssh-read");
      reader.setDaemon(true);
      reader.start();
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(2, TimeUnit.SECONDS);
        reader.join(1000);
        return new Result(SSH_FAILED, "no answer in " + seconds + " s");
      }
      reader.join(2000);
      return new Result(p.exitValue(), out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      return new Result(SSH_FAILED, "cannot run ssh: " + e.getMessage() + " (install openssh-client)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(SSH_FAILED, "interrupted");
    }
  }

  /**
   * ssh's complaint turned into what the user should check: the host unreachable, the login
   * refused, or its key changed.
   */
  public static String explain(HostSpec host, String sshOutput) {
    String o = sshOutput.strip();
    String what;
    if (o.contains("Permission denied")) {
      what = "refused the ssh login as " + user(host) + " (" + lastLine(o) + "): check 'identity:' and that the key is"
          + " in that account's authorized_keys";
    } else if (o.contains("REMOTE HOST IDENTIFICATION HAS CHANGED") || o.contains("Host key verification failed")) {
      what = "presented a host key other than the one remembered in " + EmuHome.state().resolve("known_hosts")
          + " (remove its line there if the host was reinstalled)";
    } else if (o.contains("Connection refused")) {
      what = "is unreachable: nothing accepts ssh connections on port " + host.port() + " (" + lastLine(o)
          + "); is sshd running there and the address right?";
    } else if (o.contains("timed out") || o.contains("No route to host") || o.contains("Network is unreachable")
        || o.contains("no answer in") || o.contains("not responding")) {
      what = "is unreachable (" + lastLine(o) + ")";
    } else if (o.contains("Could not resolve hostname")) {
      what = "has an ssh destination that does not resolve (" + lastLine(o) + ")";
    } else {
      what = "cannot be reached over ssh (" + (o.isEmpty() ? "ssh failed without saying why" : lastLine(o)) + ")";
    }
    return "host " + host.label() + " " + what;
  }

  private static String user(HostSpec host) {
    int at = host.ssh().indexOf('@');
    return at > 0 ? host.ssh().substring(0, at) : System.getProperty("user.name");
  }

  private static String lastLine(String text) {
    String[] lines = text.strip().split("\n");
    return lines[lines.length - 1].strip();
  }
}
