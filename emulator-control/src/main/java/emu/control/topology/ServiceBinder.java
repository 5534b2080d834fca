package emu.control.topology;

import emu.control.topology.YamlNode.Entry;
import emu.control.topology.YamlNode.Mapping;
import emu.control.topology.YamlNode.Scalar;
import emu.control.topology.YamlNode.Sequence;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a node's name service and application settings: {@code nameserver} (where its stub
 * resolver asks: one address or a list of up to three, either family, a link-local IPv6 one
 * with its interface), {@code dns} (an authoritative server's zones, or a forwarder's upstream
 * of either family) and
 * {@code https} (an HTTPS service). Zone files and content files are relative to the topology
 * file's folder; a zone with an error is reported at its own file and line.
 */
final class ServiceBinder {
  private static final List<String> DNS_FIELDS = List.of("zones", "forward");
  private static final List<String> HTTPS_FIELDS = List.of("names", "content", "tls", "provider", "certificate",
      "port");
  private static final Pattern HOSTNAME = Pattern.compile("(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\\.?");

  /** As many servers as glibc's resolver takes from resolv.conf (MAXNS); it ignores the rest. */
  static final int MAX_NAMESERVERS = 3;

  private final Diagnostics diag;

  ServiceBinder(Diagnostics diag) {
    this.diag = diag;
  }

  void bind(Draft.Node node, MapFields f) {
    List<Scalar> ns = f.texts("nameserver", ", like 192.168.1.53 or [192.168.1.53, \"2001:db8:5::53\"]");
    if (ns != null && !node.hasIp()) {
      diag.error(ns.get(0), "switch " + node.name + " has no resolver: remove its nameserver");
    } else if (ns != null) {
      nameservers(node, ns);
    }
    Mapping dns = f.mapping("dns", " such as {zones: {corp.com: zones/corp.com.zone}} or {forward: 192.168.5.53}");
    if (dns != null && node.isLinux()) {
      diag.error(f.entry("dns").key(), "linux node " + node.name + " runs real programs: start a DNS server in it"
          + " with exec instead of dns settings");
    } else if (dns != null) {
      dns(node, dns, f.entry("dns").key());
    }
    Mapping https = f.mapping("https", " such as {names: [payroll.corp.com], content: {/: www/payroll.html}}");
    if (https != null) {
      https(node, https, f.entry("https").key());
    }
  }

  private void dns(Draft.Node node, Mapping m, Scalar key) {
    if (!node.hasIp()) {
      diag.error(key, "switch " + node.name + " cannot be a DNS server");
      return;
    }
    MapFields f = new MapFields(m, "dns settings of node " + node.name, diag, DNS_FIELDS);
    Mapping zones = f.mapping("zones", " of zone origin to master file, like 'corp.com: zones/corp.com.zone'");
    Scalar forward = f.text("forward");
    if ((zones == null) == (forward == null)) {
      diag.error(key, "dns of node " + node.name + " needs either 'zones:' (an authoritative server) or "
          + "'forward:' (a caching forwarder), not " + (zones == null ? "neither" : "both"));
      return;
    }
    if (forward != null) {
      emu.node.dns.Nameserver up = nameserver(node, forward, "dns forward of node " + node.name);
      if (up != null) {
        node.dnsForward = up;
        node.dnsForwardAt = forward;
      }
      return;
    }
    for (Entry e : zones.entries()) {
      String origin = e.name();
      if (!HOSTNAME.matcher(origin).matches()) {
        diag.error(e.key(), "zone origin '" + origin + "' of node " + node.name + " is not a domain name");
        continue;
      }
      if (!(e.value() instanceof Scalar file) || file.isNull()) {
        diag.error(e.key(), "zone " + origin + " of node " + node.name + " needs a master file path");
        continue;
      }
      Path path = relative(file.text());
      String text = read(path, file, "zone file");
      if (text == null) {
        continue;
      }
      try {
        emu.node.dns.DnsZones.check(origin, path.toString(), text);
        node.dnsZones.put(origin, path);
      } catch (IllegalArgumentException ex) {
        int line = lineOf(ex.getMessage(), path);
        diag.errorIn(path, line, 1, "zone " + origin + ": " + ex.getMessage());
      }
    }
  }

  /** The node's resolver's servers, in order; what is wrong with each is reported where it is written. */
  private void nameservers(Draft.Node node, List<Scalar> ns) {
    if (ns.size() > MAX_NAMESERVERS) {
      diag.error(ns.get(MAX_NAMESERVERS), "node " + node.name + " has " + ns.size() + " nameservers; a resolver asks"
          + " at most " + MAX_NAMESERVERS + " (resolv.conf's MAXNS), so give " + MAX_NAMESERVERS + " or fewer");
      return;
    }
    for (Scalar s : ns) {
      emu.node.dns.Nameserver a = nameserver(node, s, "nameserver of node " + node.name);
      if (a == null) {
        continue;
      }
      int earlier = node.nameservers.indexOf(a);
      if (earlier >= 0) {
        diag.error(s, "nameserver " + a + " of node " + node.name + " is already in its list (line "
            + node.nameserversAt.get(earlier).line() + ")");
        continue;
      }
      node.nameservers.add(a);
      node.nameserversAt.add(s);
    }
  }

