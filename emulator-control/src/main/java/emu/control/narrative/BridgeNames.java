package emu.control.narrative;

import emu.link.wire.MacAddress;
import emu.node.config.NodeConfig;
import emu.node.event.BridgeEvent;
import emu.node.event.Stamped;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The lab's switches by bridge address, so that the narrative names a root bridge ("root s1")
 * where the spanning tree's events carry only its bridge id (priority.MAC). The control plane
 * has every switch's configuration, port MACs included, so nodes are told nothing: a table in
 * every switch's configuration would grow with its domain (N switches, N^2 lines in all). A
 * switch's bridge address is its lowest port MAC, as its bridge id has it; a switch with
 * {@code stp: false} is left out (it has no spanning tree, so it is never a root). A root that is
 * none of the lab's switches (a Linux bridge in a linux node) keeps its id.
 */
public final class BridgeNames {
  /** Names nothing: roots are told by their ids. */
  public static final BridgeNames NONE = new BridgeNames(Map.of());

  private final Map<Long, String> byAddress;

  private BridgeNames(Map<Long, String> byAddress) {
    this.byAddress = Map.copyOf(byAddress);
  }

  /** The switches among {@code configs} that run spanning tree, by bridge address. */
  public static BridgeNames of(Collection<NodeConfig> configs) {
    Map<Long, String> out = new HashMap<>();
    for (NodeConfig c : configs) {
      if (!c.isSwitch() || (c.stp() != null && !c.stp().isEnabled()) || c.interfaces().isEmpty()) {
        continue;
      }
      long lowest = Long.MAX_VALUE;
      for (NodeConfig.Iface i : c.interfaces()) {
        lowest = Math.min(lowest, MacAddress.parse(i.mac()).bits());
      }
      out.put(lowest, c.name());
    }
    return new BridgeNames(out);
  }

  /**
   * As {@link #of}, from the nodes' configuration files as the lab wrote them; a file that cannot
   * be read is left out (its switch is then told by its bridge id), never failing the narrative.
   */
  public static BridgeNames read(Collection<Path> configFiles) {
    List<NodeConfig> configs = new ArrayList<>();
    for (Path f : configFiles) {
      try {
        configs.add(NodeConfig.read(f));
      } catch (IOException | RuntimeException unreadable) {
        // told by its bridge id instead
      }
    }
    return of(configs);
  }

  /** The switch whose bridge id is {@code bridgeId} ("1000.020000000100"), or null. */
  public String name(String bridgeId) {
    int dot = bridgeId == null ? -1 : bridgeId.indexOf('.');
    if (dot < 0 || byAddress.isEmpty()) {
      return null;
    }
    try {
      return byAddress.get(Long.parseUnsignedLong(bridgeId.substring(dot + 1), 16) & MacAddress.BROADCAST_BITS);
    } catch (NumberFormatException notAnId) {
      return null;
    }
  }

  /** {@code e} with its root bridge named, if it is an stp.root or stp.port event without a name. */
  public Stamped named(Stamped e) {
    if (e.event() instanceof BridgeEvent.StpRoot r && r.rootName() == null) {
      String n = name(r.root());
      return n == null ? e : new Stamped(e.ts(), e.seq(), e.node(),
          new BridgeEvent.StpRoot(r.root(), r.rootPort(), r.cost(), n));
    }
    if (e.event() instanceof BridgeEvent.StpPort p && p.rootName() == null) {
      String n = name(p.root());
      return n == null ? e : new Stamped(e.ts(), e.seq(), e.node(), new BridgeEvent.StpPort(p.port(), p.role(),
          p.state(), p.root(), n, p.wasRole(), p.wasState()));
    }
    return e;
  }
}
