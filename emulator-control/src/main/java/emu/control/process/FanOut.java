package emu.control.process;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Asks many nodes the same thing at once, a bounded number at a time, and gives the answers in
 * the order asked: what {@code status} and the control API's lab view do with every node's
 * management API. One after the other, a 1,000-node lab's status took a round trip per node, and
 * a node that does not answer (paused: the kernel accepts, nobody replies) held up every node
 * after it by its whole timeout; at once, it holds up one thread of {@link #PARALLELISM}.
 *
 * <p>Each call must bound its own time (the node clients' requests have timeouts) and turn its
 * failures into its answer: an exception escaping {@code ask} is rethrown here.
 */
public final class FanOut {
  /**
   * Requests in flight at most: enough that a few silent nodes do not stall the rest, few enough
   * that a lab of thousands does not open thousands of connections and threads at once.
   */
  public static final int PARALLELISM = 32;

  private FanOut() {}

  /** {@code ask} applied to each item, at most {@code parallelism} at a time; answers in the items' order. */
  public static <T, R> List<R> map(List<T> items, int parallelism, Function<T, R> ask) {
    if (items.size() <= 1) {
      return items.stream().map(ask).toList();
    }
    AtomicInteger n = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, items.size()), r -> {
      Thread t = new Thread(r, "emu-fanout-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<R>> asked = new ArrayList<>(items.size());
      for (T item : items) {
        asked.add(pool.submit(() -> ask.apply(item)));
      }
      List<R> out = new ArrayList<>(items.size());
      for (Future<R> f : asked) {
        out.add(f.get());
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking the nodes", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /** {@link #map} with {@link #PARALLELISM}. */
  public static <T, R> List<R> map(List<T> items, Function<T, R> ask) {
    return map(items, PARALLELISM, ask);
  }
}
