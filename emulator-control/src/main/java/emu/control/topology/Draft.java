package emu.control.topology;

import emu.control.topology.YamlNode.Scalar;
import emu.node.wire.Ipv4Cidr;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Cidr;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Working copies of a lab's parts that keep the YAML place of every value, so checks spanning the
 * whole lab (duplicates, subnets, links) can still point at the right line. Fields are null where
 * the file left a value out or got it wrong (the latter already reported).
 */
final class Draft {
  private Draft() {}

  /** The whole file. */
  static final class Lab {
    String name;
    final Map<String, Node> nodes = new LinkedHashMap<>();
    final List<Link> links = new ArrayList<>();
    final List<ScenarioStep> scenario = new ArrayList<>();
    /** The items of the top-level {@code faults:} list, checked once links are resolved. */
    final List<YamlNode> faultItems = new ArrayList<>();
    final List<FaultSpec> faults = new ArrayList<>();
    /** The top-level hosts section: machines nodes can be placed on. */
    final Map<String, HostSpec> hosts = new LinkedHashMap<>();
  }

  /** One node. */
  static final class Node {
    final String name;
    final Scalar key;
    String kind;
    final List<Iface> ifaces = new ArrayList<>();
    /** False if some interface address could not be read: subnet checks would then mislead. */
    boolean addressesComplete = true;
    Scalar gatewayAt;
    Integer gateway;
    /** The IPv6 default gateway as written (a link-local one with its %interface), or null. */
    Scalar gateway6At;
    Hop6 gateway6;
    final List<Route> routes = new ArrayList<>();
    final List<Route6> routes6 = new ArrayList<>();
    final Map<String, String> hosts = new LinkedHashMap<>();
    /** Host names to IPv6 addresses (a name may be in both maps). */
    final Map<String, String> hosts6 = new LinkedHashMap<>();
    String bind = NodeSpec.DEFAULT_BIND;
    /** The node's 'bind:' value, or null if it has none. */
    Scalar bindAt;
    /** The node's 'host:' value, or null; {@code host} is the host it is placed on once resolved. */
    Scalar hostAt;
    HostSpec host;
    /** Null when the bind address is invalid. */
    Integer bindAddress = 0x7F00_0001;
    Scalar mgmtPortAt;
    /** A switch's 'mac-table-size:', or null for the default. */
    Integer macTableSize;
    /** A switch's 'stp:', or null for RSTP with the defaults. */
    emu.node.config.StpSettings stp;
    /** A switch's 'storm:', the default storm control of its ports, or null. */
    emu.node.config.StormSettings storm;
    /** The port names under 'stp: ports', where each was written. */
    final Map<String, Scalar> stpPortsAt = new LinkedHashMap<>();
    final Map<String, String> tcp = new LinkedHashMap<>();
    /** The stub resolver's DNS servers ('nameserver:'), in file order, and where each was written. */
    final List<emu.node.dns.Nameserver> nameservers = new ArrayList<>();
    final List<Scalar> nameserversAt = new ArrayList<>();
    /** DNS server role: zones (origin to file) for an authoritative server, or an upstream to forward to. */
    final Map<String, java.nio.file.Path> dnsZones = new LinkedHashMap<>();
    emu.node.dns.Nameserver dnsForward;
    Scalar dnsForwardAt;
    HttpsSpec https;
    final List<String> services = new ArrayList<>();
    /** The router's OSPF, resolved by OspfBinder from the node's and interfaces' 'ospf:'; else null. */
    emu.node.config.OspfConfig ospf;

    Node(String name, Scalar key) {
      this.name = name;
      this.key = key;
    }

    /** Host, router or linux: has an IP layer. */
    boolean hasIp() {
      return "host".equals(kind) || "router".equals(kind) || "linux".equals(kind);
    }

    /** A real Linux network namespace, not an emu process. */
    boolean isLinux() {
      return "linux".equals(kind);
    }

    /** A peer outside emu, reached at the addresses its interfaces name. */
    boolean isExternal() {
      return "external".equals(kind);
    }

    /** Host, router or switch: an emu node process. */
    boolean isEmu() {
      return hasIp() && !isLinux() || isSwitch();
    }

    boolean isSwitch() {
      return "switch".equals(kind);
    }

    Iface iface(String ifname) {
      for (Iface i : ifaces) {
        if (i.name.equals(ifname)) {
          return i;
        }
      }
      return null;
    }
  }

