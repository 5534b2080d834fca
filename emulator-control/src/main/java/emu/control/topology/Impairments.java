package emu.control.topology;

import emu.control.topology.YamlNode.Entry;
import emu.control.topology.YamlNode.Mapping;
import emu.control.topology.YamlNode.Scalar;
import emu.link.impair.Impairment;
import emu.link.impair.ImpairmentParser;
import java.util.List;
import java.util.Map;

/**
 * The tc-netem words of the file ({@code impairments:} of links and interfaces, and {@code set}
 * faults), checked with the link layer's own {@link ImpairmentParser} so the file accepts exactly
 * what a running lab does.
 */
final class Impairments {
  /** The words the link layer knows, in its order. */
  static final List<String> WORDS = List.copyOf(ImpairmentParser.PARAMETERS);
  static final String EXAMPLE = "impairments: {delay: 20ms, jitter: 5ms, loss: 1%}";

  /** Values that other words need before their own value can be judged alone (reorder needs a delay). */
  private static final Impairment WITH_DELAY = ImpairmentParser.apply(Impairment.NONE, Map.of("delay", "1ms"));

  private Impairments() {}

  /** Advice for an unknown field of a link or interface that is an impairment word, else "". */
  static String misplaced(String field) {
    return WORDS.contains(field)
        ? "; impairment words such as '" + field + "' go under 'impairments:', like '" + EXAMPLE + "'"
        : "";
  }

  /**
   * The problem with one word's value on its own, or null. Rules between words (reorder needs a
   * delay) are left to {@link #together}: the value is tried on top of a small delay.
   */
  static String value(String word, String value) {
    try {
      ImpairmentParser.apply(WITH_DELAY, Map.of(word, value));
      return null;
    } catch (IllegalArgumentException e) {
      return message(e);
    }
  }

  /**
   * The problem with words of a run-time change, each good alone, given together (such as loss
   * with loss-gemodel), or null; what will be in force then is not known, so a delay is assumed.
   */
  static String change(Map<String, String> words) {
    try {
      ImpairmentParser.apply(WITH_DELAY, words);
      return null;
    } catch (IllegalArgumentException e) {
      return message(e);
    }
  }

  /** The problem with these words applied together onto no impairment, or null. */
  static String together(Map<String, String> words) {
    try {
      ImpairmentParser.apply(Impairment.NONE, words);
      return null;
    } catch (IllegalArgumentException e) {
      return message(e);
    }
  }

  /** "unknown impairment word 'x'; use ..." for a word the link layer does not know, else null. */
  static String unknown(String word) {
    if (WORDS.contains(word)) {
      return null;
    }
    return "unknown impairment word '" + word + "'" + MapFields.didYouMean(word, WORDS) + "; the words are "
        + String.join(", ", WORDS);
  }

  /**
   * Reads an {@code impairments:} map of {@code owner} ("link a <-> b", "interface r1:eth1") into
   * {@code into}, reporting each bad word at its key and each bad value at the value.
   *
   * @return true if every word and value was good
   */
  static boolean read(Mapping m, String owner, Map<String, String> into, Diagnostics diag) {
    boolean ok = true;
    for (Entry e : m.entries()) {
      String word = e.name();
      String unknown = unknown(word);
      if (unknown != null) {
        diag.error(e.key(), "impairments of " + owner + ": " + unknown);
        ok = false;
        continue;
      }
      if (!(e.value() instanceof Scalar s) || s.isNull()) {
        YamlNode at = e.value() instanceof Scalar ? e.key() : e.value();
        diag.error(at, "impairments of " + owner + ": '" + word + "' needs a single value, like 'delay: 20ms' or"
            + " 'loss: 1%', not " + e.value().describe());
        ok = false;
        continue;
      }
      String problem = value(word, s.text());
      if (problem != null) {
        diag.error(s, "impairments of " + owner + ": " + problem);
        ok = false;
        continue;
      }
      into.put(word, s.text());
    }
    return ok;
  }

  /**
   * Checks the words in force on each interface's egress (its link's words overridden by its own)
   * together, for rules between words; runs once links are resolved. A problem is reported at the
   * interface's {@code impairments} key when it has words of its own, else at the link's.
   */
  static void checkEffective(Draft.Lab lab, Diagnostics diag) {
    for (Draft.Link link : lab.links) {
      if (!link.impairmentsComplete) {
        continue;
      }
      boolean aIsB = link.aIface != null && link.aIface == link.bIface;
      check(link, link.aIface, diag);
      if (!aIsB) {
        check(link, link.bIface, diag);
      }
    }
    for (Draft.Node node : lab.nodes.values()) {
      for (Draft.Iface i : node.ifaces) {
        if (i.link == null) {
          check(null, i, diag);
        }
      }
    }
  }

  private static void check(Draft.Link link, Draft.Iface iface, Diagnostics diag) {
    if (iface != null && !iface.impairmentsComplete) {
      return;
    }
    boolean own = iface != null && !iface.impairments.isEmpty();
    Map<String, String> words = Topology.merge(link == null ? Map.of() : link.impairments,
        own ? iface.impairments : Map.of());
    if (words.isEmpty()) {
      return;
    }
    String problem = together(words);
    if (problem == null) {
      return;
    }
    if (own) {
      boolean inherits = link != null
          && link.impairments.keySet().stream().anyMatch(w -> !iface.impairments.containsKey(w));
      String with = !inherits ? ""
          : " (together with the words it takes from the " + link.label() + " at line "
              + link.impairmentsAt.line() + ")";
      diag.error(iface.impairmentsAt, "impairments of interface " + iface.label() + with + ": " + problem);
    } else {
      diag.error(link.impairmentsAt, "impairments of " + link.label() + ": " + problem);
    }
  }

  private static String message(IllegalArgumentException e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? "invalid impairment (" + e.getClass().getSimpleName() + ")" : m;
  }
}
