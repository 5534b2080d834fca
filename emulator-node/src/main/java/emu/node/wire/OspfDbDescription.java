package emu.node.wire;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Zero-copy view of an OSPF Database Description packet's body (RFC 2328 A.3.3); offsets are
 * from the start of the OSPF packet:
 *
 * <pre>
 * 24 |         Interface MTU         |    Options    |0|0|0|0|0|I|M|MS|
 * 28 |                     DD sequence number                        |
 * 32 |                      An LSA Header (20 bytes)                 |  zero or more
 * </pre>
 *
 * <p>Wrap only a packet that {@link OspfPacket#check} accepted: it guarantees the fixed fields
 * and a whole number of LSA headers, each of which an {@link OspfLsa} view can read at
 * {@link #lsaHeaderIndex}.
 */
public final class OspfDbDescription {
  public static final int INTERFACE_MTU = 24;
  public static final int OPTIONS = 26;
  public static final int FLAGS = 27;
  public static final int DD_SEQUENCE = 28;
  public static final int LSA_HEADERS = 32;
  public static final int FIXED_LEN = 8;

  /** MS: the sender is the master of the exchange. */
  public static final int FLAG_MS = 0x01;
  /** M: more Database Description packets follow. */
  public static final int FLAG_M = 0x02;
  /** I: the first packet of the exchange. */
  public static final int FLAG_I = 0x04;

  private ByteBuf buf;
  private int start;
  private int length;

  /** Views the OSPF packet of {@code length} bytes (its packet length) at {@code start}. */
  public OspfDbDescription wrap(ByteBuf buf, int start, int length) {
    this.buf = buf;
    this.start = start;
    this.length = length;
    return this;
  }

  public OspfDbDescription wrap(OspfPacket p) {
    return wrap(p.buffer(), p.start(), p.packetLength());
  }

  public ByteBuf buffer() {
    return buf;
  }

  public int start() {
    return start;
  }

  /** The largest IP datagram the sender's interface sends unfragmented (RFC 2328 10.6 checks it). */
  public int interfaceMtu() {
    return buf.getUnsignedShort(start + INTERFACE_MTU);
  }

  public int options() {
    return buf.getUnsignedByte(start + OPTIONS);
  }

  /** The I, M and MS bits. */
  public int flags() {
    return buf.getUnsignedByte(start + FLAGS) & (FLAG_I | FLAG_M | FLAG_MS);
  }

  public boolean init() {
    return (flags() & FLAG_I) != 0;
  }

  public boolean more() {
    return (flags() & FLAG_M) != 0;
  }

  public boolean master() {
    return (flags() & FLAG_MS) != 0;
  }

  /** Unsigned in meaning, compared for equality and incremented by one (RFC 2328 10.6, 10.8). */
  public int ddSequence() {
    return buf.getInt(start + DD_SEQUENCE);
  }

  public int lsaHeaderCount() {
    return (length - LSA_HEADERS) / OspfLsa.HEADER_LEN;
  }

  /** Index in the buffer of the {@code i}th LSA header. */
  public int lsaHeaderIndex(int i) {
    return start + LSA_HEADERS + OspfLsa.HEADER_LEN * i;
  }

  /** A Database Description as a value: parse from a view, emit a whole packet. */
  public record Repr(int routerId, int areaId, int interfaceMtu, int options, int flags, int ddSequence,
                     List<OspfLsa.Header> lsaHeaders) {
    public Repr {
      lsaHeaders = List.copyOf(lsaHeaders);
    }

    public static Repr parse(OspfDbDescription d) {
      List<OspfLsa.Header> h = new ArrayList<>(d.lsaHeaderCount());
      for (int i = 0; i < d.lsaHeaderCount(); i++) {
        h.add(OspfLsa.Header.read(d.buf, d.lsaHeaderIndex(i)));
      }
      return new Repr(OspfPacket.routerId(d.buf, d.start), OspfPacket.areaId(d.buf, d.start), d.interfaceMtu(),
          d.options(), d.flags(), d.ddSequence(), h);
    }

    public int bufferLen() {
      return OspfPacket.HEADER_LEN + FIXED_LEN + OspfLsa.HEADER_LEN * lsaHeaders.size();
    }

    /** Writes the packet at {@code start}; the buffer must already span {@link #bufferLen()} bytes there. */
    public void emit(ByteBuf buf, int start) {
      OspfPacket.emitHeader(buf, start, OspfPacket.TYPE_DB_DESCRIPTION, bufferLen(), routerId, areaId);
      buf.setShort(start + INTERFACE_MTU, interfaceMtu);
      buf.setByte(start + OPTIONS, options);
      buf.setByte(start + FLAGS, flags);
      buf.setInt(start + DD_SEQUENCE, ddSequence);
      for (int i = 0; i < lsaHeaders.size(); i++) {
        lsaHeaders.get(i).write(buf, start + LSA_HEADERS + OspfLsa.HEADER_LEN * i);
      }
      OspfPacket.fillChecksum(buf, start);
    }
  }
}
