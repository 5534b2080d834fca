package emu.control.process;

import emu.control.state.EmuHome;
import emu.control.state.LabState;
import emu.control.topology.HostSpec;
import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Node processes on other machines, started and signalled over ssh ({@link Ssh}).
 *
 * <p>One ssh session per node: its standard input carries the node's configuration, written
 * into a file (mode 0600) under the host's folder {@code DIR/LAB/NODE/}, and then stays open;
 * the remote shell prints {@code EMU-PID n} and execs the node JVM, so the session lives exactly
 * as long as the node, the node's output comes back over it into the local log, and the node
 * exits when the session's input ends (the control plane stopped, died, or lost the host).
 * Signals (kill, pause, resume) go to that pid through separate ssh commands. The node writes
 * captures and events under {@code DIR/LAB/NODE/out}; its events are followed live
 * ({@code tail -F}) into the local run folder, for the narrative, and everything is copied
 * back when the node stops, after which the folder is removed.
 */
public final class RemoteNodes {
  private static final String PID_LINE = "EMU-PID ";
  /** How long the session may take to log in and say the node's pid. */
  private static final long LAUNCH_TIMEOUT_MS = 20_000;

  private RemoteNodes() {}

  /** The class path of emu on a host: its {@code emu:} jar or checkout, or the control plane's own. */
  static String classPath(HostSpec host) {
    if (host.emu() == null) {
      return System.getProperty("java.class.path");
    }
    return host.emu().endsWith(".jar") ? host.emu() : host.emu() + "/emulator-control/target/emu.jar";
  }

  /**
   * A started remote node: its local ssh session, the node's pid on the host, the session
   * following its events, and the thread copying its output into the log (done when the session is).
   */
  public record Started(Process session, long pid, Process events, Thread output) {}

  /** Checks that a host takes our login and has java, before any node is started there. */
  public static void preflight(HostSpec host, List<String> nodes) throws NodeStartException {
    try {
      Files.createDirectories(EmuHome.state()); // where ssh keeps emu's known_hosts
    } catch (IOException e) {
      throw new NodeStartException("cannot create " + EmuHome.state() + ": " + e.getMessage(), e);
    }
    Ssh.Result r = Ssh.run(Ssh.argv(host), "command -v " + Ssh.quote(host.java()) + " >/dev/null || echo EMU-NO-JAVA",
        15);
    String placed = "; nodes placed there: " + String.join(", ", nodes);
    if (r.exit() == Ssh.SSH_FAILED) {
      throw new NodeStartException(Ssh.explain(host, r.output()) + placed);
    }
    if (r.output().contains("EMU-NO-JAVA") || !r.ok()) {
      throw new NodeStartException("host " + host.label() + " has no '" + host.java() + "' (install a JDK 17 there, or set"
          + " 'java:' of the host to its path)" + placed);
    }
  }

  /**
   * Copies the lab's name table to a host, once for all its nodes: {@code DIR/LAB/hosts.json},
   * beside the nodes' folders, where their configurations name it ({@code ../hosts.json}).
   * Written to a temporary name and renamed, so that a node never reads half a table.
   */
  public static void copyNameTable(HostSpec host, String lab, byte[] table) throws NodeStartException {
    String file = host.dir() + "/" + lab + "/" + emu.node.config.HostsTable.FILE;
    Ssh.Result r = Ssh.run(Ssh.argv(host), "umask 077 && mkdir -p " + Ssh.quote(host.dir() + "/" + lab) + " && cat > "
        + Ssh.quote(file + ".tmp") + " && mv " + Ssh.quote(file + ".tmp") + " " + Ssh.quote(file), 30, table);
    if (!r.ok()) {
      throw new NodeStartException("cannot copy the lab's name table to host " + host.label() + " (" + file + "): "
          + (r.exit() == Ssh.SSH_FAILED ? Ssh.explain(host, r.output()) : r.output()));
    }
  }

