package emu.control.topology;

import static emu.control.topology.Labs.only;
import static emu.control.topology.Labs.problem;
import static emu.control.topology.Labs.problems;
import static emu.control.topology.Labs.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import emu.link.impair.Impairment;
import emu.link.impair.ImpairmentParser;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Link and interface impairments (tc-netem words) and the timed fault plan. */
class ImpairmentsAndFaultsTest {

  /**
   * client and printer on switch sw1 with r1:eth0; r1:eth1 to payroll:eth0. IFACE is appended to
   * r1:eth1's settings (line 11), LINK is the r1-payroll link's impairments (line 18), FAULTS are
   * the fault items from line 20 on.
   */
  private static String lab(String iface, String link, String... faults) {
    StringBuilder f = new StringBuilder();
    for (String fault : faults) {
      f.append("  - ").append(fault).append('\n');
    }
    return """
        name: lab
        topology:
          nodes:
            client: {kind: host, interfaces: {eth0: {address: 192.168.1.100/24}}}
            printer: {kind: host, interfaces: {eth0: {address: 192.168.1.50/24}}}
            sw1: {kind: switch}
            r1:
              kind: router
              interfaces:
                eth0: {address: 192.168.1.1/24}
                eth1: {address: 192.168.5.1/24IFACE}
            payroll: {kind: host, interfaces: {eth0: {address: 192.168.5.100/24}}}
          links:
            - endpoints: [client:eth0, sw1:p1]
            - endpoints: [printer:eth0, sw1:p2]
            - endpoints: [r1:eth0, sw1:p3]
            - endpoints: [r1:eth1, payroll:eth0]
              impairments: {LINK}
        faults:
        FAULTS""".replace("IFACE", iface.isEmpty() ? "" : ", impairments: {" + iface + "}")
        .replace("LINK", link).replace("FAULTS", f);
  }

  private static String faults(String... faults) {
    return lab("", "", faults);
  }

