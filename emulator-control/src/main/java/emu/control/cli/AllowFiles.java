package emu.control.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --allow-files DIR}, as a picocli mixin of every command that loads a topology: the zone
 * and content files a topology names must lie under its own folder unless the person running it
 * allows another folder here (a topology is code; it should not read the rest of the disk on
 * its own say-so).
 */
final class AllowFiles {
  @Option(names = "--allow-files", paramLabel = "DIR",
      description = "Let the topology read zone and content files under DIR too (default: only under the "
          + "topology file's own folder). Repeatable.")
  List<Path> dirs = new ArrayList<>();

  /** The folders, absolute. */
  List<Path> dirs() {
    return dirs.stream().map(Path::toAbsolutePath).toList();
  }
}
