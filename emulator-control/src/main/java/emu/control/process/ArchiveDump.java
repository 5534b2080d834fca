package emu.control.process;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code java -Xshare:dump} of a class list that is a resource of this package into a
 * class-data archive: the nodes' ({@link NodeClassArchive}) and the command line's
 * ({@link CliClassArchive}). It dumps into a temporary file beside the archive and moves it into
 * place only once the JVM said it succeeded, so an archive is whole or absent. Its files have
 * fixed names ({@code BASE} + {@code classes.txt}, {@code tmp}, {@code log}): what an
 * interrupted dump leaves is overwritten by the next one. The log is kept when a dump fails.
 */
final class ArchiveDump {
  private final Process process;
  private final Path archive;
  private final Path list;
  private final Path tmp;
  private final Path log;

  private ArchiveDump(Process process, Path archive, Path list, Path tmp, Path log) {
    this.process = process;
    this.archive = archive;
    this.list = list;
    this.tmp = tmp;
    this.log = log;
  }

  /**
   * Starts the dump of {@code classList} for a JVM {@code java} with {@code options} and
   * {@code classPath}; its files are named {@code base} + what they are, beside {@code archive}.
   */
  static ArchiveDump start(String java, List<String> options, String classList, String classPath, Path archive,
                           String base) throws IOException {
    Path dir = archive.getParent();
    Path list = dir.resolve(base + "classes.txt");
    Path tmp = dir.resolve(base + "tmp");
    Path log = dir.resolve(base + "log");
    try (InputStream in = ArchiveDump.class.getResourceAsStream(classList)) {
      if (in == null) {
        throw new IOException("the class list " + classList + " is not in the jar");
      }
      Files.copy(in, list, StandardCopyOption.REPLACE_EXISTING);
    }
    List<String> cmd = new ArrayList<>(List.of(java, "-Xshare:dump"));
    cmd.addAll(options);
    cmd.addAll(List.of("-XX:SharedClassListFile=" + list, "-XX:SharedArchiveFile=" + tmp, "-cp", classPath));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      return new ArchiveDump(p, archive, list, tmp, log);
    } catch (IOException e) {
      Files.deleteIfExists(list);
      throw e;
    }
  }

  /**
   * Waits up to {@code timeoutS} for the dump and puts the archive in place; an IOException says
   * why not (the log's path in it). Its list and temporary file are gone either way.
   */
  void finish(long timeoutS) throws IOException {
    try {
      if (!process.waitFor(timeoutS, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        throw new IOException("java -Xshare:dump took over " + timeoutS + " s (log: " + log + ")");
      }
      if (process.exitValue() != 0 || !Files.isRegularFile(tmp)) {
        throw new IOException("java -Xshare:dump failed with status " + process.exitValue() + " (log: " + log + ")");
      }
      Files.move(tmp, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while making the archive", e);
    } finally {
      quietly(list);
      quietly(tmp);
    }
    quietly(log); // made: tidying, whose failure must not disown the archive
  }

  private static void quietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // tidying only
    }
  }
}
