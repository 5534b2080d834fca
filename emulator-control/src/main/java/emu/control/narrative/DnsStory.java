package emu.control.narrative;

import emu.node.event.DnsEvent;
import emu.node.event.DnsResponse;
import emu.node.event.DnsRrset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The words for DNS: the stub resolver, the client side of an exchange, and the server in its
 * roles. Questions read {@code A? payroll.corp.com}, IDs {@code id 0x1a2b}, answers
 * {@code payroll.corp.com A 192.168.5.100 (TTL 300)}. An exchange with a server at an IPv6
 * address says it goes over IPv6 ({@code over UDP/IPv6}); over IPv4 it reads as it always did.
 */
final class DnsStory implements DnsEvent.Visitor<String> {
  /** The port DNS servers listen on (RFC 1035 4.2). */
  private static final int PORT = 53;

  // ---- the stub resolver ---------------------------------------------------------------------

  @Override
  public String hosts(DnsEvent.HostsLookup e) {
    return "looks up " + e.name() + ": " + (e.address() == null ? "not in its hosts table"
        : "found in its hosts table: " + e.address());
  }

  @Override
  public String cacheMiss(DnsEvent.CacheMiss e) {
    return e.qname() + " " + e.qtype() + ": not in its cache";
  }

  @Override
  public String cacheHit(DnsEvent.CacheHit e) {
    return e.qname() + " " + e.qtype() + ": found in its cache (stored " + e.ageSeconds() + " s ago): "
        + answers(e.response(), e.qname(), e.qtype());
  }

  @Override
  public String cached(DnsEvent.Cached e) {
    return "caches the answer for " + e.qname() + " " + e.qtype() + " for " + e.ttl() + " s"
        + (e.negative() ? " (negative, RFC 2308)" : "");
  }

  @Override
  public String noServer(DnsEvent.NoServer e) {
    return "has no DNS server configured, so it cannot look up " + e.qname() + " " + e.qtype();
  }

  @Override
  public String resolved(DnsEvent.Resolved e) {
    return "resolves " + e.name() + " to " + e.address();
  }

  @Override
  public String addressesResolved(DnsEvent.AddressesResolved e) {
    if (e.addresses().size() == 1) {
      return "resolves " + e.name() + " to " + e.addresses().get(0) + " (asked " + String.join(" and ", e.asked())
          + ")";
    }
    boolean both = e.addresses().stream().anyMatch(a -> a.indexOf(':') >= 0)
        && e.addresses().stream().anyMatch(a -> a.indexOf(':') < 0);
    return "resolves " + e.name() + " to " + String.join(", ", e.addresses()) + (both ? e.ipv6First()
        ? "; will try IPv6 first (RFC 6724: it has an IPv6 address and a route for it)"
        : "; will try IPv4 first (no usable IPv6 source or route, RFC 6724)" : "");
  }

  @Override
  public String resolveFailed(DnsEvent.ResolveFailed e) {
    return "cannot resolve " + e.name() + ": " + gaiError(e.error());
  }

  // ---- the client side of an exchange --------------------------------------------------------

  @Override
  public String querySent(DnsEvent.QuerySent e) {
    String q = "sends DNS query id " + id(e.id()) + " " + question(e.qname(), e.qtype()) + " to " + e.server()
        + over(e.server(), e.transport());
    if (e.transport() == DnsEvent.Transport.TCP) {
      return q + " from port " + e.port();
    }
    return q + " from port " + e.port() + (e.attempt() > 1 ? " (try " + e.attempt() + " of " + e.attempts() + ")" : "");
  }

  @Override
  public String retried(DnsEvent.Retried e) {
    return "no answer to DNS query id " + id(e.id()) + " from " + e.server() + " within " + seconds(e.waitedNanos())
        + "; asks again, waiting " + seconds(e.waitNanos()) + " this time";
  }

  @Override
  public String timedOut(DnsEvent.TimedOut e) {
    return "no answer to DNS query id " + id(e.id()) + " " + question(e.qname(), e.qtype()) + " from " + e.server()
        + " after " + e.tries() + " tries (" + seconds(e.elapsedNanos()) + "): gives up";
  }

