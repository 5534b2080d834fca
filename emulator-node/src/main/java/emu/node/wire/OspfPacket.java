package emu.node.wire;

import io.netty.buffer.ByteBuf;

/**
 * Zero-copy view of an OSPFv2 packet's common header (RFC 2328 A.3.1), IP protocol 89:
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Version #   |     Type      |         Packet length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Router ID                            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           Area ID                             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |             AuType            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Authentication                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Authentication                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>The checksum is the Internet checksum of the whole packet, from the version to the packet
 * length, leaving out the 64-bit authentication field (RFC 2328 D.4.1). Only null authentication
 * (AuType 0) is accepted, the only kind emu sends.
 *
 * <p>{@link #wrap} takes the IP payload; the packet length field may be shorter than it (RFC 5613
 * LLS data may follow) but never longer. {@link #check} validates the header in the order RFC 2328
 * 8.2 gives (version, then authentication, which for AuType 0 is the checksum) and then the shape
 * of the body for its type, so the type views ({@link OspfHello}, {@link OspfDbDescription},
 * {@link OspfLsRequest}, {@link OspfLsUpdate}, {@link OspfLsAck}) can read every field they
 * offer without running past the packet. The LSAs inside an update are only framed here; each is
 * checked by {@link OspfLsa#check} on its own, since a receiver drops a bad LSA, not the update
 * (RFC 2328 13, step 1). Area, destination and interface checks are the protocol machine's.
 */
public final class OspfPacket {
  public static final int VERSION = 0;
  public static final int TYPE = 1;
  public static final int PACKET_LENGTH = 2;
  public static final int ROUTER_ID = 4;
  public static final int AREA_ID = 8;
  public static final int CHECKSUM = 12;
  public static final int AUTYPE = 14;
  public static final int AUTHENTICATION = 16;
  public static final int HEADER_LEN = 24;

  /** IP protocol number (RFC 2328 A.1). */
  public static final int PROTOCOL = 89;
  /** AllSPFRouters, 224.0.0.5 (RFC 2328 A.1). */
  public static final int ALL_SPF_ROUTERS = 0xE000_0005;
  /** AllDRouters, 224.0.0.6. */
  public static final int ALL_D_ROUTERS = 0xE000_0006;
  public static final int OSPF_VERSION = 2;
  public static final int AUTYPE_NULL = 0;

  public static final int TYPE_HELLO = 1;
  public static final int TYPE_DB_DESCRIPTION = 2;
  public static final int TYPE_LS_REQUEST = 3;
  public static final int TYPE_LS_UPDATE = 4;
  public static final int TYPE_LS_ACK = 5;

  /** The options field (RFC 2328 A.2): E, external routing capability, set in area 0. */
  public static final int OPTION_E = 0x02;
  public static final int OPTION_MC = 0x04;
  public static final int OPTION_NP = 0x08;
  /** L: LLS data follows the packet (RFC 5613). */
  public static final int OPTION_L = 0x10;
  public static final int OPTION_DC = 0x20;
  public static final int OPTION_O = 0x40;

  /** Why a packet was refused; OK if it was not. */
  public enum Check {
    OK,
    /** Fewer bytes than the 24-byte header. */
    TRUNCATED,
    /** Not OSPF version 2. */
    BAD_VERSION,
    /** The packet length is shorter than the header or runs past the IP payload. */
    BAD_LENGTH,
    /** A type outside 1..5. */
    BAD_TYPE,
    /** An AuType other than null (0). */
    UNSUPPORTED_AUTH,
    /** The Internet checksum over the packet (authentication left out) does not sum to all ones. */
    BAD_CHECKSUM,
    /**
     * The body does not have the shape of its type: shorter than its fixed fields, or a list that
     * is not a whole number of entries (neighbours, LSA headers, requests).
     */
    BAD_BODY_LENGTH,
    /**
     * An update whose LSAs do not frame: one shorter than its 20-byte header or running past the
     * packet, fewer than the count says, or bytes left over after them.
     */
    BAD_LSA_FRAMING
  }

  private ByteBuf buf;
  private int start;
  private int length;

  /** Views the {@code length} bytes at {@code start} (the IP payload); clamped to the bytes present. */
  public OspfPacket wrap(ByteBuf buf, int start, int length) {
    this.buf = buf;
    this.start = start;
    this.length = Math.max(0, Math.min(length, buf.writerIndex() - start));
    return this;
  }

  public Check check() {
    if (length < HEADER_LEN) {
      return Check.TRUNCATED;
    }
    if (version() != OSPF_VERSION) {
      return Check.BAD_VERSION;
    }
    int len = packetLength();
    if (len < HEADER_LEN || len > length) {
      return Check.BAD_LENGTH;
    }
    int type = type();
    if (type < TYPE_HELLO || type > TYPE_LS_ACK) {
      return Check.BAD_TYPE;
    }
    if (auType() != AUTYPE_NULL) {
      return Check.UNSUPPORTED_AUTH;
    }
    if (!checksumValid()) {
      return Check.BAD_CHECKSUM;
    }
    int body = len - HEADER_LEN;
    return switch (type) {
      case TYPE_HELLO -> body >= OspfHello.FIXED_LEN && body % 4 == 0 ? Check.OK : Check.BAD_BODY_LENGTH;
      case TYPE_DB_DESCRIPTION -> body >= OspfDbDescription.FIXED_LEN
          && (body - OspfDbDescription.FIXED_LEN) % OspfLsa.HEADER_LEN == 0 ? Check.OK : Check.BAD_BODY_LENGTH;
      case TYPE_LS_REQUEST -> body % OspfLsRequest.ENTRY_LEN == 0 ? Check.OK : Check.BAD_BODY_LENGTH;
      case TYPE_LS_UPDATE -> body < OspfLsUpdate.FIXED_LEN ? Check.BAD_BODY_LENGTH
          : OspfLsUpdate.frames(buf, start, len) ? Check.OK : Check.BAD_LSA_FRAMING;
      default -> body % OspfLsa.HEADER_LEN == 0 ? Check.OK : Check.BAD_BODY_LENGTH;
    };
  }

