package emu.node.bridge.stp;

import emu.node.bridge.BridgePort;

/**
 * One bridge port's spanning-tree variables (IEEE 802.1D-2004 17.19), owned by {@link Rstp} on the
 * node's event loop. Priority vectors are kept as four numbers: root id, root path cost,
 * designated bridge id, designated port id; times in 1/256 s as on the wire; timers as deadlines
 * in the time source's nanoseconds (0: not running).
 */
public final class StpPort {
  /** Where the port's priority vector came from (17.19.10 infoIs). */
  enum InfoIs { DISABLED, AGED, MINE, RECEIVED }

  final BridgePort port;
  final long mac;
  final int portId;
  int pathCost;
  PortRole role = PortRole.DISABLED;
  PortState state = PortState.DISCARDING;
  InfoIs infoIs = InfoIs.DISABLED;
  // The port priority vector and times (17.19.21, 17.19.22): what the port last heard or sent.
  long vRoot;
  long vCost;
  long vBridge;
  int vPort;
  int msgAge;
  int maxAge;
  int hello;
  int fwdDelay;
  long rcvdInfoUntil;
  /** What was last reported to the observer. */
  PortRole reportedRole = PortRole.DISABLED;
  PortState reportedState = PortState.DISCARDING;
  boolean operEdge = true;
  /**
   * A BPDU arrived here since the port last became edge: a switch was at the far end, and the port
   * comes back from a link down as a non-edge port (802.1D-2004 17.25 NOT_EDGE), edge again only
   * once {@link #edgeDelayUntil} passes with no BPDU heard.
   */
  boolean bridgeSeen;
  /** 17.25's edgeDelayWhile as a deadline: AutoEdge after a link up with no BPDU heard (0: not running). */
  long edgeDelayUntil;
  /** The neighbour sent configuration or TCN BPDUs: this port speaks STP (17.19.39 sendRSTP false). */
  boolean legacy;
  boolean proposing;
  boolean agreed;
  boolean agree;
  long fdUntil;
  long tcUntil;
  boolean tcAck;
  boolean tcnPending;
  boolean newInfo;
  int txCount;
  public long bpduIn;
  public long bpduOut;

  StpPort(BridgePort port, long mac, int priority, int pathCost) {
    this.port = port;
    this.mac = mac;
    this.portId = (StpConfig.checkPortPriority(priority) << 8) | (port.index() & 0xFFF);
    this.pathCost = StpConfig.checkPortCost(pathCost);
  }

  public BridgePort port() {
    return port;
  }

  public PortRole role() {
    return role;
  }

  public PortState state() {
    return state;
  }

  public boolean operEdge() {
    return operEdge;
  }

  /** True once the neighbour spoke 802.1D-1998 STP. */
  public boolean legacy() {
    return legacy;
  }

  public int portId() {
    return portId;
  }

  public int pathCost() {
    return pathCost;
  }

  /** The designated root and bridge this port last heard (or, on a designated port, sends). */
  public long designatedRoot() {
    return vRoot;
  }

  public long designatedBridge() {
    return vBridge;
  }

  public long designatedCost() {
    return vCost;
  }

  /** The state in the words of Linux's {@code bridge link}: disabled, blocking, listening, learning, forwarding. */
  public String linuxState() {
    if (!port.isUp() || role == PortRole.DISABLED) {
      return "disabled";
    }
    return switch (state) {
      case FORWARDING -> "forwarding";
      case LEARNING -> "learning";
      case DISCARDING -> role == PortRole.ALTERNATE || role == PortRole.BACKUP ? "blocking" : "listening";
    };
  }
}
