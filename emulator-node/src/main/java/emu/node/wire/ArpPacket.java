package emu.node.wire;

import emu.link.wire.MacAddress;
import io.netty.buffer.ByteBuf;

/**
 * Zero-copy view of an ARP packet for IPv4 over Ethernet (RFC 826):
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Hardware type (1)         |     Protocol type (0x0800)    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  HLEN (6)     |   PLEN (4)    |          Operation            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Sender hardware address (6) | Sender protocol addr (4) |
 * |        Target hardware address (6) | Target protocol addr (4) |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class ArpPacket {
  public static final int HTYPE = 0;
  public static final int PTYPE = 2;
  public static final int HLEN = 4;
  public static final int PLEN = 5;
  public static final int OPER = 6;
  public static final int SHA = 8;
  public static final int SPA = 14;
  public static final int THA = 18;
  public static final int TPA = 24;
  public static final int LEN = 28;

  public static final int HTYPE_ETHERNET = 1;
  public static final int OP_REQUEST = 1;
  public static final int OP_REPLY = 2;

  /** Outcome of {@link #check}. */
  public enum Check { OK, TRUNCATED, UNSUPPORTED_FORMAT, BAD_OPERATION }

  private ByteBuf buf;
  private int start;

  public ArpPacket wrap(ByteBuf buf, int start) {
    this.buf = buf;
    this.start = start;
    return this;
  }

  /** Accepts only Ethernet/IPv4 requests and replies (hlen 6, plen 4). */
  public Check check() {
    if (buf.writerIndex() - start < LEN) {
      return Check.TRUNCATED;
    }
    if (htype() != HTYPE_ETHERNET || ptype() != 0x0800 || hlen() != 6 || plen() != 4) {
      return Check.UNSUPPORTED_FORMAT;
    }
    int op = operation();
    if (op != OP_REQUEST && op != OP_REPLY) {
      return Check.BAD_OPERATION;
    }
    return Check.OK;
  }

  public int htype() {
    return buf.getUnsignedShort(start + HTYPE);
  }

  public int ptype() {
    return buf.getUnsignedShort(start + PTYPE);
  }

  public int hlen() {
    return buf.getUnsignedByte(start + HLEN);
  }

  public int plen() {
    return buf.getUnsignedByte(start + PLEN);
  }

  public int operation() {
    return buf.getUnsignedShort(start + OPER);
  }

  public long senderMac() {
    return MacAddress.read(buf, start + SHA);
  }

  public int senderIp() {
    return buf.getInt(start + SPA);
  }

  public long targetMac() {
    return MacAddress.read(buf, start + THA);
  }

  public int targetIp() {
    return buf.getInt(start + TPA);
  }

  /** The packet as a value: parse from a view, emit into one. */
  public record Repr(int operation, long senderMac, int senderIp, long targetMac, int targetIp) {
    public static Repr parse(ArpPacket p) {
      return new Repr(p.operation(), p.senderMac(), p.senderIp(), p.targetMac(), p.targetIp());
    }

    public void emit(ArpPacket p) {
      ByteBuf b = p.buf;
      int s = p.start;
      b.setShort(s + HTYPE, HTYPE_ETHERNET);
      b.setShort(s + PTYPE, 0x0800);
      b.setByte(s + HLEN, 6);
      b.setByte(s + PLEN, 4);
      b.setShort(s + OPER, operation);
      MacAddress.write(b, s + SHA, senderMac);
      b.setInt(s + SPA, senderIp);
      MacAddress.write(b, s + THA, targetMac);
      b.setInt(s + TPA, targetIp);
    }

    public int bufferLen() {
      return LEN;
    }

    /** A gratuitous ARP (RFC 5227 announcement): sender and target IP are both our own. */
    public boolean isGratuitous() {
      return senderIp == targetIp;
    }
  }
}