  public ByteBuf buffer() {
    return buf;
  }

  public int start() {
    return start;
  }

  /** The bytes viewed: the IP payload, clamped to the buffer. */
  public int length() {
    return length;
  }

  public int version() {
    return buf.getUnsignedByte(start + VERSION);
  }

  public int type() {
    return buf.getUnsignedByte(start + TYPE);
  }

  public int packetLength() {
    return buf.getUnsignedShort(start + PACKET_LENGTH);
  }

  public int routerId() {
    return buf.getInt(start + ROUTER_ID);
  }

  public int areaId() {
    return buf.getInt(start + AREA_ID);
  }

  public int checksum() {
    return buf.getUnsignedShort(start + CHECKSUM);
  }

  public int auType() {
    return buf.getUnsignedShort(start + AUTYPE);
  }

  /** The RFC 2328 D.4.1 checksum sums to all ones; the packet length must fit (as after {@link #check}). */
  public boolean checksumValid() {
    return Checksum.fold(sum(buf, start, packetLength())) == 0xFFFF;
  }

  public OspfPacket version(int v) {
    buf.setByte(start + VERSION, v);
    return this;
  }

  public OspfPacket type(int type) {
    buf.setByte(start + TYPE, type);
    return this;
  }

  public OspfPacket packetLength(int len) {
    buf.setShort(start + PACKET_LENGTH, len);
    return this;
  }

  public OspfPacket routerId(int id) {
    buf.setInt(start + ROUTER_ID, id);
    return this;
  }

  public OspfPacket areaId(int id) {
    buf.setInt(start + AREA_ID, id);
    return this;
  }

  public OspfPacket checksum(int checksum) {
    buf.setShort(start + CHECKSUM, checksum);
    return this;
  }

  public OspfPacket auType(int auType) {
    buf.setShort(start + AUTYPE, auType);
    return this;
  }

  /** Recomputes the checksum over the packet length's bytes, the authentication field left out. */
  public OspfPacket fillChecksum() {
    checksum(0);
    checksum(Checksum.finish(sum(buf, start, packetLength())));
    return this;
  }

  /** Sum of the packet's 16-bit words except the 8 authentication bytes (RFC 2328 D.4.1). */
  private static long sum(ByteBuf buf, int start, int len) {
    long acc = Checksum.add(0, buf, start, AUTHENTICATION);
    return Checksum.add(acc, buf, start + HEADER_LEN, len - HEADER_LEN);
  }

  /**
   * Writes a header with null authentication at {@code start}: version 2, {@code type}, packet
   * length {@code length}, the IDs, AuType 0 and zero authentication. The checksum is left zero:
   * fill it ({@link #fillChecksum}) once the body is in place.
   */
  public static void emitHeader(ByteBuf buf, int start, int type, int length, int routerId, int areaId) {
    buf.setByte(start + VERSION, OSPF_VERSION);
    buf.setByte(start + TYPE, type);
    buf.setShort(start + PACKET_LENGTH, length);
    buf.setInt(start + ROUTER_ID, routerId);
    buf.setInt(start + AREA_ID, areaId);
    buf.setShort(start + CHECKSUM, 0);
    buf.setShort(start + AUTYPE, AUTYPE_NULL);
    buf.setLong(start + AUTHENTICATION, 0);
  }

  /** Static accessor: the router ID of the packet at {@code start}, for the type views' Reprs. */
  public static int routerId(ByteBuf buf, int start) {
    return buf.getInt(start + ROUTER_ID);
  }

  /** Static accessor: the area ID of the packet at {@code start}. */
  public static int areaId(ByteBuf buf, int start) {
    return buf.getInt(start + AREA_ID);
  }

  /** Fills the checksum of the packet at {@code start} whose length field is already written. */
  public static void fillChecksum(ByteBuf buf, int start) {
    buf.setShort(start + CHECKSUM, 0);
    buf.setShort(start + CHECKSUM, Checksum.finish(sum(buf, start, buf.getUnsignedShort(start + PACKET_LENGTH))));
  }

  public static String typeName(int type) {
    return switch (type) {
      case TYPE_HELLO -> "Hello";
      case TYPE_DB_DESCRIPTION -> "DB Description";
      case TYPE_LS_REQUEST -> "LS Request";
      case TYPE_LS_UPDATE -> "LS Update";
      case TYPE_LS_ACK -> "LS Ack";
      default -> "type " + type;
    };
  }

  /** The header's fields that are not derived (length, checksum, authentication), as a value. */
  public record Repr(int type, int routerId, int areaId) {
    public static Repr parse(OspfPacket p) {
      return new Repr(p.type(), p.routerId(), p.areaId());
    }
  }
}
