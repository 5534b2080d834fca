package emu.control.topology;

import emu.control.topology.YamlNode.Entry;
import emu.control.topology.YamlNode.Mapping;
import emu.control.topology.YamlNode.Scalar;
import emu.node.config.StormSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a switch's storm control, as switch vendors offer it ({@code storm-control broadcast level
 * pps 1k}): {@code storm: {broadcast: 1000pps, multicast: 1kpps, unknown-unicast: 1000pps}}, any
 * subset, on the switch (the default of all its ports) or on one port under {@code interfaces:
 * {p1: {storm: ...}}} (the port's classes over the switch's; {@code storm: false} exempts the port
 * from the switch's default, as an uplink often is). Rates are whole frames a second with their
 * unit, as a vendor's {@code pps} level, so that a bare number cannot be read as bits or percent;
 * {@code k} and {@code m} multiply by a thousand and a million as in Cisco's {@code level pps 1k},
 * and the unit may be written in any case. 0, negative numbers and unknown classes are refused at
 * their line, with what is accepted.
 */
final class StormBinder {
  static final List<String> CLASSES = List.of("broadcast", "multicast", "unknown-unicast");
  /** The highest rate: well above what one node process forwards, so no real setting is refused. */
  static final long MAX_PPS = 100_000_000L;
  private static final Pattern RATE = Pattern.compile("(-?[0-9]+)\\s*([km]?)pps", Pattern.CASE_INSENSITIVE);
  private static final String RATES = "frames a second with the unit, like 1000pps, 1kpps or 2mpps (any case)";
  private static final String EXAMPLE = " like '{broadcast: 1000pps, multicast: 1000pps, unknown-unicast: 1000pps}'";

  private final Diagnostics diag;

  StormBinder(Diagnostics diag) {
    this.diag = diag;
  }

  /** The switch's 'storm:' (the default of its ports), or an error if the node is not a switch. */
  void bindSwitch(Draft.Node node, Entry e) {
    if (e == null) {
      return;
    }
    if (!node.isSwitch()) {
      diag.error(e.key(), "node " + node.name + " is not a switch: storm control polices a switch's ports"
          + " (remove 'storm')");
      return;
    }
    node.storm = settings(e, "'storm' of " + node.name);
  }

  /** A port's own 'storm:' under the switch's interfaces. */
  void bindPort(Draft.Node node, Draft.Iface port, Entry e) {
    if (e == null) {
      return;
    }
    if (!node.isSwitch()) {
      diag.error(e.key(), "interface " + port.label() + " is not a switch port: storm control polices a switch's"
          + " ports (remove 'storm')");
      return;
    }
    if (e.value() instanceof Scalar s && s.type() == YamlNode.ScalarType.BOOLEAN) {
      if (isFalse(s)) {
        port.stormOff = true;
      } else {
        diag.error(s, "'storm' of " + port.label() + ": " + s.text() + " is not a setting; write the rates"
            + EXAMPLE + ", or 'storm: false' to police nothing on this port");
      }
      return;
    }
    port.storm = settings(e, "'storm' of " + port.label());
  }

  private static boolean isFalse(Scalar s) {
    return List.of("false", "no", "off").contains(s.text().toLowerCase(Locale.ROOT));
  }

  private StormSettings settings(Entry e, String where) {
    Mapping m = MapFields.asMapping(e.value(), e.key(), where, EXAMPLE, diag);
    if (m == null) {
      return null;
    }
    new MapFields(m, where, diag, CLASSES);
    Long[] rates = new Long[CLASSES.size()];
    for (int i = 0; i < rates.length; i++) {
      Entry c = m.entry(CLASSES.get(i));
      if (c != null) {
        rates[i] = rate(c, where);
      }
    }
    return new StormSettings(rates[0], rates[1], rates[2]);
  }

  /** One class's rate, "1000pps"; null when wrong (reported). */
  private Long rate(Entry c, String where) {
    String what = c.name() + " in " + where;
    if (!(c.value() instanceof Scalar s) || s.isNull()) {
      diag.error(c.key(), what + " must be a rate in " + RATES);
      return null;
    }
    Matcher mt = RATE.matcher(s.text().trim());
    if (!mt.matches()) {
      diag.error(s, what + ": '" + s.text() + "' is not a rate; write " + RATES);
      return null;
    }
    long pps;
    try {
      long unit = switch (mt.group(2).toLowerCase(Locale.ROOT)) {
        case "k" -> 1_000L;
        case "m" -> 1_000_000L;
        default -> 1L;
      };
      pps = Math.multiplyExact(Long.parseLong(mt.group(1)), unit);
    } catch (NumberFormatException | ArithmeticException tooLong) {
      pps = mt.group(1).startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    if (pps < 1 || pps > MAX_PPS) {
      diag.error(s, what + ": " + s.text() + " is out of range; it must be 1pps to " + MAX_PPS + "pps (100mpps; to"
          + " police nothing of a class, leave it out)");
      return null;
    }
    return pps;
  }

  /**
   * A switch's storm control by port name: each port's own classes over the switch's default
   * (ports the links made included); null when neither sets any.
   */
  static Map<String, StormSettings> perPort(Draft.Node node) {
    Map<String, StormSettings> out = new LinkedHashMap<>();
    for (Draft.Iface i : node.ifaces) {
      StormSettings s = i.stormOff ? null : i.storm == null ? node.storm : i.storm.over(node.storm);
      if (s != null && !s.isEmpty()) {
        out.put(i.name, s);
      }
    }
    return out.isEmpty() ? null : out;
  }
}
