package emu.control.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import emu.control.k8s.TreeLab;
import emu.control.report.TopologyDrawing;
import emu.control.topology.LinkSpec;
import emu.control.topology.NodeSpec;
import emu.control.topology.Topology;
import emu.control.topology.TopologyLoader;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topology drawing measured by a real browser: headless Chromium lays out the SVG and a
 * script reads every node box and every link's path back (getBBox, getCTM, getPointAtLength), then
 * checks that no link passes through a node box other than its two ends and that the picture's
 * aspect ratio is between 1:3 and 3:1 (a screen is 16:9, a portrait page 1:1.4; within 1:3..3:1 a
 * drawing fits either after zooming to the width or height, whereas the old layout of the same
 * 141-node lab was a 1:34 column). Labs: the seed (every node and interface shown) and the
 * 141-node tree lab of issue 22 (a core router, 20 edge routers, 20 switches, 100 hosts).
 */
class DrawingGeometryTest {
  private static final long TIMEOUT_S = 120;

  /** Runs in the page: a JSON report of the drawing's geometry, written into #result. */
  private static final String CHECK = """
      function box(el) {
        const b = el.getBBox(), m = el.getCTM();
        const p = new DOMPoint(b.x, b.y).matrixTransform(m), q = new DOMPoint(b.x + b.width, b.y + b.height)
            .matrixTransform(m);
        return {x1: Math.min(p.x, q.x), y1: Math.min(p.y, q.y), x2: Math.max(p.x, q.x), y2: Math.max(p.y, q.y)};
      }
      // Does the segment p-q enter the box shrunk by 1 px (touching a box's border is how a link ends)?
      function crosses(p, q, r) {
        const x1 = r.x1 + 1, y1 = r.y1 + 1, x2 = r.x2 - 1, y2 = r.y2 - 1;
        let t0 = 0, t1 = 1;
        const dx = q.x - p.x, dy = q.y - p.y;
        for (const [pp, qq] of [[-dx, p.x - x1], [dx, x2 - p.x], [-dy, p.y - y1], [dy, y2 - p.y]]) {
          if (pp === 0) { if (qq < 0) return false; continue; }
          const t = qq / pp;
          if (pp < 0) { if (t > t1) return false; if (t > t0) t0 = t; }
          else { if (t < t0) return false; if (t < t1) t1 = t; }
        }
        return t0 < t1;
      }
      const out = [];
      for (const svg of document.querySelectorAll('svg.topology')) {
        const nodes = {};
        for (const g of svg.querySelectorAll('g.node')) {
          const rects = [...g.querySelectorAll(':scope > rect')].map(box);
          nodes[g.dataset.node] = {x1: Math.min(...rects.map(r => r.x1)), y1: Math.min(...rects.map(r => r.y1)),
              x2: Math.max(...rects.map(r => r.x2)), y2: Math.max(...rects.map(r => r.y2))};
        }
        const bad = [], links = [], labels = [];
        for (const g of svg.querySelectorAll('g.link, g.wire')) {
          const ends = g.classList.contains('wire') ? [g.dataset.node.split('/')[0], g.dataset.node]
              : [g.dataset.a.split(':')[0], g.dataset.b.split(':')[0]];
          if (g.classList.contains('link')) links.push(g.dataset.a + ' ' + g.dataset.b);
          g.querySelectorAll('text').forEach(t => labels.push(t.textContent));
          const path = g.querySelector('path'), m = path.getCTM();
          // The path's corners, as the browser parsed them: sample along it, keep where it turns.
          const pts = [];
          const len = path.getTotalLength();
          for (let s = 0; s <= len + 0.01; s += 1) {
            pts.push(path.getPointAtLength(Math.min(s, len)).matrixTransform(m));
          }
          for (let i = 1; i < pts.length; i++) {
            for (const [name, r] of Object.entries(nodes)) {
              if (!ends.includes(name) && crosses(pts[i - 1], pts[i], r)) {
                bad.push(ends.join('-') + ' through ' + name);
                break;
              }
            }
          }
        }
        const vb = svg.viewBox.baseVal;
        out.push({lab: svg.getAttribute('aria-label'), width: vb.width, height: vb.height,
            nodes: Object.keys(nodes), links, labels, bad: [...new Set(bad)]});
      }
      document.getElementById('result').textContent = JSON.stringify(out);
      """;

