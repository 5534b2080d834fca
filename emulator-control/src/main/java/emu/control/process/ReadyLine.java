package emu.control.process;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a node says on the line it prints once it is up (emu.node.NodeMain):
 * {@code READY NAME pid=N mgmt=HOST:PORT transport=T links=IF:PORT,... started_ms=N}. The ports
 * are the ones the node actually bound: its management port is the kernel's choice, and a link
 * port planned for it may have been taken, in which case it bound another.
 *
 * @param mgmtPort the management API's port
 * @param links each linked interface's UDP port, in configuration order (empty from a node that
 *     does not say)
 */
public record ReadyLine(int mgmtPort, Map<String, Integer> links) {
  /** Bytes of log read at most, from the launch on: a node prints little before it is ready. */
  private static final int MAX_READ = 1 << 20;

  /** Parses a READY line; {@link IllegalArgumentException} if it has no usable {@code mgmt=}. */
  public static ReadyLine parse(String line) {
    Integer mgmt = null;
    Map<String, Integer> links = new LinkedHashMap<>();
    for (String word : line.strip().split("\\s+")) {
      if (word.startsWith("mgmt=")) {
        mgmt = Integer.parseInt(word.substring(word.lastIndexOf(':') + 1));
      } else if (word.startsWith("links=")) {
        for (String l : word.substring("links=".length()).split(",")) {
          int colon = l.lastIndexOf(':');
          if (colon > 0) {
            links.put(l.substring(0, colon), Integer.parseInt(l.substring(colon + 1)));
          }
        }
      }
    }
    if (mgmt == null || mgmt <= 0 || mgmt > 65_535) {
      throw new IllegalArgumentException("READY line without a management port: " + line);
    }
    return new ReadyLine(mgmt, links);
  }

  /**
   * The node's READY line in its log, looking only at what was written from byte {@code from}
   * on (this launch's output; an earlier run's line names a port that may be anyone's by now),
   * or null if it is not there yet.
   */
  public static String find(Path log, long from, String node) {
    return findLine(log, from, "READY " + node + " ");
  }

  /**
   * The first whole line of the log from byte {@code from} on whose first words are those of
   * {@code words} ("KILLED h1" matches "KILLED h1" and "KILLED h1 x", not "KILLED h10"), or null;
   * also where the words follow others on a line, and then from them on: the JVM writes its own
   * diagnostics to the same standard output a word at a time ({@code -XX:+PrintCompilation} in
   * {@code EMU_NODE_JVM_OPTS} printed "   5546 3438       2      READY dns pid=..."), and a node
   * whose line was cut so was never seen ready.
   */
  public static String findLine(Path log, long from, String words) {
    String prefix = words.strip() + " ";
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
      long len = Math.min(f.length() - from, MAX_READ);
      if (len <= 0) {
        return null;
      }
      byte[] b = new byte[(int) len];
      f.seek(from);
      f.readFully(b);
      String text = new String(b, StandardCharsets.UTF_8);
      int end = text.lastIndexOf('\n'); // a line still being written is not read
      for (String line : text.substring(0, Math.max(end, 0)).split("\n")) {
        int at = (" " + line + " ").indexOf(" " + prefix);
        if (at >= 0) {
          return line.substring(at);
        }
      }
      return null;
    } catch (IOException e) {
      return null; // no log yet
    }
  }
}
