package emu.node.shell;

/**
 * A running command's terminal: output lines, the exit status, and word that the caller went
 * away. All calls happen on the node's event loop.
 */
public interface CommandIo {
  void out(String line);

  /** Ends the command; later output is ignored. */
  void exit(int code);

  /** Registers what to do if the caller disconnects before the command ends (stop timers). */
  void onCancel(Runnable action);
}
