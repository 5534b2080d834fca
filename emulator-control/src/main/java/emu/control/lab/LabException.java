package emu.control.lab;

/** A lab could not be started, found or stopped; the message says what and which node. */
public final class LabException extends Exception {
  public LabException(String message) {
    super(message);
  }

  public LabException(String message, Throwable cause) {
    super(message, cause);
  }
}
