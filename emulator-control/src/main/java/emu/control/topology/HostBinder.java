package emu.control.topology;

import emu.control.topology.YamlNode.Entry;
import emu.control.topology.YamlNode.Mapping;
import emu.control.topology.YamlNode.Scalar;
import emu.node.wire.Ipv4Address;
import java.util.List;

/**
 * Reads the top-level {@code hosts:} section (machines nodes can run on, reached over ssh) and
 * places each node that names a {@code host:}. Not to be confused with a node's own
 * {@code hosts:} key, which adds entries to that node's /etc/hosts-style name table.
 */
final class HostBinder {
  private static final List<String> HOST_FIELDS = List.of("address", "ssh", "port", "identity", "emu", "java", "dir");
  private static final java.util.regex.Pattern SSH_DEST =
      java.util.regex.Pattern.compile("([a-z_][a-z0-9_.-]*@)?[A-Za-z0-9][A-Za-z0-9.:-]*");

  private final Diagnostics diag;

  HostBinder(Diagnostics diag) {
    this.diag = diag;
  }

  /** Reads {@code hosts:} into {@code lab.hosts}. */
  void bind(Draft.Lab lab, Mapping hosts) {
    for (Entry e : hosts.entries()) {
      String name = e.name();
      if (!Values.NAME.matcher(name).matches()) {
        diag.error(e.key(), "host name '" + name + "' is invalid: " + Values.NAME_RULE);
        continue;
      }
      String where = "host " + name;
      Mapping m = MapFields.asMapping(e.value(), e.key(), where, " like '{address: 10.0.0.11, ssh: root@10.0.0.11}'",
          diag);
      if (m == null) {
        continue;
      }
      MapFields f = new MapFields(m, where, diag, HOST_FIELDS);
      Scalar address = f.text("address");
      String addr = null;
      if (address == null) {
        if (f.entry("address") == null) {
          diag.error(e.key(), where + " has no address: give the IPv4 address its nodes bind and the other hosts"
              + " reach, like 'address: 10.0.0.11'");
        }
      } else {
        addr = hostAddress(address, where);
      }
      Scalar ssh = f.text("ssh");
      if (ssh != null && !SSH_DEST.matcher(ssh.text()).matches()) {
        diag.error(ssh, "ssh of " + where + " must be [USER@]HOST, like root@10.0.0.11; got '" + ssh.text() + "'");
      }
      Scalar port = f.integer("port", 1, 65535);
      Scalar identity = f.text("identity");
      Scalar emu = f.text("emu");
      Scalar java = f.text("java");
      Scalar dir = f.text("dir");
      if (dir != null && (dir.text().contains("..") || dir.text().isBlank())) {
        diag.error(dir, "dir of " + where + " must be a folder without '..', like .emu/remote or /var/tmp/emu");
      }
      if (addr == null) {
        continue;
      }
      for (HostSpec other : lab.hosts.values()) {
        if (other.address().equals(addr)) {
          diag.error(address, where + " has the address of host " + other.name() + " (" + addr + "); a host is one"
              + " machine: place both sets of nodes on one host");
        }
      }
      lab.hosts.put(name, new HostSpec(name, addr, ssh != null ? ssh.text() : addr,
          port != null ? port.integer().intValue() : HostSpec.DEFAULT_PORT,
          identity != null ? identity.text() : null, emu != null ? emu.text() : null,
          java != null ? java.text() : HostSpec.DEFAULT_JAVA, dir != null ? dir.text() : HostSpec.DEFAULT_DIR,
          e.key().line()));
    }
  }

