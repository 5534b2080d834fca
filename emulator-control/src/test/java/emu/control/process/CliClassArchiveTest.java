package emu.control.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line's class archive, for real: emu's CLI runs from one jar holding everything (as
 * {@code ./emu} runs emu.jar), makes the archive beside it on its first lab, and a CLI started with
 * it ({@code -Xshare:on}: a JVM that cannot map it refuses to start) loads its classes from it.
 */
class CliClassArchiveTest {

  @Test
  void firstLabMakesItAndTheCliLoadsFromIt(@TempDir Path dir) throws Exception {
    Path jar = fatJar(dir);
    Path archive = dir.resolve("emu-all.jar.cli.jsa");
    assertEquals(Optional.of(archive), CliClassArchive.archive(jar.toString()));
    Path topo = NodeClassArchiveTest.pair(dir, "clicds");

    String out = NodeClassArchiveTest.cli(dir, jar.toString(), Map.of(), topo, dir.resolve("out1"));
    assertTrue(out.contains("making the command line's class archive"), out);
    assertTrue(CliClassArchive.fresh(archive, jar), "made, and newer than the jar");
    assertEquals(List.of(), list(dir).stream().map(p -> p.getFileName().toString())
        .filter(n -> n.startsWith("emu-all.jar.cli.jsa.") && !n.endsWith(".lock")).collect(Collectors.toList()),
        "nothing but the archive and its lock left");

    // the CLI as ./emu starts it, with the archive: its own classes come from it
    Process p = new ProcessBuilder(NodeJava.own().toString(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-XX:SharedArchiveFile=" + archive, "-Xshare:on", "-Xlog:class+load=info", "-cp", jar.toString(),
        "emu.control.cli.EmuCommand", "validate", topo.toString()).redirectErrorStream(true).start();
    String loads = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), head(loads));
    assertTrue(loads.contains("emu.control.cli.EmuCommand source: shared objects file"), about(loads, "EmuCommand"));
    assertTrue(loads.contains("com.fasterxml.jackson.databind.JsonNode source: shared objects file"),
        about(loads, "JsonNode"));

    // a second lab finds it made; a rebuilt jar makes it stale, and the next lab makes it again
    String second = NodeClassArchiveTest.cli(dir, jar.toString(), Map.of(), topo, dir.resolve("out2"));
    assertFalse(second.contains("making the command line's class archive"), second);
    Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
    assertFalse(CliClassArchive.fresh(archive, jar), "older than the rebuilt jar");
    List<String> notices = new java.util.ArrayList<>();
    CliClassArchive.Dump d = CliClassArchive.start(jar.toString(), notices::add);
    CliClassArchive.finish(d, notices::add);
    assertEquals(List.of("making the command line's class archive (once per build of emu, about 5 s) ..."), notices);
    Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis() - 5_000));
    assertTrue(CliClassArchive.fresh(archive, jar));
  }

  @Test
  void onlyEmusWholeJarGetsOne(@TempDir Path dir) throws IOException {
    Path lib = dir.resolve("lib.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(lib))) {
      out.putNextEntry(new JarEntry("lib.txt"));
      out.write(1);
    }
    Path emu = dir.resolve("emu.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(emu))) {
      out.putNextEntry(new JarEntry(CliClassArchive.CLI_MAIN));
      out.write(1);
    }
    assertEquals(Optional.of(dir.resolve("emu.jar.cli.jsa")), CliClassArchive.archive(emu.toString()));
    assertEquals(Optional.empty(), CliClassArchive.archive(lib.toString()), "a jar without the CLI");
    assertEquals(Optional.empty(), CliClassArchive.archive(emu + File.pathSeparator + lib), "more than one entry");
    assertEquals(Optional.empty(), CliClassArchive.archive(dir.toString()), "a class folder");
    assertEquals(Optional.empty(), CliClassArchive.archive(dir.resolve("missing.jar").toString()));
    assertNull(CliClassArchive.start(lib.toString(), s -> { }), "nothing to do");
    assertFalse(CliClassArchive.fresh(dir.resolve("emu.jar.cli.jsa"), emu), "missing");
    // a dump of this build failed and left its log: not tried again until the jar is rebuilt
    Path log = Files.writeString(dir.resolve("emu.jar.cli.jsa.log"), "Error: failed");
    Files.setLastModifiedTime(log, FileTime.fromMillis(Files.getLastModifiedTime(emu).toMillis() + 2_000));
    assertNull(CliClassArchive.start(emu.toString(), s -> { }), "not again for this build");
    assertFalse(Files.exists(dir.resolve("emu.jar.cli.jsa.lock")), "nothing started: " + list(dir));
  }

  /** Every class of this test's class path, emu's and its libraries', in one jar, as emu.jar is. */
  private static Path fatJar(Path dir) throws IOException {
    Path jar = dir.resolve("emu-all.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      Set<String> seen = new HashSet<>();
      for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
        Path p = Path.of(e);
        if (Files.isDirectory(p)) {
          try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.filter(Files::isRegularFile).sorted().collect(Collectors.toList())) {
              String name = p.relativize(f).toString().replace(File.separatorChar, '/');
              if (keep(name) && seen.add(name)) {
                out.putNextEntry(new JarEntry(name));
                Files.copy(f, out);
                out.closeEntry();
              }
            }
          }
        } else if (Files.isRegularFile(p)) {
          try (ZipFile z = new ZipFile(p.toFile())) {
            for (ZipEntry ze : Collections.list(z.entries())) {
              if (!ze.isDirectory() && keep(ze.getName()) && seen.add(ze.getName())) {
                out.putNextEntry(new JarEntry(ze.getName()));
                try (InputStream in = z.getInputStream(ze)) {
                  in.transferTo(out);
                }
                out.closeEntry();
              }
            }
          }
        }
      }
    }
    return jar;
  }

  /** Signatures and manifests of the libraries' jars stay out (they would not match); services stay in. */
  private static boolean keep(String name) {
    return !name.startsWith("META-INF/") || name.startsWith("META-INF/services/");
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().collect(Collectors.toList());
    }
  }

  /** The lines that name {@code what}, and the JVM's words about the archive. */
  private static String about(String loads, String what) {
    return loads.lines().filter(l -> l.contains(what) || l.contains("cds") || l.contains("shar"))
        .filter(l -> !l.contains("source: shared objects file") || l.contains(what)).limit(40)
        .collect(Collectors.joining("\n"));
  }

  private static String head(String s) {
    return s.length() > 3000 ? s.substring(0, 3000) + " ..." : s;
  }
}
