package emu.node.dns;

import emu.node.event.DnsEvent;
import emu.node.trace.Tracer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNAMERecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SetResponse;
import org.xbill.DNS.Type;
import org.xbill.DNS.Zone;

/**
 * The authoritative role: answers from its zones the way dnsjava's jnamed does, with
 * {@link Zone#findRecords} and {@link SetResponse}. The zone is the one whose origin is the
 * longest suffix of the name; names in no zone are REFUSED (no recursion). Answers carry AA;
 * CNAME (and DNAME) chains are followed while they stay within the served zones; NXDOMAIN and
 * NODATA carry the zone's SOA in the authority section with its TTL lowered to the SOA MINIMUM
 * (RFC 2308 3), so resolvers can cache them; names below a zone cut get a referral with glue
 * (not AA); A and AAAA records of names that MX, NS and SRV records point to go in the
 * additional section when they are in a served zone.
 */
final class Authority implements QueryHandler {
  /** Most CNAME/DNAME links followed in one answer (a loop ends here too). */
  private static final int MAX_CHAIN = 8;

  private final Tracer tracer;
  private final Map<Name, Zone> zones = new LinkedHashMap<>();

  Authority(Tracer tracer, List<Zone> zones) {
    this.tracer = tracer;
    for (Zone z : zones) {
      this.zones.put(z.getOrigin(), z);
    }
  }

  /** The origins served, as people write them: {@code corp.com}, {@code 5.168.192.in-addr.arpa}. */
  List<String> origins() {
    return zones.keySet().stream().map(DnsFacts::name).toList();
  }

  /** The zone whose origin is the longest suffix of {@code name}, or null. */
  Zone findZone(Name name) {
    for (int i = 0; i < name.labels(); i++) {
      Zone z = zones.get(i == 0 ? name : new Name(name, i));
      if (z != null) {
        return z;
      }
    }
    return null;
  }

  @Override
  public void answer(ServerQuery q) {
    Record question = q.question();
    Message resp = q.response;
    Zone zone = findZone(question.getName());
    if (zone == null) {
      resp.getHeader().setRcode(Rcode.REFUSED);
      if (tracer.enabled()) {
        tracer.emit(new DnsEvent.OutOfZone(q.client(), q.port(), q.transport(), q.id(), q.qname(), q.qtype()));
      }
      q.send();
      return;
    }
    resp.getHeader().setFlag(Flags.AA);
    lookup(resp, question.getName(), question.getType(), zone);
    if (tracer.enabled()) {
      tracer.emit(new DnsEvent.Served(q.client(), q.port(), q.transport(), q.id(), q.qname(), q.qtype(),
          DnsFacts.name(zone.getOrigin()), resp.getHeader().getFlag(Flags.AA), DnsFacts.response(resp)));
    }
    q.send();
  }

  /** Fills the answer for {@code name}/{@code type}, following CNAME and DNAME links. */
  private void lookup(Message resp, Name name, int type, Zone zone) {
    Name cur = name;
    Zone z = zone;
    for (int hop = 0; hop < MAX_CHAIN; hop++) {
      SetResponse sr = z.findRecords(cur, type);
      if (sr.isNXDOMAIN()) {
        resp.getHeader().setRcode(Rcode.NXDOMAIN); // RFC 6604: about the last name of a chain
        addSoa(resp, z);
        return;
      }
      if (sr.isNXRRSET()) {
        addSoa(resp, z);
        return;
      }
      if (sr.isDelegation()) {
        RRset ns = sr.getNS();
        addRRset(resp, ns.getName(), ns, Section.AUTHORITY);
        addGlue(resp, ns);
        if (hop == 0) {
          resp.getHeader().unsetFlag(Flags.AA);
        }
        return;
      }
      Name target;
      if (sr.isCNAME()) {
        CNAMERecord c = sr.getCNAME();
        addRecord(resp, owned(c, cur), Section.ANSWER);
        target = c.getTarget();
      } else if (sr.isDNAME()) {
        DNAMERecord d = sr.getDNAME();
        addRecord(resp, d, Section.ANSWER);
        try {
          target = cur.fromDNAME(d);
        } catch (NameTooLongException e) {
          resp.getHeader().setRcode(Rcode.YXDOMAIN); // RFC 6672 2.2
          return;
        }
        addRecord(resp, new CNAMERecord(cur, DClass.IN, d.getTTL(), target), Section.ANSWER);
      } else {
        if (sr.isSuccessful()) {
          for (RRset s : sr.answers()) {
            addRRset(resp, cur, s, Section.ANSWER);
            addGlue(resp, s);
          }
        }
        return;
      }
      z = findZone(target);
      if (z == null || target.equals(cur)) {
        return; // the chain leaves our zones: the client's resolver follows it
      }
      cur = target;
    }
  }

  /** RFC 2308 3: the SOA of a negative answer, its TTL the smaller of its own and MINIMUM. */
  private static void addSoa(Message resp, Zone z) {
    SOARecord soa = z.getSOA();
    long ttl = Math.min(soa.getTTL(), soa.getMinimum());
    resp.addRecord(DnsCache.withTtl(soa, ttl), Section.AUTHORITY);
  }

  /** Addresses of the names {@code s} points to (MX, NS, SRV targets), if we serve them. */
  private void addGlue(Message resp, RRset s) {
    for (Record r : s.rrs(false)) {
      Name target = r.getAdditionalName();
      if (target == null) {
        continue;
      }
      Zone gz = findZone(target);
      if (gz == null) {
        continue;
      }
      for (int t : new int[] {Type.A, Type.AAAA}) {
        RRset glue = gz.findExactMatch(target, t);
        if (glue != null) {
          addRRset(resp, target, glue, Section.ADDITIONAL);
        }
      }
    }
  }

  /** Adds an RRset once (jnamed's addRRset), wildcard owners replaced by the name asked. */
  private static void addRRset(Message resp, Name owner, RRset set, int section) {
    Name name = set.getName().isWild() && !owner.isWild() ? owner : set.getName();
    for (int s = Section.ANSWER; s <= section; s++) {
      if (resp.findRRset(name, set.getType(), s)) {
        return;
      }
    }
    for (Record r : set.rrs(false)) {
      resp.addRecord(owned(r, name), section);
    }
  }

  private static void addRecord(Message resp, Record r, int section) {
    if (!resp.findRecord(r, section)) {
      resp.addRecord(r, section);
    }
  }

  private static Record owned(Record r, Name name) {
    return r.getName().isWild() && !name.isWild() ? r.withName(name) : r;
  }
}
