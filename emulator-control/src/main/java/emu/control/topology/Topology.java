package emu.control.topology;

import java.nio.file.Path;
import java.util.List;

/**
 * A lab as loaded and fully validated from a topology file: everything the launcher needs to start
 * it, with no further checks required.
 *
 * @param file the file it came from (as given to the loader)
 * @param nodes in file order
 * @param links in file order
 * @param scenario steps in file order; may be empty
 * @param warnings things that are legal but probably not meant, each "FILE:LINE:COL: message" like a {@link Problem}
 */
public record Topology(Path file, String name, List<NodeSpec> nodes, List<LinkSpec> links, List<ScenarioStep> scenario,
                       List<String> warnings) {
  public Topology {
    nodes = List.copyOf(nodes);
    links = links == null ? List.of() : List.copyOf(links);
    scenario = scenario == null ? List.of() : List.copyOf(scenario);
    warnings = warnings == null ? List.of() : List.copyOf(warnings);
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
}
