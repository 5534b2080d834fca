package emu.node.wire;

import io.netty.buffer.ByteBuf;

/**
 * Zero-copy view of an IPv4 header (RFC 791):
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |Type of Service|          Total Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|      Fragment Offset    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options (IHL > 5)                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>{@link #wrap} is unchecked (for packets we build); untrusted bytes must pass
 * {@link #check} first, which validates version, IHL and total length against the bytes
 * present. The checksum is verified separately ({@link #checksumValid}) so the two failures
 * can be counted apart.
 */
public final class Ipv4Packet {
  public static final int VER_IHL = 0;
  public static final int TOS = 1;
  public static final int TOTAL_LENGTH = 2;
  public static final int IDENT = 4;
  public static final int FLAGS_FRAG = 6;
  public static final int TTL = 8;
  public static final int PROTOCOL = 9;
  public static final int CHECKSUM = 10;
  public static final int SRC = 12;
  public static final int DST = 16;
  public static final int MIN_HEADER_LEN = 20;

  public static final int FLAG_DF = 0x4000;
  public static final int FLAG_MF = 0x2000;
  public static final int FRAG_OFFSET_MASK = 0x1FFF;

  public static final int PROTO_ICMP = 1;
  public static final int PROTO_TCP = 6;
  public static final int PROTO_UDP = 17;

  /** Outcome of {@link #check}. */
  public enum Check { OK, TRUNCATED, BAD_VERSION, BAD_IHL, BAD_TOTAL_LENGTH }

  private ByteBuf buf;
  private int start;

  public Ipv4Packet wrap(ByteBuf buf, int start) {
    this.buf = buf;
    this.start = start;
    return this;
  }

  /**
   * Validates the header's lengths against the bytes present from the start to the buffer's
   * writer index (which may include link-layer padding after the packet).
   */
  public Check check() {
    int available = buf.writerIndex() - start;
    if (available < MIN_HEADER_LEN) {
      return Check.TRUNCATED;
    }
    int verIhl = buf.getUnsignedByte(start);
    if ((verIhl >>> 4) != 4) {
      return Check.BAD_VERSION;
    }
    int hl = (verIhl & 0xF) * 4;
    if (hl < MIN_HEADER_LEN || hl > available) {
      return Check.BAD_IHL;
    }
    int total = totalLength();
    if (total < hl || total > available) {
      return Check.BAD_TOTAL_LENGTH;
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

  public int headerLength() {
    return (buf.getUnsignedByte(start) & 0xF) * 4;
  }

  public int tos() {
    return buf.getUnsignedByte(start + TOS);
  }

  public int totalLength() {
    return buf.getUnsignedShort(start + TOTAL_LENGTH);
  }

  public int ident() {
    return buf.getUnsignedShort(start + IDENT);
  }

  public int flagsFragment() {
    return buf.getUnsignedShort(start + FLAGS_FRAG);
  }

  public boolean dontFragment() {
    return (flagsFragment() & FLAG_DF) != 0;
  }

  public boolean moreFragments() {
    return (flagsFragment() & FLAG_MF) != 0;
  }

  /** Fragment offset in bytes. */
  public int fragmentOffset() {
    return (flagsFragment() & FRAG_OFFSET_MASK) * 8;
  }

  public boolean isFragment() {
    return (flagsFragment() & (FLAG_MF | FRAG_OFFSET_MASK)) != 0;
  }

  public int ttl() {
    return buf.getUnsignedByte(start + TTL);
  }

  public int protocol() {
    return buf.getUnsignedByte(start + PROTOCOL);
  }

  public int checksum() {
    return buf.getUnsignedShort(start + CHECKSUM);
  }

  public int src() {
    return buf.getInt(start + SRC);
  }

  public int dst() {
    return buf.getInt(start + DST);
  }

  /** Absolute index of the first payload byte. */
  public int payloadIndex() {
    return start + headerLength();
  }

  public int payloadLength() {
    return totalLength() - headerLength();
  }

  public boolean checksumValid() {
    return Checksum.verify(buf, start, headerLength());
  }

  public Ipv4Packet verIhl(int headerLength) {
    buf.setByte(start, 0x40 | (headerLength / 4));
    return this;
  }

  public Ipv4Packet tos(int tos) {
    buf.setByte(start + TOS, tos);
    return this;
  }

  public Ipv4Packet totalLength(int len) {
    buf.setShort(start + TOTAL_LENGTH, len);
    return this;
  }

  public Ipv4Packet ident(int ident) {
    buf.setShort(start + IDENT, ident);
    return this;
  }

  public Ipv4Packet flagsFragment(int v) {
    buf.setShort(start + FLAGS_FRAG, v);
    return this;
  }

  public Ipv4Packet ttl(int ttl) {
    buf.setByte(start + TTL, ttl);
    return this;
  }

  public Ipv4Packet protocol(int protocol) {
    buf.setByte(start + PROTOCOL, protocol);
    return this;
  }

  public Ipv4Packet checksum(int checksum) {
    buf.setShort(start + CHECKSUM, checksum);
    return this;
  }

  public Ipv4Packet src(int addr) {
    buf.setInt(start + SRC, addr);
    return this;
  }

  public Ipv4Packet dst(int addr) {
    buf.setInt(start + DST, addr);
    return this;
  }

  /** Recomputes the header checksum from scratch. */
  public Ipv4Packet fillChecksum() {
    checksum(0);
    checksum(Checksum.compute(buf, start, headerLength()));
    return this;
  }

  /**
   * Decrements TTL and patches the checksum incrementally (RFC 1624): the TTL shares a 16-bit
   * word with the protocol, so only that word changes. Returns the new TTL.
   */
  public int decrementTtl() {
    int oldWord = buf.getUnsignedShort(start + TTL);
    int newWord = oldWord - 0x100;
    buf.setShort(start + TTL, newWord);
    checksum(Checksum.update(checksum(), oldWord, newWord));
    return newWord >>> 8;
  }

  /** Static accessor: destination address of the packet at {@code start}. */
  public static int dst(ByteBuf buf, int start) {
    return buf.getInt(start + DST);
  }

  /** The fields of a header without options, as a value: parse from a view, emit into one. */
  public record Repr(int src, int dst, int protocol, int ttl, int ident, boolean dontFragment,
                     int tos, int payloadLength) {
    public static Repr parse(Ipv4Packet p) {
      return new Repr(p.src(), p.dst(), p.protocol(), p.ttl(), p.ident(), p.dontFragment(), p.tos(),
          p.payloadLength());
    }

    /** Writes a 20-byte header with its checksum; the buffer must already span it. */
    public void emit(Ipv4Packet p) {
      p.verIhl(MIN_HEADER_LEN).tos(tos).totalLength(MIN_HEADER_LEN + payloadLength).ident(ident)
          .flagsFragment(dontFragment ? FLAG_DF : 0).ttl(ttl).protocol(protocol).src(src).dst(dst)
          .fillChecksum();
    }

    public int bufferLen() {
      return MIN_HEADER_LEN;
    }
  }
}