  /** A drawing with a link a-b straight through c: the check must report it. */
  private static final String THROUGH = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"topology\" "
      + "viewBox=\"0 0 300 100\" width=\"300\" height=\"100\" aria-label=\"through\">"
      + "<g class=\"link\" data-a=\"a:eth0\" data-b=\"b:eth0\"><path d=\"M40 50 L260 50\"/></g>"
      + "<g class=\"node host\" data-node=\"a\"><rect x=\"0\" y=\"30\" width=\"40\" height=\"40\"/></g>"
      + "<g class=\"node host\" data-node=\"c\"><rect x=\"130\" y=\"30\" width=\"40\" height=\"40\"/></g>"
      + "<g class=\"node host\" data-node=\"b\"><rect x=\"260\" y=\"30\" width=\"40\" height=\"40\"/></g></svg>";

  @Test
  void theSeedAndTheTreeLabAreDrawnWithNoLinkThroughANodeAndASaneShape(@TempDir Path dir) throws Exception {
    Topology seed = TopologyLoader.load(Path.of("../configs/corporate.yml"));
    Topology tree = TopologyLoader.parse(Path.of("gr-tree.yml"), TreeLab.yaml("gr-tree", 20, 5));
    assertEquals(141, tree.nodes().size());
    Path page = dir.resolve("drawings.html");
    Files.writeString(page, "<!DOCTYPE html><html><body>" + TopologyDrawing.svg(seed) + TopologyDrawing.svg(tree)
        + THROUGH + "<pre id=\"result\">not run</pre><script>" + CHECK + "</script></body></html>", StandardCharsets.UTF_8);
    JsonNode labs = new ObjectMapper().readTree(measure(page));
    assertEquals(3, labs.size(), labs::toString);
    assertEquals("[\"a-b through c\"]", labs.get(2).get("bad").toString(), "the check sees a link through a node");
    for (int i = 0; i < 2; i++) {
      Topology topo = i == 0 ? seed : tree;
      JsonNode lab = labs.get(i);
      assertEquals("[]", lab.get("bad").toString(), "links through nodes in " + topo.name());
      double w = lab.get("width").asDouble();
      double h = lab.get("height").asDouble();
      assertTrue(w / h >= 1 / 3.0 && w / h <= 3.0, topo.name() + " is " + w + " x " + h);
      // Every node (no leaf host collapsed: 5 or fewer per switch) and every link.
      Set<String> nodes = new HashSet<>();
      lab.get("nodes").forEach(n -> nodes.add(n.asText()));
      Set<String> links = new HashSet<>();
      lab.get("links").forEach(n -> links.add(n.asText()));
      for (NodeSpec n : topo.nodes()) {
        assertTrue(nodes.contains(n.name()), n.name() + " drawn in " + topo.name());
      }
      assertEquals(topo.nodes().size(), nodes.size(), topo.name());
      for (LinkSpec l : topo.links()) {
        assertTrue(links.contains(l.a() + " " + l.b()), l + " drawn in " + topo.name());
      }
      assertEquals(topo.links().size(), links.size(), topo.name());
    }
    List<String> labels = new ArrayList<>();
    labs.get(0).get("labels").forEach(n -> labels.add(n.asText()));
    for (LinkSpec l : seed.links()) {
      assertTrue(labels.contains(l.a().iface()) && labels.contains(l.b().iface()), l
          + "'s interface names are drawn: " + labels);
    }
  }

  /** Chromium loads the page, runs its script, and prints the DOM; the script's result is in #result. */
  private static String measure(Path page) throws Exception {
    Path chromium = Tools.require("chromium");
    Path profile = Files.createTempDirectory("gr-chromium");
    Path log = Files.createTempFile("gr-chromium", ".log");
    Path dom = Files.createTempFile("gr-chromium", ".html");
    try {
      // --no-sandbox: tests may run as root, where Chromium's sandbox refuses to start.
      List<String> cmd = List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
          "--disable-extensions", "--no-first-run", "--user-data-dir=" + profile, "--virtual-time-budget=10000",
          "--dump-dom", page.toAbsolutePath().toUri().toString());
      Process p = new ProcessBuilder(cmd).redirectOutput(dom.toFile()).redirectError(log.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new AssertionError("chromium did not finish within " + TIMEOUT_S + " s: " + cmd);
      }
      String out = Files.readString(dom, StandardCharsets.UTF_8);
      assertEquals(0, p.exitValue(), Files.readString(log));
      Matcher m = Pattern.compile("<pre id=\"result\">(.*?)</pre>", Pattern.DOTALL).matcher(out);
      assertTrue(m.find(), "no result in the page: " + Files.readString(log));
      return m.group(1).replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
    } finally {
      try (var s = Files.walk(profile)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
      Files.deleteIfExists(log);
      Files.deleteIfExists(dom);
    }
  }
}
