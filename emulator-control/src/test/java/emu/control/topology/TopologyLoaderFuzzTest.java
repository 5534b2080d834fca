package emu.control.topology;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Jazzer target for the topology loader: emu's own YAML reader, the binder and every check behind
 * it. Whatever the text, {@link TopologyLoader#parse} returns a topology or throws a
 * {@link TopologyException} whose problems each say where and what; any other exception (a
 * NullPointerException, a NumberFormatException, a StackOverflowError from deep nesting) fails
 * the target. The corpus (TopologyLoaderFuzzTestInputs/parse) holds real lab files; without
 * JAZZER_FUZZ Jazzer only replays it, with it (benchmarks/fuzz.sh) Jazzer mutates them.
 */
class TopologyLoaderFuzzTest {
  private static final Path NAME = Path.of("fuzz.yml");

  @FuzzTest(maxDuration = "10m")
  void parse(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    try {
      TopologyLoader.parse(NAME, text);
    } catch (TopologyException e) {
      assertFalse(e.problems().isEmpty(), "a refusal names at least one problem");
      for (Problem p : e.problems()) {
        assertFalse(p.message() == null || p.message().isBlank(), "a problem says what is wrong: " + p);
      }
    }
  }
}
