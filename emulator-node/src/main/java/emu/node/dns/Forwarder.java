package emu.node.dns;

import emu.node.event.DnsEvent;
import emu.node.ipv6.Ipv6Layer;
import emu.node.stack.NetworkStack;
import emu.node.tcp.TcpLayer;
import emu.node.trace.Tracer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The forwarder role: the seed's "designated DNS server" clients ask. Answers from its
 * {@link DnsCache} (TTLs counted down, negative answers kept per RFC 2308) or else asks its
 * upstream server as a client with the RFC 5452 defences of {@link DnsClient} (fresh random ID
 * and source port, every field of the reply checked; EDNS {@value DnsServer#MAX_UDP_PAYLOAD}
 * bytes; TCP after a truncated reply), caches the answer and hands it on with RA set and AA
 * clear. Clients asking the same question while it is in flight wait for the same upstream
 * exchange instead of causing more (RFC 5452 9.1: fewer chances for a birthday attack). An
 * upstream that fails (timeout, refused) gives SERVFAIL, which is not cached. It caches and
 * hands on only the records in the bailiwick of the zone it asked about ({@link Bailiwick});
 * a CNAME chain that leaves that zone it follows by asking for the target itself.
 */
final class Forwarder implements QueryHandler {
  private static final int CACHE_ENTRIES = 10_000;
  private static final long MAX_TTL = 86_400;
  private static final long MAX_NEGATIVE_TTL = 3 * 3_600;

  private record Key(Name name, int type, int dclass) {}

  /**
   * Upstream tries: 1 s, 2 s, 4 s. Shorter in total than a stub's first wait (5 s, glibc's
   * default), so a silent upstream reaches the client as SERVFAIL before the client gives up.
   */
  static final long[] UPSTREAM_TIMEOUTS_NANOS = {1_000_000_000L, 2_000_000_000L, 4_000_000_000L};

  private final Tracer tracer;
  /** The upstream server, of either family (over IPv6 only on a node with IPv6). */
  private final Nameserver upstream;
  private final DnsServerCounters counters;
  private final DnsCache cache;
  private final DnsClient client;
  private final ResolverCounters upstreamCounters = new ResolverCounters();
  private final Map<Key, List<ServerQuery>> inFlight = new HashMap<>();
  private boolean stopped;

  Forwarder(NetworkStack stack, Ipv6Layer ipv6, TcpLayer tcp, Tracer tracer, Nameserver upstream,
            DnsServerCounters counters) {
    this.tracer = tracer;
    this.upstream = upstream;
    this.counters = counters;
    this.cache = new DnsCache(stack.time(), CACHE_ENTRIES, MAX_TTL, MAX_NEGATIVE_TTL);
    this.client = new DnsClient(stack, ipv6, tcp, tracer, upstreamCounters, UPSTREAM_TIMEOUTS_NANOS);
  }

  DnsCache cache() {
    return cache;
  }

  /** The upstream server. */
  Nameserver upstream() {
    return upstream;
  }

  ResolverCounters upstreamCounters() {
    return upstreamCounters;
  }

  @Override
  public void answer(ServerQuery q) {
    Record question = q.question();
    q.response.getHeader().setFlag(Flags.RA);
    DnsCache.Hit hit = cache.get(question.getName(), question.getType(), question.getDClass());
    if (hit != null) {
      counters.cacheHits++;
      copyAnswer(hit.message(), q.response);
      if (tracer.enabled()) {
        tracer.emit(new DnsEvent.ServedFromCache(q.client(), q.port(), q.transport(), q.id(), q.qname(), q.qtype(),
            hit.ageSeconds(), DnsFacts.response(hit.message())));
      }
      q.send();
      return;
    }
    Key key = new Key(question.getName(), question.getType(), question.getDClass());
    List<ServerQuery> waiting = inFlight.get(key);
    if (waiting != null) {
      waiting.add(q);
      if (tracer.enabled()) {
        tracer.emit(new DnsEvent.ForwardJoined(q.client(), q.port(), q.transport(), q.id(), q.qname(), q.qtype(),
            upstream.toString()));
      }
      return;
    }
    waiting = new ArrayList<>();
    waiting.add(q);
    inFlight.put(key, waiting);
    counters.forwarded++;
    if (tracer.enabled()) {
      tracer.emit(new DnsEvent.Forwarded(q.client(), q.port(), q.transport(), q.id(), q.qname(), q.qtype(),
          upstream.toString()));
    }
    client.query(List.of(upstream), upstreamQuery(question.getName(), question), false,
        reply -> onUpstream(key, null, reply, 0));
  }

  private static Message upstreamQuery(Name name, Record question) {
    Message up = new Message(0);
    up.getHeader().setFlag(Flags.RD);
    up.addRecord(Record.newRecord(name, question.getType(), question.getDClass()), Section.QUESTION);
    up.addRecord(new OPTRecord(DnsServer.MAX_UDP_PAYLOAD, 0, 0, 0), Section.ADDITIONAL);
    return up;
  }

  /**
   * An upstream answer, scrubbed to its bailiwick ({@link Bailiwick}). A chain that left its
   * zone is followed by asking upstream for the target, whose answer (scrubbed in the target's
   * own zone) is added to {@code into}, the answer so far: the rcode and negative proof are then
   * the target's (RFC 6604). A failed chase fails the question, as Unbound's does.
   *
   * @param into the answer so far, or null for the answer to the question itself
   */
  private void onUpstream(Key key, Message into, DnsReply reply, int hops) {
    if (stopped || !inFlight.containsKey(key)) {
      return;
    }
    Message t = reply.message();
    if (t == null || t.getRcode() != Rcode.NOERROR && t.getRcode() != Rcode.NXDOMAIN) {
      fail(key, reply);
      return;
    }
    Bailiwick.Scrubbed s = Bailiwick.scrub(t);
    counters.outOfBailiwick += s.dropped();
    Message m = into == null ? t : into;
    if (into != null) {
      t.getSection(Section.ANSWER).forEach(r -> into.addRecord(r, Section.ANSWER));
      into.getHeader().setRcode(t.getRcode());
      if (t.getRcode() == Rcode.NXDOMAIN || t.getSection(Section.ANSWER).isEmpty()) {
        into.removeAllRecords(Section.AUTHORITY);
        t.getSection(Section.AUTHORITY).forEach(r -> into.addRecord(r, Section.AUTHORITY));
      }
    }
    if (s.cutAt() != null && hops < Bailiwick.MAX_CHAIN) {
      client.query(List.of(upstream), upstreamQuery(s.cutAt(), m.getQuestion()), false,
          r -> onUpstream(key, m, r, hops + 1));
    } else {
      serve(key, m);
    }
  }

  private void fail(Key key, DnsReply reply) {
    List<ServerQuery> waiting = inFlight.remove(key);
    Message m = reply.message();
    int rcode = m == null ? -1 : m.getRcode();
    counters.upstreamFailures++;
    for (ServerQuery q : waiting) {
      q.response.getHeader().setRcode(Rcode.SERVFAIL);
      if (tracer.enabled()) {
        tracer.emit(new DnsEvent.UpstreamFailed(q.client(), q.port(), q.transport(), q.id(), q.qname(), q.qtype(),
            upstream.toString(), m == null ? null : Rcode.string(rcode), m == null ? reply.detail() : null));
      }
      q.send();
    }
  }

  private void serve(Key key, Message m) {
    List<ServerQuery> waiting = inFlight.remove(key);
    int rcode = m.getRcode();
    long ttl = cache.put(m);
    if (tracer.enabled()) {
      Record question = m.getQuestion();
      tracer.emit(new DnsEvent.ForwarderCached(DnsFacts.name(question.getName()), DnsFacts.type(question.getType()),
          ttl, rcode == Rcode.NXDOMAIN || m.getSection(Section.ANSWER).isEmpty()));
    }
    for (ServerQuery q : waiting) {
      copyAnswer(m, q.response);
      if (tracer.enabled()) {
        tracer.emit(new DnsEvent.ServedFromUpstream(q.client(), q.port(), q.transport(), q.id(), q.qname(),
            q.qtype(), upstream.toString(), DnsFacts.response(m)));
      }
      q.send();
    }
  }

  /** The rcode and the records of {@code from} into {@code to} (whose header and question stay). */
  private static void copyAnswer(Message from, Message to) {
    to.getHeader().setRcode(from.getHeader().getRcode());
    for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
      for (Record r : from.getSection(section)) {
        if (r.getType() != Type.OPT) {
          to.addRecord(r, section);
        }
      }
    }
  }

  @Override
  public void stop() {
    stopped = true;
    inFlight.clear();
  }
}
