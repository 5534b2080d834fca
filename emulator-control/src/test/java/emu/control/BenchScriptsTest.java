package emu.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The benchmarks {@code ./emu bench} runs build on a fresh clone. {@code -Dmaven.test.skip=true}
 * skips building emulator-link's test jar, yet emulator-node's test scope still needs it
 * resolved, so {@code mvn -pl benchmarks -am package -Dmaven.test.skip=true} fails when nothing
 * is installed in ~/.m2 (router-pps.sh built that way). {@code -DskipTests} builds the test jars
 * and runs no test. Checked by hand too: a clone with a local repository without dev.emu fails
 * with the first and builds benchmarks.jar with the second.
 */
class BenchScriptsTest {
  private static final Path E2E = Path.of("../benchmarks/e2e");

  @Test
  void noBenchmarkBuildsWithMavenTestSkip() throws IOException {
    List<String> wrong = new ArrayList<>();
    List<Path> scripts;
    try (Stream<Path> s = Files.list(E2E)) {
      scripts = s.filter(p -> p.toString().endsWith(".sh")).sorted().toList();
    }
    assertTrue(scripts.size() > 1, "no scripts in " + E2E.toAbsolutePath());
    for (Path p : scripts) {
      List<String> lines = Files.readAllLines(p);
      for (int i = 0; i < lines.size(); i++) {
        String code = lines.get(i).replaceFirst("^\\s*#.*", "");
        if (code.contains("mvn") && code.contains("maven.test.skip")) {
          wrong.add(p.getFileName() + ":" + (i + 1) + ": " + code.strip());
        }
      }
    }
    assertEquals(List.of(), wrong);
  }
}
