package emu.node.host;

import emu.link.time.TimeSource;
import emu.link.wire.MacAddress;
import emu.node.apps.diag.BridgeCommand;
import emu.node.apps.diag.Sleep;
import emu.node.bridge.BridgePort;
import emu.node.bridge.LearningBridge;
import emu.node.bridge.PortVlans;
import emu.node.bridge.StormControl;
import emu.node.bridge.stp.Rstp;
import emu.node.bridge.stp.StpConfig;
import emu.node.config.NodeConfig;
import emu.node.config.StpSettings;
import emu.node.config.VlanPort;
import emu.node.shell.Shell;
import emu.node.trace.BridgeTrace;
import emu.node.trace.Tracer;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import java.util.Map;

/**
 * A switch assembled from its {@link NodeConfig}, as {@link EmulatedNode} keeps it: a
 * {@link LearningBridge} with a port on each interface's link, its VLANs, storm control and
 * spanning tree, and the switch's commands on the node's shell. Configuration errors throw
 * {@link IllegalArgumentException} with the reason.
 */
final class SwitchAssembly {
  /** The switch's bridge, and its spanning tree or null ({@code stp: false}). */
  record Parts(LearningBridge bridge, Rstp rstp) {}

  private SwitchAssembly() {}

  /** The bridge over {@code links} (configuration order), their ports up where linked. */
  static Parts assemble(NodeConfig config, TimeSource time, Tracer tracer, List<InterfaceLink> links, Shell shell) {
    LearningBridge bridge = new LearningBridge(config.name(), time, BridgeTrace.of(tracer),
        LearningBridge.DEFAULT_AGEING_NANOS,
        config.macTableSize() == null ? LearningBridge.DEFAULT_MAX_ENTRIES : config.macTableSize());
    for (InterfaceLink l : links) {
      bridge.addPort(l.name(), l.endpoint).setUp(l.udp != null);
    }
    if (config.vlans() != null) {
      bridge.vlans(portVlans(config.vlans()));
    }
    List<String> macs = config.interfaces().stream().map(NodeConfig.Iface::mac).toList();
    Rstp rstp = spanningTree(config, bridge, time, tracer);
    stormControl(config, bridge);
    shell.add(new BridgeCommand(bridge, "bridge", macs)).add(new BridgeCommand(bridge, "ip", macs))
        .add(new Sleep(time));
    return new Parts(bridge, rstp);
  }

  /** Each port's storm control, as the control plane merged it from the switch's default and the port's own. */
  private static void stormControl(NodeConfig config, LearningBridge bridge) {
    if (config.storm() == null) {
      return;
    }
    config.storm().forEach((name, settings) -> {
      BridgePort port = bridge.port(name);
      if (port == null) {
        throw new IllegalArgumentException("storm: switch " + config.name() + " has no port " + name);
      }
      port.storm(settings == null || settings.isEmpty() ? null : new StormControl(settings));
    });
  }

  /**
   * RSTP on a switch unless its configuration says {@code stp: false}: bridge id from the priority
   * and the lowest port MAC (as Linux bridges pick it), each port's BPDUs from its own MAC, path
   * cost 20000 (802.1D-2004's for 1 Gb/s: emu's links have no speed of their own) and priority 128
   * unless set per port.
   */
  private static Rstp spanningTree(NodeConfig config, LearningBridge bridge, TimeSource time, Tracer tracer) {
    StpSettings s = config.stp() == null ? new StpSettings(null, null, null, null, null, null, null) : config.stp();
    if (!s.isEnabled()) {
      return null;
    }
    StpConfig d = StpConfig.DEFAULT;
    StpConfig c = new StpConfig(true, or(s.priority(), d.priority()), or(s.hello(), d.hello()),
        or(s.maxAge(), d.maxAge()), or(s.forwardDelay(), d.forwardDelay()), or(s.forceVersion(), d.forceVersion()));
    long lowest = -1;
    for (NodeConfig.Iface i : config.interfaces()) {
      long mac = MacAddress.parse(i.mac()).bits();
      lowest = lowest < 0 ? mac : Math.min(lowest, mac);
    }
    Rstp r = new Rstp(bridge, c, Math.max(lowest, 0), time, PooledByteBufAllocator.DEFAULT, BridgeTrace.stp(tracer));
    for (NodeConfig.Iface i : config.interfaces()) {
      StpSettings.Port p = s.ports() == null ? null : s.ports().get(i.name());
      r.addPort(bridge.port(i.name()), MacAddress.parse(i.mac()).bits(),
          p == null || p.priority() == null ? 128 : p.priority(), p == null || p.cost() == null ? 20000 : p.cost());
    }
    if (s.ports() != null) {
      for (String name : s.ports().keySet()) {
        if (bridge.port(name) == null) {
          throw new IllegalArgumentException("stp ports: switch " + config.name() + " has no port " + name);
        }
      }
    }
    bridge.spanningTree(r);
    return r;
  }

  /** The topology's port VLANs as the bridge keeps them. */
  private static Map<String, PortVlans> portVlans(Map<String, VlanPort> vlans) {
    Map<String, PortVlans> out = new java.util.LinkedHashMap<>();
    vlans.forEach((port, v) -> out.put(port, v.vlan() != null ? PortVlans.access(v.vlan())
        : PortVlans.trunk(v.trunk() == null ? List.of() : v.trunk(), v.nativeVlan() == null ? 0 : v.nativeVlan())));
    return out;
  }

  private static int or(Integer v, int dflt) {
    return v == null ? dflt : v;
  }
}
