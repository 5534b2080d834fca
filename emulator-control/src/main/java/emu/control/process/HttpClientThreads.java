package emu.control.process;

import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

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

  /** How long a signal's handler thread gets to begin the shutdown it was delivered for. */
  private static final long SIGNAL_GRACE_MS = 5;

  private HttpClientThreads() {}

  /** True once the JVM's shutdown has begun: hooks can no longer be added then. */
  static boolean shuttingDown() {
    Thread probe = new Thread(() -> { });
    try {
      Runtime.getRuntime().addShutdownHook(probe);
      Runtime.getRuntime().removeShutdownHook(probe);
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }

  /**
   * Interrupts every HttpClient selector thread of this JVM and waits briefly for each to end;
   * nothing if the JVM's shutdown has begun (Ctrl-C, SIGTERM). A request on a client whose
   * selector thread is gone never returns, and a shutdown's hooks (a lab's stop) may still make
   * some: so the process ignores those signals from here on (it ends within milliseconds with its
   * own status anyway), and leaves the threads alone if a signal came first. Lab stops bound their
   * requests as well ({@link NodeClient#shutdown}), should one slip between the two.
   */
  public static void endBeforeExit() {
    for (String name : List.of("INT", "TERM", "HUP")) {
      try {
        Signal.handle(new Signal(name), SignalHandler.SIG_IGN);
      } catch (IllegalArgumentException e) {
        // a signal the JVM reserves, or one it does not know here
      }
    }
    try {
      Thread.sleep(SIGNAL_GRACE_MS); // a signal delivered just before: its handler starts the shutdown
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (shuttingDown()) {
      return;
    }
    endSelectors();
  }

  /**
   * For a command whose shutdown needs no HTTP client ({@code emu exec}: the node ends the
   * command when its connection closes): ends the selector threads in a shutdown hook too, so that
   * Ctrl-C (SIGINT, SIGTERM) returns to the prompt without HotSpot's 300 ms wait, as a command's
   * own end does. Not for a process whose hooks make requests (a lab started here stops its nodes
   * over HTTP in one): the hooks run at once, and a request on an ended client never returns.
   */
  public static void endAtShutdown() {
    Runtime.getRuntime().addShutdownHook(new Thread(HttpClientThreads::endSelectors, "emu-http-clients-end"));
  }

  /** Interrupts every HttpClient selector thread of this JVM and waits briefly for each to end. */
  private static void endSelectors() {
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
