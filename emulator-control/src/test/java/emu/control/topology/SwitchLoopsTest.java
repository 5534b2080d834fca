package emu.control.topology;

import static emu.control.topology.Labs.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Loops of switches named before start: the cycle basis, its order, and what each loop means with and without STP. */
class SwitchLoopsTest {

  /** Switches (name: extra settings) and links, as a topology file; links start at line 5 + switches. */
  private static String lab(List<String> switches, String links) {
    StringBuilder nodes = new StringBuilder();
    for (String s : switches) {
      nodes.append("    ").append(s).append('\n');
    }
    return "name: loops\ntopology:\n  nodes:\n" + nodes
        + "    h1: {kind: host, interfaces: {eth0: {address: 10.0.0.1/24}}}\n"
        + "    h2: {kind: host, interfaces: {eth0: {address: 10.0.0.2/24}}}\n"
        + "  links:\n" + links.indent(4);
  }

  private static List<String> texts(Topology t) {
    return SwitchLoops.of(t).stream().map(SwitchLoops.Loop::text).toList();
  }

  private static final String TRIANGLE = """
      - endpoints: [s1:p1, s2:p1]
      - endpoints: [s2:p2, s3:p1]
      - endpoints: [s3:p2, s1:p2]
      - endpoints: [h1:eth0, s1:p3]
      - endpoints: [h2:eth0, s3:p3]
      """;

  @Test
  void aTriangleIsOneLoopThatRstpCuts() {
    Topology t = valid(lab(List.of("s1: {kind: switch}", "s2: {kind: switch}", "s3: {kind: switch}"), TRIANGLE));
    assertEquals(List.of("s1 - s2 - s3 - s1 form a loop; RSTP will block one port"), texts(t));
    assertEquals(List.of(), t.warnings(), "a loop RSTP cuts is redundancy, not a mistake");
  }

  @Test
  void aTreeHasNoLoopAndHostsCloseNone() {
    // h1 and h2 each on two switches would be a loop through hosts: but hosts do not bridge
    Topology t = valid(lab(List.of("s1: {kind: switch}", "s2: {kind: switch}", "s3: {kind: switch}"), """
        - endpoints: [s1:p1, s2:p1]
        - endpoints: [s1:p2, s3:p1]
        - endpoints: [h1:eth0, s2:p2]
        - endpoints: [h2:eth0, s3:p2]
        """));
    assertEquals(List.of(), SwitchLoops.of(t));
  }

  @Test
  void parallelLinksAreALoop() {
    Topology t = valid(lab(List.of("s1: {kind: switch}", "s2: {kind: switch}"), """
        - endpoints: [s1:p1, s2:p1]
        - endpoints: [s1:p2, s2:p2]
        - endpoints: [s1:p3, s2:p3]
        """));
    assertEquals(List.of("s1 - s2 - s1 form a loop; RSTP will block one port",
        "s1 - s2 - s1 form a loop; RSTP will block one port"), texts(t), "three links: two independent loops");
    assertEquals(List.of(1, 2), SwitchLoops.of(t).stream().map(SwitchLoops.Loop::closing).toList());
  }

  @Test
  void eachIndependentLoopOnceInFileOrder() {
    // a square s1-s2-s3-s4 with the diagonal s2-s4: two loops (not the outer square as a third)
    Topology t = valid(lab(List.of("s1: {kind: switch}", "s2: {kind: switch}", "s3: {kind: switch}",
        "s4: {kind: switch}"), """
        - endpoints: [s1:p1, s2:p1]
        - endpoints: [s2:p2, s3:p1]
        - endpoints: [s3:p2, s4:p1]
        - endpoints: [s4:p2, s1:p2]
        - endpoints: [s2:p3, s4:p3]
        """));
    List<SwitchLoops.Loop> loops = SwitchLoops.of(t);
    assertEquals(2, loops.size(), loops.toString());
    assertEquals(List.of("s1 - s2 - s3 - s4 - s1", "s2 - s3 - s4 - s2"),
        loops.stream().map(SwitchLoops.Loop::path).toList());
    // the same links with the diagonal first: the loops follow the file's order, so they are others
    List<SwitchLoops.Loop> diagonalFirst = SwitchLoops.of(valid(lab(List.of("s1: {kind: switch}",
        "s2: {kind: switch}", "s3: {kind: switch}", "s4: {kind: switch}"), """
        - endpoints: [s2:p3, s4:p3]
        - endpoints: [s1:p1, s2:p1]
        - endpoints: [s2:p2, s3:p1]
        - endpoints: [s3:p2, s4:p1]
        - endpoints: [s4:p2, s1:p2]
        """)));
    assertEquals(List.of("s2 - s3 - s4 - s2", "s1 - s2 - s4 - s1"),
        diagonalFirst.stream().map(SwitchLoops.Loop::path).toList());
    assertEquals(List.of(3, 4), diagonalFirst.stream().map(SwitchLoops.Loop::closing).toList());
  }

  @Test
  void aLoopWithoutAnySpanningTreeIsAWarningAtTheLinkClosingIt() {
    Topology t = valid(lab(List.of("s1: {kind: switch, stp: false}", "s2: {kind: switch, stp: false}",
        "s3: {kind: switch, stp: {enabled: false}}"), TRIANGLE));
    String text = "s1 - s2 - s3 - s1 form a loop and s1, s2 and s3 run no spanning tree (stp: false): broadcasts"
        + " will circulate forever";
    assertEquals(List.of(text), texts(t));
    assertTrue(SwitchLoops.of(t).get(0).storms());
    assertEquals(List.of("lab.yml:12:7: " + text), t.warnings(), "at the third link, which closes the loop");
  }

