package emu.control.topology;

import emu.control.topology.YamlNode.Entry;
import emu.control.topology.YamlNode.Mapping;
import emu.control.topology.YamlNode.Scalar;
import emu.control.topology.YamlNode.ScalarType;
import emu.node.bridge.stp.StpConfig;
import emu.node.config.StpSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a switch's spanning tree: {@code stp: false} (a plain learning bridge, as a Linux bridge
 * with {@code stp_state 0}), or {@code stp: {priority: 4096, hello: 2, max-age: 20, forward-delay:
 * 15, force-version: 0, ports: {p1: {cost: 2000, priority: 64}}}}; absent, a switch runs RSTP with
 * IEEE 802.1D-2004's defaults. Values are checked as the standard bounds them (StpConfig), and
 * port names against the switch's ports once the links made them ({@link #checkPorts}).
 */
final class StpBinder {
  static final List<String> FIELDS = List.of("enabled", "priority", "hello", "max-age", "forward-delay",
      "force-version", "ports");
  static final List<String> PORT_FIELDS = List.of("cost", "priority");
  private static final String EXAMPLE = " like '{priority: 4096, forward-delay: 15}' or 'false'";

  private final Diagnostics diag;

  StpBinder(Diagnostics diag) {
    this.diag = diag;
  }

  void bind(Draft.Node node, Entry e) {
    if (e == null) {
      return;
    }
    if (!node.isSwitch()) {
      diag.error(e.key(), "node " + node.name + " is not a switch: only a switch runs spanning tree (remove 'stp')");
      return;
    }
    if (e.value() instanceof Scalar s && s.type() == ScalarType.BOOLEAN) {
      node.stp = Boolean.parseBoolean(s.text()) ? null : StpSettings.OFF;
      return;
    }
    String where = "'stp' of " + node.name;
    Mapping m = MapFields.asMapping(e.value(), e.key(), where, EXAMPLE, diag);
    if (m == null) {
      return;
    }
    MapFields f = new MapFields(m, where, diag, FIELDS);
    Boolean enabled = null;
    Entry en = f.entry("enabled");
    if (en != null) {
      if (en.value() instanceof Scalar s && s.type() == ScalarType.BOOLEAN) {
        enabled = Boolean.parseBoolean(s.text());
      } else {
        diag.error(en.key(), "enabled in " + where + " must be true or false");
      }
    }
    Integer priority = value(f.integer("priority", 0, 61440));
    Integer hello = value(f.integer("hello", 1, 10));
    Integer maxAge = value(f.integer("max-age", 6, 40));
    Integer forwardDelay = value(f.integer("forward-delay", 4, 30));
    Integer forceVersion = value(f.integer("force-version", 0, 2));
    StpConfig d = StpConfig.DEFAULT;
    try {
      new StpConfig(true, priority == null ? d.priority() : priority, hello == null ? d.hello() : hello,
          maxAge == null ? d.maxAge() : maxAge, forwardDelay == null ? d.forwardDelay() : forwardDelay,
          forceVersion == null ? d.forceVersion() : forceVersion);
    } catch (IllegalArgumentException bad) {
      diag.error(e.key(), where + ": " + bad.getMessage());
    }
    Map<String, StpSettings.Port> ports = null;
    Entry portsAt = f.entry("ports");
    if (portsAt != null) {
      Mapping pm = MapFields.asMapping(portsAt.value(), portsAt.key(), where + " ports",
          " like '{p1: {cost: 2000, priority: 64}}'", diag);
      if (pm != null) {
        ports = new LinkedHashMap<>();
        for (Entry pe : pm.entries()) {
          String pw = "'stp' port " + pe.key().text() + " of " + node.name;
          Mapping one = MapFields.asMapping(pe.value(), pe.key(), pw, " like '{cost: 2000, priority: 64}'", diag);
          if (one == null) {
            continue;
          }
          MapFields pf = new MapFields(one, pw, diag, PORT_FIELDS);
          Scalar cost = pf.integer("cost", 1, 200_000_000);
          Scalar prio = pf.integer("priority", 0, 240);
          if (prio != null && prio.integer().intValue() % 16 != 0) {
            diag.error(prio, "priority " + prio.text() + " in " + pw + " must be a multiple of 16 (0, 16, ... 240)");
          }
          ports.put(pe.key().text(), new StpSettings.Port(value(cost), value(prio)));
          node.stpPortsAt.put(pe.key().text(), pe.key());
        }
      }
    }
    node.stp = new StpSettings(enabled, priority, hello, maxAge, forwardDelay, forceVersion, ports);
  }

  private static Integer value(Scalar s) {
    return s == null ? null : s.integer().intValue();
  }

  /** After the links made the switches' ports: every port named under 'stp' exists. */
  static void checkPorts(Draft.Lab lab, Diagnostics diag) {
    for (Draft.Node n : lab.nodes.values()) {
      for (Map.Entry<String, Scalar> p : n.stpPortsAt.entrySet()) {
        if (n.ifaces.stream().noneMatch(i -> i.name.equals(p.getKey()))) {
          diag.error(p.getValue(), "'stp' of " + n.name + " names port " + p.getKey() + ", which no link makes; its"
              + " ports: " + String.join(", ", n.ifaces.stream().map(i -> i.name).toList()));
        }
      }
    }
  }
}
