package emu.link.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class if Netty's leak detector (at PARANOID, every buffer tracked) reports a
 * ByteBuf that was garbage-collected without being released. Registered for every test through
 * JUnit's extension auto-detection, so it is installed before any buffer class loads.
 */
public final class LeakDetectionExtension implements AfterAllCallback {
  private static final List<String> LEAKS = Collections.synchronizedList(new ArrayList<>());

  static {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
      @Override
      public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                 long maxActive) {
        return new RecordingDetector<>(resource, samplingInterval);
      }
    });
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    for (int round = 0; round < 3; round++) {
      System.gc();
      Thread.sleep(20);
      // Leaks are reported when the detector next tracks a buffer: allocate a few.
      for (int i = 0; i < 64; i++) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.buffer(8);
        b.release();
        ByteBuf u = UnpooledByteBufAllocator.DEFAULT.buffer(8);
        u.release();
      }
    }
    List<String> found;
    synchronized (LEAKS) {
      found = new ArrayList<>(LEAKS);
      LEAKS.clear();
    }
    if (!found.isEmpty()) {
      throw new AssertionError(found.size() + " ByteBuf leak(s) in " + context.getDisplayName() + ":\n"
          + String.join("\n----\n", found));
    }
  }

  private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
    RecordingDetector(Class<T> type, int samplingInterval) {
      super(type, samplingInterval);
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
      LEAKS.add("LEAK " + resourceType + records);
      super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
      LEAKS.add("LEAK " + resourceType + " (no records)");
      super.reportUntracedLeak(resourceType);
    }
  }
}
