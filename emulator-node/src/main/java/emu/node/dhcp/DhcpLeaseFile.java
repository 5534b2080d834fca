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
 * {@code dhcp leases} prints and what the server keeps in its lease file, and the file itself,
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
