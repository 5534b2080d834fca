package emu.control.topology;

import java.nio.file.Path;

/** One thing wrong with a topology file, pinned to the place a user must edit to fix it. */
public record Problem(Path file, int line, int column, String message) {
  /** {@code FILE:LINE:COL: message}, the shape compilers use, so editors can jump to it. */
  @Override
  public String toString() {
    return file + ":" + line + ":" + column + ": " + message;
  }
}
