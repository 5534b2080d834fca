package emu.control.topology;

import emu.control.topology.YamlNode.Entry;
import emu.control.topology.YamlNode.Mapping;
import emu.control.topology.YamlNode.Scalar;
import emu.control.topology.YamlNode.Sequence;
import emu.node.config.NatConfig;
import emu.node.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads an interface's address translation: {@code nat: masquerade}, or {@code nat: {max: 65536,
 * forward: [{proto: tcp, port: 8443, to: 192.168.0.10:443}]}} (a map means masquerade with those
 * settings); the interface may also carry {@code forward:} itself, beside {@code nat}. Only an emu
 * router translates (hosts do not forward), and only on an interface with an IPv4 address, static
 * or from DHCP.
 */
final class NatBinder {
  static final List<String> FIELDS = List.of("max", "forward");
  private static final List<String> FORWARD_FIELDS = List.of("proto", "port", "to");
  static final int MAX_TABLE = 1 << 20;

  private final Diagnostics diag;

  NatBinder(Diagnostics diag) {
    this.diag = diag;
  }

  /** {@code nat} may be null when only {@code forward} was written (an error: forwards need masquerade). */
  void bind(Draft.Node node, Draft.Iface i, Entry nat, Entry forward) {
    String label = node.name + ":" + i.name;
    Entry at = nat != null ? nat : forward;
    if (nat == null) {
      diag.error(forward.key(), "'forward' of " + label + " needs 'nat: masquerade' on the same interface: port"
          + " forwards are the way in through the router's translated address");
      return;
    }
    if (!"router".equals(node.kind)) {
      diag.error(at.key(), "'nat' of " + label + ": only an emu router translates addresses (a " + node.kind
          + " does not forward packets; put 'nat: masquerade' on the router's outside interface)");
      return;
    }
    if (i.address == null && i.dhcpClientAt == null) {
      diag.error(at.key(), "'nat' of " + label + ": the interface needs an IPv4 address (static or 'address: dhcp')"
          + " to masquerade as");
      return;
    }
    int max = NatConfig.DEFAULT_MAX;
    Sequence forwards = null;
    String where = "'nat' of " + label;
    if (nat.value() instanceof Scalar s && !s.isNull()) {
      if (!"masquerade".equals(s.text())) {
        diag.error(s, where + ": '" + s.text() + "' is not a kind of NAT emu does; write 'nat: masquerade' (source NAT"
            + " to this interface's address) or a map like '{max: 65536, forward: [...]}'"
            + MapFields.didYouMean(s.text(), List.of("masquerade")));
        return;
      }
    } else {
      Mapping m = MapFields.asMapping(nat.value(), nat.key(), where,
          " like 'masquerade' or '{max: 65536, forward: [{proto: tcp, port: 8443, to: 192.168.0.10:443}]}'", diag);
      if (m == null) {
        return;
      }
      MapFields f = new MapFields(m, where, diag, FIELDS);
      Scalar mx = f.integer("max", 1, MAX_TABLE);
      if (mx != null) {
        max = mx.integer().intValue();
      } else if (f.entry("max") != null) {
        return;
      }
      forwards = f.sequence("forward", " of port forwards like [{proto: tcp, port: 8443, to: 192.168.0.10:443}]");
      if (forwards == null && f.entry("forward") != null) {
        return;
      }
    }
    if (forward != null) {
      if (forwards != null) {
        diag.error(forward.key(), where + ": port forwards are written twice, in 'nat' and beside it; keep one list");
        return;
      }
      if (forward.value() instanceof Sequence s) {
        forwards = s;
      } else {
        diag.error(forward.value(), "'forward' of " + label + " must be a list like"
            + " [{proto: tcp, port: 8443, to: 192.168.0.10:443}], not " + forward.value().describe());
        return;
      }
    }
    List<NatConfig.Forward> list = forwards == null ? null : forwards(label, i, forwards);
    if (forwards != null && list == null) {
      return;
    }
    i.nat = new NatConfig(max, list);
  }

  private List<NatConfig.Forward> forwards(String label, Draft.Iface i, Sequence items) {
    List<NatConfig.Forward> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    Set<String> targets = new HashSet<>();
    boolean ok = true;
    for (YamlNode item : items.items()) {
      String where = "a port forward of " + label;
      Mapping m = MapFields.asMapping(item, item, where, " like '{proto: tcp, port: 8443, to: 192.168.0.10:443}'",
          diag);
      if (m == null) {
        ok = false;
        continue;
      }
      MapFields f = new MapFields(m, where, diag, FORWARD_FIELDS);
      Scalar proto = f.text("proto");
      Scalar port = f.integer("port", 1, 65535);
      Scalar to = f.text("to");
      if (proto == null || port == null || to == null) {
        for (String k : FORWARD_FIELDS) {
          if (f.entry(k) == null) {
            diag.error(item, where + " has no '" + k + "'; write it like '{proto: tcp, port: 8443, to: 192.168.0.10:443}'");
          }
        }
        ok = false;
        continue;
      }
      if (!"tcp".equals(proto.text()) && !"udp".equals(proto.text())) {
        diag.error(proto, where + ": proto '" + proto.text() + "' cannot be forwarded; use tcp or udp");
        ok = false;
        continue;
      }
      String target = to.text();
      int colon = target.lastIndexOf(':');
      String addrText = colon < 0 ? target : target.substring(0, colon);
      int toPort = port.integer().intValue();
      int addr;
      try {
        if (colon >= 0) {
          toPort = Integer.parseInt(target.substring(colon + 1));
          if (toPort < 1 || toPort > 65535) {
            throw new IllegalArgumentException("port " + toPort + " is not in 1..65535");
          }
        }
        addr = Values.address(addrText);
      } catch (IllegalArgumentException e) {
        diag.error(to, where + ": 'to: " + target + "' is not ADDRESS:PORT like 192.168.0.10:443 ("
            + e.getMessage() + ")");
        ok = false;
        continue;
      }
      if (addr == 0 || Ipv4Address.isMulticast(addr) || addr == Ipv4Address.BROADCAST
          || Ipv4Address.isLoopback(addr)) {
        diag.error(to, where + ": " + addrText + " cannot be a host to forward to");
        ok = false;
        continue;
      }
      if (i.address != null && i.address.contains(addr)) {
        diag.error(to, where + ": " + addrText + " is on the outside subnet " + i.address.networkCidr()
            + "; a port forward leads inside, to a host behind the router");
        ok = false;
        continue;
      }
      if (!seen.add(proto.text() + "/" + port.integer())) {
        diag.error(port, where + ": " + proto.text() + " port " + port.integer() + " is already forwarded");
        ok = false;
        continue;
      }
      if (!targets.add(proto.text() + "/" + Ipv4Address.format(addr) + ":" + toPort)) {
        diag.error(to, where + ": " + proto.text() + " " + Ipv4Address.format(addr) + ":" + toPort + " is already the"
            + " target of another forward; an inside endpoint answers through one external port");
        ok = false;
        continue;
      }
      out.add(new NatConfig.Forward(proto.text(), port.integer().intValue(), Ipv4Address.format(addr), toPort));
    }
    return ok ? out : null;
  }
}
