package emu.control.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code emu validate} and {@code emu graph} name loops of switches: what they print where, and the exit status. */
class LoopNotesTest {
  private static String triangle(String s2) {
    return """
        name: lnotes
        topology:
          nodes:
            s1: {kind: switch%s}
            s2: {kind: switch%s}
            s3: {kind: switch%s}
          links:
            - endpoints: [s1:p1, s2:p1]
            - endpoints: [s2:p2, s3:p1]
            - endpoints: [s3:p2, s1:p2]
        """.formatted(s2, s2, s2);
  }

  private static int emu(StringWriter out, StringWriter err, String... args) {
    return EmuCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  @Test
  void validateNotesALoopRstpCuts(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("tri.yml"), triangle(""));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(0, emu(out, err, "validate", file.toString()), err.toString());
    assertEquals("note: s1 - s2 - s3 - s1 form a loop; RSTP will block one port\n"
        + file + ": lab lnotes, 3 nodes, 3 links, 0 scenario steps: OK\n", out.toString());
    assertEquals("", err.toString());
  }

  @Test
  void validateWarnsOfALoopWithoutSpanningTree(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("tri.yml"), triangle(", stp: false"));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(0, emu(out, err, "validate", file.toString()), "a warning, as validate's others: still usable");
    assertEquals("warning: " + file + ":10:7: s1 - s2 - s3 - s1 form a loop and s1, s2 and s3 run no spanning tree"
        + " (stp: false): broadcasts will circulate forever\n", err.toString());
    assertEquals(file + ": lab lnotes, 3 nodes, 3 links, 0 scenario steps: OK\n", out.toString());
  }

  @Test
  void graphKeepsItsStandardOutputTheDrawing(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("tri.yml"), triangle(""));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(0, emu(out, err, "graph", "--dot", file.toString()), err.toString());
    assertTrue(out.toString().startsWith("graph \"lnotes\" {"), out.toString());
    assertEquals("note: s1 - s2 - s3 - s1 form a loop; RSTP will block one port\n", err.toString());

    Path off = Files.writeString(dir.resolve("off.yml"), triangle(", stp: false"));
    out = new StringWriter();
    err = new StringWriter();
    assertEquals(0, emu(out, err, "graph", "--dot", off.toString()));
    assertTrue(out.toString().startsWith("graph \"lnotes\" {"), out.toString());
    assertTrue(err.toString().startsWith("warning: " + off + ":10:7: s1 - s2 - s3 - s1 form a loop and"),
        err.toString());
  }
}
