package emu.control.lab;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Node start-up lines for a person at a terminal: there, the per-node "node X ready (pid N, k/n)"
 * lines become one line on stderr that updates in place ("starting nodes 5/8 ..."); everything
 * else, and everything when no terminal is attached (CI logs, tests), is printed as it comes.
 */
public final class Progress implements Consumer<String> {
  private static final Pattern STARTING =
      Pattern.compile("starting (\\d+) node(?: processes|s, up to \\d+ a JVM) \\.\\.\\.");
  private static final Pattern READY = Pattern.compile("\\s*node (\\S+) ready \\(pid \\d+, (\\d+)/(\\d+)\\)");

  private final PrintWriter out;
  private final PrintStream tty;
  private final long t0 = System.nanoTime();
  private boolean open;

  Progress(PrintWriter out, PrintStream tty) {
    this.out = out;
    this.tty = tty;
  }

  /** Prints to {@code out}, or to the terminal's stderr when there is one. */
  public static Progress nodeStarts(PrintWriter out) {
    return new Progress(out, System.console() != null ? System.err : null);
  }

  /** One line as it would be printed (indentation included). */
  @Override
  public void accept(String line) {
    Matcher start = tty == null ? null : STARTING.matcher(line);
    if (start != null && start.matches()) {
      out.println(line);
      out.flush();
      tty.print("\r\033[K  starting nodes 0/" + start.group(1) + " ...");
      tty.flush();
      open = true;
      return;
    }
    Matcher m = tty == null ? null : READY.matcher(line);
    if (m != null && m.matches()) {
      int k = Integer.parseInt(m.group(2));
      int n = Integer.parseInt(m.group(3));
      tty.printf(Locale.ROOT, "\r\033[K  starting nodes %d/%d ... %s ready (%.1f s)", k, n, m.group(1),
          (System.nanoTime() - t0) / 1e9);
      open = k < n;
      if (!open) {
        tty.println();
      }
      tty.flush();
      return;
    }
    if (open) {
      tty.println();
      tty.flush();
      open = false;
    }
    out.println(line);
    out.flush();
  }

  /** Ends the progress line if one is still open on the terminal. */
  public void end() {
    if (open) {
      tty.println();
      tty.flush();
      open = false;
    }
  }
}
