package emu.node.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real tshark, for tests that check the pcaps emu writes: found on PATH, run on a file. */
public final class Tshark {
  private Tshark() {}

  /** {@code name} on PATH, or null. */
  public static Path onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String d : path.split(File.pathSeparator)) {
      Path p = Path.of(d.isEmpty() ? "." : d, name);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /**
   * {@code tshark -r PCAP ARGS}: its non-empty output lines, stripped; fails the test if it does
   * not finish in 60 s or exits with an error (its standard error, kept in {@code err}, said).
   */
  public static List<String> lines(Path tshark, Path pcap, Path err, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(tshark.toString(), "-r", pcap.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("tshark did not finish");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), "tshark failed: " + text + Files.readString(err));
    return text.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
  }
}
