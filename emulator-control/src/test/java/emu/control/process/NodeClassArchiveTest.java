package emu.control.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
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
 * The node class archive, for real: emu's CLI runs as its own JVM from jars (as {@code ./emu}
 * runs it from emu.jar), makes the archive on its first lab, and its nodes load their classes
 * from it. The nodes run with {@code -Xshare:on}, which makes a JVM that cannot use its archive
 * refuse to start, and log where each class came from.
 */
class NodeClassArchiveTest {

  @Test
  void firstLabMakesTheArchiveNodesLoadFromItAndTheNextLabReusesIt(@TempDir Path dir) throws Exception {
    String classPath = jarredClassPath(dir);
    Path topo = pair(dir, "cdspair");
    Path loads = Files.createDirectories(dir.resolve("loads"));
    // an archive of an earlier build of these jars (to be replaced), and one of other jars (kept)
    NodeJava java = NodeJava.chosen();
    List<String> dump = NodeClassArchive.dumpOptions(java.version(), NodeProcesses.jvmOptions());
    Path earlier = dir.resolve(NodeClassArchive.prefix(NodeClassArchive.jars(classPath), java, dump)
        + "0123456789ab.jsa");
    Path other = dir.resolve("emu-classes.jar.node-0123456789ab-0123456789ab.jsa");
    Files.writeString(earlier, "old");
    Files.writeString(other, "other");

    String first = cli(dir, classPath, loads, topo, dir.resolve("out1"));
    assertTrue(first.contains("making the node class archive"), first);
    assertFalse(Files.exists(earlier), "the earlier build's archive is removed");
    assertTrue(Files.exists(other), "another jar's archive is left alone");
    Files.delete(other);
    List<Path> archives = archives(dir);
    assertEquals(1, archives.size(), "one archive next to the jar: " + archives);
    assertNodesLoadedFromTheArchive(loads);
    assertEquals(List.of(), list(dir).stream().filter(p -> p.toString().endsWith("-tmp")
        || p.toString().endsWith("-log") || p.toString().endsWith("-classes.txt")).collect(Collectors.toList()),
        "nothing but the archive and its lock left");
    FileTime made = Files.getLastModifiedTime(archives.get(0));

    for (Path l : list(loads)) {
      Files.delete(l);
    }
    // a class folder before the jars (as in emu's own tests): the same archive, the nodes still map it
    Path folder = Files.createDirectories(dir.resolve("classes"));
    Files.writeString(folder.resolve("emu-test.txt"), "a class folder's resource");
    String second = cli(dir, folder + File.pathSeparator + classPath, loads, topo, dir.resolve("out2"));
    assertFalse(second.contains("making the node class archive"), second);
    assertEquals(archives, archives(dir));
    assertEquals(made, Files.getLastModifiedTime(archives.get(0)), "reused, not made again");
    assertNodesLoadedFromTheArchive(loads);
  }

  /** -Xshare:on: a node that could not map the archive would not have started at all. */
  private static void assertNodesLoadedFromTheArchive(Path loads) throws IOException {
    assertEquals(2, list(loads).size(), "a log per node: " + list(loads));
    for (Path log : list(loads)) {
      String l = Files.readString(log);
      assertTrue(l.contains("emu.node.NodeMain source: shared objects file"), log + ":\n" + head(l));
      assertTrue(l.contains("io.netty.channel.epoll.EpollDatagramChannel source: shared objects file"), head(l));
    }
  }

