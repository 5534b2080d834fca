package emu.node.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Arrays;

/**
 * Zero-copy view of an OSPFv2 link state advertisement: its 20-byte header (RFC 2328 A.4.1) and,
 * through {@link #check}, the framing of the router-LSA and network-LSA bodies
 * ({@link OspfRouterLsa}, {@link OspfNetworkLsa}):
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            LS age             |    Options    |    LS type    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Link State ID                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Advertising Router                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     LS sequence number                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         LS checksum           |             length            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>The sequence number is a signed 32-bit integer compared as such (RFC 2328 12.1.6): from
 * {@link #INITIAL_SEQUENCE} (0x80000001) up to {@link #MAX_SEQUENCE} (0x7fffffff); 0x80000000 is
 * reserved. The checksum is {@link Fletcher}'s over the LSA from the options on (the age left out,
 * RFC 2328 12.1.7), its octets at offset 16.
 *
 * <p>The same view serves an LSA header alone (in a Database Description or an LS Ack, where the
 * body is absent: wrap it with {@link #HEADER_LEN} bytes and read only the header) and a whole LSA
 * (in an LS Update, where {@link #check} must pass before the body is believed).
 */
public final class OspfLsa {
  public static final int AGE = 0;
  public static final int OPTIONS = 2;
  public static final int TYPE = 3;
  public static final int LINK_STATE_ID = 4;
  public static final int ADVERTISING_ROUTER = 8;
  public static final int SEQUENCE = 12;
  public static final int CHECKSUM = 16;
  public static final int LENGTH = 18;
  public static final int HEADER_LEN = 20;

  public static final int TYPE_ROUTER = 1;
  public static final int TYPE_NETWORK = 2;
  public static final int TYPE_SUMMARY_NETWORK = 3;
  public static final int TYPE_SUMMARY_ASBR = 4;
  public static final int TYPE_AS_EXTERNAL = 5;

  /** RFC 2328 12.1.6: the first sequence number an LSA is originated with. */
  public static final int INITIAL_SEQUENCE = 0x8000_0001;
  /** RFC 2328 12.1.6: the last; the LSA must be flushed (MaxAge) before the numbers wrap. */
  public static final int MAX_SEQUENCE = 0x7fff_ffff;
  /** Seconds: an LSA this old is being flushed (RFC 2328 B). */
  public static final int MAX_AGE = 3600;
  /** Seconds: ages closer than this are the same instance (RFC 2328 B, 13.1). */
  public static final int MAX_AGE_DIFF = 900;
  /** Seconds: an originator refreshes its LSAs this often (RFC 2328 B). */
  public static final int LS_REFRESH_TIME = 1800;
  /** The DoNotAge bit of the age field (RFC 1793), not used by emu but kept out of {@link #age()}'s meaning. */
  public static final int DO_NOT_AGE = 0x8000;

  /** Why an LSA was refused; OK if it was not. */
  public enum Check {
    OK,
    /** Fewer bytes than the 20-byte header. */
    TRUNCATED,
    /** A length field shorter than the header or running past the bytes present. */
    BAD_LENGTH,
    /** The Fletcher checksum does not verify (RFC 2328 13, step 1). */
    BAD_CHECKSUM,
    /**
     * A router-LSA whose body is shorter than its 4-byte flags and count, or whose links (each
     * 12 bytes plus 4 per TOS metric) do not end exactly at the LSA's length.
     */
    BAD_ROUTER_LINKS,
    /** A network-LSA without its mask or whose attached routers are not whole 4-byte IDs. */
    BAD_NETWORK_BODY
  }

  private ByteBuf buf;
  private int start;
  private int available;

  /** Views the LSA at {@code start}, of which at most {@code available} bytes may be read. */
  public OspfLsa wrap(ByteBuf buf, int start, int available) {
    this.buf = buf;
    this.start = start;
    this.available = Math.max(0, Math.min(available, buf.writerIndex() - start));
    return this;
  }

