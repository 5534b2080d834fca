package emu.node.dns;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a DNS client side did (the stub resolver's, or the forwarder's toward its upstream):
 * plain fields, written on the node's event loop only.
 */
public final class ResolverCounters {
  /** Lookups answered from the hosts table. */
  public long hostsHits;
  /** Lookups answered from the cache (no packet sent). */
  public long cacheHits;
  /** Lookups the cache could not answer. */
  public long cacheMisses;
  /** Exchanges started with a server (one per question; retries not included). */
  public long queries;
  /** UDP datagrams sent, retransmissions included. */
  public long udpSent;
  /** Retransmissions after a timeout. */
  public long retries;
  /** Exchanges that ended without an answer after every retry. */
  public long timeouts;
  /** Replies ignored because their ID, question, source address or port did not match (RFC 5452). */
  public long spoofed;
  /** Replies that could not be parsed. */
  public long malformed;
  /** Truncated (TC) UDP answers retried over TCP. */
  public long truncated;
  /** Queries sent over TCP. */
  public long tcpQueries;
  /** Exchanges that ended with ICMP port unreachable or a refused TCP connection. */
  public long refused;
  /** Times a query moved on to the next server, the one asked having failed (not timeouts). */
  public long failovers;
  /** Accepted answers. */
  public long answers;
  private static final int RCODES = 24;
  private final long[] byRcode = new long[RCODES];

  /** An accepted answer with this response code. */
  void answered(int rcode) {
    answers++;
    byRcode[Math.min(Math.max(rcode, 0), RCODES - 1)]++;
  }

  /** Accepted answers with this response code. */
  public long answers(int rcode) {
    return rcode < 0 || rcode >= RCODES ? 0 : byRcode[rcode];
  }

  public Map<String, Long> asMap() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("hosts_hits", hostsHits);
    m.put("cache_hits", cacheHits);
    m.put("cache_misses", cacheMisses);
    m.put("queries", queries);
    m.put("udp_sent", udpSent);
    m.put("retries", retries);
    m.put("timeouts", timeouts);
    m.put("spoofed", spoofed);
    m.put("malformed", malformed);
    m.put("truncated", truncated);
    m.put("tcp_queries", tcpQueries);
    m.put("refused", refused);
    m.put("failovers", failovers);
    m.put("answers", answers);
    return m;
  }

  @Override
  public String toString() {
    return asMap().toString();
  }
}
