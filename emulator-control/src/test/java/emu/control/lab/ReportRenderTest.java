package emu.control.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.cli.EmuCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./emu graph} draws a topology without starting anything, and the drawing renders in a
 * real browser. (The report of a real run is rendered by SeedScenarioTest, which runs the seed.)
 */
class ReportRenderTest {
  private static int emu(StringWriter out, StringWriter err, String... args) {
    return EmuCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  @Test
  void theSeedTopologyIsDrawnAndRendersInChromium(@TempDir Path dir) throws Exception {
    Path html = dir.resolve("corporate.html");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(0, emu(out, err, "graph", "../configs/corporate.yml", "-o", html.toString()), err.toString());
    assertTrue(out.toString().contains("lab corporate (8 nodes, 7 links) drawn: " + html), out.toString());
    String page = Files.readString(html);
    for (String n : new String[] {"client", "r1", "payroll", "eth1 192.168.5.1/24", "eth0 dhcp"}) {
      assertTrue(page.contains(">" + n + "<"), n + " is drawn");
    }
    Path svg = dir.resolve("corporate.svg");
    assertEquals(0, emu(new StringWriter(), err, "graph", "../configs/corporate.yml", "-o", svg.toString()));
    DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile()); // well-formed on its own
    Browser.assertRenders(html, dir.resolve("corporate.png"), 1300, 700);
  }

  @Test
  void aBadFileIsRefusedAsValidateRefusesItAndNothingIsWritten(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.yml");
    Files.writeString(bad, "name: bad\ntopology:\n  nodes:\n    a: {kind: host}\n  links:\n"
        + "    - endpoints: [\"a:eth0\", \"nowhere:eth0\"]\n");
    StringWriter err = new StringWriter();
    StringWriter validateErr = new StringWriter();
    Path html = dir.resolve("bad.html");
    assertEquals(2, emu(new StringWriter(), err, "graph", bad.toString(), "-o", html.toString()));
    assertEquals(2, emu(new StringWriter(), validateErr, "validate", bad.toString()));
    assertEquals(validateErr.toString(), err.toString(), "the same errors as validate");
    assertTrue(err.toString().contains("nowhere"), err.toString());
    assertTrue(Files.notExists(html));
  }
}
