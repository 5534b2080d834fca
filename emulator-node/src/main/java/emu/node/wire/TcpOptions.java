package emu.node.wire;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * The TCP options this stack speaks, as one mutable, reusable holder (no allocation per
 * segment): MSS (RFC 9293 3.2), window scale and timestamps (RFC 7323), SACK-permitted and up
 * to four SACK blocks (RFC 2018). Unknown options are skipped by their length.
 *
 * <p>{@link #emit} writes them in the order and padding Linux uses, so our SYN reads like a
 * Linux SYN in a capture (Linux's tcp_options_write): {@code MSS, SACK-permitted, TS, NOP, WS}
 * (20 bytes), or without timestamps {@code MSS, NOP, NOP, SACK-permitted, NOP, WS}; data
 * segments carry {@code NOP, NOP, TS} and then {@code NOP, NOP, SACK}. Everything is a multiple
 * of 4 bytes, so no further padding is needed; SACK blocks that do not fit in the 40 option
 * bytes are left out.
 */
public final class TcpOptions {
  public static final int KIND_EOL = 0;
  public static final int KIND_NOP = 1;
  public static final int KIND_MSS = 2;
  public static final int KIND_WINDOW_SCALE = 3;
  public static final int KIND_SACK_PERMITTED = 4;
  public static final int KIND_SACK = 5;
  public static final int KIND_TIMESTAMPS = 8;
  public static final int MAX_LENGTH = TcpSegment.MAX_HEADER_LEN - TcpSegment.HEADER_LEN;
  public static final int MAX_SACK_BLOCKS = 4;
  /** Bytes the timestamps option takes in a data segment, with its two NOPs. */
  public static final int TIMESTAMPS_LENGTH = 12;

  /** -1: absent. */
  private int mss = -1;
  /** -1: absent; else the shift count as received (may exceed 14; the connection clamps). */
  private int windowScale = -1;
  private boolean sackPermitted;
  private boolean timestamps;
  private int tsVal;
  private int tsEcr;
  private int sackCount;
  /** left0, right0, left1, right1, ... */
  private final int[] sack = new int[2 * MAX_SACK_BLOCKS];

  /** Forgets every option. */
  public TcpOptions clear() {
    mss = -1;
    windowScale = -1;
    sackPermitted = false;
    timestamps = false;
    tsVal = 0;
    tsEcr = 0;
    sackCount = 0;
    return this;
  }

  public boolean isEmpty() {
    return mss < 0 && windowScale < 0 && !sackPermitted && !timestamps && sackCount == 0;
  }

  /**
   * Reads the options area of a header. Returns false on malformed options: a length below 2,
   * or an option running past the header. A known option with the wrong length is ignored, as
   * Linux does. The holder is cleared first.
   */
  public boolean parse(ByteBuf buf, int index, int length) {
    clear();
    int i = index;
    int end = index + length;
    while (i < end) {
      int kind = buf.getUnsignedByte(i);
      if (kind == KIND_EOL) {
        return true;
      }
      if (kind == KIND_NOP) {
        i++;
        continue;
      }
      if (i + 1 >= end) {
        return false;
      }
      int len = buf.getUnsignedByte(i + 1);
      if (len < 2 || i + len > end) {
        return false;
      }
      switch (kind) {
        case KIND_MSS -> {
          if (len == 4) {
            mss = buf.getUnsignedShort(i + 2);
          }
        }
        case KIND_WINDOW_SCALE -> {
          if (len == 3) {
            windowScale = buf.getUnsignedByte(i + 2);
          }
        }
        case KIND_SACK_PERMITTED -> {
          if (len == 2) {
            sackPermitted = true;
          }
        }
        case KIND_TIMESTAMPS -> {
          if (len == 10) {
            timestamps = true;
            tsVal = buf.getInt(i + 2);
            tsEcr = buf.getInt(i + 6);
          }
        }
        case KIND_SACK -> {
          if ((len - 2) % 8 == 0) {
            int n = Math.min((len - 2) / 8, MAX_SACK_BLOCKS);
            for (int b = 0; b < n; b++) {
              sack[2 * b] = buf.getInt(i + 2 + 8 * b);
              sack[2 * b + 1] = buf.getInt(i + 6 + 8 * b);
            }
            sackCount = n;
          }
        }
        default -> { } // unknown: skipped by its length
      }
      i += len;
    }
    return true;
  }

  /** SACK blocks that fit after the other options. */
  private int sackBlocksThatFit() {
    if (sackCount == 0) {
      return 0;
    }
    int room = MAX_LENGTH - lengthWithoutSack() - 4;
    return Math.max(0, Math.min(sackCount, room / 8));
  }

  private int lengthWithoutSack() {
    int n = 0;
    if (mss >= 0) {
      n += 4;
    }
    if (timestamps) {
      n += 12;
    }
    if (windowScale >= 0) {
      n += 4;
    }
    if (sackPermitted && !timestamps) {
      n += 4;
    }
    return n;
  }

  /** Bytes {@link #emit} writes (a multiple of 4, at most 40). */
  public int length() {
    int blocks = sackBlocksThatFit();
    return lengthWithoutSack() + (blocks > 0 ? 4 + 8 * blocks : 0);
  }

  /** Writes the options at {@code index} (absolute, not moving any index); returns the bytes written. */
  public int emit(ByteBuf buf, int index) {
    int i = index;
    if (mss >= 0) {
      buf.setByte(i, KIND_MSS).setByte(i + 1, 4).setShort(i + 2, mss);
      i += 4;
    }
    if (timestamps) {
      if (sackPermitted) {
        buf.setByte(i, KIND_SACK_PERMITTED).setByte(i + 1, 2);
      } else {
        buf.setByte(i, KIND_NOP).setByte(i + 1, KIND_NOP);
      }
      buf.setByte(i + 2, KIND_TIMESTAMPS).setByte(i + 3, 10).setInt(i + 4, tsVal).setInt(i + 8, tsEcr);
      i += 12;
    }
    if (sackPermitted && !timestamps) {
      buf.setByte(i, KIND_NOP).setByte(i + 1, KIND_NOP).setByte(i + 2, KIND_SACK_PERMITTED).setByte(i + 3, 2);
      i += 4;
    }
    if (windowScale >= 0) {
      buf.setByte(i, KIND_NOP).setByte(i + 1, KIND_WINDOW_SCALE).setByte(i + 2, 3).setByte(i + 3, windowScale);
      i += 4;
    }
    int blocks = sackBlocksThatFit();
    if (blocks > 0) {
      buf.setByte(i, KIND_NOP).setByte(i + 1, KIND_NOP).setByte(i + 2, KIND_SACK).setByte(i + 3, 2 + 8 * blocks);
      i += 4;
      for (int b = 0; b < blocks; b++) {
        buf.setInt(i, sack[2 * b]).setInt(i + 4, sack[2 * b + 1]);
        i += 8;
      }
    }
    return i - index;
  }

  // ---- getters -----------------------------------------------------------------------------

  public boolean hasMss() {
    return mss >= 0;
  }

  /** The MSS value, or -1 if absent. */
  public int mss() {
    return mss;
  }

  public boolean hasWindowScale() {
    return windowScale >= 0;
  }

  /** The shift count, or -1 if absent. */
  public int windowScale() {
    return windowScale;
  }

  public boolean sackPermitted() {
    return sackPermitted;
  }

  public boolean hasTimestamps() {
    return timestamps;
  }

  public int tsVal() {
    return tsVal;
  }

  public int tsEcr() {
    return tsEcr;
  }

  public int sackCount() {
    return sackCount;
  }

  public int sackLeft(int block) {
    return sack[2 * block];
  }

  public int sackRight(int block) {
    return sack[2 * block + 1];
  }

  // ---- setters -----------------------------------------------------------------------------

  /** -1 removes it. */
  public TcpOptions mss(int value) {
    this.mss = value;
    return this;
  }

  /** -1 removes it. */
  public TcpOptions windowScale(int shift) {
    this.windowScale = shift;
    return this;
  }

  public TcpOptions sackPermitted(boolean on) {
    this.sackPermitted = on;
    return this;
  }

  public TcpOptions timestamps(int val, int ecr) {
    this.timestamps = true;
    this.tsVal = val;
    this.tsEcr = ecr;
    return this;
  }

  public TcpOptions noTimestamps() {
    this.timestamps = false;
    return this;
  }

  public TcpOptions clearSack() {
    sackCount = 0;
    return this;
  }

  /** Appends a SACK block; ignored beyond {@value #MAX_SACK_BLOCKS}. */
  public TcpOptions addSack(int left, int right) {
    if (sackCount < MAX_SACK_BLOCKS) {
      sack[2 * sackCount] = left;
      sack[2 * sackCount + 1] = right;
      sackCount++;
    }
    return this;
  }

  /** A copy (for values kept beyond one segment, e.g. in a {@link TcpSegment.Repr}). */
  public TcpOptions copy() {
    TcpOptions c = new TcpOptions();
    c.mss = mss;
    c.windowScale = windowScale;
    c.sackPermitted = sackPermitted;
    c.timestamps = timestamps;
    c.tsVal = tsVal;
    c.tsEcr = tsEcr;
    c.sackCount = sackCount;
    System.arraycopy(sack, 0, c.sack, 0, sack.length);
    return c;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof TcpOptions t)) {
      return false;
    }
    return t.mss == mss && t.windowScale == windowScale && t.sackPermitted == sackPermitted
        && t.timestamps == timestamps && (!timestamps || (t.tsVal == tsVal && t.tsEcr == tsEcr))
        && t.sackCount == sackCount
        && Arrays.equals(Arrays.copyOf(t.sack, 2 * sackCount), Arrays.copyOf(sack, 2 * sackCount));
  }

  @Override
  public int hashCode() {
    return mss * 31 + windowScale * 7 + (sackPermitted ? 1 : 0) + (timestamps ? 2 : 0) + sackCount;
  }

  /** packetdrill style: {@code <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7>}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("<");
    if (mss >= 0) {
      sb.append("mss ").append(mss).append(',');
    }
    if (sackPermitted) {
      sb.append("sackOK,");
    }
    if (timestamps) {
      sb.append("TS val ").append(Integer.toUnsignedString(tsVal)).append(" ecr ")
          .append(Integer.toUnsignedString(tsEcr)).append(',');
    }
    if (windowScale >= 0) {
      sb.append("wscale ").append(windowScale).append(',');
    }
    if (sackCount > 0) {
      sb.append("sack");
      for (int b = 0; b < sackCount; b++) {
        sb.append(' ').append(Integer.toUnsignedString(sack[2 * b])).append(':')
            .append(Integer.toUnsignedString(sack[2 * b + 1]));
      }
      sb.append(',');
    }
    if (sb.length() > 1) {
      sb.setLength(sb.length() - 1);
    }
    return sb.append('>').toString();
  }
}
