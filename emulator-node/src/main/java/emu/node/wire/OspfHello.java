package emu.node.wire;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Zero-copy view of an OSPF Hello packet's body (RFC 2328 A.3.2); offsets are from the start of
 * the OSPF packet, the body following the 24-byte header:
 *
 * <pre>
 * 24 |                        Network Mask                           |
 * 28 |         HelloInterval         |    Options    |    Rtr Pri    |
 * 32 |                     RouterDeadInterval                        |
 * 36 |                      Designated Router                        |
 * 40 |                   Backup Designated Router                    |
 * 44 |                          Neighbor                             |  one per neighbour heard
 * </pre>
 *
 * <p>Wrap only a packet that {@link OspfPacket#check} accepted: it guarantees the fixed fields
 * and a whole number of neighbours.
 */
public final class OspfHello {
  public static final int NETWORK_MASK = 24;
  public static final int HELLO_INTERVAL = 28;
  public static final int OPTIONS = 30;
  public static final int PRIORITY = 31;
  public static final int DEAD_INTERVAL = 32;
  public static final int DR = 36;
  public static final int BDR = 40;
  public static final int NEIGHBORS = 44;
  /** The body's fixed fields, before the neighbours. */
  public static final int FIXED_LEN = 20;

  private ByteBuf buf;
  private int start;
  private int length;

  /** Views the OSPF packet of {@code length} bytes (its packet length) at {@code start}. */
  public OspfHello wrap(ByteBuf buf, int start, int length) {
    this.buf = buf;
    this.start = start;
    this.length = length;
    return this;
  }

  /** Views a checked packet. */
  public OspfHello wrap(OspfPacket p) {
    return wrap(p.buffer(), p.start(), p.packetLength());
  }

  public ByteBuf buffer() {
    return buf;
  }

  public int start() {
    return start;
  }

  public int networkMask() {
    return buf.getInt(start + NETWORK_MASK);
  }

  /** Seconds between this router's Hellos on the interface. */
  public int helloInterval() {
    return buf.getUnsignedShort(start + HELLO_INTERVAL);
  }

  public int options() {
    return buf.getUnsignedByte(start + OPTIONS);
  }

  public int priority() {
    return buf.getUnsignedByte(start + PRIORITY);
  }

  /** Seconds of silence after which the sender declares a neighbour down (unsigned 32-bit, read as long). */
  public long deadInterval() {
    return buf.getUnsignedInt(start + DEAD_INTERVAL);
  }

  public int designatedRouter() {
    return buf.getInt(start + DR);
  }

  public int backupDesignatedRouter() {
    return buf.getInt(start + BDR);
  }

  public int neighborCount() {
    return (length - NEIGHBORS) / 4;
  }

  /** The router ID of the {@code i}th neighbour heard. */
  public int neighbor(int i) {
    return buf.getInt(start + NEIGHBORS + 4 * i);
  }

  /** True if {@code routerId} is among the neighbours heard: the two-way test of RFC 2328 10.5. */
  public boolean lists(int routerId) {
    for (int i = 0, n = neighborCount(); i < n; i++) {
      if (neighbor(i) == routerId) {
        return true;
      }
    }
    return false;
  }

  /** A Hello as a value: parse from a view, emit a whole packet (header, body, checksum). */
  public record Repr(int routerId, int areaId, int networkMask, int helloInterval, int options, int priority,
                     long deadInterval, int designatedRouter, int backupDesignatedRouter, List<Integer> neighbors) {
    public Repr {
      neighbors = List.copyOf(neighbors);
    }

    public static Repr parse(OspfHello h) {
      List<Integer> n = new ArrayList<>(h.neighborCount());
      for (int i = 0; i < h.neighborCount(); i++) {
        n.add(h.neighbor(i));
      }
      return new Repr(OspfPacket.routerId(h.buf, h.start), OspfPacket.areaId(h.buf, h.start), h.networkMask(),
          h.helloInterval(), h.options(), h.priority(), h.deadInterval(), h.designatedRouter(),
          h.backupDesignatedRouter(), n);
    }

    /** The whole packet's length: header, fixed fields, neighbours. */
    public int bufferLen() {
      return OspfPacket.HEADER_LEN + FIXED_LEN + 4 * neighbors.size();
    }

    /** Writes the packet at {@code start}; the buffer must already span {@link #bufferLen()} bytes there. */
    public void emit(ByteBuf buf, int start) {
      OspfPacket.emitHeader(buf, start, OspfPacket.TYPE_HELLO, bufferLen(), routerId, areaId);
      buf.setInt(start + NETWORK_MASK, networkMask);
      buf.setShort(start + HELLO_INTERVAL, helloInterval);
      buf.setByte(start + OPTIONS, options);
      buf.setByte(start + PRIORITY, priority);
      buf.setInt(start + DEAD_INTERVAL, (int) deadInterval);
      buf.setInt(start + DR, designatedRouter);
      buf.setInt(start + BDR, backupDesignatedRouter);
      for (int i = 0; i < neighbors.size(); i++) {
        buf.setInt(start + NEIGHBORS + 4 * i, neighbors.get(i));
      }
      OspfPacket.fillChecksum(buf, start);
    }
  }
}
