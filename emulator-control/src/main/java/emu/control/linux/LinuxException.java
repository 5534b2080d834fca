package emu.control.linux;

/** A linux node cannot be made or changed: the message says which node or device, and why. */
public final class LinuxException extends Exception {
  public LinuxException(String message) {
    super(message);
  }

  public LinuxException(String message, Throwable cause) {
    super(message, cause);
  }
}
