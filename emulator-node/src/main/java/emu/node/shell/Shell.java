package emu.node.shell;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The commands a node understands, by name, and what to say for one it does not. */
public final class Shell {
  private final String node;
  private final Map<String, Command> commands = new LinkedHashMap<>();

  public Shell(String node) {
    this.node = node;
  }

  public Shell add(Command c) {
    commands.put(c.name(), c);
    return this;
  }

  public void run(List<String> argv, CommandIo io) {
    if (argv.isEmpty()) {
      io.out("usage: exec NODE -- COMMAND [ARGS...]; try 'help'");
      io.exit(2);
      return;
    }
    String name = argv.get(0);
    List<String> args = new ArrayList<>(argv.subList(1, argv.size()));
    if (name.equals("help")) {
      io.out("commands on " + node + ":");
      for (Command c : commands.values()) {
        io.out(String.format("  %-12s %s", c.name(), c.summary()));
      }
      io.exit(0);
      return;
    }
    Command c = commands.get(name);
    if (c == null) {
      io.out(name + ": command not found on " + node + " (it has: help, " + String.join(", ", commands.keySet()) + ")");
      io.exit(127);
      return;
    }
    try {
      c.run(args, io);
    } catch (UsageException e) {
      io.out(name + ": " + e.getMessage());
      io.exit(2);
    }
  }

  /** Splits a scenario line into words: whitespace separates, double or single quotes group. */
  public static List<String> split(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    char quote = 0;
    boolean inWord = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (quote != 0) {
        if (ch == quote) {
          quote = 0;
        } else {
          cur.append(ch);
        }
      } else if (ch == '"' || ch == '\'') {
        quote = ch;
        inWord = true;
      } else if (Character.isWhitespace(ch)) {
        if (inWord) {
          words.add(cur.toString());
          cur.setLength(0);
          inWord = false;
        }
      } else {
        cur.append(ch);
        inWord = true;
      }
    }
    if (quote != 0) {
      throw new IllegalArgumentException("unterminated quote in: " + line);
    }
    if (inWord) {
      words.add(cur.toString());
    }
    return words;
  }
}
