package emu.control.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which JVM nodes run on: EMU_JAVA (a path, or "newest" in a Debian-like JVM folder), then
 * JAVA_HOME, then emu's own; on fake JDK folders (a bin/java file and a release file), so every
 * branch is seen whatever this machine has installed.
 */
class NodeJavaTest {
  private static final Runtime.Version OWN = Runtime.Version.parse("17.0.15+6");
  @TempDir
  Path dir;

  private Path own() {
    return dir.resolve("own/bin/java");
  }

  private Path jdk(String name, String... release) throws IOException {
    Path home = Files.createDirectories(dir.resolve("jvm").resolve(name));
    Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
    Files.writeString(java, "#!/bin/sh\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.write(home.resolve("release"), List.of(release));
    return home;
  }

  private NodeJava choose(Map<String, String> env) {
    return NodeJava.choose(env, dir.resolve("jvm"), own(), OWN);
  }

  @Test
  void releaseFilesAreRead() {
    assertEquals(Optional.of(Runtime.Version.parse("17.0.15+6-Debian-1deb12u1")), NodeJava.parseRelease(List.of(
        "IMPLEMENTOR=\"Debian\"", "JAVA_RUNTIME_VERSION=\"17.0.15+6-Debian-1deb12u1\"", "JAVA_VERSION=\"17.0.15\"")));
    assertEquals(Optional.of(Runtime.Version.parse("25.0.3")), NodeJava.parseRelease(List.of("JAVA_VERSION=\"25.0.3\"")));
    assertEquals(8, NodeJava.parseRelease(List.of("JAVA_VERSION=\"1.8.0_392\"")).get().feature());
    assertEquals(Optional.empty(), NodeJava.parseRelease(List.of("IMPLEMENTOR=\"x\"", "JAVA_VERSION=\"banana\"")));
    assertEquals(Optional.empty(), NodeJava.parseRelease(List.of()));
  }

  @Test
  void theNewestJdkOfTheFolderWinsAndLinksCountOnce() throws IOException {
    jdk("java-17-openjdk-amd64", "JAVA_VERSION=\"17.0.15\"");
    Files.createSymbolicLink(dir.resolve("jvm/java-1.17.0-openjdk-amd64"), dir.resolve("jvm/java-17-openjdk-amd64"));
    Path t25 = jdk("temurin-25-jdk-amd64", "JAVA_VERSION=\"25.0.3\"");
    jdk("temurin-21-jdk-amd64", "JAVA_VERSION=\"21.0.7\"");
    jdk("java-11-openjdk-amd64", "JAVA_VERSION=\"11.0.2\"");
    Files.createDirectories(dir.resolve("jvm/openjdk-17")); // Debian's src.zip folder: no bin/java
    NodeJava j = choose(Map.of("EMU_JAVA", "newest"));
    assertEquals(t25.resolve("bin/java").toRealPath(), j.java());
    assertEquals(25, j.version().feature());
    assertTrue(j.why().startsWith("EMU_JAVA=newest in "), j.why());
    assertEquals(4, NodeJava.installed(dir.resolve("jvm")).size(), "17 twice (a link), 21, 25; not 11");
  }

  @Test
  void byDefaultEmuOwnJavaEvenWithNewerJdksInstalled() throws IOException {
    jdk("java-17-openjdk-amd64", "JAVA_VERSION=\"17.0.15\"");
    jdk("temurin-25-jdk-amd64", "JAVA_VERSION=\"25.0.3\"");
    NodeJava j = choose(Map.of());
    assertEquals(own(), j.java());
    assertEquals(OWN, j.version());
    assertEquals("emu's own", j.why());
    // EMU_JAVA=newest where there is no JDK folder (not Debian): said
    String none = assertThrows(NodeJava.BadJavaException.class, () -> NodeJava.choose(Map.of("EMU_JAVA", "newest"),
        dir.resolve("missing"), own(), OWN)).getMessage();
    assertTrue(none.startsWith("EMU_JAVA=newest: no JDK of 17 or newer in "), none);
  }

  @Test
  void emuJavaTakesAnExecutableOrAJdkFolder() throws IOException {
    Path t25 = jdk("temurin-25-jdk-amd64", "JAVA_VERSION=\"25.0.3\"");
    Path j17 = jdk("java-17-openjdk-amd64", "JAVA_RUNTIME_VERSION=\"17.0.15+6-Debian-1deb12u1\"");
    NodeJava byFolder = choose(Map.of("EMU_JAVA", j17.toString(), "JAVA_HOME", t25.toString()));
    assertEquals(j17.resolve("bin/java").toRealPath(), byFolder.java());
    assertEquals(17, byFolder.version().feature());
    assertEquals("EMU_JAVA", byFolder.why());
    // a link to the executable (as /usr/bin/java is, through /etc/alternatives): the JDK it leads to
    Path link = Files.createSymbolicLink(dir.resolve("java"), j17.resolve("bin/java"));
    NodeJava byLink = choose(Map.of("EMU_JAVA", link.toString()));
    assertEquals(j17.resolve("bin/java").toRealPath(), byLink.java());
    assertEquals(Runtime.Version.parse("17.0.15+6-Debian-1deb12u1"), byLink.version());
  }

  @Test
  void aBadEmuJavaIsAClearError() throws IOException {
    Path j11 = jdk("java-11-openjdk-amd64", "JAVA_VERSION=\"11.0.2\"");
    Path noRelease = jdk("odd", "JAVA_VERSION=\"x\"");
    Files.delete(noRelease.resolve("release"));
    String missing = assertThrows(NodeJava.BadJavaException.class,
        () -> choose(Map.of("EMU_JAVA", dir.resolve("nope").toString()))).getMessage();
    assertTrue(missing.contains("is neither a java executable nor a JDK folder"), missing);
    String old = assertThrows(NodeJava.BadJavaException.class,
        () -> choose(Map.of("EMU_JAVA", j11.toString()))).getMessage();
    assertTrue(old.endsWith("is JDK 11.0.2; nodes need JDK 17 or newer"), old);
    String unknown = assertThrows(NodeJava.BadJavaException.class,
        () -> choose(Map.of("EMU_JAVA", noRelease.resolve("bin/java").toString()))).getMessage();
    assertTrue(unknown.contains("cannot tell its version"), unknown);
    Path notExecutable = Files.writeString(dir.resolve("plain"), "x");
    assertThrows(NodeJava.BadJavaException.class, () -> choose(Map.of("EMU_JAVA", notExecutable.toString())));
  }

  @Test
  void javaHomeBeforeEmuOwnAndPassedOverWhenItDoesNotFit() throws IOException {
    Path j21 = jdk("temurin-21-jdk-amd64", "JAVA_VERSION=\"21.0.7\"");
    jdk("temurin-25-jdk-amd64", "JAVA_VERSION=\"25.0.3\"");
    Path j11 = jdk("java-11-openjdk-amd64", "JAVA_VERSION=\"11.0.2\"");
    NodeJava home = choose(Map.of("JAVA_HOME", j21.toString(), "EMU_JAVA", " "));
    assertEquals(j21.resolve("bin/java").toRealPath(), home.java());
    assertEquals("JAVA_HOME", home.why());
    // too old, or no JDK there: as if it were not set
    assertEquals(own(), choose(Map.of("JAVA_HOME", j11.toString())).java());
    assertEquals(own(), choose(Map.of("JAVA_HOME", dir.resolve("nope").toString())).java());
  }

  @Test
  void onThisMachineTheChoiceIsARealJdkOfAtLeast17() throws Exception {
    NodeJava j = NodeJava.chosen();
    assertTrue(Files.isExecutable(j.java()), j.describe());
    assertTrue(j.version().feature() >= 17, j.describe());
    // the release file says what the JVM itself says
    Process p = new ProcessBuilder(j.java().toString(), "-XshowSettings:properties", "-version")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    p.waitFor();
    assertTrue(out.contains("java.runtime.version = " + j.version()), j.describe() + ":\n" + out);
  }
}
