package emu.node.dns;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.Zone;

/**
 * RFC 1035 master files (zone files) into dnsjava {@link Zone}s, with errors a person can act
 * on: {@code corp.com.zone:7: Invalid address: 300.1.1.1}. The control plane calls
 * {@link #check} before it starts anything; the authoritative server calls {@link #parse}.
 *
 * <p>{@code $INCLUDE} is refused (a zone must not read files of the machine running the lab),
 * and a zone is bounded to {@link #MAX_RECORDS} records (a {@code $GENERATE} of a billion
 * names would otherwise exhaust the node).
 */
public final class DnsZones {
  /** Most records one zone may hold. */
  public static final int MAX_RECORDS = 100_000;

  private DnsZones() {}

  /**
   * Checks a zone as the control plane validates a topology: parses {@code text} and builds the
   * zone, discarding it.
   *
   * @param origin the zone's origin, e.g. {@code corp.com.} (a missing final dot is added)
   * @param fileName the name used in messages (the file the text came from)
   * @throws IllegalArgumentException {@code FILE:LINE: reason} for a syntax error, or
   *     {@code FILE: reason} for a problem of the zone as a whole (no SOA, no NS, out-of-zone data)
   */
  public static void check(String origin, String fileName, String text) {
    parse(origin, fileName, text);
  }

  /**
   * Parses one zone.
   *
   * @throws IllegalArgumentException as {@link #check} does
   */
  public static Zone parse(String origin, String fileName, String text) {
    String file = fileName == null || fileName.isBlank() ? "<zone " + origin + ">" : fileName;
    Name zoneName;
    try {
      zoneName = Name.fromString(origin == null ? "" : origin, Name.root);
    } catch (TextParseException e) {
      throw new IllegalArgumentException(file + ": bad zone origin '" + origin + "': " + e.getMessage(), e);
    }
    if (text == null) {
      throw new IllegalArgumentException(file + ": the zone " + zoneName + " has no text");
    }
    List<Record> records;
    try {
      records = read(zoneName, text);
    } catch (IOException e) {
      throw new IllegalArgumentException(located(file, zoneName, text, e), e);
    } catch (RuntimeException e) { // dnsjava's InvalidTTLException, RelativeNameException...
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
    if (records == null) {
      throw new IllegalArgumentException(file + ": more than " + MAX_RECORDS + " records in the zone " + zoneName);
    }
    for (Record r : records) {
      if (!r.getName().subdomain(zoneName)) {
        throw new IllegalArgumentException(file + ": " + r.getName() + " is outside the zone " + zoneName
            + " (out-of-zone data; is there a stray final dot?)");
      }
    }
    checkCnames(file, records);
    try {
      return new Zone(zoneName, records.toArray(new Record[0]));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(file + ": zone " + zoneName + ": " + zoneProblem(e.getMessage()), e);
    }
  }

  /** The zone's records, in file order; null if there are more than {@link #MAX_RECORDS}. */
  private static List<Record> read(Name zoneName, String text) throws IOException {
    List<Record> records = new ArrayList<>();
    try (Master master = new Master(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), zoneName)) {
      master.disableIncludes(true);
      Record r;
      while ((r = master.nextRecord()) != null) {
        if (records.size() == MAX_RECORDS) {
          return null;
        }
        records.add(r);
      }
    }
    return records;
  }

  /**
   * dnsjava's tokenizer says {@code <none>:LINE: reason} for a stream without a name; put the
   * file's name in its place. When a record ends too early (a missing field, an unterminated
   * string), the tokenizer has already counted the newline that ended it and names the next
   * line; if the text cut after the line before fails the same way, the record is on that line.
   */
  private static String located(String file, Name zoneName, String text, IOException e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    java.util.regex.Matcher at = java.util.regex.Pattern.compile("<none>:(\\d+): (.*)", java.util.regex.Pattern.DOTALL)
        .matcher(m);
    if (!(e instanceof TextParseException) || !at.matches()) {
      return file + ": " + m;
    }
    int line = Integer.parseInt(at.group(1));
    if (line >= 2) {
      String[] lines = text.split("\n", -1);
      String prefix = String.join("\n", java.util.Arrays.copyOf(lines, Math.min(line - 1, lines.length))) + "\n";
      try {
        read(zoneName, prefix);
      } catch (IOException again) {
        if (m.equals(again.getMessage())) {
          line--;
        }
      } catch (RuntimeException ignored) {
        // a different failure: keep the line dnsjava named
      }
    }
    return file + ":" + line + ": " + at.group(2);
  }

  /** RFC 1034 3.6.2 (and RFC 2181 10.1): a name with a CNAME has no other data. */
  private static void checkCnames(String file, List<Record> records) {
    Map<Name, Integer> types = new HashMap<>();
    for (Record r : records) {
      int bit = r.getType() == Type.CNAME ? 1 : 2;
      int seen = types.merge(r.getName(), bit, (a, b) -> a | b);
      if (seen == 3) {
        throw new IllegalArgumentException(file + ": " + r.getName()
            + " has a CNAME and other data (RFC 1034 3.6.2: a CNAME must be alone at its name)");
      }
    }
  }

  private static String zoneProblem(String message) {
    if (message == null) {
      return "invalid";
    }
    int colon = message.indexOf(": ");
    String m = colon >= 0 ? message.substring(colon + 2) : message;
    return switch (m) {
      case "no data specified" -> "no records at the origin (it needs an SOA and NS records)";
      case "exactly 1 SOA must be specified" -> "the origin needs exactly one SOA record";
      case "no NS set specified" -> "no NS records at the origin";
      default -> m;
    };
  }
}