  @Override
  public String nextServer(DnsEvent.NextServer e) {
    String q = "DNS query id " + id(e.id());
    String what = switch (e.why()) {
      case TIMEOUT -> "no answer to " + q + " from " + e.server() + " within " + seconds(e.waitedNanos());
      case REFUSED -> e.reporter() + " reports connection refused for " + q + " to " + e.server() + " port " + PORT;
      case UNREACHABLE -> e.reporter() + " reports " + unreachable(e.reporter(), e.icmpCode()) + " for " + q + " to "
          + e.server() + " port " + PORT;
      case SEND_FAILED -> "cannot send " + q + " to " + e.server() + ": " + e.error();
      case ERROR_RCODE -> e.server() + " answers " + q + " with " + e.rcode();
      case TCP_FAILED -> q + " over TCP to " + e.server() + " failed: " + e.error();
    };
    return what + "; asks the next server, " + e.next() + ", waiting " + seconds(e.waitNanos());
  }

  @Override
  public String truncated(DnsEvent.Truncated e) {
    return "DNS answer id " + id(e.id()) + " is truncated (TC, " + e.bytes() + " bytes): asks "
        + question(e.qname(), e.qtype()) + " again over TCP" + (ipv6(e.server()) ? "/IPv6" : "") + " to " + e.server()
        + " port " + PORT;
  }

  @Override
  public String refused(DnsEvent.Refused e) {
    return e.reporter() + " reports connection refused for DNS query id " + id(e.id()) + " to " + e.server() + " port "
        + PORT + ": gives up";
  }

  @Override
  public String unreachable(DnsEvent.Unreachable e) {
    return e.reporter() + " reports " + unreachable(e.reporter(), e.icmpCode()) + " for DNS query id " + id(e.id())
        + " to " + e.server() + " port " + PORT + ": gives up";
  }

  /** Destination unreachable's code in words: ICMP's from an IPv4 reporter, ICMPv6's from an IPv6 one. */
  private static String unreachable(String reporter, int code) {
    if (ipv6(reporter)) {
      return switch (code) {
        case 0 -> "no route to the destination";
        case 1 -> "communication administratively prohibited";
        case 3 -> "address unreachable";
        case 4 -> "connection refused";
        default -> "destination unreachable (ICMPv6 code " + code + ")";
      };
    }
    return switch (code) {
      case 0 -> "network unreachable";
      case 1 -> "host unreachable";
      case 3 -> "connection refused";
      default -> "destination unreachable (ICMP code " + code + ")";
    };
  }

  @Override
  public String malformed(DnsEvent.Malformed e) {
    return "ignores a malformed DNS reply (" + e.bytes() + " bytes) from " + e.from() + " port " + e.fromPort() + ": "
        + e.error();
  }

  @Override
  public String spoofed(DnsEvent.Spoofed e) {
    String why = switch (e.failed()) {
      case SOURCE_ADDRESS -> "it comes from " + e.from() + ", not from the server " + e.server();
      case SOURCE_PORT -> "it comes from port " + e.fromPort() + ", not port " + PORT;
      case ID -> "its ID " + (e.replyId() == null ? "(none)" : id(e.replyId())) + " is not " + id(e.id());
      case RESPONSE -> "it is a query, not a response";
      case QUESTION -> "its question " + (e.replyQname() == null ? "(no question)"
          : question(e.replyQname(), e.replyQtype(), e.replyQclass())) + " is not " + question(e.qname(), e.qtype());
    };
    return "ignores a DNS reply" + (e.replyId() != null ? " id " + id(e.replyId()) : "") + " from " + e.from() + " port "
        + e.fromPort() + ": " + why + (e.transport() == DnsEvent.Transport.TCP ? " (over TCP)" : "")
        + " (RFC 5452: possibly spoofed); keeps waiting";
  }

  @Override
  public String answered(DnsEvent.Answered e) {
    DnsResponse r = e.response();
    return "DNS answer id " + id(e.id()) + (r.outcome() == DnsResponse.Outcome.ANSWER ? ": " + rrsets(r.answer())
        : " to " + question(e.qname(), e.qtype()) + ": " + outcome(r, e.qname(), e.qtype()))
        + (ipv6(e.server()) ? " (over " + e.transport() + "/IPv6)" : e.transport() == DnsEvent.Transport.TCP
        ? " (over TCP)" : "");
  }

  @Override
  public String tcpFailed(DnsEvent.TcpFailed e) {
    String why = switch (e.why()) {
      case CONNECT_FAILED -> e.error();
      case TIMED_OUT -> "timed out";
      case CLOSED_WITHOUT_ANSWER -> "the server closed the connection without answering";
      case CONNECTION_ERROR -> e.tcpError().message();
    };
    return "DNS query id " + id(e.id()) + " " + question(e.qname(), e.qtype()) + " over TCP"
        + (ipv6(e.server()) ? "/IPv6" : "") + " to " + e.server() + " failed: " + why;
  }

  // ---- the server: transport and gatekeeping -------------------------------------------------

