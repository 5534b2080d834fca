package emu.control.run;

import emu.control.topology.IfaceSpec;
import emu.control.topology.LinkSpec;
import emu.control.topology.NodeSpec;
import emu.control.topology.Topology;
import emu.node.event.Ipv6Event;
import emu.node.event.Stamped;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * When a lab's IPv6 has come up, read from its events: every IPv6 interface of an emu node has
 * checked its link-local address (duplicate address detection, a second or so after a random
 * delay of up to one, RFC 4862 5.4), no address is still tentative, and each interface that
 * says {@code ipv6: auto} has taken an address from a router's advertisement. A scenario's
 * first step then finds the network as a person would after a host has booted, not half-way
 * through its start; the run says so if the bound passes first.
 */
final class Ipv6Start implements StartWait {
  /** Interfaces still waiting, as "node:dev" with "/ll" (link-local) or "/slaac". */
  private final Set<String> waiting = new HashSet<>();
  private final Set<String> tentative = new HashSet<>();
  private final boolean none;

  Ipv6Start(Topology topo) {
    for (NodeSpec n : topo.nodes()) {
      if (!n.isEmu() || n.isSwitch()) {
        continue;
      }
      for (IfaceSpec i : n.interfaces()) {
        LinkSpec.Endpoint end = new LinkSpec.Endpoint(n.name(), i.name());
        if (i.hasIpv6() && topo.links().stream().anyMatch(l -> l.a().equals(end) || l.b().equals(end))) {
          waiting.add(n.name() + ":" + i.name() + "/ll");
          if (i.slaac()) {
            waiting.add(n.name() + ":" + i.name() + "/slaac");
          }
        }
      }
    }
    none = waiting.isEmpty();
  }

  /** True if the lab asks for no IPv6 at all. */
  boolean none() {
    return none;
  }

  /** True once IPv6 is up everywhere. */
  @Override
  public boolean up() {
    return waiting.isEmpty() && tentative.isEmpty();
  }

  @Override
  public void seen(List<Stamped> events) {
    for (Stamped s : events) {
      if (s.event() instanceof Ipv6Event.AddressChanged a) {
        String key = s.node() + ":" + a.dev() + " " + a.address();
        if (a.state() == Ipv6Event.AddressState.TENTATIVE) {
          tentative.add(key);
          continue;
        }
        tentative.remove(key);
        if (a.state() == Ipv6Event.AddressState.PREFERRED && a.origin() != Ipv6Event.Origin.STATIC) {
          String iface = s.node() + ":" + a.dev();
          waiting.remove(iface + (a.origin() == Ipv6Event.Origin.SLAAC ? "/slaac" : "/ll"));
        }
      }
    }
  }

  /** What is still not up, for the run's note. */
  String missing() {
    Set<String> all = new java.util.TreeSet<>(waiting);
    all.addAll(tentative);
    return String.join(", ", all);
  }
}
