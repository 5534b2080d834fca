package emu.node.shell;

/** A command was given arguments it cannot use; the message says which and how. */
public final class UsageException extends RuntimeException {
  public UsageException(String message) {
    super(message);
  }
}
