package emu.control.topology;

import emu.control.topology.YamlNode.Entry;
import emu.control.topology.YamlNode.Mapping;
import emu.control.topology.YamlNode.Scalar;
import emu.node.config.StormSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a switch's storm control, as switch vendors offer it ({@code storm-control broadcast level
 * pps 1000}): {@code storm: {broadcast: 1000pps, multicast: 1000pps, unknown-unicast: 1000pps}},
 * any subset, on the switch (the default of all its ports) or on one port under {@code interfaces:
 * {p1: {storm: ...}}} (the port's classes over the switch's). Rates are whole frames a second with
 * their unit, as a vendor's {@code pps} level, so that a bare number cannot be read as bits or
 * percent; 0, negative numbers and unknown classes are refused at their line.
 */
final class StormBinder {
  static final List<String> CLASSES = List.of("broadcast", "multicast", "unknown-unicast");
  /** The highest rate: well above what one node process forwards, so no real setting is refused. */
  static final long MAX_PPS = 100_000_000L;
  private static final Pattern RATE = Pattern.compile("(-?[0-9]+)\\s*pps");
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
    port.storm = settings(e, "'storm' of " + port.label());
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
      diag.error(c.key(), what + " must be a rate in frames a second, like 1000pps");
      return null;
    }
    Matcher mt = RATE.matcher(s.text().trim());
    if (!mt.matches()) {
      diag.error(s, what + ": '" + s.text() + "' is not a rate; write frames a second with the unit, like 1000pps");
      return null;
    }
    long pps;
    try {
      pps = Long.parseLong(mt.group(1));
    } catch (NumberFormatException tooLong) {
      pps = Long.MAX_VALUE;
    }
    if (pps < 1 || pps > MAX_PPS) {
      diag.error(s, what + ": " + s.text() + " is out of range; it must be 1pps to " + MAX_PPS + "pps (to police"
          + " nothing of a class, leave it out)");
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
      StormSettings s = i.storm == null ? node.storm : i.storm.over(node.storm);
      if (s != null && !s.isEmpty()) {
        out.put(i.name, s);
      }
    }
    return out.isEmpty() ? null : out;
  }
}
