package emu.node.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;

/**
 * DNS over TCP framing (RFC 1035 4.2.2, RFC 7766 8): every message is preceded by its length
 * as two bytes, network order. Collects a byte stream and hands out whole messages; builds
 * framed ones. Keeps copies in a plain array, so it owns no {@link ByteBuf}.
 */
final class DnsFramer {
  private byte[] buf = new byte[512];
  private int len;

  /** Appends what arrived; the caller keeps (and releases) {@code data}. */
  void add(ByteBuf data) {
    int n = data.readableBytes();
    if (len + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }
    data.getBytes(data.readerIndex(), buf, len, n);
    len += n;
  }

  /** The next whole message, or null until one has arrived. */
  byte[] next() {
    if (len < 2) {
      return null;
    }
    int size = ((buf[0] & 0xFF) << 8) | (buf[1] & 0xFF);
    if (len < 2 + size) {
      return null;
    }
    byte[] msg = Arrays.copyOfRange(buf, 2, 2 + size);
    System.arraycopy(buf, 2 + size, buf, 0, len - 2 - size);
    len -= 2 + size;
    return msg;
  }

  /** Bytes held that do not yet make a whole message. */
  int pending() {
    return len;
  }

  /** {@code wire} with its two-byte length in front, as an unpooled buffer the caller releases. */
  static ByteBuf frame(byte[] wire) {
    ByteBuf b = Unpooled.buffer(2 + wire.length);
    b.writeShort(wire.length).writeBytes(wire);
    return b;
  }
}
