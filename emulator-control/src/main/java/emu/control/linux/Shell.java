package emu.control.linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs iproute2 and friends for the namespace manager, failing with the command and its stderr. */
final class Shell {
  private Shell() {}

  record Result(int exit, String out) {}

  static Result run(String... cmd) throws IOException {
    return run(Arrays.asList(cmd));
  }

  static Result run(List<String> cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("timed out: " + String.join(" ", cmd));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + String.join(" ", cmd), e);
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8).trim());
  }

  /** Runs and throws unless the exit status is 0. */
  static String must(String... cmd) throws IOException {
    Result r = run(cmd);
    if (r.exit() != 0) {
      throw new IOException("'" + String.join(" ", cmd) + "' failed (" + r.exit() + "): " + r.out());
    }
    return r.out();
  }

  static List<String> lines(String text) {
    List<String> l = new ArrayList<>();
    for (String s : text.split("\n")) {
      if (!s.isBlank()) {
        l.add(s.trim());
      }
    }
    return l;
  }
}
