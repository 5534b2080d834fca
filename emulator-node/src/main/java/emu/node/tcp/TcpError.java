package emu.node.tcp;

/** Why a connection ended abnormally; the messages are the errno texts applications print. */
public enum TcpError {
  /** RST in answer to our SYN: nobody listens there (ECONNREFUSED). */
  REFUSED("Connection refused"),
  /** The peer reset an established connection (ECONNRESET). */
  RESET("Connection reset by peer"),
  /** Retransmissions or keepalive probes went unanswered (ETIMEDOUT). */
  TIMEOUT("Connection timed out"),
  /** No route to the peer (ENETUNREACH). */
  NO_ROUTE("Network is unreachable"),
  /** An ICMP host or port unreachable ended the connection attempt (EHOSTUNREACH). */
  UNREACHABLE("No route to host"),
  /** This side aborted the connection (sent RST). */
  ABORTED("Connection aborted");

  private final String message;

  TcpError(String message) {
    this.message = message;
  }

  public String message() {
    return message;
  }
}
