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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a node's name service and application settings: {@code nameserver} (where its stub
 * resolver asks: one address or a list of up to three, either family, a link-local IPv6 one
 * with its interface), {@code dns} (an authoritative server's zones, or a forwarder's upstream
 * of either family) and
 * {@code https} (an HTTPS service). Zone files and content files are relative to the topology
 * file's folder and must lie under it (or under a folder of {@code --allow-files}), at most 4 MiB
 * (a zone) or 16 MiB (content); a zone with an error is reported at its own file and line.
 */
final class ServiceBinder {
  private static final List<String> DNS_FIELDS = List.of("zones", "forward");
  private static final List<String> HTTPS_FIELDS = List.of("names", "content", "tls", "provider", "certificate",
      "port", "idle-timeout");
  /** A duration such as 30s: whole milliseconds, seconds, minutes or hours. */
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
  /** The HTTPS idle timeout's range: long enough for a request to arrive, short of keeping a connection all day. */
  static final long MIN_IDLE_NANOS = 100_000_000L;
  static final long MAX_IDLE_NANOS = 86_400_000_000_000L;
  private static final Pattern HOSTNAME = Pattern.compile("(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\\.?");

  /** The biggest zone file a topology may name: a lab's zones are a few records, not a TLD's. */
  static final long MAX_ZONE_BYTES = 4L << 20;
  /** The biggest file an HTTPS server may serve: it is sent whole in the node's configuration. */
  static final long MAX_CONTENT_BYTES = 16L << 20;

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
      String text = read(path, file, "zone file", MAX_ZONE_BYTES);
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
        if (read(path, file, "content file", MAX_CONTENT_BYTES) != null) {
          content.put(e.name(), path);
        }
      }
    }
    String tls = choice(f.text("tls"), HttpsSpec.TLS, "1.3", "tls version");
    String provider = choice(f.text("provider"), HttpsSpec.PROVIDERS, "bc", "TLS provider");
    String cert = choice(f.text("certificate"), HttpsSpec.CERTIFICATES, "lab", "certificate");
    Scalar port = f.integer("port", 1, 65535);
    long idle = idleTimeout(node, f.text("idle-timeout"));
    if (!names.isEmpty()) {
      node.https = new HttpsSpec(port == null ? 443 : port.integer().intValue(), names, content, tls, provider, cert,
          idle);
    }
  }

  /** {@code idle-timeout: 30s}: how long a connection may go without a complete request (default 60 s). */
  private long idleTimeout(Draft.Node node, Scalar at) {
    if (at == null) {
      return HttpsSpec.DEFAULT_IDLE_TIMEOUT_NANOS;
    }
    Matcher m = DURATION.matcher(at.text().trim());
    long nanos = -1;
    if (m.matches()) {
      long unit = switch (m.group(2)) {
        case "ms" -> 1_000_000L;
        case "m" -> 60_000_000_000L;
        case "h" -> 3_600_000_000_000L;
        default -> 1_000_000_000L;
      };
      long n = Long.parseLong(m.group(1));
      nanos = n > MAX_IDLE_NANOS / unit ? Long.MAX_VALUE : n * unit; // out of range, not overflowed
    }
    String what = "https idle-timeout of node " + node.name;
    if (nanos < 0) {
      diag.error(at, what + " '" + at.text() + "' is not a duration; write 500ms, 30s, 5m or 1h");
    } else if (nanos < MIN_IDLE_NANOS || nanos > MAX_IDLE_NANOS) {
      diag.error(at, what + " " + at.text() + " is out of range; it must be 100ms to 24h");
    } else {
      return nanos;
    }
    return HttpsSpec.DEFAULT_IDLE_TIMEOUT_NANOS;
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

  /**
   * The file's text, or null after reporting why not. A topology file is code: the files it names
   * are sent to nodes (and served to anyone who asks the HTTPS server), so a file from elsewhere
   * on the disk must be allowed by whoever runs it, and a file too big for the job is refused
   * before it is read.
   */
  private String read(Path path, Scalar at, String what, long cap) {
    try {
      // First as written ('..' resolved), then where the bytes really are (symlinks resolved too):
      // a file outside is refused whether or not it exists, so a topology cannot probe the disk.
      if (!allowed(path.toAbsolutePath().normalize(), at, what) || !allowed(path.toRealPath(), at, what)) {
        return null;
      }
      long size = Files.size(path);
      if (size > cap) {
        diag.error(at, what + " " + at.text() + " is " + size + " bytes, over the " + (cap >> 20) + " MiB cap for a "
            + what);
        return null;
      }
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      diag.error(at, what + " " + path + " cannot be read: " + (e instanceof java.nio.file.NoSuchFileException
          ? "no such file" : e.getMessage()));
      return null;
    }
  }

  /** Whether {@code file} lies under the topology's folder or an allowed one; if not, says so. */
  private boolean allowed(Path file, Scalar at, String what) throws IOException {
    List<Path> dirs = new ArrayList<>();
    dirs.add(relative("."));
    dirs.addAll(diag.allowFiles());
    for (Path d : dirs) {
      Path dir = d.toAbsolutePath().normalize();
      if (file.startsWith(dir) || Files.isDirectory(dir) && file.startsWith(dir.toRealPath())) {
        return true;
      }
    }
    diag.error(at, what + " " + at.text() + " is " + file + ", outside the topology's folder " + dirs.get(0)
        + ": a topology reads files only under its own folder; move the file there, or allow its folder with"
        + " --allow-files " + file.getParent());
    return false;
  }

  /** The line number DnsZones put after "FILE:" in its message, or 1. */
  private static int lineOf(String message, Path path) {
    var m = Pattern.compile(Pattern.quote(path.toString()) + ":(\\d+)").matcher(String.valueOf(message));
    return m.find() ? Integer.parseInt(m.group(1)) : 1;
  }
}
