package emu.node.wire;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Zero-copy view of an OSPF Link State Request packet's body (RFC 2328 A.3.4): a list of the
 * LSAs wanted, each named by type, Link State ID and advertising router. Offsets are from the
 * start of the OSPF packet:
 *
 * <pre>
 * 24 |                          LS type                              |  per entry
 *    |                       Link State ID                           |
 *    |                     Advertising Router                        |
 * </pre>
 *
 * <p>Wrap only a packet that {@link OspfPacket#check} accepted (a whole number of entries).
 */
public final class OspfLsRequest {
  public static final int ENTRIES = 24;
  public static final int ENTRY_LEN = 12;
  /** Offsets within an entry. */
  public static final int ENTRY_TYPE = 0;
  public static final int ENTRY_LINK_STATE_ID = 4;
  public static final int ENTRY_ADVERTISING_ROUTER = 8;

  private ByteBuf buf;
  private int start;
  private int length;

  public OspfLsRequest wrap(ByteBuf buf, int start, int length) {
    this.buf = buf;
    this.start = start;
    this.length = length;
    return this;
  }

  public OspfLsRequest wrap(OspfPacket p) {
    return wrap(p.buffer(), p.start(), p.packetLength());
  }

  public int entryCount() {
    return (length - ENTRIES) / ENTRY_LEN;
  }

  /** The LS type of entry {@code i} (a 32-bit field on the wire; types are small, so read as int). */
  public int type(int i) {
    return buf.getInt(start + ENTRIES + ENTRY_LEN * i + ENTRY_TYPE);
  }

  public int linkStateId(int i) {
    return buf.getInt(start + ENTRIES + ENTRY_LEN * i + ENTRY_LINK_STATE_ID);
  }

  public int advertisingRouter(int i) {
    return buf.getInt(start + ENTRIES + ENTRY_LEN * i + ENTRY_ADVERTISING_ROUTER);
  }

  /** One request entry as a value. */
  public record Entry(int type, int linkStateId, int advertisingRouter) {}

  /** An LS Request as a value. */
  public record Repr(int routerId, int areaId, List<Entry> entries) {
    public Repr {
      entries = List.copyOf(entries);
    }

    public static Repr parse(OspfLsRequest r) {
      List<Entry> e = new ArrayList<>(r.entryCount());
      for (int i = 0; i < r.entryCount(); i++) {
        e.add(new Entry(r.type(i), r.linkStateId(i), r.advertisingRouter(i)));
      }
      return new Repr(OspfPacket.routerId(r.buf, r.start), OspfPacket.areaId(r.buf, r.start), e);
    }

    public int bufferLen() {
      return OspfPacket.HEADER_LEN + ENTRY_LEN * entries.size();
    }

    public void emit(ByteBuf buf, int start) {
      OspfPacket.emitHeader(buf, start, OspfPacket.TYPE_LS_REQUEST, bufferLen(), routerId, areaId);
      for (int i = 0; i < entries.size(); i++) {
        int at = start + ENTRIES + ENTRY_LEN * i;
        buf.setInt(at + ENTRY_TYPE, entries.get(i).type());
        buf.setInt(at + ENTRY_LINK_STATE_ID, entries.get(i).linkStateId());
        buf.setInt(at + ENTRY_ADVERTISING_ROUTER, entries.get(i).advertisingRouter());
      }
      OspfPacket.fillChecksum(buf, start);
    }
  }
}
