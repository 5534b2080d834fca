package emu.node.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * An allocator that remembers every buffer it hands out, so a test can ask, deterministically
 * and without waiting for the garbage collector, which ones are still referenced. Backed by
 * {@link UnpooledByteBufAllocator#DEFAULT}: unpooled buffers are never recycled, so a released
 * buffer keeps reporting {@code refCnt() == 0} (a pooled one could be reused and look alive).
 * Netty's own leak detector still wraps these buffers, so PARANOID detection works as well.
 */
public final class TrackingAllocator implements ByteBufAllocator {
  private final ByteBufAllocator delegate;
  private final List<Tracked> allocated = new ArrayList<>();
  private final boolean recordSites;

  /** {@code recordSites}: keep each allocation's stack trace to say where a leak came from. */
  public TrackingAllocator(boolean recordSites) {
    this(recordSites, UnpooledByteBufAllocator.DEFAULT);
  }

  /**
   * Tracks buffers of {@code delegate}, which must be unpooled. For bulk tests pass
   * {@code new UnpooledByteBufAllocator(false, true)}: its buffers escape Netty's leak detector
   * (which at PARANOID records a stack trace on every access) while this class still counts
   * every one exactly.
   */
  public TrackingAllocator(boolean recordSites, ByteBufAllocator delegate) {
    this.recordSites = recordSites;
    this.delegate = delegate;
  }

  private record Tracked(ByteBuf buf, Throwable site) {}

  private <T extends ByteBuf> T track(T buf) {
    allocated.add(new Tracked(buf, recordSites ? new Throwable("allocated here") : null));
    return buf;
  }

  /** How many buffers were allocated so far. */
  public int allocations() {
    return allocated.size();
  }

  /** Buffers allocated here that are still referenced. */
  public List<ByteBuf> outstanding() {
    List<ByteBuf> live = new ArrayList<>();
    for (Tracked t : allocated) {
      if (t.buf.refCnt() > 0) {
        live.add(t.buf);
      }
    }
    return live;
  }

  /** A readable description of the buffers still referenced (with allocation sites if kept). */
  public String describeOutstanding() {
    StringBuilder sb = new StringBuilder();
    for (Tracked t : allocated) {
      if (t.buf.refCnt() > 0) {
        sb.append("  refCnt=").append(t.buf.refCnt()).append(' ').append(t.buf).append('\n');
        if (t.site != null) {
          StackTraceElement[] st = t.site.getStackTrace();
          for (int i = 1; i < Math.min(st.length, 12); i++) {
            sb.append("      at ").append(st[i]).append('\n');
          }
        }
      }
    }
    return sb.toString();
  }

  @Override
  public ByteBuf buffer() {
    return track(delegate.buffer());
  }

  @Override
  public ByteBuf buffer(int initialCapacity) {
    return track(delegate.buffer(initialCapacity));
  }

  @Override
  public ByteBuf buffer(int initialCapacity, int maxCapacity) {
    return track(delegate.buffer(initialCapacity, maxCapacity));
  }

  @Override
  public ByteBuf ioBuffer() {
    return track(delegate.ioBuffer());
  }

  @Override
  public ByteBuf ioBuffer(int initialCapacity) {
    return track(delegate.ioBuffer(initialCapacity));
  }

  @Override
  public ByteBuf ioBuffer(int initialCapacity, int maxCapacity) {
    return track(delegate.ioBuffer(initialCapacity, maxCapacity));
  }

  @Override
  public ByteBuf heapBuffer() {
    return track(delegate.heapBuffer());
  }

  @Override
  public ByteBuf heapBuffer(int initialCapacity) {
    return track(delegate.heapBuffer(initialCapacity));
  }

  @Override
  public ByteBuf heapBuffer(int initialCapacity, int maxCapacity) {
    return track(delegate.heapBuffer(initialCapacity, maxCapacity));
  }

  @Override
  public ByteBuf directBuffer() {
    return track(delegate.directBuffer());
  }

  @Override
  public ByteBuf directBuffer(int initialCapacity) {
    return track(delegate.directBuffer(initialCapacity));
  }

  @Override
  public ByteBuf directBuffer(int initialCapacity, int maxCapacity) {
    return track(delegate.directBuffer(initialCapacity, maxCapacity));
  }

  @Override
  public CompositeByteBuf compositeBuffer() {
    return track(delegate.compositeBuffer());
  }

  @Override
  public CompositeByteBuf compositeBuffer(int maxNumComponents) {
    return track(delegate.compositeBuffer(maxNumComponents));
  }

  @Override
  public CompositeByteBuf compositeHeapBuffer() {
    return track(delegate.compositeHeapBuffer());
  }

  @Override
  public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
    return track(delegate.compositeHeapBuffer(maxNumComponents));
  }

  @Override
  public CompositeByteBuf compositeDirectBuffer() {
    return track(delegate.compositeDirectBuffer());
  }

  @Override
  public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
    return track(delegate.compositeDirectBuffer(maxNumComponents));
  }

  @Override
  public boolean isDirectBufferPooled() {
    return false;
  }

  @Override
  public int calculateNewCapacity(int minNewCapacity, int maxCapacity) {
    return delegate.calculateNewCapacity(minNewCapacity, maxCapacity);
  }
}
