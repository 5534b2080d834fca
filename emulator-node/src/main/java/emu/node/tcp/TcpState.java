package emu.node.tcp;

/** The connection states of RFC 9293 section 3.3.2, with the names {@code ss} prints. */
public enum TcpState {
  CLOSED("UNCONN"),
  LISTEN("LISTEN"),
  SYN_SENT("SYN-SENT"),
  SYN_RECEIVED("SYN-RECV"),
  ESTABLISHED("ESTAB"),
  FIN_WAIT_1("FIN-WAIT-1"),
  FIN_WAIT_2("FIN-WAIT-2"),
  CLOSE_WAIT("CLOSE-WAIT"),
  CLOSING("CLOSING"),
  LAST_ACK("LAST-ACK"),
  TIME_WAIT("TIME-WAIT");

  private final String ss;

  TcpState(String ss) {
    this.ss = ss;
  }

  /** The state as {@code ss -tan} prints it. */
  public String ssName() {
    return ss;
  }
}
