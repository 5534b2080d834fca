package emu.node.dns;

import emu.node.event.DnsResponse;
import emu.node.event.DnsRrset;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * DNS messages as the values events carry ({@link emu.node.event.DnsEvent}): names as people
 * write them, mnemonics, RRsets with their data in presentation format. Only called when tracing
 * is on, so it allocates freely.
 */
final class DnsFacts {
  private DnsFacts() {}

  /** A name without its final dot, as people write it (the root stays "."). */
  static String name(Name n) {
    return n.labels() <= 1 ? "." : n.toString(true);
  }

  static String type(int type) {
    return Type.string(type);
  }

  /** What {@code m} says: rcode, answer RRsets, and the outcome (NXDOMAIN, NODATA, a referral with its NS). */
  static DnsResponse response(Message m) {
    int rcode = m.getRcode();
    List<DnsRrset> answer = new ArrayList<>();
    for (RRset s : m.getSectionRRsets(Section.ANSWER)) {
      answer.add(rrset(s));
    }
    DnsResponse.Outcome outcome;
    DnsRrset referral = null;
    if (rcode == Rcode.NXDOMAIN) {
      outcome = DnsResponse.Outcome.NXDOMAIN;
    } else if (rcode != Rcode.NOERROR) {
      outcome = DnsResponse.Outcome.ERROR;
    } else if (!answer.isEmpty()) {
      outcome = DnsResponse.Outcome.ANSWER;
    } else {
      for (RRset auth : m.getSectionRRsets(Section.AUTHORITY)) {
        if (auth.getType() == Type.NS) {
          referral = rrset(auth);
          break;
        }
      }
      outcome = referral != null ? DnsResponse.Outcome.REFERRAL : DnsResponse.Outcome.NODATA;
    }
    return new DnsResponse(Rcode.string(rcode), outcome, answer, referral);
  }

  /** An RRset with the data of its first few records, each cut at {@link DnsRrset#MAX_DATA_CHARS}. */
  static DnsRrset rrset(RRset s) {
    List<Record> rrs = s.rrs(false);
    List<String> data = new ArrayList<>();
    for (int i = 0; i < rrs.size() && i < DnsRrset.MAX_DATA; i++) {
      // dnsjava writes an AAAA's address uncompressed: as dig and users write it (RFC 5952)
      String r = rrs.get(i) instanceof org.xbill.DNS.AAAARecord a
          ? emu.node.wire.Ipv6Address.of(a.getAddress().getAddress()).toString() : rrs.get(i).rdataToString();
      data.add(r.length() > DnsRrset.MAX_DATA_CHARS ? r.substring(0, DnsRrset.MAX_DATA_CHARS) + "..." : r);
    }
    return new DnsRrset(name(s.getName()), type(s.getType()), s.getTTL(), rrs.size(), data);
  }
}
