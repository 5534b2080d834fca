package emu.node.mgmt;

import emu.link.LinkCounters;
import emu.link.tunnel.Transports;
import emu.link.tunnel.UdpLinkEndpoint;
import emu.link.wire.MacAddress;
import emu.node.apps.diag.ShowCommand;
import emu.node.bridge.BridgePort;
import emu.node.bridge.StormControl;
import emu.node.config.HostPort;
import emu.node.dhcp.DhcpClient;
import emu.node.host.EmulatedNode;
import emu.node.ipv6.Ipv6Counters;
import emu.node.ipv6.Ipv6Interface;
import emu.node.ipv6.Ipv6InterfaceAddress;
import emu.node.nat.NatCounters;
import emu.node.ospf.Ospf;
import emu.node.stack.DropReason;
import emu.node.stack.Nic;
import emu.node.stack.StackCounters;
import emu.node.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A node's state as a JSON-ready map, for {@code GET /status}. Built on the node's event loop. */
public final class NodeStatus {
  private NodeStatus() {}

  public static Map<String, Object> of(EmulatedNode node) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("node", node.config().name());
    m.put("kind", node.config().kind());
    m.put("pid", ProcessHandle.current().pid());
    m.put("transport", Transports.name());
    List<Map<String, Object>> ifaces = new ArrayList<>();
    List<UdpLinkEndpoint> udps = node.udpEndpoints();
    List<Map<String, Object>> linkStates = node.linkStates();
    for (int i = 0; i < udps.size(); i++) {
      UdpLinkEndpoint udp = udps.get(i);
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("name", node.config().interfaces().get(i).name());
      f.put("mac", node.config().interfaces().get(i).mac());
      f.put("address", node.config().interfaces().get(i).address());
      if (Boolean.TRUE.equals(node.config().interfaces().get(i).dhcpClient()) && node.dhcpClient() != null) {
        // the leased address, as it is now
        Nic nic = node.stack().nics().get(i);
        f.put("address", nic.address() == null ? null : nic.address().toString());
        DhcpClient.State state = node.dhcpClient().state(nic); // null until start() runs the client
        f.put("dhcp", state == null ? "init" : state.name().toLowerCase(java.util.Locale.ROOT));
      }
      f.put("mtu", node.config().interfaces().get(i).mtu());
      f.put("bind", udp == null ? null : HostPort.format(udp.localAddress()));
      f.put("peer", udp == null ? null : HostPort.format(udp.peer()));
      if (node.stack() != null) {
        Nic nic = node.stack().nics().get(i);
        f.put("rx_frames", nic.rxFrames);
        f.put("rx_bytes", nic.rxBytes);
        f.put("rx_dropped", nic.rxDropped);
        f.put("tx_frames", nic.txFrames);
        f.put("tx_bytes", nic.txBytes);
        f.put("tx_dropped", nic.txDropped);
      } else {
        BridgePort p = node.bridge().ports().get(i);
        f.put("rx_frames", p.rxFrames);
        f.put("rx_bytes", p.rxBytes);
        f.put("rx_dropped", p.rxDropped);
        f.put("tx_frames", p.txFrames);
        f.put("tx_bytes", p.txBytes);
      }
      if (node.ipv6() != null && node.ipv6().interfaceOf(node.stack().nics().get(i)) != null) {
        f.put("addresses6", addresses6(node.ipv6().interfaceOf(node.stack().nics().get(i))));
      }
      String parent = node.vlanParents().get(i);
      if (parent != null) {
        // a VLAN subinterface: its own frames on the parent's link, tag included
        Nic nic = node.stack().nics().get(i);
        f.put("vlan", Map.of("parent", parent, "id", nic.vid()));
        if (node.linkCounters().get(i) != null) {
          f.put("link", link(node.linkCounters().get(i)));
        }
      } else if (udp != null) {
        f.put("link", link(udp.counters()));
      }
      Map<String, Object> ls = linkStates.get(i);
      f.put("state", ls.get("state"));
      if (ls.containsKey("impairment")) {
        f.put("impairment", ls.get("impairment"));
        f.put("impairment_counters", ls.get("impairment_counters"));
        f.put("live_captures", ls.get("live_captures"));
      }
      ifaces.add(f);
    }
    m.put("interfaces", ifaces);
    if (node.stack() != null) {
      m.put("ip", ip(node.stack().counters()));
      if (node.ipv6() != null) {
        m.put("ipv6", ipv6(node.ipv6().counters()));
      }
      if (node.dhcpClient() != null) {
        m.put("dhcp_client", node.dhcpClient().counters().snapshot());
      }
      if (node.nat() != null) {
        NatCounters c = node.nat().counters();
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("mappings", node.nat().size());
        n.put("translated_out", c.translatedOut);
        n.put("translated_in", c.translatedIn);
        n.put("hairpinned", c.hairpinned);
        n.put("icmp_errors", c.icmpErrors);
        n.put("created", c.created);
        n.put("expired", c.expired);
        n.put("table_full", c.tableFull);
        n.put("ports_exhausted", c.portsExhausted);
        n.put("no_mapping", c.noMapping);
        n.put("icmp_unknown", c.icmpUnknown);
        m.put("nat", n);
      }
      if (node.dhcpServer() != null) {
        Map<String, Object> d = new LinkedHashMap<>(node.dhcpServer().counters().snapshot());
        d.put("leases", node.dhcpServer().leases().size());
        m.put("dhcp_server", d);
      }
      if (node.dhcpRelay() != null) {
        m.put("dhcp_relay", node.dhcpRelay().counters().snapshot());
      }
      if (node.ospf() != null) {
        m.put("ospf", ospf(node.ospf()));
      }
    } else {
      Map<String, Object> b = new LinkedHashMap<>();
      b.put("forwarded", node.bridge().forwarded);
      b.put("flooded", node.bridge().flooded);
      b.put("filtered", node.bridge().filtered);
      b.put("runts", node.bridge().runts);
      b.put("fdb_entries", node.bridge().fdb().size());
      b.put("fdb_overflow", node.bridge().fdbOverflow);
      if (node.bridge().vlanAware()) {
        b.put("vlan_drops", node.bridge().vlanDropsTotal());
      }
      if (node.bridge().ports().stream().anyMatch(p -> p.storm() != null)) {
        Map<String, Object> storm = new LinkedHashMap<>();
        for (StormControl.Kind k : StormControl.Kind.all()) {
          storm.put(k.word().replace('-', '_'), node.bridge().stormDrops(k));
        }
        b.put("storm_drops", storm);
      }
      m.put("bridge", b);
    }
    return m;
  }

  /**
   * A router's OSPF at a glance: its router ID, each neighbour (router ID, address, interface,
   * state as {@code show ip ospf neighbor} writes it: {@code Full/DR}), the LSAs in its database
   * and the SPF runs so far.
   */
  static Map<String, Object> ospf(Ospf ospf) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("router_id", Ipv4Address.format(ospf.routerId()));
    List<Map<String, Object>> nbrs = new ArrayList<>();
    for (Ospf.NeighborView n : ospf.neighbors()) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("router_id", Ipv4Address.format(n.routerId()));
      o.put("address", Ipv4Address.format(n.address()));
      o.put("dev", n.nic());
      o.put("state", ShowCommand.state(ospf, n));
      nbrs.add(o);
    }
    m.put("neighbors", nbrs);
    m.put("lsas", ospf.database().size());
    m.put("spf_runs", ospf.counters().spfRuns);
    return m;
  }

  /** The interface's IPv6 addresses as {@code ip -6 addr} lists them: global ones, then the link-local one. */
  private static List<Map<String, Object>> addresses6(Ipv6Interface iface) {
    List<Map<String, Object>> out = new ArrayList<>();
    List<Ipv6InterfaceAddress> all = new ArrayList<>(iface.addresses());
    all.sort(java.util.Comparator.comparing(a -> a.origin() == Ipv6InterfaceAddress.Origin.LINK_LOCAL));
    for (Ipv6InterfaceAddress a : all) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("address", a.cidr().toString());
      m.put("origin", a.origin().name().toLowerCase(java.util.Locale.ROOT));
      m.put("state", a.state().name().toLowerCase(java.util.Locale.ROOT));
      out.add(m);
    }
    return out;
  }

  private static Map<String, Object> ipv6(Ipv6Counters c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("received", c.received);
    m.put("delivered", c.delivered);
    m.put("forwarded", c.forwarded);
    m.put("sent", c.sent);
    m.put("icmp_errors_sent", c.icmpErrorsSent);
    m.put("icmp_rate_limited", c.icmpRateLimited);
    m.put("neighbor_solicitations_sent", c.neighborSolicitationsSent);
    m.put("neighbor_advertisements_sent", c.neighborAdvertisementsSent);
    m.put("router_solicitations_sent", c.routerSolicitationsSent);
    m.put("router_advertisements_sent", c.routerAdvertisementsSent);
    m.put("ndp_received", c.ndpReceived);
    m.put("duplicate_addresses", c.duplicateAddresses);
    m.put("multicast_filtered", c.multicastFiltered);
    m.put("reassembly_fragments", c.reassemblyRequired);
    m.put("reassembled", c.reassembled);
    m.put("reassembly_failures", c.reassemblyFailed);
    m.put("reassembly_timeouts", c.reassemblyTimeouts);
    m.put("atomic_fragments", c.atomicFragments);
    m.put("fragmented", c.fragmented);
    m.put("fragments_created", c.fragmentsCreated);
    m.put("pmtu_lowered", c.pathMtuLowered);
    return m;
  }

  private static Map<String, Object> link(LinkCounters c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rx_frames", c.rxFrames);
    m.put("rx_bytes", c.rxBytes);
    m.put("tx_frames", c.txFrames);
    m.put("tx_bytes", c.txBytes);
    m.put("rx_drop_not_from_peer", c.rxDropNotFromPeer);
    m.put("rx_drop_oversize", c.rxDropOversize);
    m.put("tx_drop_oversize", c.txDropOversize);
    m.put("tx_drop_queue_full", c.txDropQueueFull);
    m.put("tx_errors", c.txErrors);
    return m;
  }

  private static Map<String, Object> ip(StackCounters c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("received", c.ipReceived);
    m.put("delivered", c.ipDelivered);
    m.put("forwarded", c.ipForwarded);
    m.put("sent", c.ipSent);
    m.put("icmp_errors_sent", c.icmpErrorsSent);
    m.put("icmp_rate_limited", c.icmpRateLimited);
    m.put("arp_requests_sent", c.arpRequestsSent);
    m.put("arp_replies_sent", c.arpRepliesSent);
    Map<String, Object> drops = new LinkedHashMap<>();
    for (DropReason r : DropReason.values()) {
      drops.put(r.label(), c.drops(r));
    }
    m.put("drops", drops);
    return m;
  }
}
