package emu.control.run;

import emu.control.topology.IfaceSpec;
import emu.control.topology.NodeSpec;
import emu.control.topology.Topology;
import emu.node.event.DhcpEvent;
import emu.node.event.Stamped;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * When every {@code address: dhcp} interface of a lab holds its lease, read from its events (the
 * client's {@code dhcp.client_bound}): DISCOVER, OFFER, REQUEST, ACK and the ARP probe take a
 * second or so, more when a DISCOVER went out before the server's node was up and had to be
 * sent again (4 s later, RFC 2131's backoff).
 */
final class DhcpStart implements StartWait {
  private final Set<String> waiting = new TreeSet<>();

  DhcpStart(Topology topo) {
    for (NodeSpec n : topo.nodes()) {
      for (IfaceSpec i : n.interfaces()) {
        if (i.dhcpClient()) {
          waiting.add(n.name() + ":" + i.name());
        }
      }
    }
    none = waiting.isEmpty();
  }

  /** True if no interface takes its address by DHCP. */
  boolean none() {
    return none;
  }

  private final boolean none;

  @Override
  public void seen(List<Stamped> events) {
    for (Stamped s : events) {
      if (s.event() instanceof DhcpEvent.ClientBound b) {
        waiting.remove(s.node() + ":" + b.iface());
      }
    }
  }

  @Override
  public boolean up() {
    return waiting.isEmpty();
  }

  /** The interfaces still without a lease, for the run's note. */
  String missing() {
    return String.join(", ", waiting);
  }
}
