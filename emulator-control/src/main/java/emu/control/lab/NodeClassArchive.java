package emu.control.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A class-data-sharing archive (AppCDS) of the classes a node loads, shared by every node JVM
 * started from the same emu jar.
 *
 * <p>Why: a node loads about 3,800 classes (Netty, Jackson, dnsjava, Bouncy Castle for TLS
 * roles), of which the JDK's own archive holds about 1,200; parsing and verifying the rest is
 * most of a node's start-up, and their metadata (about 15 MB of metaspace) was private to each
 * node. From the archive, classes load already parsed and verified, and their metadata is a
 * file mapping that all nodes share. Measured on the seed lab (8 nodes starting at once on two
 * cores, BENCHMARKS.md): start 7.0-8.7 s to 4.6-4.9 s; PSS (the memory a node really adds)
 * 59 to 45 MB; RSS rises a little, because each node maps the whole archive's pages it touches,
 * and RSS counts shared pages once per process.
 *
 * <p>The archive is made once per build of the jar, on the first lab start that finds it
 * missing: {@code java -Xshare:dump} over the class list {@code node-classes.txt} (a resource of
 * this module, written by {@code emulator-control/node-classlist.sh} from a run of the seed lab
 * with {@code -XX:DumpLoadedClassList}). A class the list misses still loads, from the jar; a
 * listed class that no longer exists is skipped. It lives next to the jar (else in the state
 * folder), named after a hash of the JVM and of every jar's path, size and time, so a rebuilt jar
 * or another JDK gets a new archive and never a stale one. Nothing of this applies when nodes run
 * from class folders (tests, an IDE): the JVM archives classes from jars only.
 *
 * <p>If the archive cannot be made, emu says so once and nodes start without it: it is an
 * optimisation, never a reason for a lab not to start.
 */
public final class NodeClassArchive {
  static final String CLASS_LIST = "node-classes.txt";
  private static final long DUMP_TIMEOUT_S = 180;

  private static volatile Optional<Path> ready;

  private NodeClassArchive() {}

  /**
   * The archive for this JVM's class path, made first if needed ({@code notice} hears that it is
   * being made, or why it could not be). Empty when the class path is not all jars or the archive
   * cannot be made.
   */
  public static synchronized Optional<Path> prepare(Consumer<String> notice) {
    if (ready == null) {
      ready = prepare(System.getProperty("java.class.path"), javaCommand(), notice);
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

  static Optional<Path> prepare(String classPath, String java, Consumer<String> notice) {
    List<Path> jars = jars(classPath);
    if (jars.isEmpty()) {
      return Optional.empty();
    }
    Path archive;
    try {
      archive = location(jars).resolve(jars.get(0).getFileName() + ".node-" + key(jars, java) + ".jsa");
    } catch (IOException e) {
      return Optional.empty();
    }
    if (Files.isRegularFile(archive)) {
      return Optional.of(archive);
    }
    try {
      build(classPath, java, archive, notice);
      return Optional.of(archive);
    } catch (IOException e) {
      notice.accept("could not make the node class archive (nodes start without it, more slowly): "
          + e.getMessage());
      return Optional.empty();
    }
  }

  /** The class path's entries if every one is an existing jar; otherwise none. */
  static List<Path> jars(String classPath) {
    List<Path> jars = new ArrayList<>();
    for (String e : classPath.split(java.io.File.pathSeparator)) {
      Path p = Path.of(e).toAbsolutePath().normalize();
      if (!e.endsWith(".jar") || !Files.isRegularFile(p)) {
        return List.of();
      }
      jars.add(p);
    }
    return jars;
  }

  /** Next to the first jar if that folder is writable, else the state folder's cds/. */
  private static Path location(List<Path> jars) throws IOException {
    Path dir = jars.get(0).getParent();
    if (dir != null && Files.isWritable(dir)) {
      return dir;
    }
    Path state = EmuHome.state().resolve("cds");
    Files.createDirectories(state);
    return state;
  }

  /** What the archive is only valid for: this JVM, and every jar as it is now. */
  static String key(List<Path> jars, String java) throws IOException {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update((java + '\n' + Runtime.version() + '\n').getBytes(StandardCharsets.UTF_8));
      for (Path j : jars) {
        String s = j + " " + Files.size(j) + " " + Files.getLastModifiedTime(j).toMillis() + '\n';
        d.update(s.getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(d.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Dumps the archive into a temporary file and moves it into place; a lock keeps two labs
   * starting at once from both dumping. Older archives of the same jar are removed.
   */
  private static void build(String classPath, String java, Path archive, Consumer<String> notice)
      throws IOException {
    Path dir = archive.getParent();
    Path lock = dir.resolve(".emu-cds.lock");
    try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
         FileLock ignored = ch.lock()) {
      if (Files.isRegularFile(archive)) {
        return; // another emu made it while this one waited
      }
      notice.accept("making the node class archive (once per build of emu, about 10 s) ...");
      Path list = Files.createTempFile(dir, ".emu-classes", ".txt");
      Path tmp = dir.resolve(archive.getFileName() + ".tmp");
      Path log = dir.resolve(archive.getFileName() + ".log");
      try {
        try (InputStream in = NodeClassArchive.class.getResourceAsStream(CLASS_LIST)) {
          if (in == null) {
            throw new IOException("the class list " + CLASS_LIST + " is not in the jar");
          }
          Files.copy(in, list, StandardCopyOption.REPLACE_EXISTING);
        }
        Process p = new ProcessBuilder(java, "-Xshare:dump", "-XX:SharedClassListFile=" + list,
            "-XX:SharedArchiveFile=" + tmp, "-cp", classPath)
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(DUMP_TIMEOUT_S, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new IOException("java -Xshare:dump took over " + DUMP_TIMEOUT_S + " s (log: " + log + ")");
        }
        if (p.exitValue() != 0 || !Files.isRegularFile(tmp)) {
          throw new IOException("java -Xshare:dump failed with status " + p.exitValue() + " (log: " + log + ")");
        }
        Files.move(tmp, archive, StandardCopyOption.ATOMIC_MOVE);
        Files.deleteIfExists(log);
        removeOthers(archive);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while making the archive", e);
      } finally {
        Files.deleteIfExists(list);
        Files.deleteIfExists(tmp);
      }
    }
  }

  /** Archives of earlier builds of the same jar (same name, another key). */
  private static void removeOthers(Path archive) throws IOException {
    String name = archive.getFileName().toString();
    String prefix = name.substring(0, name.lastIndexOf(".node-") + ".node-".length());
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(archive.getParent(), prefix + "*.jsa")) {
      for (Path p : ds) {
        if (!p.equals(archive)) {
          try {
            Files.deleteIfExists(p); // a node still mapping it keeps its pages until it exits
          } catch (IOException | UncheckedIOException ignored) {
            // another user's file: leave it
          }
        }
      }
    }
  }

  /** The {@code java} that runs emu: nodes are started with the same one. */
  static String javaCommand() {
    return ProcessHandle.current().info().command().orElse("java");
  }
}
