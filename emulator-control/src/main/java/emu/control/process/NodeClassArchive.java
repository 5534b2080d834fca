package emu.control.process;

import emu.control.state.EmuHome;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.zip.ZipFile;

/**
 * A class-data-sharing archive (AppCDS) of the classes a node loads, shared by every node JVM
 * started from the same emu jar.
 *
 * <p>Why: a node loads about 3,800 classes (Netty, Jackson, dnsjava, Bouncy Castle for TLS
 * roles), of which the JDK's own archive holds about 1,200; parsing and verifying the rest is
 * most of a node's start-up, and their metadata (about 15 MB of metaspace) was private to each
 * node. From the archive, classes load already parsed and verified, and their metadata is a
 * file mapping that all nodes share. Measured on the seed lab (8 nodes starting at once on two
 * cores, BENCHMARKS.md): median start 8.2 to 4.0 s; PSS (the memory a node really adds) 58 to
 * 44 MB; RSS rises 7 MB, because RSS counts the archive's shared pages in full in every node.
 *
 * <p>The archive is made once per build of the jar, on the first lab start that finds it
 * missing: {@code java -Xshare:dump} over the class list {@code node-classes.txt} (a resource of
 * this module, written by {@code emulator-control/node-classlist.sh} from a run of the seed lab
 * with {@code -XX:DumpLoadedClassList}), 7-10 s. A class the list misses still loads, from the
 * jar; a listed class that no longer exists is skipped. It lives next to the jar (else in the
 * state folder), named {@code JAR.node-WHERE-WHAT.jsa}: WHERE hashes the JVM and the jars'
 * paths, WHAT their sizes and times, so a rebuilt jar or another JDK gets a new archive and
 * never a stale one, and making one removes only older archives of the same WHERE.
 *
 * <p>The JVM archives classes from jars only, and accepts a class path at run time that begins
 * with the one the archive was made from. So a class path of jars and class folders (emu's own
 * tests: emu's node classes in their module's jar, this module's in folders) gets an archive of
 * its jars, and nodes run with the jars first and the folders after ({@link #nodeClassPath}).
 * Nothing is archived when emu's node classes themselves are in a folder (an IDE, {@code mvn test}
 * of one module): the archive would then sit in a state folder of its own for each lab, made
 * again and again, and miss the classes that matter most.
 *
 * <p>If the archive cannot be made in time, emu says so once and nodes start without it: it is
 * an optimisation, never a reason for a lab not to start. Nothing is made when nodes would not
 * use it ({@code -Xshare:off} in {@code EMU_NODE_JVM_OPTS}).
 */
public final class NodeClassArchive {
  static final String CLASS_LIST = "node-classes.txt";
  /** Below {@code up}'s wait for a lab (150 s), so a slow dump fails alone, not the lab. */
  private static final long DUMP_TIMEOUT_S = 90;
  /** How long a lab start waits for another emu that is making the same archive. */
  private static final long LOCK_WAIT_S = 100;

  /** The class that says a jar holds emu's node classes. */
  static final String NODE_MAIN = "emu/node/NodeMain.class";

  private static volatile Optional<Path> ready;

  private NodeClassArchive() {}

  /**
   * The archive for this JVM's class path, made first if needed ({@code notice} hears that it is
   * being made, or why it could not be). Empty when emu's node classes are not in a jar of the class
   * path or the archive cannot be made.
   */
  public static synchronized Optional<Path> prepare(Consumer<String> notice) {
    if (ready == null) {
      ready = prepare(System.getProperty("java.class.path"), NodeJava.chosen(), notice);
    }
    return ready;
  }

  /**
   * The JVM options that make a node use the archive; empty if there is none (made first if
   * missing: a lab start says so on its progress line, a node restart on standard error).
   */
  static List<String> nodeOptions() {
    Optional<Path> a = prepare(msg -> System.err.println("emu: " + msg));
    if (a.isEmpty() || !Files.isRegularFile(a.get())) {
      return List.of();
    }
    // auto: should the JVM refuse the archive after all, the node starts without it
    return List.of("-XX:SharedArchiveFile=" + a.get(), "-Xshare:auto");
  }

