package emu.control.process;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code java} that node processes run on, and its version, found as a user's machine would
 * find it: {@code EMU_JAVA} (a java executable, a JDK's folder, or {@code newest}: the newest JDK
 * of at least 17 in Debian's JVM folder {@code /usr/lib/jvm}), else {@code JAVA_HOME}, else the
 * JDK that runs emu itself.
 *
 * <p>Nodes need only Java 17 bytecode. The newest JDK is not taken by default because it was
 * measured not to help (BENCHMARKS.md, "Which JVM nodes run on"): on the seed lab, Temurin 25
 * against OpenJDK 17, both from emu's class archive, a node started no faster and took 6-10 MB
 * more PSS (its archive's heap objects are copied into every node's heap), and idle CPU was the
 * same once 17's performance-data sampler is off. The version is read from the JDK's
 * {@code release} file, not by starting a JVM: it decides which options nodes may be given
 * ({@link NodeProcesses#trimsNativeHeap}) and which class archive they map
 * ({@link NodeClassArchive}).
 *
 * @param java the executable
 * @param version its version
 * @param why how it was chosen, for a person ("EMU_JAVA", "JAVA_HOME", "EMU_JAVA=newest in /usr/lib/jvm",
 *     "emu's own")
 */
public record NodeJava(Path java, Runtime.Version version, String why) {
  /** Debian's (and Ubuntu's) folder of installed JVMs. */
  static final Path DEBIAN_JVMS = Path.of("/usr/lib/jvm");
  /** Nodes are Java 17 bytecode. */
  static final int MIN_FEATURE = 17;

  private static volatile NodeJava chosen;

  /** A bad {@code EMU_JAVA}: said as it is, since nodes cannot start on a guess. */
  public static final class BadJavaException extends RuntimeException {
    BadJavaException(String message) {
      super(message);
    }
  }

  /**
   * The JVM nodes run on, chosen once per emu process.
   *
   * @throws BadJavaException if {@code EMU_JAVA} names no usable JDK
   */
  public static NodeJava chosen() {
    NodeJava j = chosen;
    if (j == null) {
      synchronized (NodeJava.class) {
        if (chosen == null) {
          chosen = choose(System.getenv(), DEBIAN_JVMS, own(), Runtime.version());
        }
        j = chosen;
      }
    }
    return j;
  }

  /** The {@code java} that runs this emu process. */
  static Path own() {
    return Path.of(ProcessHandle.current().info().command().orElse("java"));
  }

  /** One line for logs: {@code JDK 25.0.3 (/usr/lib/jvm/.../bin/java, EMU_JAVA)}. */
  public String describe() {
    return "JDK " + version + " (" + java + ", " + why + ")";
  }

  /**
   * The choice, from these variables, this JVM folder, and the JVM that runs emu.
   *
   * @throws BadJavaException if {@code EMU_JAVA} is set but names no JDK of at least 17
   */
  static NodeJava choose(Map<String, String> env, Path jvmDir, Path ownJava, Runtime.Version ownVersion) {
    String emuJava = env.get("EMU_JAVA");
    if (emuJava != null && emuJava.trim().equals("newest")) {
      return newest(jvmDir).orElseThrow(() -> new BadJavaException("EMU_JAVA=newest: no JDK of " + MIN_FEATURE
          + " or newer in " + jvmDir));
    }
    if (emuJava != null && !emuJava.isBlank()) {
      Path given = Path.of(emuJava.trim());
      Optional<Path> exe = executable(given);
      if (exe.isEmpty()) {
        throw new BadJavaException("EMU_JAVA=" + emuJava + " is neither a java executable nor a JDK folder with"
            + " bin/java in it");
      }
      Optional<Runtime.Version> v = version(exe.get());
      if (v.isEmpty()) {
        throw new BadJavaException("EMU_JAVA=" + emuJava + ": cannot tell its version (no readable 'release' file"
            + " with JAVA_VERSION in " + home(exe.get()) + ")");
      }
      if (v.get().feature() < MIN_FEATURE) {
        throw new BadJavaException("EMU_JAVA=" + emuJava + " is JDK " + v.get() + "; nodes need JDK " + MIN_FEATURE
            + " or newer");
      }
      return new NodeJava(exe.get(), v.get(), "EMU_JAVA");
    }
    String javaHome = env.get("JAVA_HOME");
    if (javaHome != null && !javaHome.isBlank()) {
      // A JAVA_HOME that does not fit is passed over, not an error: it is often set for other tools.
      Optional<NodeJava> j = jdk(Path.of(javaHome.trim()), "JAVA_HOME");
      if (j.isPresent() && j.get().version().feature() >= MIN_FEATURE) {
        return j.get();
      }
    }
    return new NodeJava(ownJava, ownVersion, "emu's own");
  }

  /** The newest JDK of at least {@link #MIN_FEATURE} in {@code dir} (its symbolic links counted once). */
  static Optional<NodeJava> newest(Path dir) {
    return installed(dir).stream().max((a, b) -> {
      int c = a.version().compareToIgnoreOptional(b.version());
      // the same JDK twice (java-1.17.0-openjdk-amd64 -> java-17-openjdk-amd64): the name that is no link
      return c != 0 ? c : b.java().toString().compareTo(a.java().toString());
    });
  }

  /** The JDKs of at least {@link #MIN_FEATURE} in {@code dir}: none if there is no such folder. */
  static List<NodeJava> installed(Path dir) {
    List<NodeJava> found = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        jdk(p, "EMU_JAVA=newest in " + dir).filter(j -> j.version().feature() >= MIN_FEATURE).ifPresent(found::add);
      }
    } catch (IOException e) {
      return List.of(); // not a Debian machine
    }
    return found;
  }

  /** The JDK at {@code home}: its bin/java and the version its release file says. */
  private static Optional<NodeJava> jdk(Path home, String why) {
    Path exe = home.resolve("bin").resolve("java");
    if (!Files.isRegularFile(exe) || !Files.isExecutable(exe)) {
      return Optional.empty();
    }
    try {
      Path real = exe.toRealPath();
      return version(real).map(v -> new NodeJava(real, v, why));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** {@code p} if it is an executable file, else {@code p/bin/java} if that is; links resolved. */
  static Optional<Path> executable(Path p) {
    Path exe = Files.isDirectory(p) ? p.resolve("bin").resolve("java") : p;
    if (!Files.isRegularFile(exe) || !Files.isExecutable(exe)) {
      return Optional.empty();
    }
    try {
      return Optional.of(exe.toRealPath()); // /usr/bin/java -> /etc/alternatives/java -> the JDK's
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The JDK folder of {@code .../bin/java}. */
  static Path home(Path java) {
    Path bin = java.toAbsolutePath().getParent();
    return bin == null || bin.getParent() == null ? java : bin.getParent();
  }

  /** The version in the {@code release} file of the JDK that {@code java} (links resolved) belongs to. */
  static Optional<Runtime.Version> version(Path java) {
    Path release = home(java).resolve("release");
    try {
      return parseRelease(Files.readAllLines(release));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * The version a JDK's {@code release} file states: {@code JAVA_RUNTIME_VERSION} (it has the
   * build, e.g. {@code 17.0.15+6-Debian-1deb12u1}) if it parses, else {@code JAVA_VERSION}.
   */
  static Optional<Runtime.Version> parseRelease(List<String> lines) {
    Optional<Runtime.Version> plain = Optional.empty();
    Optional<Runtime.Version> runtime = Optional.empty();
    for (String line : lines) {
      int eq = line.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String key = line.substring(0, eq).trim();
      String value = line.substring(eq + 1).trim().replace("\"", "");
      if (key.equals("JAVA_VERSION")) {
        plain = parse(value);
      } else if (key.equals("JAVA_RUNTIME_VERSION")) {
        runtime = parse(value);
      }
    }
    return runtime.isPresent() ? runtime : plain;
  }

  private static Optional<Runtime.Version> parse(String s) {
    if (s.startsWith("1.")) { // JDK 8 and older: 1.8.0_392 is 8
      s = s.substring(2).replaceFirst("[^0-9].*", "");
    }
    try {
      return Optional.of(Runtime.Version.parse(s));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