  /**
   * Header present, length within [20, available], checksum correct, and for router- and
   * network-LSAs a body whose lists frame exactly. Other types are only framed: which of them a
   * receiver keeps is the protocol machine's decision (RFC 2328 13, step 2).
   */
  public Check check() {
    if (available < HEADER_LEN) {
      return Check.TRUNCATED;
    }
    int len = length();
    if (len < HEADER_LEN || len > available) {
      return Check.BAD_LENGTH;
    }
    if (!checksumValid()) {
      return Check.BAD_CHECKSUM;
    }
    return switch (type()) {
      case TYPE_ROUTER -> OspfRouterLsa.frames(buf, start, len) ? Check.OK : Check.BAD_ROUTER_LINKS;
      case TYPE_NETWORK -> len >= OspfNetworkLsa.ATTACHED && (len - OspfNetworkLsa.ATTACHED) % 4 == 0
          ? Check.OK : Check.BAD_NETWORK_BODY;
      default -> Check.OK;
    };
  }

  public ByteBuf buffer() {
    return buf;
  }

  public int start() {
    return start;
  }

  /** Seconds since origination (the DoNotAge bit masked off). */
  public int age() {
    return buf.getUnsignedShort(start + AGE) & ~DO_NOT_AGE;
  }

  public int options() {
    return buf.getUnsignedByte(start + OPTIONS);
  }

  public int type() {
    return buf.getUnsignedByte(start + TYPE);
  }

  public int linkStateId() {
    return buf.getInt(start + LINK_STATE_ID);
  }

  public int advertisingRouter() {
    return buf.getInt(start + ADVERTISING_ROUTER);
  }

  /** Signed: compare with {@code <}, not as unsigned. */
  public int sequence() {
    return buf.getInt(start + SEQUENCE);
  }

  public int checksum() {
    return buf.getUnsignedShort(start + CHECKSUM);
  }

  /** The whole LSA's length, header included. */
  public int length() {
    return buf.getUnsignedShort(start + LENGTH);
  }

  /** The Fletcher checksum verifies over the length's bytes, age left out. */
  public boolean checksumValid() {
    return Fletcher.verify(buf, start + OPTIONS, length() - OPTIONS, CHECKSUM - OPTIONS);
  }

  /** Sets the age in place; the checksum does not cover it, so nothing else changes (RFC 2328 13.3). */
  public OspfLsa age(int age) {
    buf.setShort(start + AGE, age);
    return this;
  }

  /** Recomputes the checksum over the LSA whose length field is already written. */
  public OspfLsa fillChecksum() {
    fillChecksum(buf, start);
    return this;
  }

  /** Fills the Fletcher checksum of the LSA at {@code start} whose length field is written. */
  public static void fillChecksum(ByteBuf buf, int start) {
    int len = buf.getUnsignedShort(start + LENGTH);
    Fletcher.fill(buf, start + OPTIONS, len - OPTIONS, CHECKSUM - OPTIONS);
  }

  /**
   * Which of two instances of the same LSA is more recent (RFC 2328 13.1): positive if the first,
   * negative if the second, zero if they are the same instance. Higher sequence number (signed),
   * then higher checksum, then the one at MaxAge, then, if the ages differ by more than
   * MaxAgeDiff, the younger.
   */
  public static int compareInstances(int seqA, int checksumA, int ageA, int seqB, int checksumB, int ageB) {
    if (seqA != seqB) {
      return seqA > seqB ? 1 : -1;
    }
    if (checksumA != checksumB) {
      return checksumA > checksumB ? 1 : -1;
    }
    boolean maxA = ageA >= MAX_AGE;
    boolean maxB = ageB >= MAX_AGE;
    if (maxA != maxB) {
      return maxA ? 1 : -1;
    }
    if (Math.abs(ageA - ageB) > MAX_AGE_DIFF) {
      return ageA < ageB ? 1 : -1;
    }
    return 0;
  }

