package emu.control.topology;

import java.util.List;
import java.util.stream.Collectors;

/** Every problem found in a topology file at once, so a user fixes them in one pass; nothing is started. */
public final class TopologyException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient List<Problem> problems;

  public TopologyException(List<Problem> problems) {
    super(problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
    this.problems = List.copyOf(problems);
  }

  /** The problems in file order (line, then column). */
  public List<Problem> problems() {
    return problems;
  }
}