  @Override
  public String started(DnsEvent.Started e) {
    String role = switch (e.role()) {
      case AUTHORITATIVE -> "authoritative for " + String.join(", ", e.zones());
      case FORWARDER -> "caching forwarder to " + e.upstream();
    };
    return "starts a DNS server (" + role + ") on UDP and TCP port " + PORT + (e.ipv6() ? ", over IPv4 and IPv6" : "");
  }

  @Override
  public String dropped(DnsEvent.Dropped e) {
    String why = switch (e.why()) {
      case FROM_PORT_ZERO -> "from port 0, which cannot be answered";
      case SHORTER_THAN_HEADER -> "shorter than a DNS header";
      case RESPONSE -> "a response (QR set), not a query";
      case INTERNAL_ERROR -> "internal error: " + e.error();
    };
    return "drops a DNS message (" + e.bytes() + " bytes) from " + e.client() + " port " + e.port() + ": " + why;
  }

  @Override
  public String rejected(DnsEvent.Rejected e) {
    String q = e.qname() == null ? "a query" : question(e.qname(), e.qtype(), e.qclass());
    String what = switch (e.why()) {
      case MALFORMED -> "a malformed query (" + e.bytes() + " bytes: " + e.error() + ")";
      case OPCODE -> "opcode " + e.opcode() + ", which it does not implement";
      case QUESTION_COUNT -> "a query with " + e.questions() + " questions (it must have exactly one)";
      case CLASS_NOT_SERVED -> q + ": it serves class IN only";
      case NO_SUCH_CLASS -> q + ": class " + classNumber(e.qclass()) + " does not exist";
      case META_TYPE -> q + ": a meta-type cannot be asked for";
      case ZONE_TRANSFER -> q + ": zone transfers are not offered";
      case OBSOLETE_TYPE -> q + ": obsolete query type";
      case OPT_RECORDS -> q + " with " + e.optRecords() + " OPT records";
      case EDNS_VERSION -> q + " with EDNS version " + e.ednsVersion();
    };
    return "answers " + what + " from " + e.client() + " port " + e.port() + " with " + e.rcode();
  }

  @Override
  public String serveFailed(DnsEvent.ServeFailed e) {
    return "answers " + question(e.qname(), e.qtype()) + " with SERVFAIL: internal error " + e.error();
  }

  @Override
  public String servedTruncated(DnsEvent.ServedTruncated e) {
    return "the answer to " + question(e.qname(), e.qtype()) + " (" + e.bytes() + " bytes) exceeds the client's UDP"
        + " limit of " + e.limit() + " bytes: sends it truncated (TC), so the client asks again over TCP";
  }

  @Override
  public String tcpIdleClosed(DnsEvent.TcpIdleClosed e) {
    return "closes the idle DNS-over-TCP connection from " + e.client() + " port " + e.port() + " after "
        + seconds(e.idleNanos()) + " without a query";
  }

  // ---- the authoritative role ----------------------------------------------------------------

  @Override
  public String served(DnsEvent.Served e) {
    DnsResponse r = e.response();
    boolean negative = r.outcome() == DnsResponse.Outcome.NXDOMAIN || r.answer().isEmpty() && e.authoritative();
    return "answers " + question(e.qname(), e.qtype()) + " from zone " + e.zone() + ": "
        + outcome(r, e.qname(), e.qtype()) + (negative ? ", with the SOA in the authority section" : "")
        + (e.authoritative() ? " (authoritative)" : " (not authoritative)");
  }

  @Override
  public String outOfZone(DnsEvent.OutOfZone e) {
    return "refuses " + question(e.qname(), e.qtype())
        + ": the name is in no zone it serves (REFUSED; it does not recurse)";
  }

  // ---- the forwarder role --------------------------------------------------------------------

  @Override
  public String servedFromCache(DnsEvent.ServedFromCache e) {
    return "answers " + question(e.qname(), e.qtype()) + " from its cache (stored " + e.ageSeconds()
        + " s ago, TTLs counted down): " + answers(e.response(), e.qname(), e.qtype());
  }

  @Override
  public String forwarded(DnsEvent.Forwarded e) {
    return question(e.qname(), e.qtype()) + ": cache miss; forwards to " + e.upstream();
  }

  @Override
  public String forwardJoined(DnsEvent.ForwardJoined e) {
    return question(e.qname(), e.qtype()) + ": not in its cache; already asked " + e.upstream()
        + ", so it waits for that answer";
  }

