package emu.control.narrative;

import emu.node.event.EventCodec;
import emu.node.event.Stamped;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the nodes' JSON-lines event files incrementally and merges them into one time-ordered
 * stream. All nodes of a single-host lab share one clock, so ordering by timestamp (then node,
 * then the node's own sequence) is the order things happened; across machines the timestamps
 * are first corrected by {@link ClockOffsets}.
 */
public final class EventLog {
  /** The order things happened in, on one clock: time, then node, then the node's own sequence. */
  public static final Comparator<Stamped> ORDER = Comparator.comparingLong(Stamped::ts).thenComparing(Stamped::node)
      .thenComparingLong(Stamped::seq);

  private final Path dir;
  private final List<String> nodes;
  private final Map<String, Long> offsets = new HashMap<>();
  private long malformed;
  /** For labs across machines, whose clocks differ; null when every node shares one clock. */
  private final ClockOffsets clocks;
  /** Names the root bridge in the spanning tree's events, which carry only its id. */
  private BridgeNames bridges = BridgeNames.NONE;

  public EventLog(Path dir, List<String> nodes) {
    this(dir, nodes, Map.of());
  }

  /** From now on, stp.root and stp.port events are read with their root bridge named from {@code names}. */
  public EventLog naming(BridgeNames names) {
    this.bridges = names;
    return this;
  }

  /**
   * @param hostOf for nodes on other machines, the machine each runs on: events are then ordered
   *     by their send/receive pairs ({@link ClockOffsets}), not by raw timestamps alone
   */
  public EventLog(Path dir, List<String> nodes, Map<String, String> hostOf) {
    this.dir = dir;
    this.nodes = nodes;
    this.clocks = hostOf.isEmpty() || nodes.isEmpty() ? null : new ClockOffsets(hostOf, nodes.get(0));
  }

  public static Path file(Path dir, String node) {
    return dir.resolve(node + ".events.jsonl");
  }

  /** Events written since the last call, merged and ordered. Incomplete last lines wait. */
  public List<Stamped> poll() {
    List<Stamped> events = new ArrayList<>();
    for (String node : nodes) {
      Path f = file(dir, node);
      if (!Files.exists(f)) {
        continue;
      }
      long offset = offsets.getOrDefault(node, 0L);
      try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
        long len = raf.length();
        if (len <= offset) {
          continue;
        }
        byte[] buf = new byte[(int) (len - offset)];
        raf.seek(offset);
        raf.readFully(buf);
        int lineStart = 0;
        for (int i = 0; i < buf.length; i++) {
          if (buf[i] == '\n') {
            String line = new String(buf, lineStart, i - lineStart, StandardCharsets.UTF_8).trim();
            lineStart = i + 1;
            if (!line.isEmpty()) {
              try {
                events.add(bridges.named(EventCodec.read(line)));
              } catch (IOException e) {
                malformed++;
              }
            }
          }
        }
        offsets.put(node, offset + lineStart);
      } catch (IOException e) {
        malformed++;
      }
    }
    if (clocks != null) {
      return clocks.apply(events);
    }
    events.sort(ORDER);
    return events;
  }

  /** Lines that could not be read (a node killed mid-write, an event type this version does not know). */
  public long malformed() {
    return malformed;
  }
}
