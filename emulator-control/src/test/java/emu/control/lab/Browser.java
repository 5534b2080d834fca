package emu.control.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * Renders a page in headless Chromium (Debian's chromium package) and checks what a person would
 * see: a screenshot that is not blank, and no message on the browser console (the report logs
 * nothing, so any console line is a script error, a refused fetch or a CSP violation).
 */
final class Browser {
  private static final long TIMEOUT_S = 90;

  private Browser() {}

  /** Screenshots {@code page} into {@code png} and asserts it is not blank and the console stayed silent. */
  static void assertRenders(Path page, Path png, int width, int height) throws IOException, InterruptedException {
    Path chromium = Tools.require("chromium");
    Path profile = Files.createTempDirectory("emu-chromium");
    Path log = Files.createTempFile("emu-chromium", ".log");
    try {
      // --no-sandbox: tests may run as root, where Chromium's sandbox refuses to start.
      List<String> cmd = List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
          "--disable-extensions", "--no-first-run", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
          "--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height,
          page.toAbsolutePath().toUri().toString());
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
      if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new AssertionError("chromium did not finish within " + TIMEOUT_S + " s: " + cmd);
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      assertEquals(0, p.exitValue(), output);
      List<String> console = output.lines().filter(l -> l.contains(":CONSOLE") || l.contains("Uncaught")).toList();
      assertEquals(List.of(), console, "console messages while rendering " + page);
      assertTrue(Files.size(png) > 0, "no screenshot: " + output);
      assertNotBlank(ImageIO.read(png.toFile()), png);
    } finally {
      try (var s = Files.walk(profile)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
      Files.deleteIfExists(log);
    }
  }

  /** Several colours, and a good share of pixels that are not the background. */
  static void assertNotBlank(BufferedImage img, Path png) {
    Set<Integer> colours = new HashSet<>();
    int background = img.getRGB(0, 0);
    long other = 0;
    long total = 0;
    for (int y = 0; y < img.getHeight(); y += 2) {
      for (int x = 0; x < img.getWidth(); x += 2) {
        int rgb = img.getRGB(x, y) & 0xffffff;
        colours.add(rgb);
        total++;
        if (rgb != (background & 0xffffff)) {
          other++;
        }
      }
    }
    assertTrue(colours.size() >= 8, png + " has only " + colours.size() + " colours");
    assertTrue(other * 100 >= total, png + ": only " + other + " of " + total + " sampled pixels are not background");
  }
}