  /**
   * Starts the node over ssh and waits until the host says its pid.
   *
   * @param fresh first start in this lab: an old folder of the node on the host is removed first
   */
  public static Started launch(LabState.NodeState n, byte[] config, String lab, Path localOut, boolean fresh)
      throws IOException, NodeStartException {
    LabState.Remote r = n.remote();
    HostSpec host = r.host();
    String dir = Ssh.quote(r.dir());
    // the host's own java: its version is not known here; emu's own is the best guess (as before)
    List<String> jvm = new ArrayList<>(NodeProcesses.jvmOptions(Runtime.version()));
    jvm.add("-Demu.node.exitOnStdinEof=true");
    StringBuilder script = new StringBuilder("umask 077 && ");
    if (fresh) {
      script.append("rm -rf ").append(dir).append(" && ");
    }
    script.append("mkdir -p ").append(Ssh.quote(r.dir() + "/out"))
        .append(" && head -c ").append(config.length).append(" > ").append(Ssh.quote(configPath(r)))
        .append(" && echo \"").append(PID_LINE).append("$$\" && exec ").append(Ssh.quote(host.java()));
    jvm.forEach(o -> script.append(' ').append(Ssh.quote(o)));
    script.append(" -cp ").append(Ssh.quote(classPath(host))).append(" emu.node.NodeMain ")
        .append(Ssh.quote(configPath(r)));
    List<String> cmd = new ArrayList<>(Ssh.argv(host));
    cmd.add(script.toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    OutputStream in = p.getOutputStream();
    in.write(config);
    in.flush(); // kept open: its end tells the node to exit
    CompletableFuture<Long> pid = new CompletableFuture<>();
    StringBuilder early = new StringBuilder();
    Path log = Path.of(n.log());
    Thread pump = new Thread(() -> pump(p, log, pid, early), "emu-ssh-" + n.name());
    pump.setDaemon(true);
    pump.start();
    long remotePid;
    try {
      remotePid = pid.get(LAUNCH_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      p.destroyForcibly();
      throw new NodeStartException("cannot start node " + n.name() + ": host " + host.label() + " did not start it within "
          + LAUNCH_TIMEOUT_MS / 1000 + " s");
    } catch (java.util.concurrent.ExecutionException | InterruptedException e) {
      // The session ended before the node's pid: ssh failed, or the shell before exec did.
      int exit;
      try {
        exit = p.waitFor(5, TimeUnit.SECONDS) ? p.exitValue() : Ssh.SSH_FAILED;
        pump.join(2000);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        exit = Ssh.SSH_FAILED;
      }
      p.destroyForcibly();
      String said;
      synchronized (early) {
        said = early.toString().strip();
      }
      throw new NodeStartException("cannot start node " + n.name() + " on host " + host.label() + ": "
          + (exit == Ssh.SSH_FAILED ? Ssh.explain(host, said)
              : "the host's shell failed before starting java (status " + exit + "): " + said));
    }
    Process events = followEvents(n, remotePid, localOut);
    return new Started(p, remotePid, events, pump);
  }

  private static String configPath(LabState.Remote r) {
    return r.dir() + "/node.json";
  }

  /** The text by which a node's ssh session is recognised among processes: its remote config path. */
  public static String marker(LabState.Remote r) {
    return Ssh.quote(configPath(r));
  }

  /** Copies the session's output to the log; the pid line completes {@code pid}. */
  private static void pump(Process p, Path log, CompletableFuture<Long> pid, StringBuilder early) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
         OutputStream out = new FileOutputStream(log.toFile(), true)) {
      String line;
      while ((line = r.readLine()) != null) {
        if (!pid.isDone() && line.startsWith(PID_LINE)) {
          pid.complete(Long.parseLong(line.substring(PID_LINE.length()).strip()));
          continue;
        }
        if (!pid.isDone()) {
          synchronized (early) {
            early.append(line).append('\n');
          }
        }
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    } catch (IOException | NumberFormatException e) {
      // the session ended; its exit is handled by whoever watches the process
    }
    pid.completeExceptionally(new IOException("session ended"));
  }

  /** {@code tail -F} of the node's events file on the host into the local run folder, until the node exits. */
  private static Process followEvents(LabState.NodeState n, long remotePid, Path localOut) throws IOException {
    LabState.Remote r = n.remote();
    List<String> cmd = new ArrayList<>(Ssh.argv(r.host()));
    cmd.add("exec tail --pid=" + remotePid + " -c +1 -F " + Ssh.quote(r.dir() + "/out/" + n.name() + ".events.jsonl")
        + " 2>/dev/null");
    Path local = localOut.resolve(n.name() + ".events.jsonl");
    return new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.appendTo(local.toFile()))
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
  }