  @Test
  void stormControlOnEveryPortBoundsTheLoop() {
    String policed = "storm: {broadcast: 1000pps}";
    // s3 polices its ports to s1 and s2 only: what circles comes in there, its port to h2 does not matter
    Topology t = valid(lab(List.of("s1: {kind: switch, stp: false, " + policed + "}",
        "s2: {kind: switch, stp: false, " + policed + "}",
        "s3: {kind: switch, stp: false, interfaces: {p1: {" + policed + "}, p2: {" + policed + "}}}"), TRIANGLE));
    assertEquals(List.of("lab.yml:12:7: s1 - s2 - s3 - s1 form a loop and s1, s2 and s3 run no spanning tree"
        + " (stp: false): broadcast frames will circulate at most at their storm control's level (which may end the"
        + " storm); multicast and unknown-unicast frames are not policed on every port between them and will"
        + " circulate forever"), t.warnings());
    String all = "storm: {broadcast: 1kpps, multicast: 1kpps, unknown-unicast: 1kpps}";
    Topology every = valid(lab(List.of("s1: {kind: switch, stp: false, " + all + "}",
        "s2: {kind: switch, stp: false, " + all + "}", "s3: {kind: switch, stp: false, " + all + "}"), TRIANGLE));
    assertTrue(every.warnings().get(0).endsWith("(stp: false): broadcast, multicast and unknown-unicast frames will"
        + " circulate at most at their storm control's level (which may end the storm)"), every.warnings().toString());
    Topology exempt = valid(lab(List.of("s1: {kind: switch, stp: false, " + all + "}",
        "s2: {kind: switch, stp: false, " + all + "}",
        "s3: {kind: switch, stp: false, " + all + ", interfaces: {p2: {storm: false}}}"), TRIANGLE));
    assertTrue(exempt.warnings().get(0).endsWith("broadcasts will circulate forever"), "s3 p2 is exempt");
    Topology partly = valid(lab(List.of("s1: {kind: switch, stp: false, " + policed + "}",
        "s2: {kind: switch, stp: false, " + policed + "}",
        "s3: {kind: switch, stp: false, interfaces: {p1: {" + policed + "}}}"), TRIANGLE));
    assertTrue(partly.warnings().get(0).endsWith("broadcasts will circulate forever"), "s3 p2 polices nothing");
  }

  @Test
  void oneSwitchWithoutStpLeavesTheLoopToTheOthers() {
    // s2 floods BPDUs, so s1 and s3 see each other through it and block a port themselves
    Topology t = valid(lab(List.of("s1: {kind: switch}", "s2: {kind: switch, stp: false}", "s3: {kind: switch}"),
        TRIANGLE));
    assertEquals(List.of("s1 - s2 - s3 - s1 form a loop; s2 runs no spanning tree (stp: false) but floods BPDUs, so"
        + " RSTP on s1 and s3 will block one port"), texts(t));
    assertFalse(SwitchLoops.of(t).get(0).storms());
    assertEquals(List.of(), t.warnings());
    Topology legacy = valid(lab(List.of("s1: {kind: switch, stp: {force-version: 0}}", "s2: {kind: switch}",
        "s3: {kind: switch}"), TRIANGLE));
    assertEquals(List.of("s1 - s2 - s3 - s1 form a loop; spanning tree will block one port"), texts(legacy));
  }

  @Test
  void manyLoopsAreCappedWithAndNMore() {
    // a ladder of 14 parallel pairs: s1-s2 with 14 links makes 13 loops
    StringBuilder links = new StringBuilder();
    for (int i = 1; i <= 14; i++) {
      links.append("- endpoints: [s1:p").append(i).append(", s2:p").append(i).append("]\n");
    }
    Topology t = valid(lab(List.of("s1: {kind: switch, stp: false}", "s2: {kind: switch, stp: false}"),
        links.toString()));
    List<SwitchLoops.Loop> loops = SwitchLoops.of(t);
    assertEquals(13, loops.size());
    List<String> lines = SwitchLoops.lines(loops);
    assertEquals(SwitchLoops.SHOWN + 1, lines.size());
    assertEquals("and 3 more loops", lines.get(SwitchLoops.SHOWN));
    List<String> warnings = t.warnings().stream().filter(w -> w.contains("loop")).toList();
    assertEquals(SwitchLoops.SHOWN + 1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(SwitchLoops.SHOWN).endsWith("and 3 more loops of switches that run no spanning tree"
        + " (stp: false): broadcasts will circulate forever"), warnings.toString());
  }

  @Test
  void andNMoreSaysWhatTheRestHaveInCommon() {
    StringBuilder links = new StringBuilder();
    for (int i = 1; i <= 13; i++) {
      links.append("- endpoints: [s1:p").append(i).append(", s2:p").append(i).append("]\n");
    }
    String storm = "stp: false, storm: {multicast: 10pps, unknown-unicast: 10pps, broadcast: 10pps}";
    Topology t = valid(lab(List.of("s1: {kind: switch, " + storm + "}", "s2: {kind: switch, " + storm + "}"),
        links.toString()));
    List<String> warnings = t.warnings().stream().filter(w -> w.contains("loop")).toList();
    assertTrue(warnings.get(SwitchLoops.SHOWN).endsWith("and 2 more loops of switches that run no spanning tree"
        + " (stp: false): broadcast, multicast and unknown-unicast frames will circulate at most at their storm"
        + " control's level (which may end the storm)"), warnings.toString());
  }
}