  /** One interface, declared or (switch ports) created by the first link naming it. */
  static final class Iface {
    final Node node;
    final String name;
    /** The declaring key, or the link endpoint that created the port. */
    final Scalar at;
    final boolean implicit;
    Scalar addressAt;
    Ipv4Cidr address;
    /** Static IPv6 addresses in file order, and where each was written. */
    final List<Ipv6Cidr> addresses6 = new ArrayList<>();
    final List<Scalar> addresses6At = new ArrayList<>();
    /** 'ipv6: auto' (SLAAC) or 'ipv6: on' (link-local only, unless addresses are given); null if unwritten. */
    String ipv6Mode;
    Scalar ipv6At;
    Scalar macAt;
    Long mac;
    Scalar portAt;
    Integer mtu;
    boolean linked;
    /** The link it is an end of (the first one, if wrongly used twice), or null. */
    Link link;
    /** The 'impairments' key, or null if absent. */
    Scalar impairmentsAt;
    /** Valid words only, in file order. */
    final Map<String, String> impairments = new LinkedHashMap<>();
    /** False if some word was wrong (reported): checks of the words together would then mislead. */
    boolean impairmentsComplete = true;
    /** A switch port's own 'storm:' (over its switch's), or null. */
    emu.node.config.StormSettings storm;
    /** 'storm: false' on a switch port: it polices nothing, whatever its switch's default. */
    boolean stormOff;
    /** For an external node: where the outside peer listens, host:port. */
    String peer;
    /** 'address: dhcp' as written: the interface takes its IPv4 address from a DHCP server; else null. */
    Scalar dhcpClientAt;
    /** The DHCP server on this interface, if it was written and is right; else null. */
    emu.node.config.DhcpConfig dhcp;
    /** Masquerade and port forwards on this interface, if written and right; else null. */
    emu.node.config.NatConfig nat;
    /** The interface's 'ospf:' as written, read by OspfBinder once every interface is bound; else null. */
    YamlNode.Entry ospfAt;
    /** A switch port's VLANs ('vlan:' or 'trunk:'), if written and right; else null. */
    emu.node.config.VlanPort vlan;
    /** Where 'vlan:' or 'trunk:' was written, or null. */
    Scalar vlanAt;
    /** A VLAN subinterface's parent interface name ({@code eth0} of {@code eth0.10}), else null. */
    String parent;
    /** A VLAN subinterface's VLAN (1..4094), else 0. */
    int vid;
    /** The DHCP server's static bindings by node name, and where each was written. */
    final Map<String, Scalar> dhcpStaticNodes = new LinkedHashMap<>();

    Iface(Node node, String name, Scalar at, boolean implicit) {
      this.node = node;
      this.name = name;
      this.at = at;
      this.implicit = implicit;
    }

    String label() {
      return node.name + ":" + name;
    }

    /** True if IPv6 is on: a static IPv6 address, or 'ipv6: on|auto'. */
    boolean hasIpv6() {
      return !addresses6.isEmpty() || ipv6Mode != null;
    }
  }

  /** One static route; {@code to} and {@code via} are null when unreadable. */
  record Route(Ipv4Cidr to, Scalar viaAt, Integer via, int metric) {}

  /** An IPv6 next hop; {@code zone} names the interface of a link-local one (fe80::1%eth0), else null. */
  record Hop6(Ipv6Address address, String zone) {
    @Override
    public String toString() {
      return zone == null ? address.toString() : address + "%" + zone;
    }
  }

  /** One static IPv6 route; {@code to} and {@code via} are null when unreadable. */
  record Route6(Ipv6Cidr to, Scalar viaAt, Hop6 via, int metric) {}

  /** One link; endpoints are null when malformed. */
  static final class Link {
    final YamlNode at;
    LinkSpec.Endpoint a;
    LinkSpec.Endpoint b;
    Scalar aAt;
    Scalar bAt;
    Integer mtu;
    /** The interfaces the endpoints name, once resolved; null where they name nothing. */
    Iface aIface;
    Iface bIface;
    /** The 'impairments' key, or null if absent. */
    Scalar impairmentsAt;
    /** Valid words only, in file order. */
    final Map<String, String> impairments = new LinkedHashMap<>();
    /** False if some word was wrong (reported). */
    boolean impairmentsComplete = true;
    /** "raw" or "vxlan"; null until resolved (then vxlan if a linux node is an end). */
    String framing;
    Scalar framingAt;
    Integer vni;
    Scalar vniAt;

    Link(YamlNode at) {
      this.at = at;
    }

    String label() {
      return a != null && b != null ? "link " + a + " <-> " + b : "the link at line " + at.line();
    }
  }
}
