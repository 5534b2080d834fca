package emu.control.topology;

import emu.control.topology.YamlNode.Entry;
import emu.control.topology.YamlNode.Mapping;
import emu.control.topology.YamlNode.Scalar;
import emu.control.topology.YamlNode.ScalarType;
import emu.control.topology.YamlNode.Sequence;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The fields of one YAML map with the checks every field needs: unknown names (listing the allowed
 * ones) and wrong YAML types, each reported at the offending value.
 */
final class MapFields {
  private final Mapping map;
  private final String where;
  private final Diagnostics diag;

  /** Reports every key of {@code map} not in {@code allowed}; {@code where} names the map in messages. */
  MapFields(Mapping map, String where, Diagnostics diag, List<String> allowed) {
    this(map, where, diag, allowed, name -> "");
  }

  /** As above; {@code hint} adds advice (or "") to the message about an unknown key of that name. */
  MapFields(Mapping map, String where, Diagnostics diag, List<String> allowed, UnaryOperator<String> hint) {
    this.map = map;
    this.where = where;
    this.diag = diag;
    for (Entry e : map.entries()) {
      if (!allowed.contains(e.name())) {
        diag.error(e.key(), "unknown field '" + e.name() + "' in " + where + "; allowed fields: "
            + String.join(", ", allowed) + didYouMean(e.name(), allowed) + hint.apply(e.name()));
      }
    }
  }

  Mapping map() {
    return map;
  }

  Entry entry(String key) {
    return map.entry(key);
  }

  /** A text field: any scalar but null, as written (numbers and booleans keep their text); else null. */
  Scalar text(String key) {
    Entry e = map.entry(key);
    if (e == null) {
      return null;
    }
    if (e.value() instanceof Scalar s && !s.isNull()) {
      return s;
    }
    wrongType(e, "a string");
    return null;
  }

  /** An integer field within {@code min..max}; null when absent or wrong (reported). */
  Scalar integer(String key, long min, long max) {
    Entry e = map.entry(key);
    if (e == null) {
      return null;
    }
    String want = "an integer in " + min + ".." + max;
    if (!(e.value() instanceof Scalar s) || s.type() != ScalarType.INTEGER) {
      wrongType(e, want);
      return null;
    }
    if (s.integer().compareTo(java.math.BigInteger.valueOf(min)) < 0
        || s.integer().compareTo(java.math.BigInteger.valueOf(max)) > 0) {
      diag.error(s, key + " " + s.integer() + " in " + where + " is out of range; it must be " + want);
      return null;
    }
    return s;
  }

  /**
   * A field that takes one value or a list of them (as {@code address:} takes one address or a
   * list mixing families): the scalars in file order; null when absent or wrong (reported).
   */
  List<Scalar> texts(String key, String example) {
    Entry e = map.entry(key);
    if (e == null) {
      return null;
    }
    if (e.value() instanceof Scalar s && !s.isNull()) {
      return List.of(s);
    }
    if (e.value() instanceof Sequence seq && !seq.items().isEmpty()) {
      List<Scalar> out = new java.util.ArrayList<>();
      for (YamlNode item : seq.items()) {
        if (item instanceof Scalar s && !s.isNull()) {
          out.add(s);
        } else {
          diag.error(item, "each item of '" + key + "' in " + where + " must be a string" + example + ", not "
              + item.describe());
          return null;
        }
      }
      return out;
    }
    wrongType(e, "a string or a list of strings" + example);
    return null;
  }

  /** A map field; an empty value counts as an empty map; null when absent or wrong (reported). */
  Mapping mapping(String key, String example) {
    Entry e = map.entry(key);
    if (e == null) {
      return null;
    }
    return asMapping(e.value(), e.key(), "'" + key + "' in " + where, example, diag);
  }

  /** A list field; an empty value counts as an empty list; null when absent or wrong (reported). */
  Sequence sequence(String key, String example) {
    Entry e = map.entry(key);
    if (e == null) {
      return null;
    }
    if (e.value() instanceof Sequence s) {
      return s;
    }
    if (e.value() instanceof Scalar s && s.isNull()) {
      return new Sequence(List.of(), s.line(), s.column());
    }
    diag.error(e.value(), "'" + key + "' in " + where + " must be a list" + example + ", not " + e.value().describe());
    return null;
  }

  /** {@code value} as a map (empty for an empty value), or null with a problem naming {@code what}. */
  static Mapping asMapping(YamlNode value, YamlNode key, String what, String example, Diagnostics diag) {
    if (value instanceof Mapping m) {
      return m;
    }
    if (value instanceof Scalar s && s.isNull()) {
      return new Mapping(List.of(), key.line(), key.column());
    }
    diag.error(value, what + " must be a map" + example + ", not " + value.describe());
    return null;
  }

  private void wrongType(Entry e, String want) {
    YamlNode at = e.value() instanceof Scalar s && s.isNull() ? e.key() : e.value();
    diag.error(at, "'" + e.name() + "' in " + where + " must be " + want + ", not " + e.value().describe());
  }

  /** " (did you mean 'x'?)" for a near miss (edit distance 2 or less), else "". */
  static String didYouMean(String word, Iterable<String> candidates) {
    String best = null;
    int bestDistance = 3;
    for (String c : candidates) {
      int d = distance(word.toLowerCase(java.util.Locale.ROOT), c.toLowerCase(java.util.Locale.ROOT));
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return best == null ? "" : " (did you mean '" + best + "'?)";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
