package emu.node.apps.load;

import io.netty.buffer.ByteBuf;
import java.util.SplittableRandom;

/**
 * The bytes a bulk transfer sends: a deterministic pseudo-random stream (so compression or
 * patterns cannot flatter anything, and a seed reproduces it).
 */
final class StreamData {
  private final SplittableRandom random;

  StreamData(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** Appends {@code n} bytes of the stream to {@code buf}. */
  void fill(ByteBuf buf, int n) {
    int i = 0;
    for (; i + 8 <= n; i += 8) {
      buf.writeLong(random.nextLong());
    }
    if (i < n) {
      long v = random.nextLong();
      for (; i < n; i++) {
        buf.writeByte((int) v);
        v >>>= 8;
      }
    }
  }
}
