package emu.node.testing;

import emu.node.shell.CommandIo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A command's terminal as a test sees it: the lines it printed, its exit status once it has
 * one, and a way to hang up (which runs what the command registered with {@code onCancel}).
 * Output after exit is ignored, as {@link CommandIo} specifies.
 */
public final class CommandRun implements CommandIo {
  private final String node;
  private final String command;
  private final List<String> lines = new ArrayList<>();
  private final List<Runnable> cancelActions = new ArrayList<>();
  private Integer exitCode;

  public CommandRun(String node, String command) {
    this.node = node;
    this.command = command;
  }

  @Override
  public void out(String line) {
    if (exitCode == null) {
      lines.add(line);
    }
  }

  @Override
  public void exit(int code) {
    if (exitCode == null) {
      exitCode = code;
    }
  }

  @Override
  public void onCancel(Runnable action) {
    cancelActions.add(action);
  }

  /** Hangs up, as a disconnecting caller would. */
  public void cancel() {
    cancelActions.forEach(Runnable::run);
  }

  public boolean exited() {
    return exitCode != null;
  }

  /** The exit status; fails if the command has not exited. */
  public int exitCode() {
    if (exitCode == null) {
      throw new AssertionError(this + " has not exited; output so far:\n" + output());
    }
    return exitCode;
  }

  public List<String> lines() {
    return Collections.unmodifiableList(lines);
  }

  public String output() {
    return String.join("\n", lines);
  }

  /** Lines matching {@code regex} (anywhere in the line). */
  public List<String> linesMatching(String regex) {
    Pattern p = Pattern.compile(regex);
    return lines.stream().filter(l -> p.matcher(l).find()).toList();
  }

  /** The first group of {@code regex} in every line where it is found. */
  public List<String> extract(String regex) {
    Pattern p = Pattern.compile(regex);
    List<String> out = new ArrayList<>();
    for (String l : lines) {
      Matcher m = p.matcher(l);
      if (m.find()) {
        out.add(m.group(1));
      }
    }
    return out;
  }

  /** Fails with the whole output unless the command exited with {@code code}. */
  public CommandRun assertExit(int code) {
    if (exitCode == null || exitCode != code) {
      throw new AssertionError(this + ": expected exit " + code + " but " + (exitCode == null ? "it is still running"
          : "got " + exitCode) + "; output:\n" + output());
    }
    return this;
  }

  /** Fails unless the whole output is {@code expected}. */
  public CommandRun assertOutput(String expected) {
    if (!output().equals(expected)) {
      throw new AssertionError(this + ": expected output\n" + expected + "\nbut got\n" + output());
    }
    return this;
  }

  @Override
  public String toString() {
    return node + "$ " + command;
  }
}
