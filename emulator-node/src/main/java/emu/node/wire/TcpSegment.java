package emu.node.wire;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * Zero-copy view of a TCP segment (RFC 9293 section 3.1):
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * |       |       |R|E|G|K|H|T|N|N|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options (data offset > 5)                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                             Data                              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>{@link #wrap} is unchecked (for segments we build); untrusted bytes must pass
 * {@link #check} first. The checksum ({@link #checksumValid}) covers the pseudo-header, so it
 * needs the IP addresses, and is verified separately so the two failures are counted apart.
 * Sequence and acknowledgment numbers are plain {@code int}s, compared modulo 2^32 by
 * {@code emu.node.tcp.SeqNum}.
 */
public final class TcpSegment {
  public static final int SRC_PORT = 0;
  public static final int DST_PORT = 2;
  public static final int SEQ = 4;
  public static final int ACK_NUM = 8;
  public static final int DATA_OFFSET = 12;
  public static final int FLAGS = 13;
  public static final int WINDOW = 14;
  public static final int CHECKSUM = 16;
  public static final int URGENT = 18;
  public static final int HEADER_LEN = 20;
  /** Data offset is 4 bits of 32-bit words: at most 60 bytes of header, 40 of options. */
  public static final int MAX_HEADER_LEN = 60;

  public static final int FIN = 0x01;
  public static final int SYN = 0x02;
  public static final int RST = 0x04;
  public static final int PSH = 0x08;
  public static final int ACK = 0x10;
  public static final int URG = 0x20;
  public static final int ECE = 0x40;
  public static final int CWR = 0x80;

  /** Outcome of {@link #check}. */
  public enum Check { OK, TRUNCATED, BAD_DATA_OFFSET }

  private ByteBuf buf;
  private int start;
  private int length;

  /** Views a segment that the IP header says is {@code ipPayloadLength} bytes long. */
  public TcpSegment wrap(ByteBuf buf, int start, int ipPayloadLength) {
    this.buf = buf;
    this.start = start;
    this.length = ipPayloadLength;
    return this;
  }

  /**
   * At least a 20-byte header present, all of the IP payload present, and a data offset of at
   * least 5 words that does not run past the segment.
   */
  public Check check() {
    if (length < HEADER_LEN || buf.writerIndex() - start < length) {
      return Check.TRUNCATED;
    }
    int hl = headerLength();
    if (hl < HEADER_LEN || hl > length) {
      return Check.BAD_DATA_OFFSET;
    }
    return Check.OK;
  }

  public ByteBuf buffer() {
    return buf;
  }

  public int start() {
    return start;
  }

  /** Header, options and data: the IP payload length. */
  public int length() {
    return length;
  }

  public int srcPort() {
    return buf.getUnsignedShort(start + SRC_PORT);
  }

  public int dstPort() {
    return buf.getUnsignedShort(start + DST_PORT);
  }

  public int seq() {
    return buf.getInt(start + SEQ);
  }

  public int ack() {
    return buf.getInt(start + ACK_NUM);
  }

  /** Header length in bytes (the data offset field times 4). */
  public int headerLength() {
    return (buf.getUnsignedByte(start + DATA_OFFSET) >>> 4) * 4;
  }

  /** The eight flag bits (CWR ECE URG ACK PSH RST SYN FIN). */
  public int flags() {
    return buf.getUnsignedByte(start + FLAGS);
  }

  public boolean hasFlags(int mask) {
    return (flags() & mask) == mask;
  }

  /** The raw window field (before any window scaling). */
  public int window() {
    return buf.getUnsignedShort(start + WINDOW);
  }

  public int checksum() {
    return buf.getUnsignedShort(start + CHECKSUM);
  }

  public int urgentPointer() {
    return buf.getUnsignedShort(start + URGENT);
  }

  public int optionsIndex() {
    return start + HEADER_LEN;
  }

  public int optionsLength() {
    return headerLength() - HEADER_LEN;
  }

  public int payloadIndex() {
    return start + headerLength();
  }

  public int payloadLength() {
    return length - headerLength();
  }

  /** SEG.LEN of RFC 9293: data bytes plus one for SYN and one for FIN. */
  public int sequenceLength() {
    int f = flags();
    return payloadLength() + ((f & SYN) != 0 ? 1 : 0) + ((f & FIN) != 0 ? 1 : 0);
  }

  public boolean checksumValid(int srcIp, int dstIp) {
    return checksumValid(Checksum.pseudoHeader(srcIp, dstIp, Ipv4Packet.PROTO_TCP, length));
  }

  /** True if the segment sums to all ones with {@code pseudoHeader} (any family's). */
  public boolean checksumValid(long pseudoHeader) {
    return Checksum.fold(Checksum.add(pseudoHeader, buf, start, length)) == 0xFFFF;
  }

  public TcpSegment srcPort(int port) {
    buf.setShort(start + SRC_PORT, port);
    return this;
  }

  public TcpSegment dstPort(int port) {
    buf.setShort(start + DST_PORT, port);
    return this;
  }

  public TcpSegment seq(int seq) {
    buf.setInt(start + SEQ, seq);
    return this;
  }

  public TcpSegment ack(int ack) {
    buf.setInt(start + ACK_NUM, ack);
    return this;
  }

  /** Sets the data offset from a header length in bytes (a multiple of 4); clears the reserved bits. */
  public TcpSegment headerLength(int bytes) {
    buf.setByte(start + DATA_OFFSET, (bytes / 4) << 4);
    return this;
  }

  public TcpSegment flags(int flags) {
    buf.setByte(start + FLAGS, flags);
    return this;
  }

  public TcpSegment window(int window) {
    buf.setShort(start + WINDOW, window);
    return this;
  }

  public TcpSegment checksum(int sum) {
    buf.setShort(start + CHECKSUM, sum);
    return this;
  }

  public TcpSegment urgentPointer(int urgent) {
    buf.setShort(start + URGENT, urgent);
    return this;
  }

  /** Computes the checksum over pseudo-header, header, options and data. */
  public TcpSegment fillChecksum(int srcIp, int dstIp) {
    return fillChecksum(Checksum.pseudoHeader(srcIp, dstIp, Ipv4Packet.PROTO_TCP, length));
  }

  /** Computes the checksum with {@code pseudoHeader} (any family's). */
  public TcpSegment fillChecksum(long pseudoHeader) {
    checksum(0);
    checksum(Checksum.finish(Checksum.add(pseudoHeader, buf, start, length)));
    return this;
  }

  /** Static accessor: the flags of the segment at {@code start}. */
  public static int flags(ByteBuf buf, int start) {
    return buf.getUnsignedByte(start + FLAGS);
  }

  /** Flags as tcpdump prints them: {@code S}, {@code S.}, {@code F.}, {@code R}, {@code P.}... */
  public static String flagString(int flags) {
    StringBuilder sb = new StringBuilder();
    if ((flags & SYN) != 0) {
      sb.append('S');
    }
    if ((flags & FIN) != 0) {
      sb.append('F');
    }
    if ((flags & RST) != 0) {
      sb.append('R');
    }
    if ((flags & PSH) != 0) {
      sb.append('P');
    }
    if ((flags & URG) != 0) {
      sb.append('U');
    }
    if ((flags & ECE) != 0) {
      sb.append('E');
    }
    if ((flags & CWR) != 0) {
      sb.append('W');
    }
    if ((flags & ACK) != 0) {
      sb.append('.');
    }
    return sb.length() == 0 ? "none" : sb.toString();
  }

  /**
   * The header as a value. {@code options} may be null (no options); it is copied on parse and
   * read on emit, never kept by a view.
   */
  public record Repr(int srcPort, int dstPort, int seq, int ack, int flags, int window, int urgentPointer,
                     TcpOptions options, int payloadLength) {
    /** Parses a checked segment; returns null if its options are malformed. */
    public static Repr parse(TcpSegment s) {
      TcpOptions o = new TcpOptions();
      if (!o.parse(s.buffer(), s.optionsIndex(), s.optionsLength())) {
        return null;
      }
      return new Repr(s.srcPort(), s.dstPort(), s.seq(), s.ack(), s.flags(), s.window(), s.urgentPointer(),
          o.isEmpty() ? null : o, s.payloadLength());
    }

    /** Header length with options padded to 4 bytes. */
    public int bufferLen() {
      return HEADER_LEN + (options == null ? 0 : options.length());
    }

    /**
     * Writes header and options, then the checksum over the whole segment; the view must span
     * {@link #bufferLen()} plus the payload, which must already be in place.
     */
    public void emit(TcpSegment s, int srcIp, int dstIp) {
      int hl = bufferLen();
      s.srcPort(srcPort).dstPort(dstPort).seq(seq).ack(ack).headerLength(hl).flags(flags).window(window)
          .urgentPointer(urgentPointer);
      if (options != null) {
        options.emit(s.buffer(), s.optionsIndex());
      }
      s.fillChecksum(srcIp, dstIp);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Repr r && r.srcPort == srcPort && r.dstPort == dstPort && r.seq == seq && r.ack == ack
          && r.flags == flags && r.window == window && r.urgentPointer == urgentPointer
          && r.payloadLength == payloadLength && Objects.equals(normal(options), normal(r.options));
    }

    @Override
    public int hashCode() {
      return Objects.hash(srcPort, dstPort, seq, ack, flags, window, payloadLength);
    }

    private static TcpOptions normal(TcpOptions o) {
      return o == null || o.isEmpty() ? null : o;
    }
  }
}
