package emu.node.shell;

import java.util.List;

/**
 * A program a user runs on a node with {@code ./emu exec NODE -- ARGS}. It runs on the node's
 * event loop, so it must not block: it starts, schedules what it needs, and calls
 * {@link CommandIo#exit} when done.
 */
public interface Command {
  String name();

  /** One line shown by {@code help}. */
  String summary();

  /** {@code args} excludes the command name. */
  void run(List<String> args, CommandIo io);
}
