package emu.node.event;

import emu.node.tcp.TcpError;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/**
 * DNS as a node runs it: the stub resolver (hosts table, cache, queries), the client side of an
 * exchange with a server (RFC 5452 checks, retries, TCP after truncation), and the server in its
 * roles (authoritative, caching forwarder) with its gatekeeping.
 *
 * <p>Addresses are written as their family's users write them (dotted quads; IPv6 per RFC 5952,
 * a link-local one with its interface as {@code fe80::53%eth0}), so an IPv6 address says the
 * exchange went over IPv6; names as people write them, without the final dot (the root is
 * {@code .}); {@code qtype}, {@code qclass} and {@code rcode} are mnemonics ({@code A},
 * {@code IN}, {@code NXDOMAIN}); message IDs are ints; durations are nanoseconds, TTLs and ages
 * seconds. On the client side, {@code server} is the server asked (always on port 53) and
 * {@code id} the exchange's random ID; on the server side, {@code client} and {@code port} are who
 * asked and {@code id} the ID of their query.
 */
public sealed interface DnsEvent extends TraceEvent {
  <R> R accept(Visitor<R> v);

  @Override
  default <R> R accept(TraceEvent.Visitor<R> v) {
    return v.dns(this);
  }

  interface Visitor<R> {
    R hosts(HostsLookup e);

    R cacheMiss(CacheMiss e);

    R cacheHit(CacheHit e);

    R cached(Cached e);

    R noServer(NoServer e);

    R resolved(Resolved e);

    R resolveFailed(ResolveFailed e);

    R addressesResolved(AddressesResolved e);

    R querySent(QuerySent e);

    R retried(Retried e);

    R timedOut(TimedOut e);

    R nextServer(NextServer e);

    R truncated(Truncated e);

    R refused(Refused e);

    R unreachable(Unreachable e);

    R malformed(Malformed e);

    R spoofed(Spoofed e);

    R answered(Answered e);

    R tcpFailed(TcpFailed e);

    R started(Started e);

    R dropped(Dropped e);

    R rejected(Rejected e);

    R serveFailed(ServeFailed e);

    R servedTruncated(ServedTruncated e);

    R tcpIdleClosed(TcpIdleClosed e);

    R served(Served e);

    R outOfZone(OutOfZone e);

    R servedFromCache(ServedFromCache e);

    R forwarded(Forwarded e);

    R forwardJoined(ForwardJoined e);

    R forwarderCached(ForwarderCached e);

    R servedFromUpstream(ServedFromUpstream e);

    R upstreamFailed(UpstreamFailed e);
  }

  /** How a message travelled. */
  enum Transport { UDP, TCP }

  /** The role a DNS server plays. */
  enum Role { AUTHORITATIVE, FORWARDER }

  /** getaddrinfo's error for a name that does not resolve. */
  enum GaiError {
    /** NXDOMAIN, NODATA, an invalid name, or no DNS server to ask. */
    EAI_NONAME,
    /** A timeout, SERVFAIL, REFUSED, or a server that could not be reached. */
    EAI_AGAIN
  }

  /** The RFC 5452 (9.1) checks a reply must pass to be taken as the answer, in the order they are made. */
  enum Rfc5452Check {
    /** It comes from the server's address. */
    SOURCE_ADDRESS,
    /** It comes from port 53. */
    SOURCE_PORT,
    /** It carries the query's ID. */
    ID,
    /** It is a response (QR set). */
    RESPONSE,
    /** It repeats the question: one question, same name, type and class. */
    QUESTION
  }

  /** Why a query over TCP got no answer. */
  enum TcpFailure {
    /** The connection could not be opened at all ({@code error}: why). */
    CONNECT_FAILED,
    /** No answer within the TCP query's time. */
    TIMED_OUT,
    /** The server closed the connection without answering. */
    CLOSED_WITHOUT_ANSWER,
    /** The connection ended abnormally ({@code tcpError}: how). */
    CONNECTION_ERROR
  }

  /** Why a client gives up on one of its servers and asks the next one. */
  enum NextWhy {
    /** No answer within the wait ({@code waitedNanos}). */
    TIMEOUT,
    /** {@code reporter} sent ICMP port unreachable: nothing listens on port 53 there. */
    REFUSED,
    /** {@code reporter} sent ICMP destination unreachable ({@code icmpCode}, as in {@link Unreachable}). */
    UNREACHABLE,
    /** The query could not be sent at all ({@code error}: the stack's words). */
    SEND_FAILED,
    /** The server answered {@code rcode} (SERVFAIL, NOTIMP or REFUSED), which another server may not. */
    ERROR_RCODE,
    /** The query over TCP after a truncated answer failed ({@code error}). */
    TCP_FAILED
  }

