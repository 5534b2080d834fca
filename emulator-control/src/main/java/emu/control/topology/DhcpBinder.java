package emu.control.topology;

import emu.control.topology.YamlNode.Entry;
import emu.control.topology.YamlNode.Mapping;
import emu.control.topology.YamlNode.Scalar;
import emu.node.config.DhcpConfig;
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
 * checking every value against the interface's subnet. Static bindings name a node (checked once
 * every node is read, see {@link #checkStaticNodes}) or a MAC.
 */
final class DhcpBinder {
  static final List<String> FIELDS = List.of("pool", "lease", "gateway", "dns", "domain", "static");
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
      diag.error(e.key(), where + ": only an emu host or router runs a DHCP server (a " + node.kind
          + " node does not)");
      return;
    }
    Mapping m = MapFields.asMapping(e.value(), e.key(), where,
        " of settings such as '{pool: 192.168.1.100-192.168.1.199, lease: 1h}'", diag);
    if (m == null) {
      return;
    }
    MapFields f = new MapFields(m, where, diag, FIELDS);
    Ipv4Cidr subnet = i.address;
    if (subnet == null) {
      diag.error(e.key(), where + ": the interface needs an IPv4 address for its DHCP server to answer from");
      return;
    }
    boolean ok = true;
    Scalar pool = f.text("pool");
    int start = 0;
    int end = 0;
    if (pool == null) {
      if (f.entry("pool") == null) {
        diag.error(e.key(), where + " has no 'pool': give the range it leases, like 'pool: 192.168.1.100-192.168.1.199'");
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
          diag.error(pool, "pool of " + label + " " + pool.text() + " lies outside the interface's subnet "
              + subnet.networkCidr());
          ok = false;
        } else if (Integer.compareUnsigned(start, end) > 0) {
          diag.error(pool, "pool of " + label + " " + pool.text() + " ends before it starts");
          ok = false;
        } else if (start == subnet.networkCidr().address() || end == subnet.broadcast()) {
          diag.error(pool, "pool of " + label + " " + pool.text() + " holds the subnet's network or broadcast address");
          ok = false;
        } else if (Integer.compareUnsigned(start, subnet.address()) <= 0
            && Integer.compareUnsigned(subnet.address(), end) <= 0) {
          diag.warn(pool, "pool of " + label + " holds the interface's own address " + Ipv4Address.format(
              subnet.address()) + "; it is never leased");
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
      gateway = onSubnet(gw, "gateway of " + label, subnet);
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
        String ip = onSubnet(v, "static address of " + who + " on " + label, subnet);
        if (ip == null) {
          ok = false;
          continue;
        }
        int a = Ipv4Address.parse(ip);
        if (a == subnet.address() || ip.equals(gateway)) {
          // the server never hands those out: the client would be offered it and NAKed forever
          diag.error(v, "static address " + ip + " of " + who + " on " + label + " is the "
              + (a == subnet.address() ? "server's own address" : "gateway's address"));
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
    if (ok) {
      i.dhcp = new DhcpConfig(Ipv4Address.format(start), Ipv4Address.format(end), lease, gateway, dns, domain,
          statics.isEmpty() ? null : statics);
    }
  }

  private String onSubnet(Scalar s, String what, Ipv4Cidr subnet) {
    try {
      int a = Values.address(s.text());
      if (!subnet.contains(a)) {
        diag.error(s, what + " " + s.text() + " is not on the interface's subnet " + subnet.networkCidr());
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
