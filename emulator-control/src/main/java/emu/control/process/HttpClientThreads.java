package emu.control.process;

/**
 * Ends the selector threads of the JDK's {@link java.net.http.HttpClient}s before this JVM exits,
 * which makes every CLI command that spoke to a node or a control process about 0.3 s quicker to
 * return to the prompt.
 *
 * <p>Why: at exit HotSpot waits for threads blocked in a native call to block
 * ({@code VM_Exit::wait_for_threads_in_native_to_block}), up to 300 ms for non-compiler threads.
 * An HttpClient's selector thread sits in {@code epoll_wait} for as long as the client lives, and
 * JDK 17's HttpClient has no {@code close()} (JDK 21 added it). Measured on the seed {@code ./emu
 * run} (2 cores, OpenJDK 17.0.15): 340 ms from {@code System.exit} to the process's end with the
 * two selector threads of the CLI waiting, 30 ms once they are interrupted first. An interrupted
 * selector thread wakes, sees it was interrupted, shuts its client down and ends (a few ms). Only
 * for the last moment of a process: clients are unusable afterwards. The threads are found by the
 * name the JDK gives them ({@code HttpClient-N-SelectorManager}, JDK 11 to 25); should a JDK name
 * them otherwise, nothing breaks, exits are merely 0.3 s slower again.
 */
public final class HttpClientThreads {
  /** How long to wait for each thread to end: they take a few milliseconds. */
  private static final long JOIN_MS = 100;

  private HttpClientThreads() {}

  /** Interrupts every HttpClient selector thread of this JVM and waits briefly for each to end. */
  public static void endBeforeExit() {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      String name = t.getName();
      if (name.startsWith("HttpClient-") && name.endsWith("-SelectorManager")) {
        t.interrupt();
        try {
          t.join(JOIN_MS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