  /** What the link layer's parser says about these words applied onto no impairment. */
  private static String parserSays(Map<String, String> words) {
    try {
      ImpairmentParser.apply(Impairment.NONE, words);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    return fail("the parser accepts " + words);
  }

  // ---- impairments ----

  @Test
  void impairmentsParseIntoTheModelInFileOrder() {
    Topology t = valid(lab("loss: 30%", "delay: 20ms, jitter: 5ms, loss: 1%"));
    assertEquals(List.of(), t.warnings());
    LinkSpec link = t.link("payroll", "eth0");
    assertEquals(17, link.line());
    assertEquals(List.of("delay", "jitter", "loss"), List.copyOf(link.impairments().keySet()));
    assertEquals(Map.of("delay", "20ms", "jitter", "5ms", "loss", "1%"), link.impairments());
    assertEquals(Map.of("loss", "30%"), t.node("r1").iface("eth1").impairments());
    assertEquals(Map.of(), t.node("r1").iface("eth0").impairments());
    assertEquals(Map.of(), t.links().get(0).impairments());
    assertEquals(Map.of(), t.node("sw1").iface("p1").impairments());
  }

  @Test
  void effectiveImpairmentsAreLinkWordsOverriddenByInterfaceWords() {
    Topology t = valid(lab("loss: 30%, duplicate: 1%", "delay: 20ms, jitter: 5ms, loss: 1%"));
    Map<String, String> r1 = t.effectiveImpairments("r1", "eth1");
    assertEquals(Map.of("delay", "20ms", "jitter", "5ms", "loss", "30%", "duplicate", "1%"), r1);
    assertEquals(List.of("delay", "jitter", "loss", "duplicate"), List.copyOf(r1.keySet()),
        "link order, overridden in place, then the interface's own words");
    assertEquals(Map.of("delay", "20ms", "jitter", "5ms", "loss", "1%"), t.effectiveImpairments("payroll", "eth0"));
    assertEquals(Map.of(), t.effectiveImpairments("client", "eth0"));
    assertEquals(Map.of(), t.effectiveImpairments("r1", "eth9"));
    assertEquals(Map.of(), t.effectiveImpairments("nobody", "eth0"));
    assertThrows(UnsupportedOperationException.class, () -> r1.put("loss", "0%"));
    assertThrows(UnsupportedOperationException.class,
        () -> t.node("r1").iface("eth1").impairments().clear());
    assertThrows(UnsupportedOperationException.class, () -> t.link("r1", "eth1").impairments().clear());
  }

  @Test
  void interfaceOnlyImpairments() {
    Topology t = valid(lab("delay: 5ms", ""));
    assertEquals(Map.of("delay", "5ms"), t.effectiveImpairments("r1", "eth1"));
    assertEquals(Map.of(), t.effectiveImpairments("payroll", "eth0"));
  }

  @Test
  void numbersAndBooleansAreTakenByTheirText() {
    Topology t = valid(lab("limit: 1000", "down: false"));
    assertEquals(Map.of("limit", "1000"), t.node("r1").iface("eth1").impairments());
    assertEquals(Map.of("down", "false"), t.link("r1", "eth1").impairments());
  }

  @Test
  void switchPortsCarryImpairmentsDeclaredOrOnLinks() {
    Topology t = valid("""
        name: lab
        topology:
          nodes:
            h1: {kind: host, interfaces: {eth0: {address: 10.0.0.1/24}}}
            h2: {kind: host, interfaces: {eth0: {address: 10.0.0.2/24}}}
            sw1:
              kind: switch
              interfaces:
                uplink: {impairments: {loss: 2%}}
          links:
            - endpoints: [h1:eth0, sw1:uplink]
            - endpoints: [sw1:p2, h2:eth0]
              impairments: {delay: 3ms}
        """);
    assertEquals(Map.of("loss", "2%"), t.effectiveImpairments("sw1", "uplink"));
    assertEquals(Map.of(), t.effectiveImpairments("h1", "eth0"));
    assertEquals(Map.of("delay", "3ms"), t.effectiveImpairments("sw1", "p2"));
    assertEquals(Map.of("delay", "3ms"), t.effectiveImpairments("h2", "eth0"));
  }

  @Test
  void badValueIsReportedAtItsLineWithTheParsersMessage() {
    Problem p = only(lab("", "delay: 20ms, loss: 150%"), 18, parserSays(Map.of("loss", "150%")));
    assertTrue(p.message().startsWith("impairments of link r1:eth1 <-> payroll:eth0: "), p.message());
    assertEquals(40, p.column(), "at the value");
    Problem q = only(lab("loss: 150%", ""), 11, parserSays(Map.of("loss", "150%")));
    assertTrue(q.message().startsWith("impairments of interface r1:eth1: "), q.message());
    only(lab("", "delay: soon"), 18, parserSays(Map.of("delay", "soon")));
  }

  @Test
  void badValueInBlockStyleIsReportedAtTheValuesLine() {
    problem("""
        name: lab
        topology:
          nodes:
            a: {kind: host, interfaces: {eth0: {address: 10.0.0.1/24}}}
            b: {kind: host, interfaces: {eth0: {address: 10.0.0.2/24}}}
          links:
            - endpoints: [a:eth0, b:eth0]
              impairments:
                delay: 20ms
                jitter: 5ms
                loss: 150%
        """, 11, parserSays(Map.of("loss", "150%")));
  }

  @Test
  void unknownWordIsReportedAtItsKey() {
    Problem p = only(lab("", "dealy: 20ms"), 18, "unknown impairment word 'dealy' (did you mean 'delay'?)");
    assertTrue(p.message().contains("the words are " + String.join(", ", ImpairmentParser.PARAMETERS)),
        p.message());
    assertEquals(21, p.column(), "at the key");
    only(lab("bandwidth: 1mbit", ""), 11, "impairments of interface r1:eth1: unknown impairment word 'bandwidth'");
  }

  @Test
  void wordsNeedASingleValue() {
    only(lab("", "loss: ~"), 18, "'loss' needs a single value");
    only(lab("", "loss: [1%, 2%]"), 18, "'loss' needs a single value, like 'delay: 20ms' or 'loss: 1%', not a list");
  }

  @Test
  void impairmentsMustBeAMap() {
    only(lab("", "").replace("impairments: {}", "impairments: 20ms"), 18,
        "'impairments' in link must be a map of words to values");
  }

  @Test
  void impairmentWordsOutsideImpairmentsGetAHint() {
    Problem p = only(lab("", "").replace("impairments: {}", "delay: 20ms"), 18, "unknown field 'delay' in link");
    assertTrue(p.message().contains("allowed fields: endpoints, mtu, impairments, framing, vni; impairment words such as 'delay'"
        + " go under 'impairments:'"), p.message());
    only(lab("", "").replace("address: 192.168.5.1/24", "address: 192.168.5.1/24, loss: 1%"), 11,
        "unknown field 'loss' in interface r1:eth1");
  }

  @Test
  void crossParameterErrorOnTheLinkIsReportedAtItsImpairmentsKey() {
    Map<String, String> words = Map.of("reorder", "25%");
    Problem p = only(lab("", "reorder: 25%"), 18, parserSays(words));
    assertEquals("impairments of link r1:eth1 <-> payroll:eth0: " + parserSays(words), p.message());
    assertEquals(7, p.column(), "at the impairments key");
  }

  @Test
  void crossParameterRulesApplyToTheMergedWords() {
    // The interface's delay makes the link's reorder legal on r1:eth1, but payroll:eth0 has no delay.
    only(lab("delay: 10ms", "reorder: 25%"), 18, "impairments of link r1:eth1 <-> payroll:eth0: "
        + parserSays(Map.of("reorder", "25%")));
    // The link's delay makes the interface's reorder legal.
    valid(lab("reorder: 25%", "delay: 10ms"));
    // On its own the interface's reorder lacks a delay: reported at the interface's key.
    Problem p = only(lab("reorder: 25%", ""), 11, "impairments of interface r1:eth1: "
        + parserSays(Map.of("reorder", "25%")));
    assertEquals(41, p.column(), "at the interface's impairments key");
    // The interface's words with the link's: reported at the interface, naming the link.
    Problem q = only(lab("reorder: 25%, delay: 0ms", "delay: 10ms, loss: 1%"), 11,
        parserSays(Map.of("delay", "0ms", "loss", "1%", "reorder", "25%")));
    assertTrue(q.message().contains("together with the words it takes from the link r1:eth1 <-> payroll:eth0"
        + " at line 18"), q.message());
  }

  @Test
  void lossAndLossGemodelReplaceEachOther() {
    Topology t = valid(lab("loss: 5%", "delay: 1ms, loss-gemodel: 1%"));
    assertEquals(Map.of("delay", "1ms", "loss", "5%"), t.effectiveImpairments("r1", "eth1"));
    assertEquals(Map.of("delay", "1ms", "loss-gemodel", "1%"), t.effectiveImpairments("payroll", "eth0"));
    Topology u = valid(lab("loss-gemodel: 1%", "loss: 2%, loss-correlation: 25%"));
    assertEquals(List.of("loss-correlation", "loss-gemodel"),
        List.copyOf(u.effectiveImpairments("r1", "eth1").keySet()));
    for (Topology lab : List.of(t, u)) {
      for (String[] end : List.of(new String[] {"r1", "eth1"}, new String[] {"payroll", "eth0"})) {
        ImpairmentParser.apply(Impairment.NONE, lab.effectiveImpairments(end[0], end[1]));
      }
    }
    Map<String, String> both = Map.of("loss", "1%", "loss-gemodel", "2%");
    only(lab("", "loss: 1%, loss-gemodel: 2%"), 18, "impairments of link r1:eth1 <-> payroll:eth0: "
        + parserSays(both));
    only(faults("at 2s set r1:eth1 loss 1% loss-gemodel 2%"), 20, parserSays(both));
  }

  @Test
  void sampleFileLoads() throws Exception {
    Path file = Path.of(getClass().getResource("/topology/faulty.yml").toURI());
    Topology t = TopologyLoader.load(file);
    assertEquals(List.of(), t.warnings());
    assertEquals(Map.of("delay", "20ms", "jitter", "5ms", "loss", "30%"), t.effectiveImpairments("r1", "eth1"));
    assertEquals(Map.of("delay", "20ms", "jitter", "5ms", "loss", "1%"), t.effectiveImpairments("payroll", "eth0"));
    assertEquals(Map.of("rate", "10mbit"), t.effectiveImpairments("sw1", "p3"));
    assertEquals(List.of("set", "clear", "down", "up", "kill", "restart", "pause", "down", "resume", "partition",
        "heal"), t.faults().stream().map(FaultSpec::verb).toList());
    for (NodeSpec n : t.nodes()) {
      for (IfaceSpec i : n.interfaces()) {
        ImpairmentParser.apply(Impairment.NONE, t.effectiveImpairments(n.name(), i.name()));
      }
    }
  }

  // ---- faults ----

  @Test
  void everyVerbParses() {
    Topology t = valid(faults(
        "at 2s set r1:eth1 loss 30% delay 10ms",
        "at 5s clear r1:eth1",
        "at 6s down r1:eth1",
        "at 7s up sw1:p3",
        "at 8s kill payroll",
        "at 9s restart payroll",
        "at 10s pause client",
        "at 10.5s resume client",
        "at 11s partition client printer",
        "at 12s heal"));
    List<FaultSpec> f = t.faults();
    assertEquals(10, f.size());
    assertEquals(new FaultSpec(2_000_000_000L, "set", List.of("r1:eth1"), Map.of("loss", "30%", "delay", "10ms"),
        "at 2s set r1:eth1 loss 30% delay 10ms", 20), f.get(0));
    assertEquals(List.of("loss", "delay"), List.copyOf(f.get(0).words().keySet()), "words in the order written");
    assertEquals(new LinkSpec.Endpoint("r1", "eth1"), f.get(0).endpoint());
    assertEquals(new FaultSpec(5_000_000_000L, "clear", List.of("r1:eth1"), Map.of(), "at 5s clear r1:eth1", 21),
        f.get(1));
    assertEquals(List.of("r1:eth1"), f.get(2).args());
    assertEquals(new LinkSpec.Endpoint("sw1", "p3"), f.get(3).endpoint());
    assertEquals(new FaultSpec(8_000_000_000L, "kill", List.of("payroll"), Map.of(), "at 8s kill payroll", 24),
        f.get(4));
    assertNull(f.get(4).endpoint());
    assertEquals(List.of("restart", "pause", "resume"), f.subList(5, 8).stream().map(FaultSpec::verb).toList());
    assertEquals(10_500_000_000L, f.get(7).atNanos());
    assertEquals(List.of("client", "printer"), f.get(8).args());
    assertEquals(new FaultSpec(12_000_000_000L, "heal", List.of(), Map.of(), "at 12s heal", 29), f.get(9));
    assertThrows(UnsupportedOperationException.class, () -> t.faults().clear());
    assertThrows(UnsupportedOperationException.class, () -> f.get(0).words().clear());
    assertThrows(UnsupportedOperationException.class, () -> f.get(0).args().clear());
  }

  @Test
  void faultsAreSortedByTimeKeepingFileOrderForTies() {
    Topology t = valid(faults(
        "at 3s heal",
        "at 250ms kill payroll",
        "at 1.5s down r1:eth1",
        "at 250ms pause client",
        "at 0s up r1:eth1",
        "at 0.25s resume client",
        "at 1500ms kill printer"));
    assertEquals(List.of(24, 21, 23, 25, 22, 26, 20), t.faults().stream().map(FaultSpec::line).toList());
    assertEquals(List.of(0L, 250_000_000L, 250_000_000L, 250_000_000L, 1_500_000_000L, 1_500_000_000L,
        3_000_000_000L), t.faults().stream().map(FaultSpec::atNanos).toList());
  }

  @Test
  void noFaultsIsAnEmptyPlan() {
    assertEquals(List.of(), valid(faults()).faults());
    assertEquals(List.of(), valid("name: lab\ntopology: {nodes: {sw1: {kind: switch}}}\n").faults());
    assertEquals(List.of(), new Topology(Path.of("x.yml"), "x", List.of(), null, null, null).faults());
  }

  @Test
  void timeNeedsAUnit() {
    Problem p = only(faults("at 2 down r1:eth1"), 20, "fault 'at 2 down r1:eth1': time '2' has no unit; write '2s'");
    assertEquals(5, p.column());
    only(faults("at 2.5 down r1:eth1"), 20, "time '2.5' has no unit; write '2.5s' (or '2.5ms')");
  }

  @Test
  void badTimes() {
    only(faults("at 2m down r1:eth1"), 20, "time '2m' is not a time; write seconds or milliseconds, like 2s");
    only(faults("at soon down r1:eth1"), 20, "time 'soon' is not a time");
    only(faults("at -1s down r1:eth1"), 20, "time '-1s' is negative");
    problem(faults("at down r1:eth1"), 20, "time 'down' is not a time");
    only(faults("at 2s"), 20, "nothing to do after 'at 2s'; add one of set, clear, down, up");
    only(faults("at"), 20, "no time after 'at'");
    only(faults("in 2s down r1:eth1"), 20, "a fault starts with 'at TIME'");
    assertEquals(0L, valid(faults("at 0ms heal")).faults().get(0).atNanos());
    assertEquals(1L, valid(faults("at 0.000001ms heal")).faults().get(0).atNanos());
  }

  @Test
  void unknownVerb() {
    only(faults("at 2s drop r1:eth1"), 20, "fault 'at 2s drop r1:eth1': unknown verb 'drop'; use one of set, clear,"
        + " down, up, kill, restart, pause, resume, partition, heal");
    only(faults("at 2s kil payroll"), 20, "unknown verb 'kil' (did you mean 'kill'?)");
  }

  @Test
  void unknownNode() {
    Problem p = only(faults("at 2s set r9:eth0 loss 5%"), 20, "no node named r9");
    assertEquals("fault 'at 2s set r9:eth0 loss 5%': no node named r9 (did you mean 'r1'?)", p.message());
    only(faults("at 8s kill payrol"), 20, "fault 'at 8s kill payrol': no node named payrol (did you mean 'payroll'?)");
    only(faults("at 11s partition client scanner"), 20, "no node named scanner");
    only(faults("at 6s down pc:eth0"), 20, "no node named pc");
    only(faults("at 8s kill r1:eth1"), 20, "kill takes a node, not an interface: write 'r1'");
  }

  @Test
  void interfaceMustExistAndBeLinked() {
    only(faults("at 6s down r1:eth9"), 20, "fault 'at 6s down r1:eth9': r1 has no interface eth9 (did you mean"
        + " 'eth0'?); the linked interfaces of r1 are eth0, eth1");
    only(faults("at 6s down sw1:p9"), 20, "sw1 has no interface p9 (did you mean 'p1'?)");
    only(faults("at 6s down r1"), 20, "down takes an interface written node:iface, like r1:eth0; got 'r1'");
    String yaml = """
        name: lab
        topology:
          nodes:
            h1: {kind: host, interfaces: {eth0: {address: 10.0.0.1/24}, eth1: {address: 10.0.1.1/24}}}
            h2: {kind: host, interfaces: {eth0: {address: 10.0.0.2/24}}}
            sw1: {kind: switch, interfaces: {spare: {}}}
          links:
            - endpoints: [h1:eth0, h2:eth0]
        faults:
          - at 1s down h1:eth1
          - at 1s set sw1:spare loss 1%
        """;
    problem(yaml, 10, "fault 'at 1s down h1:eth1': interface h1:eth1 is not part of any link, so there is no traffic"
        + " to act on; the linked interfaces of h1 are eth0");
    problem(yaml, 11, "interface sw1:spare is not part of any link, so there is no traffic to act on; sw1 has no linked"
        + " interfaces");
  }

  @Test
  void badSetWords() {
    only(faults("at 2s set r1:eth1 los 5%"), 20, "unknown impairment word 'los' (did you mean 'loss'?)");
    Problem p = only(faults("at 2s set r1:eth1 loss 150%"), 20, parserSays(Map.of("loss", "150%")));
    assertEquals("fault 'at 2s set r1:eth1 loss 150%': " + parserSays(Map.of("loss", "150%")), p.message());
    only(faults("at 2s set r1:eth1 loss 5% delay"), 20, "'delay' has no value; words and values alternate");
    only(faults("at 2s set r1:eth1 loss 5% loss 6%"), 20, "sets 'loss' twice (5% and 6%)");
    only(faults("at 2s set r1:eth1"), 20, "set r1:eth1 has no impairment words");
    only(faults("at 2s set"), 20, "set takes an interface and words with values");
  }

  @Test
  void setIsNotHeldToRulesBetweenWords() {
    // A delay may be in force already when this runs; the run time merges and checks it.
    FaultSpec f = valid(faults("at 2s set r1:eth1 reorder 25%")).faults().get(0);
    assertEquals(Map.of("reorder", "25%"), f.words());
  }

  @Test
  void missingOrExtraArguments() {
    only(faults("at 6s down"), 20, "down takes one interface node:iface, like 'at 6s down client:eth0'; got"
        + " nothing");
    only(faults("at 6s clear r1:eth0 r1:eth1"), 20, "clear takes one interface node:iface, like 'at 6s clear"
        + " client:eth0'; got 2 (r1:eth0 r1:eth1)");
    only(faults("at 8s kill"), 20, "kill takes one node, like 'at 8s kill client'; got nothing");
    only(faults("at 8s restart client printer"), 20, "restart takes one node");
    only(faults("at 8s partition"), 20, "partition takes the nodes to cut off from the rest");
    only(faults("at 8s heal client"), 20, "heal takes nothing after it");
  }

  @Test
  void partitionCannotNameEveryNode() {
    only(faults("at 11s partition client printer sw1 r1 payroll"), 20, "partition names every node of the lab, so no"
        + " node is left on the other side");
    only(faults("at 11s partition client client"), 20, "partition names client twice");
    valid(faults("at 11s partition client printer sw1 r1"));
  }

  @Test
  void faultMustBeAString() {
    only(faults("{at: 2s}"), 20, "a fault must be a string like 'at 2s set client:eth0 loss 30% delay 10ms'");
    only(faults("42"), 20, "not the number 42");
    only(lab("", "").replace("faults:\n", "faults: at 2s heal\n"), 19, "'faults' in the top level must be a list");
  }

  @Test
  void eachBadFaultIsReportedAtItsOwnLine() {
    String yaml = faults(
        "at 1s heal",
        "at 2 down r1:eth1",
        "at 3s kill r9",
        "at 4s down client:eth1",
        "at 5s explode payroll");
    List<Problem> all = problems(yaml);
    assertEquals(List.of(21, 22, 23, 24), all.stream().map(Problem::line).toList(), Labs.render(all));
  }

  @Test
  void severalProblemsInOneFaultAreAllReported() {
    String yaml = faults("at 2 set r9:eth0 los 5%");
    List<Problem> all = problems(yaml);
    assertEquals(3, all.size(), Labs.render(all));
    problem(yaml, 20, "time '2' has no unit");
    problem(yaml, 20, "no node named r9");
    problem(yaml, 20, "unknown impairment word 'los'");
  }
}