  /** The 20-byte header as a value, as listed in Database Descriptions and LS Acks. */
  public record Header(int age, int options, int type, int linkStateId, int advertisingRouter, int sequence,
                       int checksum, int length) {
    public static Header read(ByteBuf buf, int at) {
      return new Header(buf.getUnsignedShort(at + AGE) & ~DO_NOT_AGE, buf.getUnsignedByte(at + OPTIONS),
          buf.getUnsignedByte(at + TYPE), buf.getInt(at + LINK_STATE_ID), buf.getInt(at + ADVERTISING_ROUTER),
          buf.getInt(at + SEQUENCE), buf.getUnsignedShort(at + CHECKSUM), buf.getUnsignedShort(at + LENGTH));
    }

    public static Header parse(OspfLsa lsa) {
      return read(lsa.buf, lsa.start);
    }

    public void write(ByteBuf buf, int at) {
      buf.setShort(at + AGE, age);
      buf.setByte(at + OPTIONS, options);
      buf.setByte(at + TYPE, type);
      buf.setInt(at + LINK_STATE_ID, linkStateId);
      buf.setInt(at + ADVERTISING_ROUTER, advertisingRouter);
      buf.setInt(at + SEQUENCE, sequence);
      buf.setShort(at + CHECKSUM, checksum);
      buf.setShort(at + LENGTH, length);
    }
  }

  /** An LSA's body as a value: how long it is and how to write it after the header. */
  public sealed interface Body permits OspfRouterLsa.Repr, OspfNetworkLsa.Repr, RawBody {
    int length();

    /** Writes the body at {@code at}, the first byte after the header. */
    void emit(ByteBuf buf, int at);
  }

  /** The body of an LSA type this package has no view for, kept as bytes. */
  public record RawBody(byte[] bytes) implements Body {
    public RawBody {
      bytes = bytes.clone();
    }

    @Override
    public int length() {
      return bytes.length;
    }

    @Override
    public void emit(ByteBuf buf, int at) {
      buf.setBytes(at, bytes);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof RawBody r && Arrays.equals(bytes, r.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "RawBody[" + ByteBufUtil.hexDump(bytes) + "]";
    }
  }

  /**
   * A whole LSA as a value; the length and checksum are derived when emitting. Router-LSA bodies
   * parse to {@link OspfRouterLsa.Repr}, network-LSA bodies to {@link OspfNetworkLsa.Repr}, others
   * to {@link RawBody}.
   */
  public record Repr(int age, int options, int type, int linkStateId, int advertisingRouter, int sequence,
                     Body body) {
    /** Parses an LSA that {@link OspfLsa#check} accepted. */
    public static Repr parse(OspfLsa lsa) {
      ByteBuf b = lsa.buf;
      int s = lsa.start;
      Body body = switch (lsa.type()) {
        case TYPE_ROUTER -> OspfRouterLsa.Repr.parse(b, s);
        case TYPE_NETWORK -> OspfNetworkLsa.Repr.parse(b, s, lsa.length());
        default -> new RawBody(ByteBufUtil.getBytes(b, s + HEADER_LEN, lsa.length() - HEADER_LEN));
      };
      return new Repr(lsa.age(), lsa.options(), lsa.type(), lsa.linkStateId(), lsa.advertisingRouter(),
          lsa.sequence(), body);
    }

    public int bufferLen() {
      return HEADER_LEN + body.length();
    }

    /** Writes the LSA at {@code at} with its length and checksum; returns its length. */
    public int emit(ByteBuf buf, int at) {
      int len = bufferLen();
      new Header(age, options, type, linkStateId, advertisingRouter, sequence, 0, len).write(buf, at);
      body.emit(buf, at + HEADER_LEN);
      fillChecksum(buf, at);
      return len;
    }

    /** The header this LSA has once emitted (checksum computed), as a DD or ack lists it. */
    public Header header() {
      ByteBuf b = Unpooled.buffer(bufferLen());
      try {
        b.writeZero(bufferLen());
        emit(b, 0);
        return Header.read(b, 0);
      } finally {
        b.release();
      }
    }
  }
}