  @Override
  public String forwarderCached(DnsEvent.ForwarderCached e) {
    String q = question(e.qname(), e.qtype());
    return e.ttl() > 0 ? "caches the answer to " + q + " for " + e.ttl() + " s"
        + (e.negative() ? " (negative, RFC 2308)" : "") : "does not cache the answer to " + q;
  }

  @Override
  public String servedFromUpstream(DnsEvent.ServedFromUpstream e) {
    return "answers " + question(e.qname(), e.qtype()) + " with the answer from " + e.upstream() + ": "
        + answers(e.response(), e.qname(), e.qtype());
  }

  @Override
  public String upstreamFailed(DnsEvent.UpstreamFailed e) {
    return "answers " + question(e.qname(), e.qtype()) + " with SERVFAIL: no usable answer from " + e.upstream() + " ("
        + (e.upstreamRcode() != null ? "it answered " + e.upstreamRcode() : e.error()) + ")";
  }

  // ---- words for values ----------------------------------------------------------------------

  /** True for an address written as IPv6 (it has a colon). */
  static boolean ipv6(String address) {
    return address != null && address.indexOf(':') >= 0;
  }

  /**
   * How a message to {@code server} travels, after its address: nothing over UDP/IPv4 (the
   * classic story), {@code over TCP}, {@code over UDP/IPv6}, {@code over TCP/IPv6}.
   */
  static String over(String server, DnsEvent.Transport t) {
    return ipv6(server) ? " over " + t + "/IPv6" : t == DnsEvent.Transport.TCP ? " over TCP" : "";
  }

  static String id(int id) {
    return String.format(Locale.ROOT, "0x%04x", id);
  }

  /** {@code A? payroll.corp.com}. */
  static String question(String qname, String qtype) {
    return qtype + "? " + qname;
  }

  /** {@code A? payroll.corp.com}, with the class when it is not IN. */
  static String question(String qname, String qtype, String qclass) {
    return question(qname, qtype) + (qclass == null || qclass.equals("IN") ? "" : " (class " + qclass + ")");
  }

  /** The number of a class as written in presentation format ({@code CLASS42}: 42, RFC 3597). */
  private static String classNumber(String qclass) {
    return qclass != null && qclass.startsWith("CLASS") && qclass.length() > 5 ? qclass.substring(5) : qclass;
  }

  /** getaddrinfo's words, as gai_strerror gives them. */
  static String gaiError(DnsEvent.GaiError e) {
    return switch (e) {
      case EAI_NONAME -> "Name or service not known";
      case EAI_AGAIN -> "Temporary failure in name resolution";
    };
  }

  /** {@code 5 s}, or {@code 1.5 s}. */
  static String seconds(long nanos) {
    double s = nanos / 1e9;
    return s == Math.rint(s) ? (long) s + " s" : String.format(Locale.ROOT, "%.1f s", s);
  }

  /**
   * What a response says, in a few words: the data of the answer for {@code qname} alone
   * ({@code 192.168.5.100}), or every RRset with its owner when there is more (a CNAME chain), or
   * the negative outcome ({@code no such name (NXDOMAIN)}, {@code no A records (NODATA)}), or a
   * referral, or the rcode.
   */
  static String outcome(DnsResponse r, String qname, String qtype) {
    return switch (r.outcome()) {
      case NXDOMAIN -> "no such name (NXDOMAIN)";
      case ERROR -> r.rcode();
      case REFERRAL -> "referral to " + r.referral().name() + " NS " + data(r.referral());
      case NODATA -> "no " + qtype + " records (NODATA)";
      case ANSWER -> r.answer().size() == 1 && r.answer().get(0).name().equalsIgnoreCase(qname)
          ? data(r.answer().get(0)) : rrsets(r.answer());
    };
  }

  /** The answer section as RRsets, or the negative outcome when there is no answer. */
  static String answers(DnsResponse r, String qname, String qtype) {
    return r.outcome() == DnsResponse.Outcome.ANSWER ? rrsets(r.answer()) : outcome(r, qname, qtype);
  }

  /** {@code payroll.corp.com A 192.168.5.100 (TTL 300)}; RRsets joined by "; ". */
  static String rrsets(List<DnsRrset> sets) {
    List<String> parts = new ArrayList<>();
    for (DnsRrset s : sets) {
      parts.add(s.name() + " " + s.type() + " " + data(s) + " (TTL " + s.ttl() + ")");
    }
    return String.join("; ", parts);
  }

  /** The records' data, comma-separated, and how many more there are. */
  static String data(DnsRrset s) {
    String shown = String.join(", ", s.data());
    int more = s.count() - s.data().size();
    return more > 0 ? shown + " and " + more + " more" : shown;
  }
}
