package emu.control.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.cli.EmuCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
    assertTrue(out.toString().contains("lab corporate (10 nodes, 11 links) drawn: " + html), out.toString());
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
  void dotOutputIsReadByGraphvizAndCarriesKindsInterfacesAndImpairments(@TempDir Path dir) throws Exception {
    Path dot = Tools.require("dot", "graphviz");
    Path yml = dir.resolve("gr-dot.yml");
    Files.writeString(yml, "name: gr-dot\ntopology:\n  nodes:\n    a: {kind: host, interfaces: {eth0: {address: "
        + "10.0.0.1/24}}}\n    r-1: {kind: router, interfaces: {eth0: {address: 10.0.0.2/24}}}\n  links:\n"
        + "    - endpoints: [\"a:eth0\", \"r-1:eth0\"]\n      impairments: {delay: 20ms, loss: 5%}\n");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(0, emu(out, err, "graph", "--dot", yml.toString()), err.toString());
    String text = out.toString();
    assertTrue(text.startsWith("graph \"gr-dot\" {"), text);
    assertTrue(text.contains("\"a\" -- \"r-1\" [taillabel=\"eth0\", headlabel=\"eth0\", label=\"delay 20ms loss 5%\"]"),
        text);
    String drawn = graphviz(dot, text, dir.resolve("small"));
    assertTrue(drawn.contains("r-1") && drawn.contains("delay 20ms loss 5%") && drawn.contains("10.0.0.2/24"), drawn);

    Path corporate = dir.resolve("corporate.dot");
    out = new StringWriter();
    assertEquals(0, emu(out, err, "graph", "--dot", "../configs/corporate.yml", "-o", corporate.toString()));
    assertTrue(out.toString().contains("lab corporate (10 nodes, 11 links) written as DOT: " + corporate),
        out.toString());
    String seed = Files.readString(corporate);
    for (String n : new String[] {"\"client\" [kind=\"host\"", "\"r1\" [kind=\"router\"",
        "\"sw1\" [kind=\"switch\"", "\"client\" -- \"sw1\" [taillabel=\"eth0\", headlabel=\"p1\"]"}) {
      assertTrue(seed.contains(n), n + " in\n" + seed);
    }
    drawn = graphviz(dot, seed, dir.resolve("corporate"));
    for (String n : List.of("client", "printer", "resolver", "sw1", "r1", "sw2", "payroll", "dns", "p1", "eth1")) {
      assertTrue(drawn.contains(n), n + " in Graphviz's drawing");
    }

    // DOT under a drawing's name would open as a broken picture: a usage error, nothing written
    Path misnamed = dir.resolve("drawing.svg");
    err = new StringWriter();
    assertEquals(2, emu(new StringWriter(), err, "graph", "--dot", "../configs/corporate.yml", "-o",
        misnamed.toString()));
    assertTrue(err.toString().contains("--dot writes Graphviz DOT, not a drawing"), err.toString());
    assertTrue(Files.notExists(misnamed));
  }

  /** Runs Graphviz's dot on {@code text}: it must succeed without a warning; the drawing's text. */
  private static String graphviz(Path dot, String text, Path base) throws Exception {
    Path file = Path.of(base + ".dot");
    Path svg = Path.of(base + ".svg");
    Files.writeString(file, text);
    Process p = new ProcessBuilder(dot.toString(), "-Tsvg", "-o", svg.toString(), file.toString())
        .redirectErrorStream(true).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("dot did not finish in 60 s");
    }
    String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), said);
    assertEquals("", said, "dot's warnings");
    DocumentBuilderFactory xml = DocumentBuilderFactory.newInstance();
    // Graphviz's SVG names the W3C's DTD: read it as well-formed XML without fetching that.
    xml.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    return xml.newDocumentBuilder().parse(svg.toFile()).getDocumentElement().getTextContent();
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
