package emu.node.wire;

import io.netty.buffer.ByteBuf;

/**
 * Zero-copy view of a UDP header (RFC 768):
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            Length             |           Checksum            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Data ...                             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class UdpDatagram {
  public static final int SRC_PORT = 0;
  public static final int DST_PORT = 2;
  public static final int LENGTH = 4;
  public static final int CHECKSUM = 6;
  public static final int HEADER_LEN = 8;

  private ByteBuf buf;
  private int start;
  private int ipPayloadLength;

  /** Views a datagram that the IP header says is {@code ipPayloadLength} bytes long. */
  public UdpDatagram wrap(ByteBuf buf, int start, int ipPayloadLength) {
    this.buf = buf;
    this.start = start;
    this.ipPayloadLength = ipPayloadLength;
    return this;
  }

  /** Length field at least 8 and within the IP payload. */
  public boolean check() {
    if (ipPayloadLength < HEADER_LEN || buf.writerIndex() - start < ipPayloadLength) {
      return false;
    }
    int len = length();
    return len >= HEADER_LEN && len <= ipPayloadLength;
  }

  public int srcPort() {
    return buf.getUnsignedShort(start + SRC_PORT);
  }

  public int dstPort() {
    return buf.getUnsignedShort(start + DST_PORT);
  }

  public int length() {
    return buf.getUnsignedShort(start + LENGTH);
  }

  public int checksum() {
    return buf.getUnsignedShort(start + CHECKSUM);
  }

  public int payloadIndex() {
    return start + HEADER_LEN;
  }

  public int payloadLength() {
    return length() - HEADER_LEN;
  }

  /** A zero checksum means the sender did not compute one (RFC 768), which IPv4 allows. */
  public boolean checksumValid(int srcIp, int dstIp) {
    return checksum() == 0 || checksumValid(Checksum.pseudoHeader(srcIp, dstIp, Ipv4Packet.PROTO_UDP, length()));
  }

  /**
   * True if the datagram sums to all ones with {@code pseudoHeader} (any family's). Over IPv6 a
   * zero checksum is invalid (RFC 8200 8.1), and this says so: it does not sum to all ones.
   */
  public boolean checksumValid(long pseudoHeader) {
    return Checksum.fold(Checksum.add(pseudoHeader, buf, start, length())) == 0xFFFF;
  }

  public UdpDatagram srcPort(int port) {
    buf.setShort(start + SRC_PORT, port);
    return this;
  }

  public UdpDatagram dstPort(int port) {
    buf.setShort(start + DST_PORT, port);
    return this;
  }

  public UdpDatagram length(int len) {
    buf.setShort(start + LENGTH, len);
    return this;
  }

  public UdpDatagram checksum(int sum) {
    buf.setShort(start + CHECKSUM, sum);
    return this;
  }

  /** Computes the checksum over pseudo-header, header and data; 0 is sent as 0xFFFF (RFC 768). */
  public UdpDatagram fillChecksum(int srcIp, int dstIp) {
    return fillChecksum(Checksum.pseudoHeader(srcIp, dstIp, Ipv4Packet.PROTO_UDP, length()));
  }

  /** Computes the checksum with {@code pseudoHeader} (any family's); 0 is sent as 0xFFFF. */
  public UdpDatagram fillChecksum(long pseudoHeader) {
    checksum(0);
    int sum = Checksum.finish(Checksum.add(pseudoHeader, buf, start, length()));
    checksum(sum == 0 ? 0xFFFF : sum);
    return this;
  }

  /** The header as a value; emit writes ports and length, then the checksum. */
  public record Repr(int srcPort, int dstPort, int payloadLength) {
    public static Repr parse(UdpDatagram d) {
      return new Repr(d.srcPort(), d.dstPort(), d.payloadLength());
    }

    public void emit(UdpDatagram d, int srcIp, int dstIp) {
      d.srcPort(srcPort).dstPort(dstPort).length(HEADER_LEN + payloadLength).fillChecksum(srcIp, dstIp);
    }

    public int bufferLen() {
      return HEADER_LEN;
    }
  }
}
