package emu.control.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.k8s.TreeLab;
import emu.control.report.TopologyLayout.Layout;
import emu.control.report.TopologyLayout.Placed;
import emu.control.topology.Topology;
import emu.control.topology.TopologyLoader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The layout's own promises, without a browser (DrawingGeometryTest measures the rendered
 * drawing in Chromium): leaf hosts beyond the threshold collapse into one glyph per switch that
 * names them, boxes never overlap, a 1,000-node lab lays out, and the same file gives the same
 * picture.
 */
class TopologyLayoutTest {
  private static Topology tree(String name, int edges, int hosts) throws Exception {
    return TopologyLoader.parse(Path.of(name + ".yml"), TreeLab.yaml(name, edges, hosts));
  }

  @Test
  void aSwitchsManyLeafHostsBecomeOneGlyphThatNamesThemAndMarksTheOnesNotRunning() throws Exception {
    String yaml = TreeLab.yaml("gr-wide", 3, TopologyLayout.COLLAPSE_OVER + 1).replace("[\"h3:eth0\", \"s1:p3\"]",
        "[\"h3:eth0\", \"s1:p3\"]\n      impairments: {delay: 20ms}");
    Topology topo = TopologyLoader.parse(Path.of("gr-wide.yml"), yaml);
    assertEquals(Map.of("delay", "20ms"), topo.links().stream().filter(l -> l.a().node().equals("h3")).findFirst()
        .orElseThrow().impairments());
    String svg = TopologyDrawing.svg(topo, Map.of("h2", "killed"));
    var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    NodeList groups = doc.getElementsByTagName("g");
    int glyphs = 0;
    int hosts = 0;
    for (int i = 0; i < groups.getLength(); i++) {
      Element g = (Element) groups.item(i);
      String cls = g.getAttribute("class");
      if (cls.startsWith("node hosts")) {
        glyphs++;
        String sw = g.getAttribute("data-node").replace("/hosts", "");
        assertEquals("topo-" + sw + "/hosts", g.getAttribute("id"));
        assertTrue(g.getTextContent().contains("7 hosts"), g.getTextContent());
        String title = g.getElementsByTagName("title").item(0).getTextContent();
        int first = (Integer.parseInt(sw.substring(1)) - 1) * 7 + 1;
        assertTrue(title.contains("\nh" + first + " eth0 10." + sw.substring(1) + ".0.2/16"), title);
        assertEquals(sw.equals("s1"), cls.contains("down"), cls + " " + title);
        assertEquals(sw.equals("s1"), title.contains("h2 eth0 10.1.0.3/16 (killed)"), title);
        assertEquals(sw.equals("s1"), title.contains("\nh3:eth0 -- s1:p3 delay 20ms"), title);
        assertEquals(sw.equals("s1"), g.getTextContent().contains("1 impaired"), g.getTextContent());
        // the console finds a collapsed host's glyph (its state, a click) by the members it lists
        StringBuilder members = new StringBuilder();
        for (int h = first; h < first + 7; h++) {
          members.append(members.length() == 0 ? "" : " ").append('h').append(h);
        }
        assertEquals(members.toString(), g.getAttribute("data-members"));
      } else if (cls.equals("node host")) {
        hosts++;
      }
    }
    assertEquals(3, glyphs);
    assertEquals(0, hosts, "every host is in a glyph");
    assertFalse(svg.contains("data-a=\"h1:eth0\""), "a collapsed host's link is in its glyph's wire");
    assertTrue(svg.contains("<g class=\"link\" data-a=\"core:eth0\" data-b=\"e1:eth0\">"), svg);
    assertTrue(svg.contains("<g class=\"node switch\" id=\"topo-s1\" data-node=\"s1\">"), svg);
    assertTrue(svg.contains("<g class=\"wire\" data-node=\"s1/hosts\">"), svg);
  }

  @Test
  void upToTheThresholdEveryHostIsDrawnWithItsAddress() throws Exception {
    String svg = TopologyDrawing.svg(tree("gr-few", 2, TopologyLayout.COLLAPSE_OVER));
    assertFalse(svg.contains("node hosts"), svg);
    for (int h = 1; h <= 12; h++) {
      assertTrue(svg.contains("<g class=\"node host\" id=\"topo-h" + h + "\" data-node=\"h" + h + "\">"), "h" + h);
      assertTrue(svg.contains("data-a=\"h" + h + ":eth0\""), "h" + h + "'s link");
    }
    assertTrue(svg.contains(">eth0 10.2.0.7/16<"), svg);
  }

  @Test
  void aThousandNodeLabLaysOutWithoutOverlapsAndTheSameFileGivesTheSamePicture() throws Exception {
    Topology topo = tree("gr-thousand", 142, 5); // 995 nodes, none collapsed: the most boxes to place
    assertEquals(995, topo.nodes().size());
    long start = System.nanoTime();
    Layout layout = TopologyLayout.of(topo);
    System.out.printf("995-node tree lab laid out in %d ms: %.0f x %.0f px%n", (System.nanoTime() - start) / 1_000_000,
        layout.width(), layout.height());
    assertEquals(995, layout.boxes().size());
    assertEquals(994, layout.routes().size());
    List<Placed> boxes = List.copyOf(layout.boxes().values());
    // Boxes sorted by x: only those that start before one ends can overlap it.
    List<Placed> byX = boxes.stream().sorted((a, b) -> Double.compare(a.x(), b.x())).toList();
    for (int i = 0; i < byX.size(); i++) {
      Placed a = byX.get(i);
      for (int j = i + 1; j < byX.size() && byX.get(j).x() < a.x() + a.w(); j++) {
        Placed b = byX.get(j);
        assertFalse(b.y() < a.y() + a.h() && a.y() < b.y() + b.h(), a.id() + " overlaps " + b.id());
      }
      assertTrue(a.x() >= 0 && a.y() >= 0 && a.x() + a.w() <= layout.width() && a.y() + a.h() <= layout.height(),
          a.id() + " inside the picture");
    }
    Topology small = tree("gr-same", 4, 3);
    assertEquals(TopologyDrawing.svg(small), TopologyDrawing.svg(tree("gr-same", 4, 3)));
    assertNotNull(layout.routes().get(0).points());
  }
}
