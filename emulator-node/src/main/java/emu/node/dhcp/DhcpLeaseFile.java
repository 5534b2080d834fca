package emu.node.dhcp;

import emu.link.wire.MacAddress;
import emu.node.wire.Ipv4Address;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * dnsmasq's lease-file lines, {@code EXPIRY-EPOCH MAC ADDRESS HOSTNAME|* CLIENT-ID|*}: what
 * {@code dhcp leases} prints and what the server keeps in its lease file; the client's own
 * lines ({@link ClientLease}); and the files themselves,
 * written whole to a temporary file and renamed over the old one, so a node killed mid-write
 * leaves the old file or the new one, never half of one. No fsync: what a lab loses is a
 * process (killed, restarted), not the machine under it.
 */
public final class DhcpLeaseFile {
  /** At most this many skipped lines are named in the event; the rest are counted. */
  static final int NAMED_PROBLEMS = 10;
  private static final Pattern CLIENT_ID = Pattern.compile("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){0,254}");

  private DhcpLeaseFile() {}

  /** One lease read back: expiry in epoch seconds, the client's MAC, address, name and identifier (null: *). */
  public record Entry(long expiryEpochSeconds, long mac, int ip, String hostname, String clientId) {}

  /** The lines that parsed, and a reason for each that did not ("line 3: ..."). */
  public record Parsed(List<Entry> entries, List<String> problems, int skipped) {}

