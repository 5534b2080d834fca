package emu.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/** Hex literals and buffer helpers for golden-byte tests of the link layer. */
public final class TestBytes {
  /**
   * Who has 192.168.1.1? Tell 192.168.1.100: an ARP request from 00:1a:2b:3c:4d:5e to the
   * broadcast address, 42 bytes (no padding, no FCS), as a host's kernel hands it to the NIC.
   */
  public static final byte[] ARP_REQUEST_FRAME = hex(
      "ffff ffff ffff 001a 2b3c 4d5e 0806"
      + "0001 0800 0604 0001 001a 2b3c 4d5e c0a8 0164 0000 0000 0000 c0a8 0101");

  private TestBytes() {}

  /** Parses hex pairs, ignoring whitespace. */
  public static byte[] hex(String text) {
    String s = text.replaceAll("\\s+", "");
    if (s.length() % 2 != 0) {
      throw new IllegalArgumentException("odd number of hex digits: " + text);
    }
    byte[] out = new byte[s.length() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    }
    return out;
  }

  /** A heap buffer holding a copy of {@code bytes}. The caller releases it (or hands it on). */
  public static ByteBuf buf(byte[] bytes) {
    return Unpooled.buffer(bytes.length).writeBytes(bytes);
  }

  /** The readable bytes, not consumed. */
  public static byte[] bytes(ByteBuf b) {
    return ByteBufUtil.getBytes(b, b.readerIndex(), b.readableBytes());
  }

  /** {@code len} bytes counting up from {@code seed}, so truncation and reordering show. */
  public static byte[] pattern(int len, int seed) {
    byte[] b = new byte[len];
    for (int i = 0; i < len; i++) {
      b[i] = (byte) (seed + i);
    }
    return b;
  }

  public static String toHex(byte[] bytes) {
    return ByteBufUtil.hexDump(bytes);
  }
}
