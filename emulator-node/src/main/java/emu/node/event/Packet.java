package emu.node.event;

/**
 * What an IP packet was, as tcpdump would summarise it: its {@code version} (4 or 6), the
 * header's fields ({@code length} is the total length, {@code headerLength} the header's, IPv4
 * options or IPv6 extension headers included; {@code ttl} is IPv6's hop limit and
 * {@code protocol} its upper-layer next header) and, for the first fragment, the transport header's, in
 * exactly one of {@code icmp}, {@code udp} or {@code tcp} (none for other protocols, later
 * fragments, or a transport header that did not parse: {@code malformed}); an OSPFv2 packet's
 * header is in {@code ospf} (null for other protocols, and in events files written before it
 * was recorded). IPv6 has no
 * identification: {@code id} is then the upper layer's checksum, which no router changes, so a
 * packet sent and the same packet received still pair up (to order events of hosts whose clocks
 * differ); ICMP there is ICMPv6. An IPv6 packet with a fragment header has its identification in
 * {@code fragmentId} (null without one); the first fragment's transport header is read as far
 * as it goes (ports, type), without the checks only the whole packet can pass.
 */
public record Packet(int version, String src, String dst, int protocol, int ttl, int id, int length, int headerLength,
                     int fragmentOffset,
                     boolean malformed, Icmp icmp, Udp udp, Tcp tcp, Long fragmentId, Ospf ospf) {
  /** A packet that is not OSPF. */
  public Packet(int version, String src, String dst, int protocol, int ttl, int id, int length, int headerLength,
                int fragmentOffset, boolean malformed, Icmp icmp, Udp udp, Tcp tcp, Long fragmentId) {
    this(version, src, dst, protocol, ttl, id, length, headerLength, fragmentOffset, malformed, icmp, udp, tcp,
        fragmentId, null);
  }

  /** Bytes after the IPv4 header. */
  public int payloadLength() {
    return length - headerLength;
  }


  /** ICMP: type and code; identifier and sequence for echo request and reply, else null. */
  public record Icmp(int type, int code, Integer ident, Integer seq) {}

  /** UDP: ports and payload length. */
  public record Udp(int srcPort, int dstPort, int length) {}

  /**
   * TCP: ports, flags as tcpdump writes them ({@code S.} for SYN,ACK), absolute sequence and
   * acknowledgment numbers (ack null without ACK), window, options present (null or false when
   * absent), SACK blocks, payload length.
   */
  public record Tcp(int srcPort, int dstPort, String flags, long seq, Long ack, int window, Integer mss,
                    boolean sackOk, Long tsVal, Long tsEcr, Integer wscale, int sackBlocks, int length) {}

  /**
   * OSPFv2 (RFC 2328 A.3.1): the packet's {@code type} (1 Hello, 2 DB Description, 3 LS Request,
   * 4 LS Update, 5 LS Ack), the sender's {@code routerId} (a dotted quad), and for an LS Update
   * the number of LSAs it carries ({@code lsas}, null for the other types).
   */
  public record Ospf(int type, String routerId, Integer lsas) {}
}
