package emu.node.nat;

import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Packet;
import emu.node.wire.TcpSegment;
import java.util.concurrent.TimeUnit;

/**
 * One mapping of an inside endpoint to an external port of the outside address, endpoint
 * independent (RFC 4787 REQ-1): every remote host the inside endpoint talks to sees the same
 * external port, and any remote host may send to it (endpoint-independent filtering). The last
 * remote endpoint and, for TCP, the state of the connection with it are tracked for the
 * timeouts and for {@code conntrack -L}.
 */
final class NatMapping {
  /** TCP states, named as Linux's conntrack prints them. */
  static final int NONE = 0;
  static final int SYN_SENT = 1;
  static final int SYN_RECV = 2;
  static final int ESTABLISHED = 3;
  static final int FIN_WAIT = 4;
  static final int TIME_WAIT = 5;
  static final int CLOSE = 6;
  static final String[] STATE_NAMES = {"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "TIME_WAIT", "CLOSE"};

  final int proto;
  final int internalIp;
  final int internalPort;
  final int externalPort;
  /** A configured port forward: never expires, survives address changes. */
  final boolean forward;
  final long createdNanos;
  int remoteIp;
  int remotePort;
  /** The flow was opened from outside (a port forward, or a SYN through the open mapping). */
  boolean inboundOrigin;
  /** A packet has gone the other way from the one that opened the flow (conntrack's ASSURED). */
  boolean replied;
  int tcpState;
  boolean finOut;
  boolean finIn;
  long lastSeenNanos;
  long expiresNanos;

  NatMapping(int proto, int internalIp, int internalPort, int externalPort, boolean forward, long now) {
    this.proto = proto;
    this.internalIp = internalIp;
    this.internalPort = internalPort;
    this.externalPort = externalPort;
    this.forward = forward;
    this.createdNanos = now;
    this.lastSeenNanos = now;
  }

  /** The flow has carried packets (a port forward nobody used has none to show). */
  boolean active(long now) {
    return remoteIp != 0 && expiresNanos - now > 0;
  }

  String internal() {
    return Ipv4Address.format(internalIp) + ":" + internalPort;
  }

  String remote() {
    return remoteIp == 0 ? null : Ipv4Address.format(remoteIp) + ":" + remotePort;
  }

  String stateName() {
    return STATE_NAMES[tcpState];
  }

  /**
   * Notes a packet of this mapping's flow: {@code outbound} from the inside endpoint to
   * {@code peer}, else from {@code peer} to it. Moves the TCP state as conntrack does and sets
   * the idle timeout.
   */
  void seen(boolean outbound, int flags, int peer, int peerPort, long now) {
    boolean syn = proto == Ipv4Packet.PROTO_TCP && (flags & (TcpSegment.SYN | TcpSegment.ACK)) == TcpSegment.SYN;
    boolean otherPeer = remoteIp != peer || remotePort != peerPort;
    boolean closed = tcpState == CLOSE || tcpState == TIME_WAIT;
    if (proto == Ipv4Packet.PROTO_TCP && !outbound && otherPeer && remoteIp != 0
        && (tcpState == ESTABLISHED || !syn)) {
      // another host through the open mapping (endpoint-independent filtering): its SYN, FIN or
      // RST must not move the tracked connection; it only keeps the mapping alive
      lastSeenNanos = now;
      expiresNanos = Math.max(expiresNanos, now + TimeUnit.SECONDS.toNanos(Nat.TCP_TRANSITORY_TIMEOUT_SECONDS));
      return;
    }
    if (remoteIp == 0 || (outbound && otherPeer) || (syn && (otherPeer || closed))) {
      // a new flow on the mapping: the one conntrack -L shows and whose state sets the timeout
      remoteIp = peer;
      remotePort = peerPort;
      inboundOrigin = !outbound;
      replied = false;
      finIn = false;
      finOut = false;
      tcpState = proto != Ipv4Packet.PROTO_TCP ? NONE
          : (flags & TcpSegment.SYN) != 0 ? SYN_SENT : ESTABLISHED; // picked up mid-stream
    } else if (outbound == inboundOrigin && !otherPeer) {
      replied = true;
    }
    if (proto == Ipv4Packet.PROTO_TCP) {
      boolean fromOpener = outbound != inboundOrigin;
      if ((flags & TcpSegment.RST) != 0) {
        tcpState = CLOSE;
      } else if ((flags & TcpSegment.FIN) != 0) {
        if (outbound) {
          finOut = true;
        } else {
          finIn = true;
        }
        tcpState = finIn && finOut ? TIME_WAIT : FIN_WAIT;
      } else if ((flags & (TcpSegment.SYN | TcpSegment.ACK)) == (TcpSegment.SYN | TcpSegment.ACK)) {
        if (tcpState == SYN_SENT && !fromOpener) {
          tcpState = SYN_RECV;
        }
      } else if ((flags & TcpSegment.ACK) != 0 && tcpState == SYN_RECV && fromOpener) {
        tcpState = ESTABLISHED;
      }
    }
    lastSeenNanos = now;
    expiresNanos = now + TimeUnit.SECONDS.toNanos(timeoutSeconds());
  }

  /** The idle timeout the flow's protocol and state give it. */
  long timeoutSeconds() {
    return switch (proto) {
      case Ipv4Packet.PROTO_TCP -> tcpState == ESTABLISHED ? Nat.TCP_ESTABLISHED_TIMEOUT_SECONDS
          : Nat.TCP_TRANSITORY_TIMEOUT_SECONDS;
      case Ipv4Packet.PROTO_UDP -> replied ? Nat.UDP_STREAM_TIMEOUT_SECONDS : Nat.UDP_TIMEOUT_SECONDS;
      default -> Nat.ICMP_TIMEOUT_SECONDS;
    };
  }
}
