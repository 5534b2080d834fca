package emu.link.wire;

import io.netty.buffer.ByteBuf;

/**
 * Zero-copy view of an Ethernet II frame as it crosses a link (no preamble, no FCS):
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  Destination MAC (6 octets)                   |
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |                     Source MAC (6 octets)                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           EtherType           |          Payload ...          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Offsets are relative to the frame start, which is the buffer's reader index when wrapped.
 * {@link #wrap} does no checking and is for frames we build; untrusted bytes go through
 * {@link #wrapChecked}, which refuses anything shorter than the header.
 */
public final class EthernetFrame {
  public static final int DST = 0;
  public static final int SRC = 6;
  public static final int ETHERTYPE = 12;
  public static final int HEADER_LEN = 14;

  public static final int ETHERTYPE_IPV4 = 0x0800;
  public static final int ETHERTYPE_ARP = 0x0806;
  public static final int ETHERTYPE_VLAN = 0x8100;
  public static final int ETHERTYPE_IPV6 = 0x86DD;

  private ByteBuf buf;
  private int start;

  /** Views the frame starting at the buffer's reader index, without checks. */
  public EthernetFrame wrap(ByteBuf buf) {
    this.buf = buf;
    this.start = buf.readerIndex();
    return this;
  }

  /** Views untrusted bytes; returns false (and views nothing) if they cannot hold a header. */
  public boolean wrapChecked(ByteBuf buf) {
    if (buf.readableBytes() < HEADER_LEN) {
      this.buf = null;
      return false;
    }
    wrap(buf);
    return true;
  }

  public ByteBuf buffer() {
    return buf;
  }

  public long dst() {
    return MacAddress.read(buf, start + DST);
  }

  public long src() {
    return MacAddress.read(buf, start + SRC);
  }

  public int etherType() {
    return buf.getUnsignedShort(start + ETHERTYPE);
  }

  /** Absolute buffer index of the first payload byte. */
  public int payloadIndex() {
    return start + HEADER_LEN;
  }

  public int payloadLength() {
    return buf.writerIndex() - start - HEADER_LEN;
  }

  public EthernetFrame dst(long mac) {
    MacAddress.write(buf, start + DST, mac);
    return this;
  }

  public EthernetFrame src(long mac) {
    MacAddress.write(buf, start + SRC, mac);
    return this;
  }

  public EthernetFrame etherType(int type) {
    buf.setShort(start + ETHERTYPE, type);
    return this;
  }

  /** Static accessor: the EtherType of the frame at {@code index}, read without a view. */
  public static int etherType(ByteBuf buf, int index) {
    return buf.getUnsignedShort(index + ETHERTYPE);
  }

  /** Static accessor: the destination MAC of the frame at {@code index}. */
  public static long dst(ByteBuf buf, int index) {
    return MacAddress.read(buf, index + DST);
  }

  /** Static accessor: the source MAC of the frame at {@code index}. */
  public static long src(ByteBuf buf, int index) {
    return MacAddress.read(buf, index + SRC);
  }

  /** The header as a small immutable value: parse from a view, emit into one. */
  public record Repr(MacAddress dst, MacAddress src, int etherType) {
    public static Repr parse(EthernetFrame f) {
      return new Repr(new MacAddress(f.dst()), new MacAddress(f.src()), f.etherType());
    }

    /** Writes the header at the view's start; the buffer must already hold {@link #bufferLen()} bytes. */
    public void emit(EthernetFrame f) {
      f.dst(dst.bits()).src(src.bits()).etherType(etherType);
    }

    public int bufferLen() {
      return HEADER_LEN;
    }
  }
}
