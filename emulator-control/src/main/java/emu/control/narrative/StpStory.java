package emu.control.narrative;

import emu.node.event.BridgeEvent;

/**
 * The words for a switch's spanning tree (RSTP, IEEE 802.1D-2004 clause 17), as OSPF's are told:
 * the root election, each port's role and state with what it means ("p2 blocks: it is the
 * alternate path to root ..."), an edge port that hears a BPDU (in BPDU guard's words), topology
 * changes and the MAC flush they bring, the reconvergence after a link goes down ("p2 forwards: it
 * is now the root port; it was the alternate"), a neighbour that speaks only 802.1D-1998 STP and
 * one that falls silent. Where RSTP and a port that speaks 802.1D-1998 STP (a legacy neighbour, or
 * force-version 0) act differently, the words say both, as an event does not say which one a port
 * speaks. A root bridge is named as the lab names it when the control plane filled in its name
 * ({@link BridgeNames}, for emu's own switches), else by its bridge id (priority.MAC, as {@code
 * bridge stp} prints it); the priority is also said in decimal, as it is written in the topology
 * file.
 */
final class StpStory {

  /** "4096" for "1000.020000000100"; null if the id does not read as one. */
  static String priority(String bridgeId) {
    int dot = bridgeId == null ? -1 : bridgeId.indexOf('.');
    if (dot <= 0) {
      return null;
    }
    try {
      return Integer.toString(Integer.parseInt(bridgeId.substring(0, dot), 16));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String withPriority(String bridgeId) {
    String p = priority(bridgeId);
    return bridgeId + (p == null ? "" : " (priority " + p + ")");
  }

  /** "root s1" when the root was named, else "root 1000.020000000100". */
  private static String root(String bridgeId, String name) {
    return name != null ? "root " + name : bridgeId == null ? "the root" : "root " + bridgeId;
  }

  String root(BridgeEvent.StpRoot e) {
    if (e.rootPort() == null) {
      String p = priority(e.root());
      return "is the root bridge (" + (p == null ? "" : "priority " + p + ", ") + "lowest bridge id it hears of: "
          + e.root() + ")";
    }
    String p = priority(e.root());
    String root = e.rootName() == null ? withPriority(e.root())
        : e.rootName() + " (" + e.root() + (p == null ? "" : ", priority " + p) + ")";
    return "takes " + root + " as the root bridge; its best path there is port " + e.rootPort() + ", path cost "
        + e.cost();
  }

  String port(BridgeEvent.StpPort e) {
    String p = e.port();
    String was = e.wasRole() == null || e.wasRole().equals(e.role()) ? ""
        : "; it was the " + e.wasRole() + (e.wasState() == null ? "" : " port, " + e.wasState());
    return switch (e.role() + " " + e.state()) {
      case "alternate discarding" -> p + " blocks: it is the alternate path to " + root(e.root(), e.rootName())
          + " (discarding; if the root port fails it takes over at once under RSTP, after twice the forward delay"
          + " under 802.1D-1998 STP)" + was;
      case "backup discarding" -> p + " blocks: it is a backup port (its own bridge's BPDUs come back on it, a second"
          + " link to the same segment)" + was;
      case "root forwarding" -> p + " forwards: it is now the root port, the best path to "
          + root(e.root(), e.rootName())
          + (e.wasRole() != null && e.wasRole().equals("alternate") ? "; it was the alternate, so traffic moves to it"
          + " at once" : was);
      case "root learning", "designated learning" -> p + " learns source MACs but does not forward yet: " + e.role()
          + " port, forwarding after the forward delay" + was;
      case "root discarding" -> p + " is the root port, the best path to " + root(e.root(), e.rootName())
          + ", and discards for a forward delay, then learns for another before it forwards: 802.1D-1998 STP is"
          + " spoken there (under RSTP a new root port forwards at once)" + was;
      case "designated forwarding" -> p + " forwards: it is the designated port of its link, the way to "
          + root(e.root(), e.rootName()) + " for what is beyond it" + was;
      case "designated discarding" -> p + " discards: it is the designated port of its link and waits for the"
          + " neighbour's agreement to its proposal (or the forward delay)" + was;
      case "disabled discarding" -> p + " is disabled: its link is down" + was;
      default -> "port " + p + " is " + e.role() + ", " + e.state() + was;
    };
  }

  String edgeLost(BridgeEvent.StpEdgeLost e) {
    return e.port() + " got a BPDU on an edge port: a switch is behind it, so it is no longer an edge port (it now"
        + " syncs with that switch by proposal and agreement, or waits out the forward delay if that switch speaks"
        + " only 802.1D-1998 STP)";
  }

  String legacy(BridgeEvent.StpLegacy e) {
    return e.port() + " falls back to 802.1D-1998 STP: the neighbour there speaks only that (configuration and TCN"
        + " BPDUs; the port listens and learns for a forward delay each before it forwards)";
  }

  String topologyChange(BridgeEvent.StpTopologyChange e) {
    return e.detected()
        ? "detects a topology change: " + e.port() + " started forwarding; flushes the MACs learned on its other"
            + " ports and sets TC in its BPDUs so the other switches flush theirs"
        : "hears of a topology change on " + e.port() + " (TC in a BPDU): flushes the MACs learned on its other ports"
            + " and passes the TC on";
  }

  String aged(BridgeEvent.StpAged e) {
    return "ages out what the neighbour on " + e.port() + " said: no BPDU came in time (3 hellos under RSTP, max age"
        + " less the message age under 802.1D-1998 STP), so it fell silent, and the port's role is chosen again";
  }

  String dropped(BridgeEvent.StpDropped e) {
    String why = switch (e.reason()) {
      case "truncated" -> "shorter than its type needs";
      case "not-llc-bpdu" -> "not an LLC frame for the spanning tree (DSAP/SSAP 0x42)";
      case "bad-protocol-id" -> "protocol id not 0";
      case "bad-type" -> "a BPDU type that is none of configuration, TCN or RST";
      case "bad-message-age" -> "message age not below max age";
      default -> e.reason();
    };
    return "drops a BPDU on " + e.port() + " (" + e.reason() + ": " + why + ")";
  }
}