  /**
   * A client's lease of one interface, as the client keeps it (dhclient keeps its own in
   * /var/lib/dhcp/dhclient.leases): one line of {@code key=value} words after the interface's
   * name, such as {@code eth0 address=192.168.1.100/24 server=192.168.1.2
   * server-mac=02:00:00:00:00:02 routers=192.168.1.1 dns=192.168.1.53 lease=3600 t1=1800 t2=3150
   * bound=1767225600 expires=1767229200} (times in epoch seconds; routers and dns left out when
   * the lease had none; {@code expires} is bound + lease, written for people and not read).
   */
  public record ClientLease(String iface, int address, int prefix, int server, long serverMac, int gateway,
                            List<Integer> dns, long leaseSeconds, long t1Seconds, long t2Seconds,
                            long boundEpochSeconds) {
    public long expiresEpochSeconds() {
      return boundEpochSeconds + leaseSeconds;
    }

    public String line() {
      StringBuilder sb = new StringBuilder(iface).append(" address=").append(Ipv4Address.format(address)).append('/')
          .append(prefix).append(" server=").append(Ipv4Address.format(server));
      if (serverMac != 0) {
        sb.append(" server-mac=").append(MacAddress.format(serverMac));
      }
      if (gateway != 0) {
        sb.append(" routers=").append(Ipv4Address.format(gateway));
      }
      if (!dns.isEmpty()) {
        sb.append(" dns=").append(String.join(",", dns.stream().map(Ipv4Address::format).toList()));
      }
      return sb.append(" lease=").append(leaseSeconds).append(" t1=").append(t1Seconds).append(" t2=")
          .append(t2Seconds).append(" bound=").append(boundEpochSeconds).append(" expires=")
          .append(expiresEpochSeconds()).toString();
    }

    /**
     * Reads one line {@link #line} wrote.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static ClientLease parse(String line) {
      String[] f = line.strip().split("\\s+");
      if (f.length < 2 || f[0].indexOf('=') >= 0) {
        throw new IllegalArgumentException("not INTERFACE KEY=VALUE...");
      }
      java.util.Map<String, String> kv = new java.util.HashMap<>();
      for (int k = 1; k < f.length; k++) {
        int eq = f[k].indexOf('=');
        if (eq <= 0 || kv.put(f[k].substring(0, eq), f[k].substring(eq + 1)) != null) {
          throw new IllegalArgumentException("'" + f[k] + "' is not KEY=VALUE, or names a key twice");
        }
      }
      for (String key : List.of("address", "server", "lease", "t1", "t2", "bound")) {
        if (!kv.containsKey(key)) {
          throw new IllegalArgumentException("no " + key + "=");
        }
      }
      String a = kv.get("address");
      int slash = a.indexOf('/');
      if (slash < 0) {
        throw new IllegalArgumentException("address " + a + " has no /prefix");
      }
      int prefix = Integer.parseInt(a.substring(slash + 1));
      if (prefix < 8 || prefix > 30) {
        throw new IllegalArgumentException("prefix /" + prefix + " is not one a lease has");
      }
      List<Integer> dns = new ArrayList<>();
      if (kv.containsKey("dns") && !kv.get("dns").isEmpty()) {
        for (String d : kv.get("dns").split(",", -1)) {
          dns.add(Ipv4Address.parse(d));
        }
      }
      long lease = Long.parseLong(kv.get("lease"));
      long t1 = Long.parseLong(kv.get("t1"));
      long t2 = Long.parseLong(kv.get("t2"));
      if (lease <= 0 || t1 <= 0 || t1 >= t2 || t2 >= lease) {
        throw new IllegalArgumentException("times lease=" + lease + " t1=" + t1 + " t2=" + t2 + " are not 0 < T1 < T2"
            + " < lease");
      }
      return new ClientLease(f[0], Ipv4Address.parse(a.substring(0, slash)), prefix, Ipv4Address.parse(kv.get("server")),
          kv.containsKey("server-mac") ? MacAddress.parse(kv.get("server-mac")).bits() : 0,
          kv.containsKey("routers") ? Ipv4Address.parse(kv.get("routers")) : 0, List.copyOf(dns), lease, t1, t2,
          Long.parseLong(kv.get("bound")));
    }
  }

  /** The client's name with spaces, control characters and anything not printable ASCII as '_'. */
  static String printable(String name) {
    StringBuilder b = new StringBuilder(name.length());
    for (int k = 0; k < name.length(); k++) {
      char c = name.charAt(k);
      b.append(c > ' ' && c < 0x7F ? c : '_');
    }
    return b.toString();
  }

  /** One lease as dnsmasq writes it. */
  public static String line(long expiryEpochSeconds, long mac, int ip, String hostname, String clientId) {
    return expiryEpochSeconds + " " + MacAddress.format(mac) + " " + Ipv4Address.format(ip) + " "
        + (hostname == null || hostname.isBlank() ? "*" : printable(hostname)) + " "
        + (clientId == null ? "*" : clientId);
  }

  /**
   * Reads lease lines; a line that is not one (too few or many fields, a bad number, MAC or
   * address) is skipped with its reason, never thrown. Blank lines and {@code #} comments are
   * passed over.
   */
  public static Parsed parse(List<String> lines) {
    List<Entry> entries = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    int skipped = 0;
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String why = null;
      Entry e = null;
      String[] f = line.split("\\s+");
      if (f.length != 5) {
        why = f.length + " fields, not 5 (EXPIRY MAC ADDRESS HOSTNAME CLIENT-ID)";
      } else {
        try {
          long expiry = Long.parseLong(f[0]);
          if (expiry <= 0) {
            throw new IllegalArgumentException("expiry " + f[0] + " is not a time (emu never leases forever)");
          }
          long mac = MacAddress.parse(f[1]).bits();
          int ip = Ipv4Address.parse(f[2]);
          if (!f[4].equals("*") && !CLIENT_ID.matcher(f[4]).matches()) {
            throw new IllegalArgumentException("client identifier '" + f[4] + "' is not hex pairs");
          }
          e = new Entry(expiry, mac, ip, f[3].equals("*") ? null : f[3], f[4].equals("*") ? null : f[4]);
        } catch (IllegalArgumentException ex) { // NumberFormatException too
          why = ex.getMessage();
        }
      }
      if (e != null) {
        entries.add(e);
      } else {
        skipped++;
        if (problems.size() < NAMED_PROBLEMS) {
          problems.add("line " + (n + 1) + ": " + why);
        }
      }
    }
    return new Parsed(entries, problems, skipped);
  }

  /**
   * The file's lines, or an empty list if there is no file. Read as ISO-8859-1, so no byte can
   * make the reading itself fail (a lease line is ASCII; anything else is a bad line).
   */
  public static List<String> read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return List.of();
    }
    return Files.readAllLines(file, StandardCharsets.ISO_8859_1);
  }

  /** Replaces {@code file} with {@code lines}: a temporary file beside it, then an atomic rename. */
  public static void write(Path file, List<String> lines) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    StringBuilder sb = new StringBuilder();
    for (String l : lines) {
      sb.append(l).append('\n');
    }
    Files.writeString(tmp, sb, StandardCharsets.US_ASCII);
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (java.nio.file.AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
