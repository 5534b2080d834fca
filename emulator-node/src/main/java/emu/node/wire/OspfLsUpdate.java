package emu.node.wire;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Zero-copy view of an OSPF Link State Update packet's body (RFC 2328 A.3.5); offsets are from
 * the start of the OSPF packet:
 *
 * <pre>
 * 24 |                            # LSAs                             |
 * 28 |                     LSAs, each with its header                |
 * </pre>
 *
 * <p>{@link OspfPacket#check} has framed the LSAs (each at least a header long, inside the
 * packet, as many as the count says, nothing after them), so the cursor {@link #firstLsa} /
 * {@link #nextLsa} walks them safely; each LSA must still pass {@link OspfLsa#check} before its
 * body is read, and one that fails is dropped alone (RFC 2328 13).
 */
public final class OspfLsUpdate {
  public static final int LSA_COUNT = 24;
  public static final int LSAS = 28;
  public static final int FIXED_LEN = 4;

  private ByteBuf buf;
  private int start;
  private int length;

  public OspfLsUpdate wrap(ByteBuf buf, int start, int length) {
    this.buf = buf;
    this.start = start;
    this.length = length;
    return this;
  }

  public OspfLsUpdate wrap(OspfPacket p) {
    return wrap(p.buffer(), p.start(), p.packetLength());
  }

  public ByteBuf buffer() {
    return buf;
  }

  /**
   * True if the update of {@code length} bytes at {@code start} holds exactly its count of LSAs,
   * each at least a header long and inside the packet. The walk is bounded by the bytes (an LSA
   * takes at least 20), not by the 32-bit count.
   */
  static boolean frames(ByteBuf buf, int start, int length) {
    long count = buf.getUnsignedInt(start + LSA_COUNT);
    int at = start + LSAS;
    int end = start + length;
    long seen = 0;
    while (end - at >= OspfLsa.HEADER_LEN && seen < count) {
      int len = buf.getUnsignedShort(at + OspfLsa.LENGTH);
      if (len < OspfLsa.HEADER_LEN || len > end - at) {
        return false;
      }
      at += len;
      seen++;
    }
    return seen == count && at == end;
  }

  /** The # LSAs field; after {@link OspfPacket#check} it is also the number of LSAs present. */
  public int lsaCount() {
    return buf.getInt(start + LSA_COUNT);
  }

  /** Index in the buffer of the first LSA (meaningful only if {@link #lsaCount} is not zero). */
  public int firstLsa() {
    return start + LSAS;
  }

  /** Index of the LSA after the one at {@code lsa}. */
  public int nextLsa(int lsa) {
    return lsa + buf.getUnsignedShort(lsa + OspfLsa.LENGTH);
  }

  /** Bytes from {@code lsa} to the end of the packet: what an {@link OspfLsa} view there may read. */
  public int remaining(int lsa) {
    return start + length - lsa;
  }

  /** An LS Update as a value; LSAs that fail {@link OspfLsa#check} are not parseable and make parse return null. */
  public record Repr(int routerId, int areaId, List<OspfLsa.Repr> lsas) {
    public Repr {
      lsas = List.copyOf(lsas);
    }

    public static Repr parse(OspfLsUpdate u) {
      OspfLsa v = new OspfLsa();
      List<OspfLsa.Repr> l = new ArrayList<>(u.lsaCount());
      for (int i = 0, at = u.firstLsa(); i < u.lsaCount(); i++, at = u.nextLsa(at)) {
        if (v.wrap(u.buf, at, u.remaining(at)).check() != OspfLsa.Check.OK) {
          return null;
        }
        l.add(OspfLsa.Repr.parse(v));
      }
      return new Repr(OspfPacket.routerId(u.buf, u.start), OspfPacket.areaId(u.buf, u.start), l);
    }

    public int bufferLen() {
      int n = OspfPacket.HEADER_LEN + FIXED_LEN;
      for (OspfLsa.Repr l : lsas) {
        n += l.bufferLen();
      }
      return n;
    }

    public void emit(ByteBuf buf, int start) {
      OspfPacket.emitHeader(buf, start, OspfPacket.TYPE_LS_UPDATE, bufferLen(), routerId, areaId);
      buf.setInt(start + LSA_COUNT, lsas.size());
      int at = start + LSAS;
      for (OspfLsa.Repr l : lsas) {
        at += l.emit(buf, at);
      }
      OspfPacket.fillChecksum(buf, start);
    }
  }
}
