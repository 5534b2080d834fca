package emu.node.wire;

import io.netty.buffer.ByteBuf;

/**
 * Zero-copy view of an ICMPv6 message (RFC 4443):
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Identifier / Unused / MTU / Pointer (by type)               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Message Body                          |
 * </pre>
 *
 * <p>The checksum covers the IPv6 pseudo-header ({@link Ipv6Packet#pseudoHeader}) and the whole
 * message. Neighbour discovery messages (types 133-137) have their fields read by {@link Ndp}.
 */
public final class Icmpv6Packet {
  public static final int TYPE = 0;
  public static final int CODE = 1;
  public static final int CHECKSUM = 2;
  public static final int HEADER_LEN = 8;

  public static final int TYPE_DEST_UNREACHABLE = 1;
  public static final int TYPE_PACKET_TOO_BIG = 2;
  public static final int TYPE_TIME_EXCEEDED = 3;
  public static final int TYPE_PARAMETER_PROBLEM = 4;
  public static final int TYPE_ECHO_REQUEST = 128;
  public static final int TYPE_ECHO_REPLY = 129;
  public static final int TYPE_ROUTER_SOLICITATION = 133;
  public static final int TYPE_ROUTER_ADVERTISEMENT = 134;
  public static final int TYPE_NEIGHBOR_SOLICITATION = 135;
  public static final int TYPE_NEIGHBOR_ADVERTISEMENT = 136;
  public static final int TYPE_REDIRECT = 137;

  /** Destination unreachable codes (RFC 4443 3.1). */
  public static final int CODE_NO_ROUTE = 0;
  public static final int CODE_ADMIN_PROHIBITED = 1;
  public static final int CODE_ADDRESS_UNREACHABLE = 3;
  public static final int CODE_PORT_UNREACHABLE = 4;
  /** Time exceeded codes (RFC 4443 3.3). */
  public static final int CODE_HOP_LIMIT_EXCEEDED = 0;
  public static final int CODE_REASSEMBLY_TIME_EXCEEDED = 1;

  private ByteBuf buf;
  private int start;
  private int length;

  public Icmpv6Packet wrap(ByteBuf buf, int start, int length) {
    this.buf = buf;
    this.start = start;
    this.length = length;
    return this;
  }

  /** True if the message is at least the 8 bytes every ICMPv6 message starts with, and in the buffer. */
  public boolean check() {
    return length >= HEADER_LEN && start + length <= buf.writerIndex();
  }

  /** True for the error messages (types below 128, RFC 4443 2.1). */
  public boolean isError() {
    return type() < 128;
  }

  public ByteBuf buffer() {
    return buf;
  }

  public int start() {
    return start;
  }

  public int length() {
    return length;
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

  /** Echo: the identifier. */
  public int ident() {
    return buf.getUnsignedShort(start + 4);
  }

  /** Echo: the sequence number. */
  public int seq() {
    return buf.getUnsignedShort(start + 6);
  }

  /** Packet too big: the next hop's MTU. Parameter problem: the pointer. */
  public long word() {
    return buf.getUnsignedInt(start + 4);
  }

  /** Absolute index of the body after the 8-byte header (an error's quoted packet; echo data). */
  public int dataIndex() {
    return start + HEADER_LEN;
  }

  public int dataLength() {
    return length - HEADER_LEN;
  }

  /** True if the message sums to all ones with {@code pseudoHeader} (RFC 4443 2.3). */
  public boolean checksumValid(long pseudoHeader) {
    return Checksum.fold(Checksum.add(pseudoHeader, buf, start, length)) == 0xFFFF;
  }

  public Icmpv6Packet type(int type) {
    buf.setByte(start + TYPE, type);
    return this;
  }

  public Icmpv6Packet code(int code) {
    buf.setByte(start + CODE, code);
    return this;
  }

  public Icmpv6Packet checksum(int sum) {
    buf.setShort(start + CHECKSUM, sum);
    return this;
  }

  public Icmpv6Packet word(long w) {
    buf.setInt(start + 4, (int) w);
    return this;
  }

  public Icmpv6Packet echo(int ident, int seq) {
    buf.setShort(start + 4, ident);
    buf.setShort(start + 6, seq);
    return this;
  }

  /** Computes the checksum over {@code pseudoHeader} and the message. */
  public Icmpv6Packet fillChecksum(long pseudoHeader) {
    checksum(0);
    checksum(Checksum.finish(Checksum.add(pseudoHeader, buf, start, length)));
    return this;
  }
}
