package emu.node.dns;

import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * What a forwarder keeps of an upstream answer before it caches it and hands it on: only the
 * records in the bailiwick of the zone it asked about (RFC 5452 6, RFC 2181 5.4.1; Unbound's
 * scrubber and BIND's bailiwick checks do the same). Anything else is how a server for
 * attacker.com, asked about a.attacker.com, would plant bank.com's address in the cache (the
 * Kashpureff attack).
 *
 * <p>A forwarder does not see zone cuts, so the zone is taken from the question: the query
 * name's parent ({@code example.com} for {@code a.example.com}), or the name itself when the
 * parent is a top-level domain or the root, never wider. Kept are: in the answer section,
 * the CNAME chain from the query name while it stays in that zone, and the records of the
 * names on it; in the authority section, an SOA of an ancestor of a name on the chain (RFC 2308
 * negative caching needs it) and other records of the zone that enclose the query name; in the
 * additional section, records of names in the zone (glue). A chain that leaves the zone is cut
 * there; the forwarder asks for the target itself ({@link #cutAt}) rather than trust the rest.
 */
final class Bailiwick {
  /** Longest CNAME chain followed, as BIND's and Unbound's (both stop at 8 or so links). */
  static final int MAX_CHAIN = 8;

  private Bailiwick() {}

  /** What {@link #scrub} removed and where it cut the chain. */
  record Scrubbed(int dropped, Name cutAt) {}

  /** The zone an answer about {@code qname} is taken to come from. */
  static Name zoneOf(Name qname) {
    // labels() counts the root: "example.com." has 3; its parent "com." is a TLD, too wide
    return qname.labels() <= 3 ? qname : new Name(qname, 1);
  }

  /**
   * Removes from {@code m} (an upstream response to its own question) every record outside the
   * bailiwick; returns how many went and the out-of-zone CNAME target the chain was cut at, or
   * null if it was not cut (or the question asked for the CNAME itself).
   */
  static Scrubbed scrub(Message m) {
    Record question = m.getQuestion();
    Name qname = question.getName();
    int qtype = question.getType();
    Name zone = zoneOf(qname);
    List<Name> chain = new ArrayList<>();
    chain.add(qname);
    Name cutAt = null;
    List<Record> answers = new ArrayList<>(m.getSection(Section.ANSWER));
    Name current = qname;
    for (int hop = 0; hop < MAX_CHAIN && qtype != Type.CNAME && qtype != Type.ANY; hop++) {
      Name target = null;
      for (Record r : answers) {
        if (r instanceof CNAMERecord c && c.getName().equals(current)) {
          target = c.getTarget();
        }
      }
      if (target == null || chain.contains(target)) {
        break;
      }
      if (!target.subdomain(zone)) {
        cutAt = target;
        break;
      }
      chain.add(target);
      current = target;
    }
    int dropped = 0;
    for (Record r : answers) {
      if (!chain.contains(r.getName())) {
        m.removeRecord(r, Section.ANSWER);
        dropped++;
      }
    }
    for (Record r : new ArrayList<>(m.getSection(Section.AUTHORITY))) {
      Name owner = r.getName();
      boolean keep = r.getType() == Type.SOA ? chain.stream().anyMatch(n -> n.subdomain(owner))
          : owner.subdomain(zone) && qname.subdomain(owner);
      if (!keep) {
        m.removeRecord(r, Section.AUTHORITY);
        dropped++;
      }
    }
    for (Record r : new ArrayList<>(m.getSection(Section.ADDITIONAL))) {
      if (r.getType() != Type.OPT && !r.getName().subdomain(zone)) {
        m.removeRecord(r, Section.ADDITIONAL);
        dropped++;
      }
    }
    return new Scrubbed(dropped, cutAt);
  }
}