  /** Why a server drops a message without answering it. */
  enum DropWhy {
    /** Sent from port 0, which cannot be answered. */
    FROM_PORT_ZERO,
    /** Shorter than a DNS header (12 bytes). */
    SHORTER_THAN_HEADER,
    /** A response (QR set), not a query. */
    RESPONSE,
    /** A bug of the server's ({@code error}: the exception). */
    INTERNAL_ERROR
  }

  /** Why a server answers a query with an error rcode before any role sees it. */
  enum RejectWhy {
    /** The query does not parse ({@code error}: why). FORMERR. */
    MALFORMED,
    /** An opcode other than QUERY ({@code opcode}). NOTIMP. */
    OPCODE,
    /** Not exactly one question ({@code questions}). FORMERR. */
    QUESTION_COUNT,
    /** A class other than IN that exists (CH, HS, NONE, ANY). REFUSED. */
    CLASS_NOT_SERVED,
    /** A class number that does not exist. FORMERR. */
    NO_SUCH_CLASS,
    /** OPT, TSIG or TKEY asked for. FORMERR. */
    META_TYPE,
    /** AXFR or IXFR. REFUSED. */
    ZONE_TRANSFER,
    /** MAILA or MAILB. NOTIMP. */
    OBSOLETE_TYPE,
    /** More than one OPT record ({@code optRecords}; RFC 6891 6.1.1). FORMERR. */
    OPT_RECORDS,
    /** An EDNS version above 0 ({@code ednsVersion}; RFC 6891 6.1.3). BADVERS. */
    EDNS_VERSION
  }

  // ===========================================================================================
  // The stub resolver
  // ===========================================================================================

