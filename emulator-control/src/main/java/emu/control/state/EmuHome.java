package emu.control.state;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where emu keeps things. The install folder (the repository) holds configs/; the state folder
 * ({@code $EMU_STATE_DIR}, default {@code ~/.emu}) holds one folder per running lab with its
 * token and node configurations (mode 0600), so {@code status}, {@code exec} and {@code down}
 * find a lab from any directory.
 */
public final class EmuHome {
  private EmuHome() {}

  /** The install folder: {@code -Demu.home} (set by ./emu), else the working directory. */
  public static Path install() {
    String h = System.getProperty("emu.home");
    return Path.of(h != null ? h : ".").toAbsolutePath().normalize();
  }

  public static Path state() {
    String s = System.getenv("EMU_STATE_DIR");
    if (s == null || s.isBlank()) {
      s = System.getProperty("emu.stateDir");
    }
    return (s != null && !s.isBlank() ? Path.of(s) : Path.of(System.getProperty("user.home"), ".emu"))
        .toAbsolutePath().normalize();
  }

  public static Path labs() {
    return state().resolve("labs");
  }

  public static Path lab(String name) {
    return labs().resolve(name);
  }

  /**
   * Resolves a topology argument: as given if it exists, else under the install folder
   * (so {@code ./emu run configs/internet.yml} works from anywhere).
   */
  public static Path topology(String arg) {
    Path p = Path.of(arg);
    if (Files.exists(p) || p.isAbsolute()) {
      return p;
    }
    Path inInstall = install().resolve(arg);
    return Files.exists(inInstall) ? inInstall : p;
  }

  /** The seed's corporate network: what {@code ./emu run} runs without an argument. */
  public static Path defaultTopology() {
    return topology("configs/corporate.yml");
  }
}
