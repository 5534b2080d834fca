package emu.link.wire;

import io.netty.buffer.ByteBuf;

/**
 * The VXLAN header (RFC 7348 section 5) that precedes the inner Ethernet frame in a UDP
 * datagram when a link speaks VXLAN framing, as Linux VXLAN devices do:
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |R|R|R|R|I|R|R|R|            Reserved                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                VXLAN Network Identifier (VNI) |   Reserved    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class VxlanHeader {
  public static final int LEN = 8;
  /** The I flag: the VNI is valid. */
  public static final int FLAG_I = 0x08;
  /** The IANA port, which emu always uses (the Linux default differs: pass {@code dstport 4789}). */
  public static final int PORT = 4789;
  public static final int MAX_VNI = (1 << 24) - 1;

  private VxlanHeader() {}

  /** Writes the header at {@code index}. */
  public static void write(ByteBuf buf, int index, int vni) {
    buf.setInt(index, FLAG_I << 24);
    buf.setInt(index + 4, vni << 8);
  }

  /** True if the 8 bytes at {@code index} are a VXLAN header with the I flag and this VNI. */
  public static boolean matches(ByteBuf buf, int index, int vni) {
    return (buf.getUnsignedByte(index) & FLAG_I) != 0 && (buf.getInt(index + 4) >>> 8) == vni;
  }

  public static int vni(ByteBuf buf, int index) {
    return buf.getInt(index + 4) >>> 8;
  }
}
