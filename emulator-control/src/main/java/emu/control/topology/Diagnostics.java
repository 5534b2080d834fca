package emu.control.topology;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects errors and warnings while a file is checked, so all of them are reported together. */
final class Diagnostics {
  private static final Comparator<Problem> FILE_ORDER =
      Comparator.comparingInt(Problem::line).thenComparingInt(Problem::column);

  private final Path file;
  private final List<Path> allowFiles;
  private final List<Problem> errors = new ArrayList<>();
  private final List<Problem> warnings = new ArrayList<>();

  Diagnostics(Path file) {
    this(file, List.of());
  }

  /** {@code allowFiles}: folders besides the topology's own whose files it may name ({@code --allow-files}). */
  Diagnostics(Path file, List<Path> allowFiles) {
    this.file = file;
    this.allowFiles = List.copyOf(allowFiles);
  }

  void error(int line, int column, String message) {
    Problem p = new Problem(file, line, column, message);
    if (!errors.contains(p)) {
      errors.add(p);
    }
  }

  void error(YamlNode at, String message) {
    error(at.line(), at.column(), message);
  }

  /** A problem located in another file (a zone file the topology names). */
  void errorIn(Path other, int line, int column, String message) {
    Problem p = new Problem(other, line, column, message);
    if (!errors.contains(p)) {
      errors.add(p);
    }
  }

  /** The topology file; relative paths in it are relative to its folder. */
  Path file() {
    return file;
  }

  /** The folders besides the topology's own whose files it may name. */
  List<Path> allowFiles() {
    return allowFiles;
  }

  void warn(YamlNode at, String message) {
    Problem p = new Problem(file, at.line(), at.column(), message);
    if (!warnings.contains(p)) {
      warnings.add(p);
    }
  }

  boolean hasErrors() {
    return !errors.isEmpty();
  }

  /** Errors in file order. */
  List<Problem> errors() {
    List<Problem> out = new ArrayList<>(errors);
    out.sort(FILE_ORDER);
    return out;
  }

  /** Warnings in file order, each "FILE:LINE:COL: message" (callers add their own "warning: "). */
  List<String> warnings() {
    List<Problem> out = new ArrayList<>(warnings);
    out.sort(FILE_ORDER);
    return out.stream().map(Problem::toString).toList();
  }
}
