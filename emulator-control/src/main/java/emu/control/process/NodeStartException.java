package emu.control.process;

/**
 * A node process could not be started, or its host cannot start it (no login, no java): the
 * message names the node or the host, and why.
 */
public final class NodeStartException extends Exception {
  public NodeStartException(String message) {
    super(message);
  }

  public NodeStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