  /**
   * A DNS server's address as {@code what} gives it: either family, a link-local IPv6 one with
   * its interface (checked against the node's interfaces later, with the addresses); null if
   * wrong (reported).
   */
  private emu.node.dns.Nameserver nameserver(Draft.Node node, Scalar s, String what) {
    emu.node.dns.Nameserver a;
    try {
      a = emu.node.dns.Nameserver.parse(s.text());
    } catch (IllegalArgumentException e) {
      diag.error(s, what + ": " + e.getMessage());
      return null;
    }
    boolean loopback = a.address().isV4() ? emu.node.wire.Ipv4Address.isLoopback(a.address().v4())
        : a.address().v6().isLoopback();
    if (loopback && !node.isLinux()) {
      diag.error(s, what + ": " + a + " is a loopback address, and an emu node answers DNS on its interfaces'"
          + " addresses; give one of those");
      return null;
    }
    return a;
  }

  private void https(Draft.Node node, Mapping m, Scalar key) {
    if (!node.hasIp()) {
      diag.error(key, "switch " + node.name + " cannot serve HTTPS");
      return;
    }
    MapFields f = new MapFields(m, "https settings of node " + node.name, diag, HTTPS_FIELDS);
    List<String> names = new ArrayList<>();
    Sequence ns = f.sequence("names", " of DNS names (or addresses), like [payroll.corp.com]");
    if (ns == null || ns.items().isEmpty()) {
      diag.error(key, "https of node " + node.name + " needs names: the DNS names its certificate covers");
    } else {
      for (YamlNode n : ns.items()) {
        if (n instanceof Scalar s && HOSTNAME.matcher(s.text()).matches()) {
          names.add(s.text().toLowerCase(java.util.Locale.ROOT));
        } else if (n instanceof Scalar s && Values.isIpv6(s.text())) {
          try {
            names.add(Values.address6(s.text()).toString()); // an IPv6 address the certificate covers
          } catch (IllegalArgumentException e) {
            diag.error(n, "https name of node " + node.name + ": " + e.getMessage());
          }
        } else {
          diag.error(n, "https name of node " + node.name + " is not a host name or an address");
        }
      }
    }
    Map<String, Path> content = new LinkedHashMap<>();
    Mapping c = f.mapping("content", " of URL path to file, like '/: www/payroll.html'");
    if (c != null) {
      for (Entry e : c.entries()) {
        if (!e.name().startsWith("/")) {
          diag.error(e.key(), "https content path '" + e.name() + "' of node " + node.name + " must start with /");
          continue;
        }
        if (!(e.value() instanceof Scalar file) || file.isNull()) {
          diag.error(e.key(), "https content " + e.name() + " of node " + node.name + " needs a file path");
          continue;
        }
        Path path = relative(file.text());
        if (read(path, file, "content file") != null) {
          content.put(e.name(), path);
        }
      }
    }
    String tls = choice(f.text("tls"), HttpsSpec.TLS, "1.3", "tls version");
    String provider = choice(f.text("provider"), HttpsSpec.PROVIDERS, "bc", "TLS provider");
    String cert = choice(f.text("certificate"), HttpsSpec.CERTIFICATES, "lab", "certificate");
    Scalar port = f.integer("port", 1, 65535);
    if (!names.isEmpty()) {
      node.https = new HttpsSpec(port == null ? 443 : port.integer().intValue(), names, content, tls, provider, cert);
    }
  }

  private String choice(Scalar s, List<String> allowed, String dflt, String what) {
    if (s == null) {
      return dflt;
    }
    if (!allowed.contains(s.text())) {
      diag.error(s, what + " '" + s.text() + "' is not one of " + String.join(", ", allowed));
      return dflt;
    }
    return s.text();
  }

  private Path relative(String p) {
    Path given = Path.of(p);
    Path dir = diag.file().toAbsolutePath().getParent();
    return given.isAbsolute() || dir == null ? given : dir.resolve(given).normalize();
  }

  private String read(Path path, Scalar at, String what) {
    try {
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      diag.error(at, what + " " + path + " cannot be read: " + (e instanceof java.nio.file.NoSuchFileException
          ? "no such file" : e.getMessage()));
      return null;
    }
  }

  /** The line number DnsZones put after "FILE:" in its message, or 1. */
  private static int lineOf(String message, Path path) {
    var m = Pattern.compile(Pattern.quote(path.toString()) + ":(\\d+)").matcher(String.valueOf(message));
    return m.find() ? Integer.parseInt(m.group(1)) : 1;
  }
}
