package emu.control.process;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One JVM hosting several of a lab's nodes ({@code emu.node.NodeMain --group}; see
 * {@code emu.node.NodeGroup}): its process, its members, the log they share, and the command
 * channel on its standard input that stands in for the signals a node process would get.
 *
 * @param members the nodes started in it, in its command line's order
 */
public record NodeJvmGroup(Process process, List<String> members, Path log) {
  /** How long a command waits for the group's answer (a paused loop answers at once; a kill within 3 s). */
  private static final long ANSWER_MS = 10_000;

  /**
   * Sends {@code verb NODE} (pause, resume, kill) and waits for the group's answer ({@code PAUSED},
   * {@code RESUMED}, {@code KILLED}, or {@code NOSUCH} for a node it no longer has).
   *
   * @return true once done, false if the group no longer has the node
   * @throws IOException the group is gone or did not answer in time
   */
  public synchronized boolean command(String verb, String node) throws IOException {
    String done = switch (verb) {
      case "pause" -> "PAUSED";
      case "resume" -> "RESUMED";
      case "kill" -> "KILLED";
      default -> throw new IllegalArgumentException("no group command " + verb);
    };
    long from = Files.exists(log) ? Files.size(log) : 0;
    try {
      OutputStream in = process.getOutputStream();
      in.write((verb + " " + node + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
    } catch (IOException e) {
      throw new IOException("the JVM of node " + node + " (pid " + process.pid() + ") is gone: " + e.getMessage(), e);
    }
    long deadline = System.currentTimeMillis() + ANSWER_MS;
    while (true) {
      // alive or not, asked before the log is read: its last node killed, the JVM exits right after
      // saying so, and that answer counts
      boolean alive = process.isAlive();
      if (ReadyLine.findLine(log, from, done + " " + node) != null) {
        return true;
      }
      if (ReadyLine.findLine(log, from, "NOSUCH " + node) != null) {
        return false;
      }
      if (!alive) {
        throw new IOException("the JVM of node " + node + " (pid " + process.pid() + ") exited");
      }
      if (System.currentTimeMillis() > deadline) {
        throw new IOException("the JVM of node " + node + " (pid " + process.pid() + ") did not answer '" + verb
            + "' within " + ANSWER_MS / 1000 + " s; its log: " + log);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
    }
  }

  /**
   * Ends the command channel: the group then stops the nodes it still runs and exits, as when the
   * process that started it is gone. Closed once its nodes are asked to stop, it also spares the
   * JVM's exit 300 ms: a thread blocked in a native read (the group's, on this pipe) makes
   * HotSpot's exit wait that long for it ({@code VM_Exit::wait_for_threads_in_native_to_block}),
   * which was most of a seed lab's stop in one JVM.
   */
  public synchronized void endCommands() {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // gone already: nothing to end
    }
  }
}
