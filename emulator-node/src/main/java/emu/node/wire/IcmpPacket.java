package emu.node.wire;

import io.netty.buffer.ByteBuf;

/**
 * Zero-copy view of an ICMP message (RFC 792):
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Identifier (echo) / unused  | Sequence (echo) / next-hop MTU|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data: echo payload, or the offending IP header + leading data|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * The message ends where its IP packet ends; {@link #wrap} takes that length.
 */
public final class IcmpPacket {
  public static final int TYPE = 0;
  public static final int CODE = 1;
  public static final int CHECKSUM = 2;
  public static final int IDENT = 4;
  public static final int SEQ = 6;
  public static final int NEXT_HOP_MTU = 6;
  public static final int HEADER_LEN = 8;

  public static final int TYPE_ECHO_REPLY = 0;
  public static final int TYPE_DEST_UNREACHABLE = 3;
  public static final int TYPE_ECHO_REQUEST = 8;
  public static final int TYPE_TIME_EXCEEDED = 11;
  public static final int TYPE_PARAMETER_PROBLEM = 12;

  public static final int CODE_NET_UNREACHABLE = 0;
  public static final int CODE_HOST_UNREACHABLE = 1;
  public static final int CODE_PROTOCOL_UNREACHABLE = 2;
  public static final int CODE_PORT_UNREACHABLE = 3;
  public static final int CODE_FRAGMENTATION_NEEDED = 4;
  public static final int CODE_TTL_EXCEEDED = 0;

  private ByteBuf buf;
  private int start;
  private int length;

  public IcmpPacket wrap(ByteBuf buf, int start, int length) {
    this.buf = buf;
    this.start = start;
    this.length = length;
    return this;
  }

  /** True if the message can hold its 8-byte header (lengths come from a checked IP header). */
  public boolean check() {
    return length >= HEADER_LEN && buf.writerIndex() - start >= length;
  }

  public int type() {
    return buf.getUnsignedByte(start + TYPE);
  }

  public int code() {
    return buf.getUnsignedByte(start + CODE);
  }

  public int checksum() {
    return buf.getUnsignedShort(start + CHECKSUM);
  }

  public int ident() {
    return buf.getUnsignedShort(start + IDENT);
  }

  public int seq() {
    return buf.getUnsignedShort(start + SEQ);
  }

  public int nextHopMtu() {
    return buf.getUnsignedShort(start + NEXT_HOP_MTU);
  }

  public int length() {
    return length;
  }

  public int dataIndex() {
    return start + HEADER_LEN;
  }

  public int dataLength() {
    return length - HEADER_LEN;
  }

  public boolean checksumValid() {
    return Checksum.verify(buf, start, length);
  }

  /** True for the error messages that quote an offending datagram (RFC 792, RFC 1122 3.2.2). */
  public boolean isError() {
    int t = type();
    return t == TYPE_DEST_UNREACHABLE || t == TYPE_TIME_EXCEEDED || t == TYPE_PARAMETER_PROBLEM
        || t == 4 /* source quench */ || t == 5 /* redirect */;
  }

  public IcmpPacket type(int type) {
    buf.setByte(start + TYPE, type);
    return this;
  }

  public IcmpPacket code(int code) {
    buf.setByte(start + CODE, code);
    return this;
  }

  public IcmpPacket checksum(int checksum) {
    buf.setShort(start + CHECKSUM, checksum);
    return this;
  }

  public IcmpPacket ident(int ident) {
    buf.setShort(start + IDENT, ident);
    return this;
  }

  public IcmpPacket seq(int seq) {
    buf.setShort(start + SEQ, seq);
    return this;
  }

  /** Sets the 4 bytes after the checksum as one word (zero for "unused"). */
  public IcmpPacket restOfHeader(int word) {
    buf.setInt(start + IDENT, word);
    return this;
  }

  public IcmpPacket fillChecksum() {
    checksum(0);
    checksum(Checksum.compute(buf, start, length));
    return this;
  }

  /** The 8-byte header as a value; {@code rest} is ident/seq for echo, MTU or zero for errors. */
  public record Repr(int type, int code, int rest) {
    public static Repr echo(int type, int ident, int seq) {
      return new Repr(type, 0, (ident << 16) | (seq & 0xFFFF));
    }

    public static Repr parse(IcmpPacket p) {
      return new Repr(p.type(), p.code(), p.buf.getInt(p.start + IDENT));
    }

    /** Writes the header and the checksum over the whole message (data must already be there). */
    public void emit(IcmpPacket p) {
      p.type(type).code(code).restOfHeader(rest).fillChecksum();
    }

    public int bufferLen() {
      return HEADER_LEN;
    }
  }
}
