package emu.node.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Minimal option parsing for node commands, in the style of the Linux tools they imitate:
 * flags with a value ({@code -c 3} or {@code -c3}), boolean flags, and positional words.
 */
public final class Args {
  private final Map<String, String> values = new java.util.HashMap<>();
  private final java.util.Set<String> flags = new java.util.HashSet<>();
  private final List<String> positional = new ArrayList<>();

  /**
   * @param withValue options that take a value, e.g. {@code -c}
   * @param booleans options that take none, e.g. {@code -q}
   */
  public static Args parse(List<String> args, List<String> withValue, List<String> booleans) {
    Args a = new Args();
    for (int i = 0; i < args.size(); i++) {
      String s = args.get(i);
      if (booleans.contains(s)) {
        a.flags.add(s); // before the number test: -4 and -6 are flags of ping and ip
      } else if (s.startsWith("-") && s.length() > 1 && !isNumber(s)) {
        String opt = s.length() > 2 && !s.startsWith("--") ? s.substring(0, 2) : s;
        if (withValue.contains(opt)) {
          String v = s.length() > opt.length() ? s.substring(opt.length()) : null;
          if (v == null) {
            if (i + 1 >= args.size()) {
              throw new UsageException("option " + opt + " needs a value");
            }
            v = args.get(++i);
          }
          a.values.put(opt, v);
        } else if (booleans.contains(s)) {
          a.flags.add(s);
        } else {
          throw new UsageException("unknown option " + s);
        }
      } else {
        a.positional.add(s);
      }
    }
    return a;
  }

  private static boolean isNumber(String s) {
    try {
      Double.parseDouble(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  public boolean flag(String f) {
    return flags.contains(f);
  }

  public List<String> positional() {
    return positional;
  }

  /** The option's value as given, or null. */
  public String value(String opt) {
    return values.get(opt);
  }

  public int intValue(String opt, int dflt, int min, int max) {
    String v = values.get(opt);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw new UsageException("option " + opt + " must be between " + min + " and " + max + ", not " + v);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new UsageException("option " + opt + " needs a whole number, not '" + v + "'");
    }
  }

  /** A duration in seconds (may be fractional), returned in nanoseconds. */
  public long secondsValue(String opt, double dflt, double min, double max) {
    String v = values.get(opt);
    double s = dflt;
    if (v != null) {
      try {
        s = Double.parseDouble(v);
      } catch (NumberFormatException e) {
        throw new UsageException("option " + opt + " needs a number of seconds, not '" + v + "'");
      }
      if (!(s >= min && s <= max)) {
        throw new UsageException("option " + opt + " must be between " + min + " and " + max + " seconds, not " + v);
      }
    }
    return (long) (s * 1e9);
  }
}
