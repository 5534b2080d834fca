package emu.node.stack;

/** What became of a locally sent packet; the names follow the errno a socket would see. */
public enum SendResult {
  /** Handed to the link (or queued for ARP resolution). */
  SENT("sent"),
  /** ENETUNREACH: no route matched. */
  NO_ROUTE("Network is unreachable"),
  /** ENETDOWN: the route's interface is down. */
  NETWORK_DOWN("Network is down"),
  /** EMSGSIZE: larger than the MTU with Don't Fragment set. */
  TOO_BIG("Message too long"),
  /** EADDRNOTAVAIL: no usable source address (IPv6: still tentative, or none of the right scope). */
  NO_ADDRESS("Cannot assign requested address");

  private final String message;

  SendResult(String message) {
    this.message = message;
  }

  public String message() {
    return message;
  }
}