  /**
   * Places every node that names a host: it binds the host's address. A node may name a host of
   * the {@code hosts:} section or give an address (a host reached over ssh at that address).
   */
  void place(Draft.Lab lab) {
    for (Draft.Node n : lab.nodes.values()) {
      if (n.hostAt == null) {
        continue;
      }
      String ref = n.hostAt.text();
      HostSpec h = lab.hosts.get(ref);
      if (h == null && ref.indexOf('.') > 0) {
        String addr = hostAddress(n.hostAt, "host of node " + n.name);
        if (addr == null) {
          continue;
        }
        h = lab.hosts.values().stream().filter(x -> x.address().equals(addr)).findFirst().orElse(null);
        if (h == null) {
          h = new HostSpec(addr, addr, addr, HostSpec.DEFAULT_PORT, null, null, HostSpec.DEFAULT_JAVA,
              HostSpec.DEFAULT_DIR, n.hostAt.line());
          lab.hosts.put(addr, h);
        }
      }
      if (h == null) {
        diag.error(n.hostAt, "node " + n.name + " names host '" + ref + "', which the hosts section does not declare"
            + (lab.hosts.isEmpty() ? "; add it under a top-level 'hosts:' section, or give an IPv4 address"
                : " (it has: " + String.join(", ", lab.hosts.keySet()) + ")"
                    + MapFields.didYouMean(ref, lab.hosts.keySet())));
        continue;
      }
      if (n.isLinux() || n.isExternal()) {
        // A linux node is a namespace joined over veth to the control plane's machine, and an
        // external peer is addressed as it is; neither is a process emu could start elsewhere.
        diag.error(n.hostAt, n.kind + " node " + n.name + " cannot be placed on host " + h.name() + ": only host,"
            + " router and switch nodes run on other machines (a linux node is a namespace on the control plane's"
            + " machine; an external peer runs wherever its peer address is)");
        continue;
      }
      if (n.bindAt != null && !n.bind.equals(h.address())) {
        diag.error(n.bindAt, "bind " + n.bind + " of node " + n.name + " contradicts its host " + h.name()
            + ", whose address is " + h.address() + "; a node on a host binds the host's address (remove 'bind:')");
        continue;
      }
      n.host = h;
      n.bind = h.address();
      n.bindAddress = Ipv4Address.parse(h.address());
    }
  }

  /**
   * A node on one machine linked to a node on another must bind an address the other reaches:
   * a node left on the control plane's machine with the default 127.0.0.1 cannot be reached.
   */
  void checkLinks(Draft.Lab lab) {
    for (Draft.Link l : lab.links) {
      if (l.a == null || l.b == null) {
        continue;
      }
      Draft.Node a = lab.nodes.get(l.a.node());
      Draft.Node b = lab.nodes.get(l.b.node());
      if (a == null || b == null || a.host == b.host) {
        continue;
      }
      for (Draft.Node[] pair : new Draft.Node[][] {{a, b}, {b, a}}) {
        Draft.Node here = pair[0];
        Draft.Node there = pair[1];
        if (there.host != null && here.host == null && here.isLinux()) {
          diag.error(l.at, l.label() + ": linux node " + here.name + " can only be linked to nodes on the control"
              + " plane's machine, but " + there.name + " is on host " + there.host.name());
        } else if (there.host != null && here.bindAddress != null && isLoopback(here.bindAddress)
            && !here.isExternal()) {
          diag.error(l.at, l.label() + ": node " + here.name + " runs on "
              + (here.host == null ? "the control plane's machine" : "host " + here.host.name()) + " bound to "
              + here.bind + ", which " + there.name + " on host " + there.host.name() + " cannot reach; place "
              + here.name + " on a host, or give it a 'bind:' address that host reaches");
        }
      }
    }
  }

  private static boolean isLoopback(int a) {
    return (a >>> 24) == 127;
  }

  private String hostAddress(Scalar s, String where) {
    try {
      int a = Values.address(s.text());
      if (a == 0 || Ipv4Address.isMulticast(a) || a == Ipv4Address.BROADCAST) {
        diag.error(s, "address of " + where + ": " + Ipv4Address.format(a) + " cannot be a host's address; give"
            + " the unicast address its nodes bind and the other hosts reach");
        return null;
      }
      return Ipv4Address.format(a);
    } catch (IllegalArgumentException e) {
      diag.error(s, "address of " + where + ": " + e.getMessage());
      return null;
    }
  }
}
