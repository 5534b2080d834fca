package emu.node.dns;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * How DNS things read in the narrative: {@code A? payroll.corp.com}, {@code id 0x1a2b},
 * {@code payroll.corp.com A 192.168.5.100 (TTL 300)}. Only called when tracing is on (or to
 * print), so it allocates freely.
 */
final class DnsText {
  private static final int MAX_RDATA_SHOWN = 4;
  private static final int MAX_RDATA_CHARS = 60;

  private DnsText() {}

  static String id(int id) {
    return String.format(Locale.ROOT, "0x%04x", id);
  }

  /** A name without its final dot, as people write it (the root stays "."). */
  static String name(Name n) {
    return n.labels() <= 1 ? "." : n.toString(true);
  }

  /** {@code A? payroll.corp.com}, with the class when it is not IN. */
  static String question(Name name, int type, int dclass) {
    return Type.string(type) + "? " + name(name) + (dclass == DClass.IN ? "" : " (class " + DClass.string(dclass) + ")");
  }

  static String question(Record q) {
    return q == null ? "(no question)" : question(q.getName(), q.getType(), q.getDClass());
  }

  /**
   * What a response says, in a few words: the rdata of the answer for {@code qname} alone
   * ({@code 192.168.5.100}), or every RRset with its owner when there is a CNAME chain, or the
   * negative outcome ({@code no such name (NXDOMAIN)}, {@code no A records (NODATA)}), or a
   * referral.
   */
  static String outcome(Message m) {
    Record q = m.getQuestion();
    int rcode = m.getRcode();
    if (rcode == Rcode.NXDOMAIN) {
      return "no such name (NXDOMAIN)";
    }
    if (rcode != Rcode.NOERROR) {
      return Rcode.string(rcode);
    }
    List<RRset> answer = m.getSectionRRsets(Section.ANSWER);
    if (answer.isEmpty()) {
      for (RRset auth : m.getSectionRRsets(Section.AUTHORITY)) {
        if (auth.getType() == Type.NS) {
          return "referral to " + name(auth.getName()) + " NS " + rdata(auth);
        }
      }
      return "no " + (q == null ? "" : Type.string(q.getType()) + " ") + "records (NODATA)";
    }
    if (answer.size() == 1 && q != null && answer.get(0).getName().equals(q.getName())) {
      return rdata(answer.get(0));
    }
    return rrsets(answer);
  }

  /** {@code payroll.corp.com A 192.168.5.100 (TTL 300)}; RRsets joined by "; ". */
  static String rrsets(List<RRset> sets) {
    List<String> parts = new ArrayList<>();
    for (RRset s : sets) {
      parts.add(name(s.getName()) + " " + Type.string(s.getType()) + " " + rdata(s) + " (TTL " + s.getTTL() + ")");
    }
    return String.join("; ", parts);
  }

  /** The answer section as RRsets, or the negative outcome when it is empty. */
  static String answers(Message m) {
    List<RRset> answer = m.getSectionRRsets(Section.ANSWER);
    return answer.isEmpty() || m.getRcode() != Rcode.NOERROR ? outcome(m) : rrsets(answer);
  }

  /** The records' data, comma-separated, the first few only. */
  static String rdata(RRset s) {
    List<Record> rrs = s.rrs(false);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < rrs.size() && i < MAX_RDATA_SHOWN; i++) {
      String r = rrs.get(i).rdataToString();
      if (r.length() > MAX_RDATA_CHARS) {
        r = r.substring(0, MAX_RDATA_CHARS) + "...";
      }
      sb.append(i == 0 ? "" : ", ").append(r);
    }
    if (rrs.size() > MAX_RDATA_SHOWN) {
      sb.append(" and ").append(rrs.size() - MAX_RDATA_SHOWN).append(" more");
    }
    return sb.toString();
  }
}