  /** Sends {@code signal} (KILL, TERM, STOP, CONT) to the node's process on its host. */
  public static Ssh.Result signal(LabState.NodeState n, String signal) {
    return Ssh.run(Ssh.argv(n.remote().host()), "kill -" + signal + " " + n.remote().pid(), 15);
  }

  /** True if the host answers over ssh (used to tell a lost host from a dead node). */
  public static boolean reachable(HostSpec host) {
    return Ssh.run(Ssh.argv(host), "true", 10).ok();
  }

  /**
   * Copies the node's captures and events back into {@code localOut} and removes its folder on
   * the host (with the configuration, which holds the node's key). An events file already followed
   * live is kept when it holds at least as much (a restarted node starts its file again).
   */
  public static String collect(LabState.NodeState n, Path localOut) {
    LabState.Remote r = n.remote();
    Path tmp = null;
    try {
      // A node whose session was lost (the host was unreachable for a while) may still run
      // there: end it, if that pid is still this node.
      Ssh.run(Ssh.argv(r.host()), "grep -qsa " + Ssh.quote(configPath(r)) + " /proc/" + r.pid() + "/cmdline && kill -9 "
          + r.pid() + "; true", 15);
      tmp = Files.createTempDirectory(localOut, ".emu-" + n.name());
      List<String> ssh = new ArrayList<>(Ssh.argv(r.host()));
      ssh.add("cd " + Ssh.quote(r.dir() + "/out") + " && tar cf - .");
      List<Process> pipe = ProcessBuilder.startPipeline(List.of(
          new ProcessBuilder(ssh).redirectError(ProcessBuilder.Redirect.DISCARD)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))),
          new ProcessBuilder("tar", "xf", "-", "-C", tmp.toString()).redirectErrorStream(true)));
      Process last = pipe.get(1);
      last.getInputStream().readAllBytes();
      boolean done = last.waitFor(60, TimeUnit.SECONDS) && pipe.get(0).waitFor(5, TimeUnit.SECONDS);
      pipe.forEach(Process::destroyForcibly);
      String problem = done && pipe.get(0).exitValue() == 0 ? null
          : "could not copy the captures and events of node " + n.name() + " from host " + r.host().label();
      try (var files = Files.list(tmp)) {
        for (Path f : files.toList()) {
          Path to = localOut.resolve(f.getFileName().toString());
          if (f.getFileName().toString().endsWith(".events.jsonl") && Files.exists(to)
              && Files.size(to) >= Files.size(f)) {
            continue;
          }
          Files.move(f, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
      String labDir = r.dir().substring(0, r.dir().lastIndexOf('/'));
      // the lab's name table goes with the host's last node folder (copyNameTable): nodes stop in
      // parallel, and whichever looks last after removing its own folder finds the table alone
      String table = Ssh.quote(labDir + "/" + emu.node.config.HostsTable.FILE);
      Ssh.run(Ssh.argv(r.host()), "rm -rf " + Ssh.quote(r.dir()) + "; rm -f " + table + ".tmp; [ \"$(ls -A "
          + Ssh.quote(labDir) + " 2>/dev/null)\" = " + emu.node.config.HostsTable.FILE + " ] && rm -f " + table
          + "; rmdir " + Ssh.quote(labDir) + " 2>/dev/null; true", 15);
      return problem;
    } catch (IOException e) {
      return "could not copy the files of node " + n.name() + " from host " + r.host().label() + ": " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    } finally {
      if (tmp != null) {
        try (var s = Files.walk(tmp)) {
          s.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        } catch (IOException e) {
          // best effort
        }
      }
    }
  }
}
