package emu.node.dns;

import emu.node.wire.Ipv6Address;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * What a {@link StubResolver} lookup found, and where: the hosts table, its cache, or a DNS
 * server (with the exchange's details), or nothing.
 *
 * @param name the name asked (absolute)
 * @param type the type asked
 * @param source where the answer came from
 * @param message the answer (synthesised for the hosts table; TTLs counted down from the
 *     cache); null when no server answered
 * @param reply the exchange with the server when {@code source} is SERVER (failed ones
 *     included), else null
 * @param cacheAgeSeconds for CACHE: how long ago the answer was stored
 * @param error getaddrinfo's words when there is no usable answer, else null: "Name or service
 *     not known" (NXDOMAIN, NODATA, no server to ask), "Temporary failure in name resolution"
 *     (timeout, SERVFAIL, REFUSED, unreachable server)
 */
public record DnsLookup(Name name, int type, Source source, Message message, DnsReply reply, long cacheAgeSeconds,
                        String error) {
  public static final String NOT_KNOWN = "Name or service not known";
  public static final String TEMPORARY = "Temporary failure in name resolution";

  /** Where an answer came from. */
  public enum Source { HOSTS, CACHE, SERVER, NONE }

  /**
   * The IPv4 addresses the answer gives for {@link #name}: its A records, following a CNAME
   * chain in the answer section.
   */
  public List<Integer> addresses() {
    List<Integer> out = new ArrayList<>();
    if (message == null || message.getRcode() != Rcode.NOERROR) {
      return out;
    }
    List<Record> answer = message.getSection(Section.ANSWER);
    Name target = canonical();
    for (Record r : answer) {
      if (r instanceof ARecord a && r.getName().equals(target)) {
        byte[] b = a.getAddress().getAddress();
        out.add(((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF));
      }
    }
    return out;
  }

  /** The IPv6 addresses the answer gives for {@link #name}: its AAAA records, following a CNAME chain. */
  public List<Ipv6Address> addresses6() {
    List<Ipv6Address> out = new ArrayList<>();
    if (message == null || message.getRcode() != Rcode.NOERROR) {
      return out;
    }
    Name target = canonical();
    for (Record r : message.getSection(Section.ANSWER)) {
      if (r instanceof AAAARecord a && r.getName().equals(target)) {
        out.add(Ipv6Address.of(a.getAddress().getAddress()));
      }
    }
    return out;
  }

  /** The name the answer's CNAME chain (if any) leads to from {@link #name}. */
  private Name canonical() {
    List<Record> answer = message.getSection(Section.ANSWER);
    Name target = name;
    for (int hops = 0; hops < 16; hops++) {
      Name next = null;
      for (Record r : answer) {
        if (r instanceof CNAMERecord c && r.getName().equals(target)) {
          next = c.getTarget();
          break;
        }
      }
      if (next == null) {
        break;
      }
      target = next;
    }
    return target;
  }

  /** The getaddrinfo error for a response (null if it is a positive answer). */
  static String errorFor(Message m, int type) {
    if (m == null) {
      return TEMPORARY;
    }
    int rcode = m.getRcode();
    if (rcode == Rcode.NXDOMAIN) {
      return NOT_KNOWN;
    }
    if (rcode != Rcode.NOERROR) {
      return TEMPORARY;
    }
    for (Record r : m.getSection(Section.ANSWER)) {
      if (r.getType() == type) {
        return null;
      }
    }
    return NOT_KNOWN;
  }
}