  @Test
  void aRebuiltJarGetsANewArchiveAndAFailedDumpIsSaidAndGivesNone(@TempDir Path dir) throws Exception {
    Path jar = dir.resolve("x.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new JarEntry(NodeClassArchive.NODE_MAIN));
      out.write(1);
    }
    Runtime.Version v17 = Runtime.Version.parse("17.0.15");
    NodeJava java = new NodeJava(Path.of("/usr/bin/java"), v17, "test");
    String before = NodeClassArchive.key(List.of(jar), java, List.of());
    Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 2000));
    String rebuilt = NodeClassArchive.key(List.of(jar), java, List.of());
    assertNotEquals(before, rebuilt, "a rebuilt jar is another archive");
    assertNotEquals(rebuilt, NodeClassArchive.key(List.of(jar), new NodeJava(Path.of("/other/java"), v17, "test"),
        List.of()), "so is another JVM");
    assertNotEquals(rebuilt, NodeClassArchive.key(List.of(jar), new NodeJava(Path.of("/usr/bin/java"),
        Runtime.Version.parse("17.0.16"), "test"), List.of()), "and the same path after an update of its JDK");
    assertNotEquals(rebuilt, NodeClassArchive.key(List.of(jar), java, List.of("-XX:+UseCompactObjectHeaders")),
        "and another object layout");

    List<String> notices = new ArrayList<>();
    NodeJava fails = new NodeJava(Path.of("/bin/false"), Runtime.version(), "test");
    Optional<Path> a = NodeClassArchive.prepare(jar.toString(), fails, notices::add);
    assertTrue(a.isEmpty());
    assertTrue(notices.get(notices.size() - 1).startsWith("could not make the node class archive (nodes start "
        + "without it, more slowly): java -Xshare:dump failed with status 1"), notices.toString());
    assertTrue(list(dir).stream().noneMatch(p -> p.toString().endsWith(".jsa") || p.toString().endsWith("-tmp")
        || p.toString().endsWith("-classes.txt")), "nothing half-made left: " + list(dir));
    assertTrue(list(dir).stream().anyMatch(p -> p.toString().endsWith("-log")), "the dump's log kept: " + list(dir));

    // emu's node classes in a folder (an IDE, mvn test of one module): nothing is tried
    Path lib = dir.resolve("lib.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(lib))) {
      out.putNextEntry(new JarEntry("lib.txt"));
      out.write(1);
    }
    assertTrue(NodeClassArchive.jars(dir + File.pathSeparator + lib).isEmpty());
    assertTrue(NodeClassArchive.prepare(dir.toString(), fails, notices::add).isEmpty());
    // jars and folders: the jars are archived, and nodes get them first
    String mixed = String.join(File.pathSeparator, dir.toString(), lib.toString(), "missing.jar", jar.toString());
    assertEquals(List.of(lib, jar), NodeClassArchive.jars(mixed));
    assertEquals(String.join(File.pathSeparator, lib.toString(), jar.toString(), dir.toString(), "missing.jar"),
        NodeClassArchive.nodeClassPath(mixed));
    assertEquals(lib + File.pathSeparator + jar, NodeClassArchive.nodeClassPath(lib + File.pathSeparator + jar),
        "all jars: as it was");
  }

  @Test
  void theDumpMatchesTheNodesObjectLayoutAndLinksAheadOfTimeFromJdk24() {
    Runtime.Version v17 = Runtime.Version.parse("17.0.15");
    Runtime.Version v25 = Runtime.Version.parse("25.0.3");
    assertEquals(List.of(), NodeClassArchive.dumpOptions(v17, List.of("-Xmx128m")));
    assertEquals(List.of("-XX:+AOTClassLinking"), NodeClassArchive.dumpOptions(v25, List.of("-Xmx128m")));
    assertEquals(List.of("-XX:+AOTClassLinking"), NodeClassArchive.dumpOptions(Runtime.Version.parse("24"),
        List.of()));
    // the last layout option counts, as for the JVM; without it the archive would be refused
    assertEquals(List.of("-XX:-UseCompactObjectHeaders", "-XX:+AOTClassLinking"), NodeClassArchive.dumpOptions(v25,
        List.of("-XX:+UseCompactObjectHeaders", "-XX:-UseCompactObjectHeaders")));
    assertEquals(List.of("-XX:+UseCompactObjectHeaders"), NodeClassArchive.dumpOptions(v25,
        List.of("-XX:+UseCompactObjectHeaders", "-XX:-AOTClassLinking")));
  }

  /** A lab of two hosts named {@code name}, a pinging b twice. */
  static Path pair(Path dir, String name) throws IOException {
    return Files.writeString(dir.resolve(name + ".yml"), """
        name: %s
        topology:
          defaults: {kind: host}
          nodes:
            a: {interfaces: {eth0: {address: 10.0.0.1/24}}}
            b: {interfaces: {eth0: {address: 10.0.0.2/24}}}
          links:
            - endpoints: ["a:eth0", "b:eth0"]
        scenario:
          - a: ping -c 2 b
        """.formatted(name));
  }

  /** Runs {@code emu run FILE} in a JVM of its own from {@code classPath}; returns its output. */
  private static String cli(Path dir, String classPath, Path loads, Path topo, Path out) throws Exception {
    return cli(dir, classPath, Map.of("EMU_NODE_JVM_OPTS", "-Xshare:on -Xlog:class+load=info:file=" + loads
        + "/node-%p.log"), topo, out);
  }

  /** {@code emu run FILE} in a JVM of its own from {@code classPath}, with {@code env} added. */
  static String cli(Path dir, String classPath, Map<String, String> env, Path topo, Path out) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(NodeJava.own().toString(), "-cp", classPath, "emu.control.cli.EmuCommand",
        "run", topo.toString(), "--out", out.toString(), "--no-capture").redirectErrorStream(true);
    pb.environment().put("EMU_STATE_DIR", dir.resolve("state").toString());
    pb.environment().putAll(env);
    Path log = dir.resolve("cli-" + out.getFileName() + ".out");
    pb.redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process p = pb.start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("emu run did not finish in 180 s:\n" + Files.readString(log));
    }
    String output = Files.readString(log);
    assertEquals(0, p.exitValue(), output);
    return output;
  }

  /**
   * This test's class path with every class folder and emu's own module jars (under {@code mvn
   * verify}) packed into one jar in {@code dir}, which then holds emu's node classes as emu.jar
   * does (so the archive is made next to it); the libraries' jars follow it.
   */
  static String jarredClassPath(Path dir) throws IOException {
    Path jar = dir.resolve("emu-classes.jar");
    List<String> entries = new ArrayList<>();
    entries.add(jar.toString());
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      Set<String> seen = new HashSet<>();
      for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
        Path p = Path.of(e);
        if (Files.isDirectory(p)) {
          pack(p, out, seen);
        } else if (Files.isRegularFile(p) && p.getFileName().toString().startsWith("emulator-")) {
          packJar(p, out, seen);
        } else if (Files.isRegularFile(p)) {
          entries.add(e);
        }
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  private static void packJar(Path jar, JarOutputStream out, Set<String> seen) throws IOException {
    try (ZipFile z = new ZipFile(jar.toFile())) {
      for (ZipEntry e : Collections.list(z.entries())) {
        if (e.isDirectory() || e.getName().startsWith("META-INF/") || !seen.add(e.getName())) {
          continue;
        }
        out.putNextEntry(new JarEntry(e.getName()));
        try (InputStream in = z.getInputStream(e)) {
          in.transferTo(out);
        }
        out.closeEntry();
      }
    }
  }

  private static void pack(Path root, JarOutputStream out, Set<String> seen) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path f : s.filter(Files::isRegularFile).sorted().collect(Collectors.toList())) {
        String name = root.relativize(f).toString().replace(File.separatorChar, '/');
        if (!seen.add(name)) {
          continue;
        }
        out.putNextEntry(new JarEntry(name));
        Files.copy(f, out);
        out.closeEntry();
      }
    }
  }

  private static List<Path> archives(Path dir) throws IOException {
    return list(dir).stream().filter(p -> p.toString().endsWith(".jsa")).collect(Collectors.toList());
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().collect(Collectors.toList());
    }
  }

  private static String head(String s) {
    return s.length() > 2000 ? s.substring(0, 2000) + " ..." : s;
  }
}
