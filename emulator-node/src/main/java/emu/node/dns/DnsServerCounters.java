package emu.node.dns;

import java.util.LinkedHashMap;
import java.util.Map;
import org.xbill.DNS.Rcode;

/**
 * What a DNS server did: plain fields and a per-rcode table, written on the node's event loop
 * only. Every message that arrives is either answered (counted under its rcode) or dropped.
 */
public final class DnsServerCounters {
  private static final int RCODES = 24;

  /** Messages received over UDP, either family. */
  public long udpQueries;
  /** Messages received over TCP, either family. */
  public long tcpQueries;
  /** Of {@link #udpQueries}, those that came over IPv6. */
  public long udp6Queries;
  /** Of {@link #tcpQueries}, those that came over IPv6. */
  public long tcp6Queries;
  /** TCP connections accepted. */
  public long tcpConnections;
  /** TCP connections closed for idleness. */
  public long tcpIdleClosed;
  /** Messages not answered at all: shorter than a header, responses, or from port 0. */
  public long dropped;
  /** UDP answers sent truncated (TC) because they exceeded the client's size. */
  public long truncated;
  /** Forwarder: questions answered from the cache. */
  public long cacheHits;
  /** Forwarder: questions sent upstream (identical questions in flight share one). */
  public long forwarded;
  /** Forwarder: upstream exchanges that failed (each gave SERVFAIL). */
  public long upstreamFailures;
  /** Forwarder: records of upstream answers dropped as outside the bailiwick ({@link Bailiwick}). */
  public long outOfBailiwick;
  private final long[] byRcode = new long[RCODES];

  void answered(int rcode) {
    byRcode[Math.min(Math.max(rcode, 0), RCODES - 1)]++;
  }

  /** Answers sent with this rcode. */
  public long responses(int rcode) {
    return rcode < 0 || rcode >= RCODES ? 0 : byRcode[rcode];
  }

  /** Answers with FORMERR (malformed queries). */
  public long formerr() {
    return byRcode[Rcode.FORMERR];
  }

  public long queries() {
    return udpQueries + tcpQueries;
  }

  public Map<String, Long> asMap() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("udp_queries", udpQueries);
    m.put("tcp_queries", tcpQueries);
    m.put("udp6_queries", udp6Queries);
    m.put("tcp6_queries", tcp6Queries);
    m.put("tcp_connections", tcpConnections);
    m.put("tcp_idle_closed", tcpIdleClosed);
    m.put("dropped", dropped);
    m.put("truncated", truncated);
    m.put("cache_hits", cacheHits);
    m.put("forwarded", forwarded);
    m.put("upstream_failures", upstreamFailures);
    m.put("out_of_bailiwick", outOfBailiwick);
    for (int i = 0; i < RCODES; i++) {
      if (byRcode[i] != 0) {
        m.put("responses_" + Rcode.string(i).toLowerCase(java.util.Locale.ROOT), byRcode[i]);
      }
    }
    return m;
  }

  @Override
  public String toString() {
    return asMap().toString();
  }
}
