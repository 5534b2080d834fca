package emu.control.topology;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One timed fault of the file's {@code faults:} plan, such as {@code at 2s set r1:eth1 loss 30%}.
 * Names are checked against the lab; impairment words are checked one by one (whether they fit
 * with what is in force then can only be known at run time).
 *
 * @param atNanos when, counted from the lab's start, in nanoseconds (>= 0)
 * @param verb one of {@link #VERBS}
 * @param args for set, clear, down and up the one {@code node:iface} endpoint; for kill, restart,
 *     pause and resume the one node; for partition the nodes cut off from the rest (at least one);
 *     empty for heal
 * @param words for set, the tc-netem words to their values, in the order written; empty otherwise
 * @param text the list item as written, for messages
 * @param line where the list item is, for messages
 */
public record FaultSpec(long atNanos, String verb, List<String> args, Map<String, String> words, String text,
                        int line) {
  /** Change impairments of an interface's egress; the words merge into what is in force. */
  public static final String SET = "set";
  /** Remove every impairment of an interface (the file's own included). */
  public static final String CLEAR = "clear";
  /** Take an interface's link down, so it drops everything it would send. */
  public static final String DOWN = "down";
  /** Bring an interface's link back up. */
  public static final String UP = "up";
  public static final String KILL = "kill";
  public static final String RESTART = "restart";
  public static final String PAUSE = "pause";
  public static final String RESUME = "resume";
  /** Cut the named nodes off from all the others. */
  public static final String PARTITION = "partition";
  /** Undo every partition. */
  public static final String HEAL = "heal";
  public static final List<String> VERBS =
      List.of(SET, CLEAR, DOWN, UP, KILL, RESTART, PAUSE, RESUME, PARTITION, HEAL);

  public FaultSpec {
    args = args == null ? List.of() : List.copyOf(args);
    words = Collections.unmodifiableMap(words == null ? new LinkedHashMap<>() : new LinkedHashMap<>(words));
  }

  /** For set, clear, down and up: the interface, else null. */
  public LinkSpec.Endpoint endpoint() {
    if (!List.of(SET, CLEAR, DOWN, UP).contains(verb) || args.size() != 1) {
      return null;
    }
    String a = args.get(0);
    int colon = a.indexOf(':');
    return colon < 0 ? null : new LinkSpec.Endpoint(a.substring(0, colon), a.substring(colon + 1));
  }
}
