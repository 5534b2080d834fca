package emu.control.process;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.zip.ZipFile;

/**
 * A class-data-sharing archive (AppCDS) of the classes the command line loads, beside the jar as
 * {@code emu.jar.cli.jsa}: {@code ./emu} starts the CLI's JVM with it when it is newer than the
 * jar, and so does {@code up} for the lab's control process ({@link #jvmOptions()}).
 *
 * <p>Why: {@code ./emu run} loads about 7,000 classes (picocli, Jackson, the planner, Netty for
 * the control API, Bouncy Castle for the lab's certificates, the narrative, the report), most of
 * them not in the JDK's own archive. Measured side by side on the seed run (all nodes in one JVM,
 * 2 cores, OpenJDK 17.0.15, BENCHMARKS.md "`./emu run` wall time"): about 0.3 s less a run.
 *
 * <p>It is made like the nodes' archive ({@link NodeClassArchive}): on the first lab start after a
 * build, {@code java -Xshare:dump} over the class list {@code cli-classes.txt} (a resource of this
 * module, written by {@code emulator-control/cli-classlist.sh}), at the same time as the nodes'
 * archive (about 5 s). Only when this JVM runs from emu's jar alone (as {@code ./emu} starts it):
 * a test's class folders have no archive. A name without a hash, so that the script finds it with
 * a file test; a stale one (the jar rebuilt since, another JDK) is refused by the JVM itself, in
 * silence under {@code -Xshare:auto} (checked on OpenJDK 17), and made again at the next lab start.
 * If it cannot be made, commands merely start as they did before it; the dump's log stays beside
 * the jar ({@code emu.jar.cli.jsa.log}) and the same build does not try again.
 */
public final class CliClassArchive {
  static final String CLASS_LIST = "cli-classes.txt";
  /** What says that a jar is emu's whole jar (the CLI's classes, not only the nodes'). */
  static final String CLI_MAIN = "emu/control/cli/EmuCommand.class";
  private static final long DUMP_TIMEOUT_S = 60;
  private static final String COULD_NOT = "could not make the command line's class archive (commands start without it): ";

  private CliClassArchive() {}

  /** The archive's path for the jar this JVM runs from, if it runs from emu's jar alone. */
  static Optional<Path> archive() {
    return archive(System.getProperty("java.class.path"));
  }

  static Optional<Path> archive(String classPath) {
    if (classPath == null || classPath.contains(File.pathSeparator) || !classPath.endsWith(".jar")) {
      return Optional.empty();
    }
    Path jar = Path.of(classPath).toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar)) {
      return Optional.empty();
    }
    try (ZipFile z = new ZipFile(jar.toFile())) {
      if (z.getEntry(CLI_MAIN) == null) {
        return Optional.empty();
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.of(jar.resolveSibling(jar.getFileName() + ".cli.jsa"));
  }

  /** True if {@code archive} exists and is newer than the jar beside it ({@code ./emu}'s test too). */
  static boolean fresh(Path archive, Path jar) {
    try {
      return Files.isRegularFile(archive)
          && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0;
    } catch (IOException e) {
      return false;
    }
  }

  /** The options that make a JVM of this jar (the lab's control process) use the archive; none if stale. */
  public static List<String> jvmOptions() {
    Optional<Path> a = archive();
    if (a.isEmpty() || !fresh(a.get(), jarOf(a.get()))) {
      return List.of();
    }
    return List.of("-XX:SharedArchiveFile=" + a.get(), "-Xshare:auto");
  }

  private static Path jarOf(Path archive) {
    String name = archive.getFileName().toString();
    return archive.resolveSibling(name.substring(0, name.length() - ".cli.jsa".length()));
  }

  /**
   * Starts making the archive if this JVM runs from emu's jar and the archive is missing or
   * stale; the dump under way, or null when there is nothing to do (another emu is making it, or
   * this build's dump failed before). {@link #finish} waits for it.
   */
  public static Dump start(Consumer<String> notice) {
    return start(System.getProperty("java.class.path"), notice);
  }

  static Dump start(String classPath, Consumer<String> notice) {
    Optional<Path> a = archive(classPath);
    if (a.isEmpty() || fresh(a.get(), jarOf(a.get())) || !Files.isWritable(a.get().getParent())) {
      return null;
    }
    Path archive = a.get();
    Path jar = jarOf(archive);
    Path dir = archive.getParent();
    String base = archive.getFileName().toString();
    if (fresh(dir.resolve(base + ".log"), jar)) {
      return null; // a dump of this build failed (its log is kept): one try a build, said once
    }
    FileChannel ch = null;
    try {
      ch = FileChannel.open(dir.resolve(base + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = ch.tryLock();
      if (lock == null) {
        ch.close();
        return null; // another emu is making it: this start goes on without
      }
      // the CLI's collector (./emu's -XX:+UseSerialGC): an archive is made for one
      ArchiveDump dump = ArchiveDump.start(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          List.of("-XX:+UseSerialGC"), CLASS_LIST, jar.toString(), archive, base + ".");
      notice.accept("making the command line's class archive (once per build of emu, about 5 s) ...");
      return new Dump(dump, ch);
    } catch (IOException e) {
      closeQuietly(ch);
      notice.accept(COULD_NOT + e.getMessage());
      return null;
    }
  }

  /** Waits for a dump {@link #start} began and puts the archive in place; says why if it failed. */
  public static void finish(Dump d, Consumer<String> notice) {
    if (d == null) {
      return;
    }
    try {
      d.dump.finish(DUMP_TIMEOUT_S);
    } catch (IOException e) {
      notice.accept(COULD_NOT + e.getMessage());
    } finally {
      closeQuietly(d.channel);
    }
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close(); // releases the lock
      } catch (IOException ignored) {
        // nothing held any more
      }
    }
  }

  /** A dump under way, and the channel whose lock keeps other emus from making the same archive. */
  public record Dump(ArchiveDump dump, FileChannel channel) {}
}
