package emu.node.dns;

import emu.link.time.TimeSource;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A DNS response cache on the injected clock (a message cache, keyed by question): the stub
 * resolver's and the forwarder's. Entries live as long as their smallest answer TTL (RFC 1035
 * 3.2.1, RFC 2181 5.2); negative answers (NXDOMAIN, NODATA) as long as the smaller of their
 * SOA's TTL and MINIMUM field (RFC 2308 5), and only if they carry that SOA. What comes out has
 * every TTL counted down by the time spent in the cache, as a resolver must hand it on.
 *
 * <p>Expired entries go lazily (on lookup) and the oldest go when the cache is full, so the
 * cache schedules no timers. Runs on the node's event loop.
 */
public final class DnsCache {
  /** The cache's verdict on one lookup: the response, TTLs already counted down. */
  public record Hit(Message message, long ageSeconds, long remainingSeconds, boolean negative) {}

  private record Key(Name name, int type, int dclass) {}

  private static final class Entry {
    final byte[] wire;
    final long storedAt;
    final long ttl;
    final boolean negative;

    Entry(byte[] wire, long storedAt, long ttl, boolean negative) {
      this.wire = wire;
      this.storedAt = storedAt;
      this.ttl = ttl;
      this.negative = negative;
    }
  }

  private final TimeSource time;
  private final int capacity;
  private final long maxTtl;
  private final long maxNegativeTtl;
  private final Map<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

  /**
   * @param capacity most entries kept (least recently used go first)
   * @param maxTtl longest a positive answer is kept, seconds (BIND's max-cache-ttl)
   * @param maxNegativeTtl longest a negative answer is kept, seconds (RFC 2308 5 suggests 1-3 hours)
   */
  public DnsCache(TimeSource time, int capacity, long maxTtl, long maxNegativeTtl) {
    this.time = time;
    this.capacity = capacity;
    this.maxTtl = maxTtl;
    this.maxNegativeTtl = maxNegativeTtl;
  }

  /**
   * Stores {@code response} under its question if it may be cached; returns how long it will
   * be kept, in seconds, or -1 if it is not cacheable (truncated, SERVFAIL and other errors,
   * a TTL of 0, a negative answer without an SOA, a referral).
   */
  public long put(Message response) {
    Record q = response.getQuestion();
    if (q == null || response.getHeader().getFlag(Flags.TC)) {
      return -1;
    }
    long ttl = cacheTtl(response);
    if (ttl <= 0) {
      return -1;
    }
    boolean negative = response.getRcode() == Rcode.NXDOMAIN || response.getSection(Section.ANSWER).isEmpty();
    Key key = new Key(q.getName(), q.getType(), q.getDClass());
    entries.remove(key);
    while (entries.size() >= capacity && !entries.isEmpty()) {
      Iterator<Map.Entry<Key, Entry>> eldest = entries.entrySet().iterator();
      eldest.next();
      eldest.remove();
    }
    entries.put(key, new Entry(response.toWire(), time.nanos(), ttl, negative));
    return ttl;
  }

  /** The cached response to this question, TTLs counted down, or null (never cached, or expired). */
  public Hit get(Name name, int type, int dclass) {
    Key key = new Key(name, type, dclass);
    Entry e = entries.get(key);
    if (e == null) {
      return null;
    }
    long age = (time.nanos() - e.storedAt) / 1_000_000_000L;
    if (age >= e.ttl) {
      entries.remove(key);
      return null;
    }
    Message m;
    try {
      m = new Message(e.wire);
    } catch (IOException ex) {
      entries.remove(key); // cannot happen: we wrote these bytes
      return null;
    }
    return new Hit(countDown(m, age, e.ttl), age, e.ttl - age, e.negative);
  }

  public int size() {
    return entries.size();
  }

  public void clear() {
    entries.clear();
  }

  /**
   * How long a response may be cached, seconds (0: not at all). Positive: the smallest TTL of
   * the answer section. Negative (NXDOMAIN, or NOERROR with an empty answer): RFC 2308 5, the
   * SOA's TTL bounded by its MINIMUM; without an SOA in the authority section, not cached.
   */
  long cacheTtl(Message response) {
    int rcode = response.getRcode();
    if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
      return 0;
    }
    if (rcode == Rcode.NOERROR && !response.getSection(Section.ANSWER).isEmpty()) {
      long min = Long.MAX_VALUE;
      for (Record r : response.getSection(Section.ANSWER)) {
        min = Math.min(min, r.getTTL());
      }
      return Math.min(min, maxTtl);
    }
    for (Record r : response.getSection(Section.AUTHORITY)) {
      if (r instanceof SOARecord soa) {
        return Math.min(Math.min(soa.getTTL(), soa.getMinimum()), maxNegativeTtl);
      }
    }
    return 0;
  }

  /** A copy of {@code m} with every TTL lowered by {@code age} (RFC 1035 and 2308: TTLs are decremented). */
  private static Message countDown(Message m, long age, long entryTtl) {
    Message out = new Message(m.getHeader().getID());
    out.getHeader().setRcode(m.getHeader().getRcode());
    for (int f : new int[] {Flags.AA, Flags.RD, Flags.RA, Flags.AD, Flags.CD}) {
      if (m.getHeader().getFlag(f)) {
        out.getHeader().setFlag(f);
      }
    }
    out.getHeader().setFlag(Flags.QR);
    for (Record r : m.getSection(Section.QUESTION)) {
      out.addRecord(r, Section.QUESTION);
    }
    for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
      for (Record r : m.getSection(section)) {
        if (r.getType() == Type.OPT) {
          continue;
        }
        long ttl = r.getType() == Type.SOA && section == Section.AUTHORITY ? Math.min(r.getTTL(), entryTtl) : r.getTTL();
        out.addRecord(withTtl(r, Math.max(0, ttl - age)), section);
      }
    }
    return out;
  }

  /**
   * The same record with another TTL. dnsjava records are immutable from outside the package,
   * so this goes through the wire form (owner name uncompressed, then type, class, TTL).
   */
  static Record withTtl(Record r, long ttl) {
    if (r.getTTL() == ttl) {
      return r;
    }
    byte[] w = r.toWire(Section.ANSWER);
    int at = r.getName().length() + 4;
    w[at] = (byte) (ttl >>> 24);
    w[at + 1] = (byte) (ttl >>> 16);
    w[at + 2] = (byte) (ttl >>> 8);
    w[at + 3] = (byte) ttl;
    try {
      return Record.fromWire(w, Section.ANSWER);
    } catch (IOException e) {
      throw new IllegalStateException("cannot re-read " + r, e);
    }
  }
}