  /** Looked {@code name} up in the node's hosts table: found {@code address}, or null when it is not there. */
  @JsonTypeName("dns.hosts")
  record HostsLookup(String name, String address) implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.hosts(this);
    }
  }

  /** {@code qname}/{@code qtype} is not in the stub resolver's cache. */
  @JsonTypeName("dns.cache_miss")
  record CacheMiss(String qname, String qtype) implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.cacheMiss(this);
    }
  }

  /** The stub resolver's cache has {@code qname}/{@code qtype}, stored {@code ageSeconds} ago; TTLs counted down. */
  @JsonTypeName("dns.cache_hit")
  record CacheHit(String qname, String qtype, long ageSeconds, DnsResponse response) implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.cacheHit(this);
    }
  }

  /** The stub resolver stores the answer for {@code qname}/{@code qtype} for {@code ttl} s ({@code negative}: RFC 2308). */
  @JsonTypeName("dns.cache")
  record Cached(String qname, String qtype, long ttl, boolean negative) implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.cached(this);
    }
  }

  /** No DNS server is configured: {@code qname}/{@code qtype} cannot be looked up beyond the hosts table. */
  @JsonTypeName("dns.no_server")
  record NoServer(String qname, String qtype) implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.noServer(this);
    }
  }

  /** An application's lookup of {@code name} gives {@code address} (the first of the answer). */
  @JsonTypeName("dns.resolve")
  record Resolved(String name, String address) implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.resolved(this);
    }
  }

  /**
   * An application's lookup of {@code name} for either family (getaddrinfo with AF_UNSPEC)
   * gives {@code addresses}, in the order it will try them (RFC 6724): IPv6 first when the
   * node has an IPv6 address and a route to use; {@code asked} the types it looked up (AAAA
   * only when the node has a global IPv6 address, as AI_ADDRCONFIG does).
   */
  @JsonTypeName("dns.addresses")
  record AddressesResolved(String name, List<String> asked, List<String> addresses, boolean ipv6First)
      implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.addressesResolved(this);
    }
  }

  /** An application's lookup of {@code name} fails with {@code error}. */
  @JsonTypeName("dns.resolve_failed")
  record ResolveFailed(String name, GaiError error) implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.resolveFailed(this);
    }
  }

  // ===========================================================================================
  // The client side of an exchange (the stub's, and the forwarder's toward its upstream)
  // ===========================================================================================

  /**
   * Query {@code id} for {@code qname}/{@code qtype} goes to {@code server} from local
   * {@code port}: over UDP as try {@code attempt} of {@code attempts}, or over TCP (one attempt).
   */
  @JsonTypeName("dns.query")
  record QuerySent(int id, String server, String qname, String qtype, Transport transport, int port, int attempt,
                   int attempts) implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.querySent(this);
    }
  }

  /** No answer within {@code waitedNanos}: try {@code attempt} follows, waiting {@code waitNanos}. */
  @JsonTypeName("dns.retry")
  record Retried(int id, String server, String qname, String qtype, int attempt, long waitedNanos, long waitNanos)
      implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.retried(this);
    }
  }

  /** No answer after {@code tries} UDP tries, {@code elapsedNanos} after the first: the exchange ends. */
  @JsonTypeName("dns.timeout")
  record TimedOut(int id, String server, String qname, String qtype, int tries, long elapsedNanos) implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.timedOut(this);
    }
  }

  /**
   * Query {@code id} got no usable answer from {@code server} ({@code why}, with its detail:
   * {@code waitedNanos}, {@code reporter} and {@code icmpCode}, {@code rcode} or {@code error};
   * the others null): the resolver asks {@code next}, the next of its servers (RFC 1035 7.2,
   * as glibc's resolver goes down resolv.conf's list), and waits {@code waitNanos} for it.
   */
  @JsonTypeName("dns.next_server")
  record NextServer(int id, String server, String qname, String qtype, NextWhy why, Long waitedNanos, String reporter,
                    Integer icmpCode, String rcode, String error, String next, long waitNanos) implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.nextServer(this);
    }
  }

  /** The UDP answer ({@code bytes} long) has TC set: the question goes again over TCP. */
  @JsonTypeName("dns.truncated")
  record Truncated(int id, String server, String qname, String qtype, int bytes) implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.truncated(this);
    }
  }

  /** {@code reporter} sent ICMP port unreachable for the query: nothing listens on port 53; the exchange ends. */
  @JsonTypeName("dns.refused")
  record Refused(int id, String server, String qname, String qtype, String reporter) implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.refused(this);
    }
  }

  /**
   * {@code reporter} sent ICMP destination unreachable with {@code icmpCode} for the query; the
   * exchange ends. The code is ICMP's (0 network, 1 host, other codes) when {@code reporter} is
   * an IPv4 address, ICMPv6's (0 no route, 1 administratively prohibited, 3 address unreachable,
   * other codes) when it is an IPv6 one.
   */
  @JsonTypeName("dns.unreachable")
  record Unreachable(int id, String server, String qname, String qtype, String reporter, int icmpCode)
      implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.unreachable(this);
    }
  }

  /** A reply of {@code bytes} from {@code from}:{@code fromPort} does not parse ({@code error}: the parser's words); ignored. */
  @JsonTypeName("dns.malformed")
  record Malformed(int id, String server, String qname, String qtype, String from, int fromPort, int bytes,
                   String error) implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.malformed(this);
    }
  }

  /**
   * A reply from {@code from}:{@code fromPort} failed RFC 5452 check {@code failed} (the first
   * that failed; the rest were not made): ignored as possibly spoofed while the exchange keeps
   * waiting. {@code replyId}: its ID (null if it was too short to have one); {@code replyQname},
   * {@code replyQtype}, {@code replyQclass}: its question, for {@link Rfc5452Check#QUESTION}
   * (null when it had none, or another check failed).
   */
  @JsonTypeName("dns.spoofed")
  record Spoofed(int id, String server, String qname, String qtype, Transport transport, String from, int fromPort,
                 Integer replyId, Rfc5452Check failed, String replyQname, String replyQtype, String replyQclass)
      implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.spoofed(this);
    }
  }

  /** The answer to query {@code id}, checked and taken, arrived over {@code transport}. */
  @JsonTypeName("dns.answer")
  record Answered(int id, String server, String qname, String qtype, Transport transport, DnsResponse response)
      implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.answered(this);
    }
  }

  /**
   * The query over TCP got no answer: {@code why}; {@code tcpError} for
   * {@link TcpFailure#CONNECTION_ERROR}, {@code error} (the stack's words) for
   * {@link TcpFailure#CONNECT_FAILED}, else null.
   */
  @JsonTypeName("dns.tcp_failed")
  record TcpFailed(int id, String server, String qname, String qtype, TcpFailure why, TcpError tcpError, String error)
      implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.tcpFailed(this);
    }
  }

  // ===========================================================================================
  // The server: transport and gatekeeping
  // ===========================================================================================

  /**
   * A DNS server starts on UDP and TCP port 53 as {@code role}: authoritative for {@code zones}
   * (their origins), or a caching forwarder to {@code upstream} (the other is null); over IPv4,
   * and over IPv6 too when {@code ipv6} (the node has IPv6).
   */
  @JsonTypeName("dns.start")
  record Started(Role role, List<String> zones, String upstream, boolean ipv6) implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.started(this);
    }
  }

  /** A message of {@code bytes} from {@code client}:{@code port} is dropped unanswered: {@code why} ({@code error} for an internal error). */
  @JsonTypeName("dns.drop")
  record Dropped(String client, int port, Transport transport, int bytes, DropWhy why, String error)
      implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.dropped(this);
    }
  }

  /**
   * A query of {@code bytes} is answered with {@code rcode} before any role sees it, because of
   * {@code why}. Its question ({@code qname}, {@code qtype}, {@code qclass}) when it got that far,
   * else null; the detail {@code why} names: {@code opcode}, {@code questions} (QDCOUNT),
   * {@code optRecords}, {@code ednsVersion}, {@code error} (the parser's words), else null.
   */
  @JsonTypeName("dns.serve_rejected")
  record Rejected(String client, int port, Transport transport, int id, String rcode, RejectWhy why, String qname,
                  String qtype, String qclass, String opcode, Integer questions, Integer optRecords,
                  Integer ednsVersion, int bytes, String error) implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.rejected(this);
    }
  }

  /** The role failed on the query with an internal error ({@code error}: the exception): SERVFAIL. */
  @JsonTypeName("dns.serve_error")
  record ServeFailed(String client, int port, Transport transport, int id, String qname, String qtype, String error)
      implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.serveFailed(this);
    }
  }

  /**
   * The answer ({@code bytes} whole) exceeds the client's UDP limit of {@code limit} bytes: it is
   * sent truncated (TC), so the client asks again over TCP.
   */
  @JsonTypeName("dns.serve_truncated")
  record ServedTruncated(String client, int port, int id, String qname, String qtype, int bytes, int limit)
      implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.servedTruncated(this);
    }
  }

  /** A DNS-over-TCP connection from {@code client}:{@code port} is closed after {@code idleNanos} without a query. */
  @JsonTypeName("dns.tcp")
  record TcpIdleClosed(String client, int port, long idleNanos) implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.tcpIdleClosed(this);
    }
  }

  // ===========================================================================================
  // The authoritative role
  // ===========================================================================================

  /**
   * The authoritative server answers from {@code zone}; {@code authoritative}: AA is set (a
   * referral below a zone cut is not authoritative). A negative answer carries the zone's SOA.
   */
  @JsonTypeName("dns.serve")
  record Served(String client, int port, Transport transport, int id, String qname, String qtype, String zone,
                boolean authoritative, DnsResponse response) implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.served(this);
    }
  }

  /** The name is in no zone the server serves, and it does not recurse: REFUSED. */
  @JsonTypeName("dns.serve_refused")
  record OutOfZone(String client, int port, Transport transport, int id, String qname, String qtype)
      implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.outOfZone(this);
    }
  }

  // ===========================================================================================
  // The forwarder role
  // ===========================================================================================

  /** The forwarder answers from its cache, stored {@code ageSeconds} ago, TTLs counted down. */
  @JsonTypeName("dns.serve_cache")
  record ServedFromCache(String client, int port, Transport transport, int id, String qname, String qtype,
                         long ageSeconds, DnsResponse response) implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.servedFromCache(this);
    }
  }

  /** Not in the forwarder's cache: it asks {@code upstream}. */
  @JsonTypeName("dns.forward")
  record Forwarded(String client, int port, Transport transport, int id, String qname, String qtype,
                   String upstream) implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.forwarded(this);
    }
  }

  /** Not in the forwarder's cache, but the same question is already on its way to {@code upstream}: it waits for that answer. */
  @JsonTypeName("dns.forward_wait")
  record ForwardJoined(String client, int port, Transport transport, int id, String qname, String qtype,
                       String upstream) implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.forwardJoined(this);
    }
  }

  /**
   * The forwarder stores the upstream's answer to {@code qname}/{@code qtype} for {@code ttl} s
   * ({@code negative}: NXDOMAIN or no answer, RFC 2308); {@code ttl} 0: it does not cache it.
   */
  @JsonTypeName("dns.forward_cache")
  record ForwarderCached(String qname, String qtype, long ttl, boolean negative) implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.forwarderCached(this);
    }
  }

  /** The forwarder answers with what {@code upstream} answered. */
  @JsonTypeName("dns.serve_upstream")
  record ServedFromUpstream(String client, int port, Transport transport, int id, String qname, String qtype,
                            String upstream, DnsResponse response) implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.servedFromUpstream(this);
    }
  }

  /**
   * No usable answer from {@code upstream}: it answered {@code upstreamRcode}, or (null) the
   * exchange failed with {@code error} (the client side's failure, in the words {@code resolve}
   * prints after "communications error"). The forwarder answers SERVFAIL.
   */
  @JsonTypeName("dns.serve_servfail")
  record UpstreamFailed(String client, int port, Transport transport, int id, String qname, String qtype,
                        String upstream, String upstreamRcode, String error) implements DnsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.upstreamFailed(this);
    }
  }
}