  static Optional<Path> prepare(String classPath, NodeJava java, Consumer<String> notice) {
    List<Path> jars = jars(classPath);
    List<String> nodeOptions = NodeProcesses.jvmOptions(java.version());
    if (jars.isEmpty() || nodeOptions.contains("-Xshare:off")) {
      return Optional.empty();
    }
    List<String> dump = dumpOptions(java.version(), nodeOptions);
    String prefix = prefix(jars, java, dump);
    Path archive;
    try {
      archive = location(jars).resolve(prefix + key(jars, java, dump) + ".jsa");
    } catch (IOException e) {
      return Optional.empty();
    }
    if (Files.isRegularFile(archive)) {
      return Optional.of(archive);
    }
    try {
      build(jars.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)),
          java.java().toString(), dump, archive, prefix, notice);
      return Optional.of(archive);
    } catch (IOException e) {
      notice.accept("could not make the node class archive (nodes start without it, more slowly): "
          + e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * The class path's jars, in order, if one of them holds emu's node classes ({@link #NODE_MAIN});
   * otherwise none. Class folders and missing entries are left out: the JVM archives jars only.
   */
  static List<Path> jars(String classPath) {
    List<Path> jars = new ArrayList<>();
    boolean node = false;
    for (String e : classPath.split(File.pathSeparator)) {
      Path p = Path.of(e).toAbsolutePath().normalize();
      if (e.endsWith(".jar") && Files.isRegularFile(p)) {
        jars.add(p);
        node = node || holdsNodeMain(p);
      }
    }
    return node ? jars : List.of();
  }

  /**
   * The class path nodes run with: its jars first, then its other entries (class folders), each
   * in their order; the same class path when it is all jars (emu.jar). The archive is made from
   * the jars, and a node's class path must begin with the archive's for the JVM to map it.
   */
  public static String nodeClassPath(String classPath) {
    List<String> jars = new ArrayList<>();
    List<String> others = new ArrayList<>();
    for (String e : classPath.split(File.pathSeparator)) {
      (e.endsWith(".jar") && Files.isRegularFile(Path.of(e)) ? jars : others).add(e);
    }
    jars.addAll(others);
    return String.join(File.pathSeparator, jars);
  }

  /** The jar of emu's node classes (the first jar if none holds them). */
  private static Path nodeJar(List<Path> jars) {
    return jars.stream().filter(NodeClassArchive::holdsNodeMain).findFirst().orElse(jars.get(0));
  }

  private static boolean holdsNodeMain(Path jar) {
    try (ZipFile z = new ZipFile(jar.toFile())) {
      return z.getEntry(NODE_MAIN) != null;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Next to the jar of emu's node classes if that folder is writable and is not a Maven
   * repository's (emulator-node from ~/.m2 when one module is built alone: a folder with the jar's
   * .pom beside it, which is no place for a lab's files); else the state folder's cds/.
   */
  private static Path location(List<Path> jars) throws IOException {
    Path jar = nodeJar(jars);
    Path dir = jar.getParent();
    String name = jar.getFileName().toString();
    boolean repository = Files.exists(jar.resolveSibling(name.substring(0, name.length() - ".jar".length()) + ".pom"));
    if (dir != null && Files.isWritable(dir) && !repository) {
      return dir;
    }
    Path state = EmuHome.state().resolve("cds");
    Files.createDirectories(state);
    return state;
  }

  /**
   * The options of the dump that must match the nodes' own: a JVM maps an archive only if it was
   * made with the same object layout ({@code -XX:+UseCompactObjectHeaders}, JDK 24 and later);
   * from JDK 24 on, the archive also holds the classes linked ahead of time (JEP 483,
   * {@code -XX:+AOTClassLinking}).
   */
  static List<String> dumpOptions(Runtime.Version v, List<String> nodeOptions) {
    List<String> dump = new ArrayList<>();
    String layout = null;
    boolean link = v.feature() >= 24;
    for (String o : nodeOptions) {
      if (o.equals("-XX:+UseCompactObjectHeaders") || o.equals("-XX:-UseCompactObjectHeaders")) {
        layout = o; // the last one counts, as for the JVM
      } else if (o.equals("-XX:-AOTClassLinking")) {
        link = false; // EMU_NODE_JVM_OPTS turns it off (to compare)
      }
    }
    if (layout != null) {
      dump.add(layout);
    }
    if (link) {
      dump.add("-XX:+AOTClassLinking");
    }
    return dump;
  }

  /**
   * {@code JAR.node-WHERE-}: the archives of this JVM and these jars' paths, whatever their build;
   * JAR is the jar of emu's node classes, next to which the archive lives.
   */
  static String prefix(List<Path> jars, NodeJava java, List<String> dump) {
    StringBuilder where = new StringBuilder(java.java().toString()).append('\n').append(java.version()).append('\n');
    where.append(String.join(" ", dump)).append('\n');
    jars.forEach(j -> where.append(j).append('\n'));
    return nodeJar(jars).getFileName() + ".node-" + hash(where.toString()) + "-";
  }

  /** What the archive is only valid for: every jar as it is now (and the JVM, in the prefix). */
  static String key(List<Path> jars, NodeJava java, List<String> dump) throws IOException {
    StringBuilder what = new StringBuilder(java.java().toString()).append('\n').append(java.version()).append('\n');
    what.append(String.join(" ", dump)).append('\n');
    for (Path j : jars) {
      what.append(j).append(' ').append(Files.size(j)).append(' ')
          .append(Files.getLastModifiedTime(j).toMillis()).append('\n');
    }
    return hash(what.toString());
  }

  private static String hash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Dumps the archive into a temporary file and moves it into place; a lock keeps two labs
   * starting at once from both dumping (the second waits, then uses the first one's archive).
   * Older archives of the same jars and JVM are removed.
   */
  private static void build(String classPath, String java, List<String> dump, Path archive, String prefix,
                            Consumer<String> notice) throws IOException {
    Path dir = archive.getParent();
    try (FileChannel ch = FileChannel.open(dir.resolve(prefix + "lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
         FileLock ignored = lock(ch, notice)) {
      if (Files.isRegularFile(archive)) {
        return; // another emu made it while this one waited
      }
      notice.accept("making the node class archive (once per build of emu, 7-10 s) ...");
      ArchiveDump.start(java, dump, CLASS_LIST, classPath, archive, prefix).finish(DUMP_TIMEOUT_S);
      quietly(() -> removeOthers(archive, prefix)); // tidying, whose failure must not disown the archive
    }
  }

  /** The lock, waiting at most {@link #LOCK_WAIT_S} (and saying so) while another emu holds it. */
  private static FileLock lock(FileChannel ch, Consumer<String> notice) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LOCK_WAIT_S);
    boolean said = false;
    while (true) {
      FileLock l = ch.tryLock();
      if (l != null) {
        return l;
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("another emu has been making it for over " + LOCK_WAIT_S + " s");
      }
      if (!said) {
        notice.accept("waiting for another emu that is making the node class archive ...");
        said = true;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for the archive", e);
      }
    }
  }

  private interface IoAction {
    void run() throws IOException;
  }

  private static void quietly(IoAction a) {
    try {
      a.run();
    } catch (IOException | UncheckedIOException ignored) {
      // tidying only
    }
  }

  /** Archives of earlier builds of the same jars for the same JVM: same prefix, another key. */
  private static void removeOthers(Path archive, String prefix) throws IOException {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(archive.getParent(), prefix + "*.jsa")) {
      for (Path p : ds) {
        if (!p.equals(archive)) {
          quietly(() -> Files.deleteIfExists(p)); // a node still mapping it keeps its pages until it exits
        }
      }
    }
  }
}
