package emu.node.nat;

import emu.node.wire.Ipv4Address;

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
}
