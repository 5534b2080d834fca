package emu.control.topology;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A lab as loaded and fully validated from a topology file: everything the launcher needs to start
 * it, with no further checks required.
 *
 * @param file the file it came from (as given to the loader)
 * @param nodes in file order
 * @param links in file order
 * @param scenario steps in file order; may be empty
 * @param warnings things that are legal but probably not meant, each "FILE:LINE:COL: message" like a {@link Problem}
 * @param faults the timed fault plan, sorted by time (faults at the same time keep file order); may be empty
 * @param hosts the machines of the hosts section in file order, and hosts nodes name by address; may be empty
 */
public record Topology(Path file, String name, List<NodeSpec> nodes, List<LinkSpec> links, List<ScenarioStep> scenario,
                       List<String> warnings, List<FaultSpec> faults, List<HostSpec> hosts) {
  private static final String LOSS = "loss";
  private static final String LOSS_GEMODEL = "loss-gemodel";

  public Topology {
    nodes = List.copyOf(nodes);
    links = links == null ? List.of() : List.copyOf(links);
    scenario = scenario == null ? List.of() : List.copyOf(scenario);
    warnings = warnings == null ? List.of() : List.copyOf(warnings);
    List<FaultSpec> sorted = new ArrayList<>(faults == null ? List.of() : faults);
    sorted.sort(Comparator.comparingLong(FaultSpec::atNanos));
    faults = List.copyOf(sorted);
    hosts = hosts == null ? List.of() : List.copyOf(hosts);
  }

  /** A lab whose nodes all run on the control plane's machine. */
  public Topology(Path file, String name, List<NodeSpec> nodes, List<LinkSpec> links, List<ScenarioStep> scenario,
                  List<String> warnings, List<FaultSpec> faults) {
    this(file, name, nodes, links, scenario, warnings, faults, List.of());
  }

  /** A lab without a fault plan. */
  public Topology(Path file, String name, List<NodeSpec> nodes, List<LinkSpec> links, List<ScenarioStep> scenario,
                  List<String> warnings) {
    this(file, name, nodes, links, scenario, warnings, List.of(), List.of());
  }

  /** The node with that name, or null. */
  public NodeSpec node(String name) {
    for (NodeSpec n : nodes) {
      if (n.name().equals(name)) {
        return n;
      }
    }
    return null;
  }

  /** The link with {@code node:iface} as one of its ends, or null. */
  public LinkSpec link(String node, String iface) {
    for (LinkSpec l : links) {
      if (l.connects(node, iface)) {
        return l;
      }
    }
    return null;
  }

  /**
   * The impairments of the egress of {@code node:iface}: its link's words, each overridden by the
   * interface's own word of the same name, in the link's order followed by the interface's other
   * words (an interface's {@code loss} also replaces the link's {@code loss-gemodel}, and the other
   * way round). Empty (never null) when neither sets any, or there is no such interface. The words
   * are valid for {@code ImpairmentParser.apply(Impairment.NONE, words)}.
   */
  public Map<String, String> effectiveImpairments(String node, String iface) {
    LinkSpec l = link(node, iface);
    NodeSpec n = node(node);
    IfaceSpec i = n == null ? null : n.iface(iface);
    return Collections.unmodifiableMap(merge(l == null ? Map.of() : l.impairments(),
        i == null ? Map.of() : i.impairments()));
  }

  /**
   * {@code link}'s words overridden key by key by {@code iface}'s. {@code loss} and
   * {@code loss-gemodel} are two ways to give one parameter, so either one of the interface's
   * replaces both of the link's: the result applied onto no impairment equals the interface's
   * words applied after the link's.
   */
  static Map<String, String> merge(Map<String, String> link, Map<String, String> iface) {
    Map<String, String> words = new LinkedHashMap<>(link);
    if (iface.containsKey(LOSS) || iface.containsKey(LOSS_GEMODEL)) {
      words.keySet().removeAll(List.of(iface.containsKey(LOSS) ? LOSS_GEMODEL : LOSS));
    }
    words.putAll(iface);
    return words;
  }
}
