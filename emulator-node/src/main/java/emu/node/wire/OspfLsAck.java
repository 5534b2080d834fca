package emu.node.wire;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Zero-copy view of an OSPF Link State Acknowledgment packet's body (RFC 2328 A.3.6): the headers
 * of the LSAs acknowledged, from offset 24 of the OSPF packet, 20 bytes each. Wrap only a packet
 * that {@link OspfPacket#check} accepted (a whole number of headers); read each header with an
 * {@link OspfLsa} view at {@link #lsaHeaderIndex}.
 */
public final class OspfLsAck {
  public static final int LSA_HEADERS = 24;

  private ByteBuf buf;
  private int start;
  private int length;

  public OspfLsAck wrap(ByteBuf buf, int start, int length) {
    this.buf = buf;
    this.start = start;
    this.length = length;
    return this;
  }

  public OspfLsAck wrap(OspfPacket p) {
    return wrap(p.buffer(), p.start(), p.packetLength());
  }

  public ByteBuf buffer() {
    return buf;
  }

  public int lsaHeaderCount() {
    return (length - LSA_HEADERS) / OspfLsa.HEADER_LEN;
  }

  public int lsaHeaderIndex(int i) {
    return start + LSA_HEADERS + OspfLsa.HEADER_LEN * i;
  }

  /** An LS Ack as a value. */
  public record Repr(int routerId, int areaId, List<OspfLsa.Header> lsaHeaders) {
    public Repr {
      lsaHeaders = List.copyOf(lsaHeaders);
    }

    public static Repr parse(OspfLsAck a) {
      List<OspfLsa.Header> h = new ArrayList<>(a.lsaHeaderCount());
      for (int i = 0; i < a.lsaHeaderCount(); i++) {
        h.add(OspfLsa.Header.read(a.buf, a.lsaHeaderIndex(i)));
      }
      return new Repr(OspfPacket.routerId(a.buf, a.start), OspfPacket.areaId(a.buf, a.start), h);
    }

    public int bufferLen() {
      return OspfPacket.HEADER_LEN + OspfLsa.HEADER_LEN * lsaHeaders.size();
    }

    public void emit(ByteBuf buf, int start) {
      OspfPacket.emitHeader(buf, start, OspfPacket.TYPE_LS_ACK, bufferLen(), routerId, areaId);
      for (int i = 0; i < lsaHeaders.size(); i++) {
        lsaHeaders.get(i).write(buf, start + LSA_HEADERS + OspfLsa.HEADER_LEN * i);
      }
      OspfPacket.fillChecksum(buf, start);
    }
  }
}
