package emu.control.topology;

import emu.control.topology.YamlNode.Entry;
import emu.control.topology.YamlNode.Mapping;
import emu.control.topology.YamlNode.Scalar;
import emu.control.topology.YamlNode.Sequence;
import emu.node.config.DhcpConfig;
import emu.node.dhcp.DhcpRelay;
import emu.node.dhcp.DhcpServer;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an interface's DHCP server, {@code dhcp: {pool: 192.168.1.100-192.168.1.199, lease: 1h,
 * gateway: 192.168.1.1, dns: [192.168.1.53], domain: corp.com, static: {client: 192.168.1.100}}},
 * checking every value against the interface's subnet, and its scopes for subnets behind relay
 * agents, {@code relayed: [{subnet: 192.168.1.0/24, pool: ..., gateway: ..., ...}]}, each checked
 * against its own subnet; or a router interface's relay agent, {@code dhcp: {relay: 192.168.5.53,
 * option82: true}} ({@code relay} one server or a list of up to four). Static bindings name a node
 * (checked once every node is read, see {@link #checkStaticNodes}) or a MAC.
 */
final class DhcpBinder {
  static final List<String> FIELDS = List.of("pool", "lease", "gateway", "dns", "domain", "static", "relayed");
  static final List<String> RELAYED_FIELDS = List.of("subnet", "pool", "lease", "gateway", "dns", "domain", "static");
  static final List<String> RELAY_FIELDS = List.of("relay", "option82");
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(s|m|h|d)?");
  /** RFC 2131 leaves the minimum open; dnsmasq refuses less than two minutes. */
  static final long MIN_LEASE_SECONDS = 120;
  static final long MAX_LEASE_SECONDS = 0xFFFF_FFFEL;
  static final long DEFAULT_LEASE_SECONDS = 3600;

  private final Diagnostics diag;

  DhcpBinder(Diagnostics diag) {
    this.diag = diag;
  }

  void bind(Draft.Node node, Draft.Iface i, Entry e) {
    String label = node.name + ":" + i.name;
    String where = "'dhcp' of " + label;
    if (!"host".equals(node.kind) && !"router".equals(node.kind)) {
      diag.error(e.key(), where + ": only an emu host or router runs a DHCP server"
          + (e.value() instanceof Mapping v && v.entry("relay") != null ? " or relay" : "") + " (a " + node.kind
          + " node does not)");
      return;
    }
    Mapping m = MapFields.asMapping(e.value(), e.key(), where,
        " of settings such as '{pool: 192.168.1.100-192.168.1.199, lease: 1h}'", diag);
    if (m == null) {
      return;
    }
    if (m.entry("relay") != null || m.entry("option82") != null) {
      relay(node, i, e, m, where);
      return;
    }
    MapFields f = new MapFields(m, where, diag, FIELDS);
    Ipv4Cidr subnet = i.address;
    if (subnet == null) {
      diag.error(e.key(), where + ": the interface needs an IPv4 address for its DHCP server to answer from");
      return;
    }
    Sequence relayedAt = f.sequence("relayed", " of scopes like [{subnet: 192.168.1.0/24, pool:"
        + " 192.168.1.100-192.168.1.199, gateway: 192.168.1.1}]");
    boolean ok = f.entry("relayed") == null || relayedAt != null;
    DhcpConfig own = null;
    if (f.entry("pool") != null || f.entry("relayed") == null) {
      own = scope(f, label, subnet, subnet.address(), "the interface's subnet", i, e.key());
      ok &= own != null;
    } else {
      for (String field : List.of("lease", "gateway", "dns", "domain", "static")) {
        if (f.entry(field) != null) {
          diag.error(f.entry(field).key(), "'" + field + "' of " + label + " belongs to a scope for the interface's own"
              + " subnet, which has no 'pool'; give one, or move '" + field + "' into a scope of 'relayed'");
          ok = false;
        }
      }
    }
    List<DhcpConfig> relayed = new java.util.ArrayList<>();
    for (YamlNode item : relayedAt == null ? List.<YamlNode>of() : relayedAt.items()) {
      DhcpConfig r = relayedScope(item, label, subnet, relayed, i);
      ok &= r != null;
      if (r != null) {
        relayed.add(r);
      }
    }
    if (relayedAt != null && relayedAt.items().isEmpty()) {
      diag.error(f.entry("relayed").key(), "'relayed' of " + label + " lists no scope; give one like"
          + " {subnet: 192.168.1.0/24, pool: 192.168.1.100-192.168.1.199}, or remove it");
      ok = false;
    }
    if (ok) {
      DhcpConfig c = own != null ? own : new DhcpConfig(null, null, 0, null, null, null, null);
      i.dhcp = relayed.isEmpty() ? c : c.withRelayed(List.copyOf(relayed));
    }
  }

  /** One scope of 'relayed': its subnet (no host bits, apart from the interface's and the other scopes'). */
  private DhcpConfig relayedScope(YamlNode item, String label, Ipv4Cidr own, List<DhcpConfig> before, Draft.Iface i) {
    String where = "a scope of 'relayed' of " + label;
    Mapping m = MapFields.asMapping(item, item, where, " like {subnet: 192.168.1.0/24, pool:"
        + " 192.168.1.100-192.168.1.199, gateway: 192.168.1.1}", diag);
    if (m == null) {
      return null;
    }
    MapFields f = new MapFields(m, where, diag, RELAYED_FIELDS);
    Scalar at = f.text("subnet");
    if (at == null) {
      if (f.entry("subnet") == null) {
        diag.error(item, where + " has no 'subnet': give the clients' subnet, where the relay's giaddr lies, like"
            + " 'subnet: 192.168.1.0/24'");
      }
      return null;
    }
    Ipv4Cidr subnet;
    try {
      subnet = Values.routeDestination(at.text());
    } catch (IllegalArgumentException ex) {
      diag.error(at, "subnet of " + where + ": " + ex.getMessage());
      return null;
    }
    if (subnet.prefixLength() == 0 || subnet.prefixLength() > 30) {
      diag.error(at, "subnet " + at.text() + " of " + where + " must be a /1 to /30 (it holds a pool, a relay and"
          + " clients)");
      return null;
    }
    if (subnet.contains(own.address()) || own.contains(subnet.network())) {
      diag.error(at, "subnet " + at.text() + " of " + where + " overlaps the interface's own subnet "
          + own.networkCidr() + "; serve that one with 'pool' beside 'relayed'");
      return null;
    }
    for (DhcpConfig b : before) {
      Ipv4Cidr other = Ipv4Cidr.parse(b.subnet());
      if (other.contains(subnet.network()) || subnet.contains(other.network())) {
        diag.error(at, "subnet " + at.text() + " of " + where + " overlaps its scope for " + b.subnet()
            + ": a relay's giaddr must pick one scope");
        return null;
      }
    }
    String scopeLabel = label + " (relayed " + subnet.networkCidr() + ")";
    DhcpConfig c = scope(f, scopeLabel, subnet, 0, "the relayed subnet", i, at);
    if (c == null) {
      return null;
    }
    if (c.gateway() == null) {
      diag.warn(at, "scope " + subnet.networkCidr() + " of " + label + " offers no 'gateway': its clients, behind a"
          + " relay, reach nothing off their link (the relay's address there is the usual one)");
    }
    return new DhcpConfig(c.poolStart(), c.poolEnd(), c.leaseSeconds(), c.gateway(), c.dns(), c.domain(), c.statics(),
        subnet.networkCidr().toString(), null, null, null);
  }

  /**
   * A scope's values (pool, lease, gateway, dns, domain, static) checked against {@code subnet},
   * {@code whose} in messages; {@code server} is the server's own address in it (0 if it has
   * none there, a relayed scope). Null if something was wrong (reported).
   */
  private DhcpConfig scope(MapFields f, String label, Ipv4Cidr subnet, int server, String whose, Draft.Iface i,
                           Scalar key) {
    boolean ok = true;
    Scalar pool = f.text("pool");
    int start = 0;
    int end = 0;
    if (pool == null) {
      if (f.entry("pool") == null) {
        diag.error(key, "'dhcp' of " + label + " has no 'pool': give the range it leases, like 'pool: "
            + "192.168.1.100-192.168.1.199'");
      }
      ok = false;
    } else {
      String[] ends = pool.text().split("-", -1);
      try {
        if (ends.length != 2) {
          throw new IllegalArgumentException("'" + pool.text() + "' is not FIRST-LAST");
        }
        start = Values.address(ends[0].trim());
        end = Values.address(ends[1].trim());
        if (!subnet.contains(start) || !subnet.contains(end)) {
          diag.error(pool, "pool of " + label + " " + pool.text() + " lies outside " + whose + " "
              + subnet.networkCidr());
          ok = false;
        } else if (Integer.compareUnsigned(start, end) > 0) {
          diag.error(pool, "pool of " + label + " " + pool.text() + " ends before it starts");
          ok = false;
        } else if (start == subnet.networkCidr().address() || end == subnet.broadcast()) {
          diag.error(pool, "pool of " + label + " " + pool.text() + " holds the subnet's network or broadcast address");
          ok = false;
        } else if (server != 0 && Integer.compareUnsigned(start, server) <= 0
            && Integer.compareUnsigned(server, end) <= 0) {
          diag.warn(pool, "pool of " + label + " holds the interface's own address " + Ipv4Address.format(
              server) + "; it is never leased");
        }
      } catch (IllegalArgumentException ex) {
        diag.error(pool, "pool of " + label + ": " + ex.getMessage() + "; write FIRST-LAST, like 192.168.1.100-192.168.1.199");
        ok = false;
      }
    }
    long lease = DEFAULT_LEASE_SECONDS;
    Scalar leaseAt = f.text("lease");
    if (leaseAt != null) {
      Matcher d = DURATION.matcher(leaseAt.text().trim());
      long secs = -1;
      if (d.matches()) {
        long n = Long.parseLong(d.group(1));
        secs = n * switch (d.group(2) == null ? "s" : d.group(2)) {
          case "m" -> 60;
          case "h" -> 3600;
          case "d" -> 86400;
          default -> 1;
        };
      }
      if (secs < 0) {
        diag.error(leaseAt, "lease of " + label + " '" + leaseAt.text() + "' is not a duration; write 90s, 30m, 1h or 2d");
        ok = false;
      } else if (secs < MIN_LEASE_SECONDS || secs > MAX_LEASE_SECONDS) {
        diag.error(leaseAt, "lease of " + label + " " + leaseAt.text() + " must be at least 2m and at most "
            + MAX_LEASE_SECONDS + "s");
        ok = false;
      } else {
        lease = secs;
      }
    }
    String gateway = null;
    Scalar gw = f.text("gateway");
    if (gw != null) {
      gateway = onSubnet(gw, "gateway of " + label, subnet, whose);
      ok &= gateway != null;
    }
    List<String> dns = null;
    List<Scalar> dnsAt = f.texts("dns", ", like [192.168.1.53]");
    if (dnsAt != null && dnsAt.size() > DhcpServer.MAX_DNS) {
      diag.error(f.entry("dns").key(), "dns of " + label + " lists " + dnsAt.size() + " servers; option 6 holds at most "
          + DhcpServer.MAX_DNS);
      ok = false;
    } else if (dnsAt != null) {
      dns = new java.util.ArrayList<>();
      for (Scalar s : dnsAt) {
        try {
          dns.add(Ipv4Address.format(Values.address(s.text())));
        } catch (IllegalArgumentException ex) {
          diag.error(s, "dns of " + label + ": " + ex.getMessage() + " (option 6 carries IPv4 addresses)");
          ok = false;
        }
      }
    }
    String domain = null;
    Scalar dom = f.text("domain");
    if (dom != null) {
      if (!Values.isHostname(dom.text())) {
        diag.error(dom, "domain of " + label + " '" + dom.text() + "' is not a domain name");
        ok = false;
      } else {
        domain = dom.text();
      }
    }
    Map<String, String> statics = new LinkedHashMap<>();
    Mapping st = f.mapping("static", " of node name or MAC to address, like '{client: 192.168.1.100}'");
    if (st != null) {
      for (Entry s : st.entries()) {
        String who = s.name();
        if (!(s.value() instanceof Scalar v) || v.isNull()) {
          diag.error(s.key(), "static binding " + who + " of " + label + " must map to one address");
          ok = false;
          continue;
        }
        String ip = onSubnet(v, "static address of " + who + " on " + label, subnet, whose);
        if (ip == null) {
          ok = false;
          continue;
        }
        int a = Ipv4Address.parse(ip);
        if ((server != 0 && a == server) || ip.equals(gateway)) {
          // the server never hands those out: the client would be offered it and NAKed forever
          diag.error(v, "static address " + ip + " of " + who + " on " + label + " is the "
              + (server != 0 && a == server ? "server's own address" : "gateway's address"));
          ok = false;
          continue;
        }
        if (who.indexOf(':') >= 0 || who.indexOf('-') == 2) {
          try {
            who = emu.link.wire.MacAddress.format(Values.mac(who));
          } catch (IllegalArgumentException ex) {
            diag.error(s.key(), "static binding of " + label + ": " + ex.getMessage());
            ok = false;
            continue;
          }
        } else {
          i.dhcpStaticNodes.put(who, s.key());
        }
        if (statics.containsValue(ip)) {
          diag.error(v, "static address " + ip + " of " + label + " is bound twice");
          ok = false;
        }
        statics.put(who, ip);
      }
    }
    return ok ? new DhcpConfig(Ipv4Address.format(start), Ipv4Address.format(end), lease, gateway, dns, domain,
        statics.isEmpty() ? null : statics) : null;
  }

  /**
   * A router interface's relay agent: {@code relay} one server or a list of up to {@link
   * DhcpRelay#MAX_SERVERS}, {@code option82} true to add RFC 3046's option. The interface needs
   * its IPv4 address (the giaddr), and serves nothing itself.
   */
  private void relay(Draft.Node node, Draft.Iface i, Entry e, Mapping m, String where) {
    String label = node.name + ":" + i.name;
    if (!"router".equals(node.kind)) {
      // a relay forwards for a subnet it routes for: dhcrelay runs on the router (a host would relay
      // into a network its clients' later unicasts cannot reach through it)
      diag.error(e.key(), where + ": only an emu router runs a DHCP relay agent (a " + node.kind + " node does not)");
      return;
    }
    MapFields f = new MapFields(m, where, diag, RELAY_FIELDS, name -> FIELDS.contains(name)
        ? " (a relay interface passes its clients' requests to a server and cannot also serve: put the scope on the"
        + " server's interface, under 'relayed')" : "");
    if (i.address == null) {
      diag.error(e.key(), where + ": the interface needs an IPv4 address for its relay agent (it is the giaddr the"
          + " server picks the scope by)");
      return;
    }
    boolean ok = true;
    List<Scalar> at = f.texts("relay", ", like 192.168.5.53 or [192.168.5.53, 192.168.5.54]");
    List<String> servers = new java.util.ArrayList<>();
    if (at == null) {
      if (f.entry("relay") == null) {
        diag.error(e.key(), where + " has 'option82' but no 'relay': give the DHCP server to relay to, like"
            + " 'relay: 192.168.5.53'");
      }
      ok = false;
    } else if (at.size() > DhcpRelay.MAX_SERVERS) {
      diag.error(f.entry("relay").key(), "relay of " + label + " lists " + at.size() + " servers; at most "
          + DhcpRelay.MAX_SERVERS);
      ok = false;
    } else {
      for (Scalar s : at) {
        try {
          int a = Values.address(s.text());
          if (a == 0 || a == Ipv4Address.BROADCAST || Ipv4Address.isMulticast(a) || Ipv4Address.isLoopback(a)) {
            diag.error(s, "relay of " + label + " " + s.text() + " is not a unicast address a DHCP server can have");
            ok = false;
          } else if (a == i.address.address()) {
            diag.error(s, "relay of " + label + " " + s.text() + " is the interface's own address");
            ok = false;
          } else if (servers.contains(Ipv4Address.format(a))) {
            diag.error(s, "relay of " + label + " names " + s.text() + " twice");
            ok = false;
          } else {
            servers.add(Ipv4Address.format(a));
          }
        } catch (IllegalArgumentException ex) {
          diag.error(s, "relay of " + label + ": " + ex.getMessage() + " (a DHCP server's IPv4 address)");
          ok = false;
        }
      }
    }
    boolean option82 = false;
    Entry o = f.entry("option82");
    if (o != null) {
      if (o.value() instanceof Scalar b && b.type() == YamlNode.ScalarType.BOOLEAN) {
        // YAML 1.1 booleans as the reader gives them: true/false, yes/no, on/off
        option82 = List.of("true", "yes", "on", "y").contains(b.text().toLowerCase(java.util.Locale.ROOT));
      } else {
        diag.error(o.value(), "option82 of " + label + " must be true or false, not " + o.value().describe());
        ok = false;
      }
    }
    if (ok) {
      i.dhcp = DhcpConfig.relayTo(servers, option82);
    }
  }

  private String onSubnet(Scalar s, String what, Ipv4Cidr subnet, String whose) {
    try {
      int a = Values.address(s.text());
      if (!subnet.contains(a)) {
        diag.error(s, what + " " + s.text() + " is not on " + whose + " " + subnet.networkCidr());
        return null;
      }
      if (a == subnet.networkCidr().address() || a == subnet.broadcast()) {
        diag.error(s, what + " " + s.text() + " is the subnet's network or broadcast address");
        return null;
      }
      return Ipv4Address.format(a);
    } catch (IllegalArgumentException ex) {
      diag.error(s, what + ": " + ex.getMessage());
      return null;
    }
  }

  /**
   * A server of relayed scopes answers the relay at giaddr, and the clients renewing at T1 by
   * unicast, through its routes: without a gateway or route to a relayed subnet nothing it says
   * there can go (warned, not refused: a lab may show that failure on purpose).
   */
  static void checkRoutesBack(Draft.Lab lab, Diagnostics diag) {
    for (Draft.Node n : lab.nodes.values()) {
      for (Draft.Iface i : n.ifaces) {
        if (i.dhcp == null || i.dhcp.relayed() == null) {
          continue;
        }
        for (DhcpConfig r : i.dhcp.relayed()) {
          Ipv4Cidr subnet = Ipv4Cidr.parse(r.subnet());
          boolean routed = n.gateway != null || n.routes.stream().anyMatch(rt -> rt.to().contains(subnet.network())
              && rt.to().prefixLength() <= subnet.prefixLength());
          if (!routed) {
            diag.warn(i.at, n.name + " serves " + subnet.networkCidr() + " behind a relay but has no route there: its"
                + " answers to the relay (giaddr) and to clients renewing by unicast cannot go; give it a 'gateway' or"
                + " a route through the router");
          }
        }
      }
    }
  }

  /** Static bindings by node name must name another node of the lab. */
  static void checkStaticNodes(Draft.Lab lab, Diagnostics diag) {
    for (Draft.Node n : lab.nodes.values()) {
      for (Draft.Iface i : n.ifaces) {
        i.dhcpStaticNodes.forEach((name, at) -> {
          if (!lab.nodes.containsKey(name)) {
            diag.error(at, "static binding of " + n.name + ":" + i.name + " names node '" + name
                + "', which the lab does not have (give a node name or a MAC)");
          } else if (name.equals(n.name)) {
            diag.error(at, "static binding of " + n.name + ":" + i.name + " names the server itself");
          }
        });
      }
    }
  }
}
