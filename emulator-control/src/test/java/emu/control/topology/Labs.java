package emu.control.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** Test helpers: parse inline YAML and find the problem a test is about. */
final class Labs {
  static final Path FILE = Path.of("lab.yml");

  private Labs() {}

  /** Parses YAML that must be valid; fails the test with the problems otherwise. */
  static Topology valid(String yaml) {
    try {
      return TopologyLoader.parse(FILE, yaml);
    } catch (TopologyException e) {
      return fail("expected a valid topology, got:\n" + e.getMessage());
    }
  }

  /** Parses YAML that must be invalid; returns all its problems. */
  static List<Problem> problems(String yaml) {
    try {
      Topology t = TopologyLoader.parse(FILE, yaml);
      return fail("expected problems, but the file was accepted (warnings: " + t.warnings() + ")");
    } catch (TopologyException e) {
      assertEquals(e.getMessage(), e.problems().stream().map(Problem::toString).collect(Collectors.joining("\n")));
      return e.problems();
    }
  }

  /** The single problem whose message contains {@code fragment}; asserts it is on {@code line}. */
  static Problem problem(String yaml, int line, String fragment) {
    List<Problem> all = problems(yaml);
    List<Problem> matching = all.stream().filter(p -> p.message().contains(fragment)).toList();
    if (matching.size() != 1) {
      fail("expected one problem containing '" + fragment + "', got:\n" + render(all));
    }
    Problem p = matching.get(0);
    assertEquals(line, p.line(), () -> "wrong line for: " + p + "\nall problems:\n" + render(all));
    assertEquals(FILE, p.file());
    return p;
  }

  /** Asserts the file has exactly one problem, on {@code line}, containing {@code fragment}. */
  static Problem only(String yaml, int line, String fragment) {
    List<Problem> all = problems(yaml);
    assertEquals(1, all.size(), () -> "expected exactly one problem, got:\n" + render(all));
    return problem(yaml, line, fragment);
  }

  static String render(List<?> items) {
    return items.stream().map(Object::toString).collect(Collectors.joining("\n"));
  }
}
