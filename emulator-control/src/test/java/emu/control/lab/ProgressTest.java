package emu.control.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Node start-up lines: one updating line on a terminal, unchanged anywhere else. */
class ProgressTest {
  private static final List<String> LINES = List.of("starting 2 node processes ...", "  node a ready (pid 11, 1/2)",
      "  node b ready (pid 12, 2/2)", "lab x is up");

  @Test
  void onATerminalNodeStartsUpdateOneLine() {
    StringWriter out = new StringWriter();
    ByteArrayOutputStream tty = new ByteArrayOutputStream();
    Progress p = new Progress(new PrintWriter(out), new PrintStream(tty, true, StandardCharsets.UTF_8));
    LINES.forEach(p);
    assertEquals("starting 2 node processes ...\nlab x is up\n", out.toString().replace(System.lineSeparator(), "\n"));
    String shown = tty.toString(StandardCharsets.UTF_8);
    assertTrue(shown.matches("\r\033\\[K  starting nodes 0/2 \\.\\.\\.\r\033\\[K  starting nodes 1/2 \\.\\.\\. a ready "
        + "\\(\\d+\\.\\d s\\)\r\033\\[K  starting nodes 2/2 \\.\\.\\. b ready \\(\\d+\\.\\d s\\)\r?\n"), shown);
  }

  @Test
  void withoutATerminalEveryLineIsPrintedAsItCame() {
    StringWriter out = new StringWriter();
    Progress p = new Progress(new PrintWriter(out), null);
    LINES.forEach(p);
    assertEquals(String.join("\n", LINES) + "\n", out.toString().replace(System.lineSeparator(), "\n"));
  }

  @Test
  void aStartThatFailsHalfWayEndsTheLineBeforeTheErrorIsPrinted() {
    ByteArrayOutputStream tty = new ByteArrayOutputStream();
    Progress p = new Progress(new PrintWriter(new StringWriter()), new PrintStream(tty, true, StandardCharsets.UTF_8));
    LINES.subList(0, 2).forEach(p);
    p.end();
    p.end(); // once is enough
    String shown = tty.toString(StandardCharsets.UTF_8);
    assertTrue(shown.matches("(?s).*a ready \\(\\d+\\.\\d s\\)\n"), shown);
  }
}
