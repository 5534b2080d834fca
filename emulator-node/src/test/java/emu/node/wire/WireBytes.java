package emu.node.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/**
 * Test helpers for golden-byte tests: hex text to bytes, and a deliberately naive reference
 * Internet checksum (RFC 1071: 16-bit words, end-around carry after every addition) that shares
 * no code with {@link Checksum}, so the two can check each other.
 */
final class WireBytes {
  private WireBytes() {}

  /** Parses hex pairs, ignoring whitespace: {@code "45 00 00 73"}. */
  static byte[] hex(String text) {
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

  /** A heap buffer holding a copy of {@code bytes}, reader index 0, writer index at the end. */
  static ByteBuf buf(byte[] bytes) {
    ByteBuf b = Unpooled.buffer(bytes.length);
    b.writeBytes(bytes);
    return b;
  }

  /** A zero-filled buffer of {@code len} readable bytes, to emit into. */
  static ByteBuf zeroed(int len) {
    ByteBuf b = Unpooled.buffer(len);
    b.writeZero(len);
    return b;
  }

  static byte[] bytes(ByteBuf b) {
    return ByteBufUtil.getBytes(b, b.readerIndex(), b.readableBytes());
  }

  static String toHex(byte[] bytes) {
    return ByteBufUtil.hexDump(bytes);
  }

  /** Reference one's-complement sum (folded, not complemented) of the concatenated ranges. */
  static int refSum(byte[]... parts) {
    byte[] joined = concat(parts);
    int total = joined.length;
    byte[] all = java.util.Arrays.copyOf(joined, total + 1); // spare zero byte pads an odd length
    int sum = 0;
    for (int i = 0; i < total; i += 2) {
      int word = ((all[i] & 0xFF) << 8) | (all[i + 1] & 0xFF);
      sum += word;
      if (sum > 0xFFFF) {
        sum = (sum & 0xFFFF) + 1;
      }
    }
    return sum;
  }

  /** Reference checksum field value: the complement of {@link #refSum}. */
  static int refChecksum(byte[]... parts) {
    return ~refSum(parts) & 0xFFFF;
  }

  static int u16(byte[] b, int index) {
    return ((b[index] & 0xFF) << 8) | (b[index + 1] & 0xFF);
  }

  static byte[] withU16(byte[] b, int index, int value) {
    byte[] c = b.clone();
    c[index] = (byte) (value >>> 8);
    c[index + 1] = (byte) value;
    return c;
  }

  static byte[] slice(byte[] b, int from, int len) {
    byte[] c = new byte[len];
    System.arraycopy(b, from, c, 0, len);
    return c;
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
