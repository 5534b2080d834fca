package emu.node.wire;

import io.netty.buffer.ByteBuf;

/**
 * Zero-copy view of an IPv6 fixed header (RFC 8200 section 3):
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Traffic Class |           Flow Label                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +                         Source Address (128)                  +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +                      Destination Address (128)                +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>{@link #wrap} is unchecked (for packets we build); untrusted bytes must pass {@link #check}
 * first. There is no header checksum: forwarding decrements the hop limit and nothing else.
 * Extension headers after this one are walked by {@link Ipv6Extensions}.
 */
public final class Ipv6Packet {
  public static final int VER_TC_FLOW = 0;
  public static final int PAYLOAD_LENGTH = 4;
  public static final int NEXT_HEADER = 6;
  public static final int HOP_LIMIT = 7;
  public static final int SRC = 8;
  public static final int DST = 24;
  public static final int HEADER_LEN = 40;
  /** Every link that carries IPv6 has at least this MTU (RFC 8200 section 5). */
  public static final int MIN_MTU = 1280;

  /** Outcome of {@link #check}. */
  public enum Check { OK, TRUNCATED, BAD_VERSION, BAD_PAYLOAD_LENGTH }

  private ByteBuf buf;
  private int start;

  public Ipv6Packet wrap(ByteBuf buf, int start) {
    this.buf = buf;
    this.start = start;
    return this;
  }

  /**
   * Validates version and payload length against the bytes present from the start to the
   * writer index (which may include link-layer padding after the packet). A payload length of 0
   * with a hop-by-hop jumbo payload option (RFC 2675) is refused: no link of emu carries one.
   */
  public Check check() {
    int available = buf.writerIndex() - start;
    if (available < HEADER_LEN) {
      return Check.TRUNCATED;
    }
    if ((buf.getUnsignedByte(start) >>> 4) != 6) {
      return Check.BAD_VERSION;
    }
    int payload = payloadLength();
    if (HEADER_LEN + payload > available || payload == 0 && nextHeader() == Ipv6Extensions.HOP_BY_HOP) {
      return Check.BAD_PAYLOAD_LENGTH;
    }
    return Check.OK;
  }

  public ByteBuf buffer() {
    return buf;
  }

  public int start() {
    return start;
  }

  public int version() {
    return buf.getUnsignedByte(start) >>> 4;
  }

  public int trafficClass() {
    return (buf.getUnsignedShort(start) >>> 4) & 0xFF;
  }

  public int flowLabel() {
    return buf.getInt(start) & 0xF_FFFF;
  }

  /** Bytes after the fixed header: extension headers and the upper-layer payload. */
  public int payloadLength() {
    return buf.getUnsignedShort(start + PAYLOAD_LENGTH);
  }

  public int totalLength() {
    return HEADER_LEN + payloadLength();
  }

  public int nextHeader() {
    return buf.getUnsignedByte(start + NEXT_HEADER);
  }

  public int hopLimit() {
    return buf.getUnsignedByte(start + HOP_LIMIT);
  }

  public Ipv6Address src() {
    return Ipv6Address.read(buf, start + SRC);
  }

  public Ipv6Address dst() {
    return Ipv6Address.read(buf, start + DST);
  }

  /** The high 64 bits of the destination: for lookups that must not allocate. */
  public long dstHi() {
    return buf.getLong(start + DST);
  }

  public long dstLo() {
    return buf.getLong(start + DST + 8);
  }

  public long srcHi() {
    return buf.getLong(start + SRC);
  }

  public long srcLo() {
    return buf.getLong(start + SRC + 8);
  }

  /** Absolute index of the first byte after the fixed header. */
  public int payloadIndex() {
    return start + HEADER_LEN;
  }

  public Ipv6Packet versionTrafficClassFlow(int trafficClass, int flowLabel) {
    buf.setInt(start, (6 << 28) | ((trafficClass & 0xFF) << 20) | (flowLabel & 0xF_FFFF));
    return this;
  }

  public Ipv6Packet payloadLength(int len) {
    buf.setShort(start + PAYLOAD_LENGTH, len);
    return this;
  }

  public Ipv6Packet nextHeader(int nh) {
    buf.setByte(start + NEXT_HEADER, nh);
    return this;
  }

  public Ipv6Packet hopLimit(int hl) {
    buf.setByte(start + HOP_LIMIT, hl);
    return this;
  }

  public Ipv6Packet src(Ipv6Address a) {
    a.write(buf, start + SRC);
    return this;
  }

  public Ipv6Packet dst(Ipv6Address a) {
    a.write(buf, start + DST);
    return this;
  }

  /** Decrements the hop limit in place (no checksum to patch in IPv6); returns the new value. */
  public int decrementHopLimit() {
    int hl = hopLimit() - 1;
    hopLimit(hl);
    return hl;
  }

  /**
   * The upper-layer pseudo-header sum (RFC 8200 section 8.1) of the packet at {@code start}:
   * source and destination from the header, then {@code upperLength} and {@code nextHeader}
   * (the upper-layer protocol, not the fixed header's, when extension headers sit between).
   * Nothing is allocated.
   */
  public static long pseudoHeader(ByteBuf buf, int start, int upperLength, int nextHeader) {
    return Checksum.add(0, buf, start + SRC, 2 * Ipv6Address.LEN) + (upperLength >>> 16) + (upperLength & 0xFFFF)
        + nextHeader;
  }

  /** The same sum for addresses given as values (packets this node builds). */
  public static long pseudoHeader(Ipv6Address src, Ipv6Address dst, int upperLength, int nextHeader) {
    return words(src.hi()) + words(src.lo()) + words(dst.hi()) + words(dst.lo()) + (upperLength >>> 16)
        + (upperLength & 0xFFFF) + nextHeader;
  }

  /** The two 32-bit halves of {@code w}, summed (the checksum folds the carries later). */
  private static long words(long w) {
    return (w >>> 32) + (w & 0xFFFF_FFFFL);
  }

  /** The fixed header as a value: parse from a view, emit into one. */
  public record Repr(Ipv6Address src, Ipv6Address dst, int nextHeader, int hopLimit, int trafficClass, int flowLabel,
                     int payloadLength) {
    public static Repr parse(Ipv6Packet p) {
      return new Repr(p.src(), p.dst(), p.nextHeader(), p.hopLimit(), p.trafficClass(), p.flowLabel(),
          p.payloadLength());
    }

    /** Writes the 40-byte header; the buffer must already span it. */
    public void emit(Ipv6Packet p) {
      p.versionTrafficClassFlow(trafficClass, flowLabel).payloadLength(payloadLength).nextHeader(nextHeader)
          .hopLimit(hopLimit).src(src).dst(dst);
    }

    public int bufferLen() {
      return HEADER_LEN;
    }
  }
}
