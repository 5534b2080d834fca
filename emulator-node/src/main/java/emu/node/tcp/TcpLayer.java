package emu.node.tcp;

import emu.node.ipv6.Ipv6Interface;
import emu.node.ipv6.Ipv6InterfaceAddress;
import emu.node.ipv6.Ipv6Layer;
import emu.node.ipv6.Ipv6Route;
import emu.node.stack.DropReason;
import emu.node.stack.EphemeralPorts;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.stack.Route;
import emu.node.wire.IcmpPacket;
import emu.node.wire.Icmpv6Packet;
import emu.node.wire.IpAddress;
import emu.node.wire.Ipv4Packet;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Extensions;
import emu.node.wire.Ipv6Packet;
import emu.node.wire.TcpOptions;
import emu.node.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.LongObjectHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The node's TCP (RFC 9293): checks arriving segments, finds their connection by 4-tuple (a
 * long-keyed map, no boxing) or their listening port, answers segments that find neither with
 * a RST (3.10.7.1), and opens connections. Also: initial sequence numbers per RFC 6528 (a
 * SipHash of the 4-tuple keyed from the stack's random, plus a 4 µs clock), ephemeral ports
 * per RFC 6056 algorithm 3 in Linux's range 32768-60999, ICMP errors about our segments
 * (RFC 1122 4.2.3.9, RFC 5927), the node-wide challenge-ACK limit (RFC 5961 7), and counters.
 *
 * <p>Packet path: {@code Ipv4Input} hands every TCP packet for this node to {@link #input};
 * the frame is released (or counted as a drop) before it returns. Everything runs on the
 * node's event loop.
 */
public final class TcpLayer {
  public static final int EPHEMERAL_LOW = EphemeralPorts.LOW;
  public static final int EPHEMERAL_HIGH = EphemeralPorts.HIGH;

  private final NetworkStack stack;
  private final TcpObserver observer;
  private final TcpCounters counters = new TcpCounters();
  private TcpSettings settings = TcpSettings.defaults();
  private final LongObjectHashMap<TcpConnection> connections = new LongObjectHashMap<>();
  private final IntObjectHashMap<TcpListenSocket> listeners = new IntObjectHashMap<>();
  private final TcpInput input;
  private final TcpOutput output;
  private final LossRecovery recovery;
  private final Ipv4Packet ip = new Ipv4Packet();
  private final Ipv4Packet quoted = new Ipv4Packet();
  private final Ipv6Packet ip6 = new Ipv6Packet();
  /** The node's IPv6, once {@link #attach} has given it; null for an IPv4-only node. */
  private Ipv6Layer ipv6;
  /** The interface the IPv6 segment being processed arrived on (a link-local peer is reached there). */
  private Nic arrival;
  private final TcpSegment seg = new TcpSegment();
  private final TcpOptions opts = new TcpOptions();
  private SipHash hash;
  private int nextEphemeral;
  private double challengeTokens = -1;
  /** Connections that reached ESTABLISHED and are not yet closing to TIME-WAIT or gone (the node cap). */
  int established;
  private long challengeRefill;

  /**
   * TCP on {@code stack}: registers itself for IP protocol 6 and listens for ICMP errors about its
   * segments; state changes are reported to {@code observer}.
   */
  public TcpLayer(NetworkStack stack, TcpObserver observer) {
    this.stack = stack;
    this.observer = observer;
    this.output = new TcpOutput(this);
    this.input = new TcpInput(this);
    this.recovery = new LossRecovery(this);
    stack.registerProtocol(Ipv4Packet.PROTO_TCP, this::input);
    stack.icmp().addListener(this::onIcmp);
  }

  /**
   * TCP over IPv6 too (RFC 8200 8.1: the same protocol over another pseudo-header): registers as
   * next header 6 and hears ICMPv6 errors (packet too big lowers the MSS). A listener on ::
   * then takes connections of both families, as a Linux socket on :: does.
   */
  public void attach(Ipv6Layer layer) {
    if (ipv6 != null) {
      throw new IllegalStateException("IPv6 is already attached");
    }
    this.ipv6 = layer;
    layer.registerProtocol(Ipv6Extensions.TCP, this::input6);
    layer.addIcmpListener(this::onIcmp6);
  }
  // =========================================================================================
  // Application API
  // =========================================================================================

  /**
   * Active open (RFC 9293 3.10.1): sends a SYN and returns at once in SYN-SENT. The local
   * address is the one routing picks for the peer; {@code localPort} 0 picks an ephemeral
   * port. Failures (refused, timed out, no route, unreachable) arrive through
   * {@code events.onClosed}, always from a later task.
   *
   * @throws IllegalStateException "Address already in use" if the 4-tuple exists, or "Cannot
   *     assign requested address" if no ephemeral port is free
   */
  public TcpConnection connect(int remoteIp, int remotePort, int localPort, TcpEvents events) {
    return connect(IpAddress.of(remoteIp), remotePort, localPort, events);
  }

  /** {@link #connect(int, int, int, TcpEvents)} to an address of either family. */
  public TcpConnection connect(IpAddress remote, int remotePort, int localPort, TcpEvents events) {
    return connect(remote, null, remotePort, localPort, events);
  }

  /**
   * {@link #connect(IpAddress, int, int, TcpEvents)} to a link-local IPv6 address on the link
   * of {@code zone} (fe80::53%eth0: a link-local address means nothing without its interface);
   * {@code zone} is ignored for other addresses.
   */
  public TcpConnection connect(IpAddress remote, Nic zone, int remotePort, int localPort, TcpEvents events) {
    Objects.requireNonNull(events, "events");
    if (remotePort < 1 || remotePort > 65535 || localPort < 0 || localPort > 65535) {
      throw new IllegalArgumentException("port out of range: " + remotePort + " / " + localPort);
    }
    IpAddress local = null;
    int mtu = 0;
    if (remote.isV4()) {
      int remoteIp = remote.v4();
      if (stack.isLocal(remoteIp)) {
        local = remote;
        for (Nic nic : stack.nics()) {
          if (nic.ip() == remoteIp) {
            mtu = nic.mtu();
          }
        }
      } else {
        Route r = stack.routes().lookup(remoteIp);
        if (r != null) {
          local = IpAddress.of(r.nic().ip());
          mtu = r.nic().mtu();
        }
      }
    } else if (ipv6 != null) {
      Ipv6Address dst = remote.v6();
      boolean scoped = zone != null && dst.isLinkLocal();
      if (ipv6.localAddress(dst) != null) {
        local = remote;
        mtu = 65535;
      } else if (scoped) {
        Ipv6Interface out = ipv6.interfaceOf(zone);
        Ipv6InterfaceAddress src = out == null ? null : out.linkLocal();
        if (src != null && src.usable()) {
          local = IpAddress.of(src.cidr().address());
          mtu = (int) out.mtu();
        }
      } else {
        Ipv6Route r = ipv6.routes().lookup(dst, stack.time().nanos());
        Ipv6Interface out = r == null ? null : ipv6.interfaceOf(r.nic());
        Ipv6InterfaceAddress src = out == null ? null : ipv6.sourceFor(dst, out);
        if (src != null) {
          local = IpAddress.of(src.cidr().address());
          mtu = (int) out.mtu();
        }
      }
    }
    TcpSettings s = settings;
    if (local == null) {
      TcpConnection c = new TcpConnection(this, s, remote.isV4() ? IpAddress.ANY4 : IpAddress.ANY6, localPort, remote,
          remotePort, null, advMss(s, 1500, !remote.isV4()), 0);
      c.events = events;
      counters.attemptFails++;
      c.terminate(TcpError.NO_ROUTE, TcpCause.NO_ROUTE);
      c.scheduleDelivery();
      return c;
    }
    int port = localPort;
    if (port == 0) {
      port = ephemeralPort(local, remote, remotePort);
      if (port < 0) {
        throw new IllegalStateException("Cannot assign requested address");
      }
    } else if (lookup(local.hi(), local.lo(), port, remote.hi(), remote.lo(), remotePort) != null) {
      throw new IllegalStateException("Address already in use");
    }
    TcpConnection c = newConnection(s, local, port, remote, remotePort, null, mtu);
    c.events = events;
    if (c.v6 && (c.remote6.isLinkLocal() || c.local6.isLinkLocal()) && zone != null) {
      c.nic6 = zone; // the link the caller named, as a socket bound to its scope id
    }
    startSequence(c);
    register(c);
    counters.activeOpens++;
    c.transition(TcpState.SYN_SENT, TcpCause.CONNECT);
    c.timing = true;
    c.timedSeq = c.iss;
    c.timedAt = c.nanos();
    output.sendSyn(c);
    if (c.state == TcpState.SYN_SENT) {
      c.timers.retransmit(c.rtt.rto());
    }
    return c;
  }

  /**
   * Passive open (RFC 9293 3.10.1): listens on {@code port} of {@code localIp} (0: every
   * address; port 0: an ephemeral port). {@code backlog} bounds the half-open connections
   * (0 or less: the settings' backlog).
   *
   * @throws IllegalStateException "Address already in use" if the port is taken
   */
  public TcpListenSocket listen(int localIp, int port, int backlog, TcpAcceptor acceptor) {
    return listen(IpAddress.of(localIp), port, backlog, acceptor);
  }

  /**
   * {@link #listen(int, int, int, TcpAcceptor)} on an address of either family: 0.0.0.0 takes
   * IPv4 connections to every address, :: those of both families (a Linux socket on :: without
   * IPV6_V6ONLY), another address only its own.
   */
  public TcpListenSocket listen(IpAddress local, int port, int backlog, TcpAcceptor acceptor) {
    Objects.requireNonNull(acceptor, "acceptor");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    boolean mine = local.isAny() || (local.isV4() ? stack.isLocal(local.v4())
        : ipv6 != null && ipv6.localAddress(local.v6()) != null);
    if (!mine) {
      throw new IllegalStateException("Cannot assign requested address");
    }
    int p = port != 0 ? port : EphemeralPorts.pick(stack.secrets(), listeners::containsKey);
    if (p < 0) {
      throw new IllegalStateException("Cannot assign requested address");
    }
    for (TcpListenSocket l = listeners.get(p); l != null; l = l.nextOnPort) {
      if (l.overlaps(local)) {
        throw new IllegalStateException("Address already in use");
      }
    }
    TcpListenSocket l = new TcpListenSocket(this, local, p, backlog > 0 ? backlog : settings.backlog(), acceptor);
    l.nextOnPort = listeners.get(p);
    listeners.put(p, l);
    return l;
  }

  /** Every connection, TIME-WAIT included (like {@code ss -tan}), in no particular order. */
  public List<TcpConnection> connections() {
    List<TcpConnection> all = new ArrayList<>();
    for (TcpConnection head : connections.values()) {
      for (TcpConnection c = head; c != null; c = c.nextSameKey) {
        all.add(c);
      }
    }
    return all;
  }

  /** True if a listener holds {@code port}. */
  public boolean listening(int port) {
    return listeners.containsKey(port);
  }

  /**
   * True if a listener or an IPv4 connection uses {@code port} locally (a scan of the connections:
   * for a router's NAT choosing a port for a new flow, not for every packet).
   */
  public boolean usesPortV4(int port) {
    if (listeners.containsKey(port)) {
      return true;
    }
    for (TcpConnection head : connections.values()) {
      for (TcpConnection c = head; c != null; c = c.nextSameKey) {
        if (c.localPort() == port && !c.ipv6()) {
          return true;
        }
      }
    }
    return false;
  }

  public List<TcpListenSocket> listeners() {
    List<TcpListenSocket> all = new ArrayList<>();
    for (TcpListenSocket head : listeners.values()) {
      for (TcpListenSocket l = head; l != null; l = l.nextOnPort) {
        all.add(l);
      }
    }
    return all;
  }

  public TcpCounters counters() {
    return counters;
  }

  public TcpSettings settings() {
    return settings;
  }

  /**
   * New settings for connections opened from now on.
   *
   * @throws IllegalArgumentException if the congestion control is unknown
   */
  public void settings(TcpSettings s) {
    CongestionControls.create(s.congestion()); // fail now, not at the next SYN
    this.settings = s;
  }

  // =========================================================================================
  // Ingress
  // =========================================================================================

  /**
   * A TCP packet for this node (called by {@code Ipv4Input}); takes ownership of {@code buf}.
   * {@code noReply}: it came as a broadcast, so nothing may answer it.
   */
  public void input(Nic nic, ByteBuf buf, int ipStart, boolean noReply) {
    DropReason reason = DropReason.TCP_INVALID;
    try {
      reason = process(buf, ipStart, noReply);
    } finally {
      if (reason != null) {
        stack.drop(nic, buf, reason);
      } else {
        buf.release();
      }
    }
  }

  private DropReason process(ByteBuf buf, int ipStart, boolean noReply) {
    ip.wrap(buf, ipStart);
    seg.wrap(buf, ip.payloadIndex(), ip.payloadLength());
    if (seg.check() != TcpSegment.Check.OK) {
      counters.malformed++;
      return DropReason.TCP_MALFORMED;
    }
    int src = ip.src();
    int dst = ip.dst();
    if (!seg.checksumValid(src, dst)) {
      counters.badChecksum++;
      return DropReason.TCP_BAD_CHECKSUM;
    }
    return dispatch(buf, noReply, 0, IpAddress.v4Lo(dst), 0, IpAddress.v4Lo(src));
  }

  /** A TCP segment over IPv6 for this node (registered with the IPv6 layer); takes ownership of {@code buf}. */
  private void input6(Nic nic, ByteBuf buf, int ipStart, int at, int length, boolean multicast) {
    DropReason reason = DropReason.TCP_INVALID;
    arrival = nic;
    try {
      reason = process6(buf, ipStart, at, length, multicast);
    } finally {
      arrival = null;
      if (reason != null) {
        stack.drop(nic, buf, reason);
      } else {
        buf.release();
      }
    }
  }

  private DropReason process6(ByteBuf buf, int ipStart, int at, int length, boolean multicast) {
    ip6.wrap(buf, ipStart);
    // never on the wire (RFC 4291 2.5.5.2): an IPv4-mapped or unspecified source must not turn
    // into an IPv4 connection (Linux's tcp_v6_conn_request drops these too)
    if (IpAddress.isV4(ip6.srcHi(), ip6.srcLo()) || IpAddress.isV4(ip6.dstHi(), ip6.dstLo())
        || ip6.srcHi() == 0 && ip6.srcLo() == 0) {
      return DropReason.IPV6_MARTIAN;
    }
    seg.wrap(buf, at, length);
    if (seg.check() != TcpSegment.Check.OK) {
      counters.malformed++;
      return DropReason.TCP_MALFORMED;
    }
    if (!seg.checksumValid(Ipv6Packet.pseudoHeader(buf, ipStart, length, Ipv6Extensions.TCP))) {
      counters.badChecksum++;
      return DropReason.TCP_BAD_CHECKSUM;
    }
    return dispatch(buf, multicast, ip6.dstHi(), ip6.dstLo(), ip6.srcHi(), ip6.srcLo());
  }

  /** The checks every checked segment gets, then its connection, its listener, or a reset. */
  private DropReason dispatch(ByteBuf buf, boolean noReply, long dstHi, long dstLo, long srcHi, long srcLo) {
    if (seg.srcPort() == 0 || seg.dstPort() == 0 || !opts.parse(buf, seg.optionsIndex(), seg.optionsLength())) {
      counters.malformed++;
      return DropReason.TCP_MALFORMED;
    }
    int f = seg.flags() & (TcpSegment.SYN | TcpSegment.FIN | TcpSegment.RST | TcpSegment.ACK);
    boolean synFin = (f & (TcpSegment.SYN | TcpSegment.FIN)) == (TcpSegment.SYN | TcpSegment.FIN);
    boolean synRst = (f & (TcpSegment.SYN | TcpSegment.RST)) == (TcpSegment.SYN | TcpSegment.RST);
    if (seg.flags() == 0 || synFin || synRst) {
      counters.badFlags++;
      return DropReason.TCP_BAD_FLAGS;
    }
    if (noReply) {
      return DropReason.TCP_INVALID; // TCP is unicast only
    }
    counters.segmentsIn++;
    TcpConnection c = lookup(dstHi, dstLo, seg.dstPort(), srcHi, srcLo, seg.srcPort());
    if (c != null) {
      return input.segmentArrives(c, seg, opts);
    }
    TcpListenSocket l = findListener(dstHi, dstLo, seg.dstPort());
    if (l != null) {
      return input.listen(l, dstHi, dstLo, srcHi, srcLo, seg, opts);
    }
    // RFC 9293 3.10.7.1: CLOSED. Reset unless it is a RST.
    counters.noSocket++;
    output.sendResetFor(dstHi, dstLo, srcHi, srcLo, seg, arrival);
    return DropReason.TCP_NO_SOCKET;
  }

  /**
   * ICMP errors that quote one of our segments (RFC 1122 4.2.3.9, RFC 5927): net, host,
   * protocol or port unreachable during SYN-SENT end the attempt (NO_ROUTE for "net", else
   * UNREACHABLE); otherwise they are soft errors, remembered and reported if the connection
   * later times out (as Linux does). "Fragmentation needed" lowers the MSS (path MTU
   * discovery, RFC 1191) and resends. The quoted sequence number must be in flight.
   */
  private void onIcmp(Ipv4Packet outer, IcmpPacket icmp) {
    if (!icmp.isError() || icmp.dataLength() < Ipv4Packet.MIN_HEADER_LEN + 8) {
      return;
    }
    ByteBuf b = outer.buffer();
    quoted.wrap(b, icmp.dataIndex());
    int qhl = quoted.headerLength();
    if (quoted.protocol() != Ipv4Packet.PROTO_TCP || qhl < Ipv4Packet.MIN_HEADER_LEN
        || icmp.dataLength() < qhl + 8) {
      return;
    }
    int at = icmp.dataIndex() + qhl;
    TcpConnection c = lookup(quoted.src(), b.getUnsignedShort(at), quoted.dst(), b.getUnsignedShort(at + 2));
    if (c == null) {
      return;
    }
    onIcmpError(c, b.getInt(at + 4), icmp.type() == IcmpPacket.TYPE_DEST_UNREACHABLE
        && icmp.code() == IcmpPacket.CODE_FRAGMENTATION_NEEDED ? icmp.nextHopMtu() : -1,
        icmp.type() == IcmpPacket.TYPE_DEST_UNREACHABLE && icmp.code() <= IcmpPacket.CODE_PORT_UNREACHABLE,
        icmp.type() == IcmpPacket.TYPE_DEST_UNREACHABLE && icmp.code() == IcmpPacket.CODE_NET_UNREACHABLE);
  }

  /**
   * ICMPv6 errors that quote one of our segments (RFC 4443): "packet too big" for "fragmentation
   * needed" (path MTU discovery, RFC 8201; below 1280 discarded), "no route" for "net
   * unreachable", and hard errors as Linux counts them. The quoted packet must carry TCP right after its header (we add no extension
   * headers).
   */
  private void onIcmp6(Ipv6Packet outer, Icmpv6Packet icmp) {
    if (!icmp.isError() || icmp.dataLength() < Ipv6Packet.HEADER_LEN + 8) {
      return;
    }
    ByteBuf b = outer.buffer();
    int q = icmp.dataIndex();
    if (b.getUnsignedByte(q + Ipv6Packet.NEXT_HEADER) != Ipv6Extensions.TCP) {
      return;
    }
    int at = q + Ipv6Packet.HEADER_LEN;
    TcpConnection c = lookup(b.getLong(q + Ipv6Packet.SRC), b.getLong(q + Ipv6Packet.SRC + 8),
        b.getUnsignedShort(at), b.getLong(q + Ipv6Packet.DST), b.getLong(q + Ipv6Packet.DST + 8),
        b.getUnsignedShort(at + 2));
    if (c == null) {
      return;
    }
    int type = icmp.type();
    boolean unreachable = type == Icmpv6Packet.TYPE_DEST_UNREACHABLE;
    // hard, as Linux's icmpv6_err_convert makes them: every destination unreachable, and a
    // parameter problem about an unknown next header (IPv6's "protocol unreachable")
    boolean hard = unreachable || type == Icmpv6Packet.TYPE_PARAMETER_PROBLEM && icmp.code() == 1;
    onIcmpError(c, b.getInt(at + 4), type == Icmpv6Packet.TYPE_PACKET_TOO_BIG ? (int) Math.min(icmp.word(), 65535) : -1,
        hard, unreachable && icmp.code() == Icmpv6Packet.CODE_NO_ROUTE);
  }

  /**
   * What an ICMP error of either family does to {@code c}: {@code mtu} >= 0 is a path MTU that
   * lowers the MSS; otherwise a hard error ({@code hard}: unreachable) ends an attempt in
   * SYN-SENT, and any other is a soft error, remembered and reported if the connection later
   * times out (as Linux does). The quoted sequence number must be in flight.
   */
  private void onIcmpError(TcpConnection c, int qseq, int mtu, boolean hard, boolean noRoute) {
    if (!SeqNum.inRange(qseq, c.sndUna, c.sndMax) && qseq != c.sndUna) {
      return;
    }
    if (mtu >= 0) {
      int minMtu = c.v6 ? Ipv6Packet.MIN_MTU : 68;
      int mss = mtu - (c.v6 ? 60 : 40) - (c.tsOk ? TcpOptions.TIMESTAMPS_LENGTH : 0);
      if (mtu >= minMtu && mss < c.smss) {
        counters.icmpSoftErrors++;
        c.smss = Math.max(mss, 32);
        if (c.canSendData() && c.sndMax != c.sndUna) {
          output.retransmit(c, c.sndUna, c.smss);
        }
      }
      return;
    }
    TcpError error = noRoute ? TcpError.NO_ROUTE : TcpError.UNREACHABLE;
    if (hard && c.state == TcpState.SYN_SENT) {
      counters.icmpHardErrors++;
      counters.attemptFails++;
      c.terminate(error, TcpCause.ICMP_UNREACHABLE);
      c.deliverEvents();
      return;
    }
    counters.icmpSoftErrors++;
    c.softError = error;
  }

  // =========================================================================================
  // Connection table
  // =========================================================================================

  /**
   * The table key of a connection: the remote address (an IPv4 one as before: its 32 bits; an
   * IPv6 one mixed to 32) and both ports. Connections with the same key are chained.
   */
  long key(int localPort, long remoteHi, long remoteLo, int remotePort) {
    // an IPv6 address folds to 32 bits through the keyed hash, so nobody can aim many tuples
    // at one chain (an IPv4 one is its 32 bits, as ever)
    long addr = IpAddress.isV4(remoteHi, remoteLo) ? remoteLo : secret().hash(remoteHi, remoteLo);
    return (addr << 32) | ((long) (localPort & 0xFFFF) << 16) | (remotePort & 0xFFFF);
  }

  /** The connection with this IPv4 4-tuple, or null. */
  TcpConnection lookup(int localIp, int localPort, int remoteIp, int remotePort) {
    return lookup(0, IpAddress.v4Lo(localIp), localPort, 0, IpAddress.v4Lo(remoteIp), remotePort);
  }

  /** The connection with this 4-tuple (addresses of either family as two longs), or null. */
  TcpConnection lookup(long localHi, long localLo, int localPort, long remoteHi, long remoteLo, int remotePort) {
    TcpConnection c = connections.get(key(localPort, remoteHi, remoteLo, remotePort));
    while (c != null && !(c.localPort == localPort && c.remotePort == remotePort && c.local.lo() == localLo
        && c.local.hi() == localHi && c.remote.lo() == remoteLo && c.remote.hi() == remoteHi)) {
      c = c.nextSameKey;
    }
    return c;
  }

  /** The listener for {@code address:port}: one bound to that address, else a wildcard one. */
  TcpListenSocket findListener(IpAddress address, int port) {
    return findListener(address.hi(), address.lo(), port);
  }

  private TcpListenSocket findListener(long hi, long lo, int port) {
    TcpListenSocket wildcard = null;
    for (TcpListenSocket l = listeners.get(port); l != null; l = l.nextOnPort) {
      if (l.accepts(hi, lo)) {
        if (!l.local().isAny()) {
          return l;
        }
        if (wildcard == null || l.local().isV4() == IpAddress.isV4(hi, lo)) {
          wildcard = l; // 0.0.0.0 before :: for IPv4, as Linux prefers the closer match
        }
      }
    }
    return wildcard;
  }

  void register(TcpConnection c) {
    c.nextSameKey = connections.get(c.key);
    connections.put(c.key, c);
    c.registered = true;
  }

  void unregister(TcpConnection c) {
    c.registered = false;
    TcpConnection head = connections.get(c.key);
    if (head == c) {
      if (c.nextSameKey == null) {
        connections.remove(c.key);
      } else {
        connections.put(c.key, c.nextSameKey);
      }
    } else {
      for (TcpConnection p = head; p != null; p = p.nextSameKey) {
        if (p.nextSameKey == c) {
          p.nextSameKey = c.nextSameKey;
          break;
        }
      }
    }
    c.nextSameKey = null;
  }

  void closeListener(TcpListenSocket l) {
    if (l.closed) {
      return;
    }
    l.closed = true;
    TcpListenSocket head = listeners.get(l.port());
    if (head == l) {
      if (l.nextOnPort == null) {
        listeners.remove(l.port());
      } else {
        listeners.put(l.port(), l.nextOnPort);
      }
    } else {
      for (TcpListenSocket p = head; p != null; p = p.nextOnPort) {
        if (p.nextOnPort == l) {
          p.nextOnPort = l.nextOnPort;
          break;
        }
      }
    }
    for (TcpConnection c : connections()) {
      if (c.listener == l && c.state == TcpState.SYN_RECEIVED) {
        output.sendReset(c);
        c.transition(TcpState.CLOSED, TcpCause.LISTENER_CLOSED);
        c.destroy();
      }
    }
  }

  TcpConnection newConnection(long localHi, long localLo, int localPort, long remoteHi, long remoteLo, int remotePort,
                              TcpListenSocket l) {
    TcpConnection c = newConnection(new IpAddress(localHi, localLo), localPort, new IpAddress(remoteHi, remoteLo),
        remotePort, l);
    if (c.v6 && (c.remote6.isLinkLocal() || c.local6.isLinkLocal())) {
      c.nic6 = arrival; // a link-local peer is on the link the SYN came in by (as Linux binds it)
    }
    return c;
  }

  TcpConnection newConnection(IpAddress local, int localPort, IpAddress remote, int remotePort, TcpListenSocket l) {
    return newConnection(settings, local, localPort, remote, remotePort, l, mtuTo(remote.hi(), remote.lo()));
  }

  /** The MSS a SYN-ACK to {@code remoteHi:remoteLo} advertises (for a SYN cookie, which keeps no connection). */
  int advMssTo(long remoteHi, long remoteLo) {
    return advMss(settings, mtuTo(remoteHi, remoteLo), !IpAddress.isV4(remoteHi, remoteLo));
  }

  /** The MTU of the interface towards {@code remote}: a neighbour's, else the route's; 1500 if none. */
  private int mtuTo(long remoteHi, long remoteLo) {
    int mtu = 1500;
    if (IpAddress.isV4(remoteHi, remoteLo)) {
      int v4 = (int) remoteLo;
      Nic nic = stack.nicForNeighbor(v4);
      Route r = nic == null ? stack.routes().lookup(v4) : null;
      if (nic != null) {
        mtu = nic.mtu();
      } else if (r != null) {
        mtu = r.nic().mtu();
      }
    } else if (ipv6 != null) {
      Ipv6Route r = ipv6.routes().lookup(new Ipv6Address(remoteHi, remoteLo), stack.time().nanos());
      Ipv6Interface out = r == null ? null : ipv6.interfaceOf(r.nic());
      if (out != null) {
        mtu = (int) out.mtu();
      }
    }
    return mtu;
  }

  private TcpConnection newConnection(TcpSettings s, IpAddress local, int localPort, IpAddress remote,
                                     int remotePort, TcpListenSocket l, int mtu) {
    return new TcpConnection(this, s, local, localPort, remote, remotePort, l, advMss(s, mtu, !remote.isV4()),
        stack.secrets().nextInt());
  }

  /** The MSS to advertise: the MTU less the IP and TCP headers (40 for IPv4, 60 for IPv6). */
  private static int advMss(TcpSettings s, int mtu, boolean v6) {
    int fromMtu = Math.max(88, mtu - (v6 ? 60 : 40));
    return s.mss() > 0 ? Math.min(s.mss(), fromMtu) : fromMtu;
  }

  /** ISS per RFC 6528, and the send sequence variables that start from it. */
  void startSequence(TcpConnection c) {
    startSequence(c, isn(c.local, c.localPort, c.remote, c.remotePort));
  }

  /** The send sequence variables from {@code iss} (a SYN cookie's, or RFC 6528's). */
  void startSequence(TcpConnection c, int iss) {
    c.iss = iss;
    c.sndUna = iss;
    c.sndNxt = iss + 1;
    c.sndMax = iss + 1;
    c.sndBufSeq = iss + 1;
    c.sndSmall = iss;
    c.recoverPoint = iss;
  }

  /** RFC 6528: ISN = M + F(localip, localport, remoteip, remoteport, secretkey), M a 4 µs timer. */
  int isn(IpAddress local, int localPort, IpAddress remote, int remotePort) {
    long m1 = ((long) localPort << 16) | remotePort;
    return (int) secret().hash(addresses(local, remote), m1) + (int) (stack.time().nanos() / 4000);
  }

  /**
   * Both addresses in one long for the keyed hash: IPv4's 32 bits each, as before IPv6; IPv6's
   * 256 bits through the keyed hash itself (a chain of SipHash calls), so no two tuples collide
   * but by chance (RFC 6528, RFC 6056: an unkeyed mix would let a /64's owner aim at another's).
   */
  private long addresses(IpAddress local, IpAddress remote) {
    return addresses(local.hi(), local.lo(), remote.hi(), remote.lo());
  }

  /** {@link #addresses(IpAddress, IpAddress)} of addresses as two longs each (nothing allocated). */
  long addresses(long localHi, long localLo, long remoteHi, long remoteLo) {
    if (IpAddress.isV4(localHi, localLo) && IpAddress.isV4(remoteHi, remoteLo)) {
      return (localLo << 32) | (remoteLo & 0xFFFF_FFFFL);
    }
    SipHash h = secret();
    return h.hash(h.hash(localHi, localLo) ^ remoteHi, remoteLo);
  }

  /**
   * RFC 6056 algorithm 3 ("simple hash-based"): a per-destination offset from a keyed hash,
   * plus a counter, over 32768-60999; ports whose 4-tuple is taken, or that a listener holds,
   * are skipped.
   */
  private int ephemeralPort(IpAddress local, IpAddress remote, int remotePort) {
    int num = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
    long offset = secret().hash(addresses(local, remote), remotePort ^ 0x5EED_0000L);
    int off = (int) Math.floorMod(offset, (long) num);
    for (int count = 0; count < num; count++) {
      int port = EPHEMERAL_LOW + Math.floorMod(nextEphemeral + off, num);
      nextEphemeral++;
      if (!listeners.containsKey(port) && !(local.isV4() && stack.portHeldByNat(Ipv4Packet.PROTO_TCP, port))
          && lookup(local.hi(), local.lo(), port, remote.hi(), remote.lo(), remotePort) == null) {
        return port;
      }
    }
    return -1;
  }

  /** The hash key, drawn from the stack's secrets at first use (so building a stack draws nothing). */
  SipHash secret() {
    if (hash == null) {
      hash = new SipHash(stack.secrets().nextLong(), stack.secrets().nextLong());
      nextEphemeral = stack.secrets().nextInt(EPHEMERAL_HIGH - EPHEMERAL_LOW + 1);
    }
    return hash;
  }

  /** RFC 5961 7: a token bucket of challengeAckLimit per second, node-wide. */
  boolean takeChallengeAckToken() {
    long now = stack.time().nanos();
    int limit = settings.challengeAckLimit();
    if (challengeTokens < 0) {
      challengeTokens = limit;
      challengeRefill = now;
    }
    challengeTokens = Math.min(limit, challengeTokens + (now - challengeRefill) * limit / 1e9);
    challengeRefill = now;
    if (challengeTokens >= 1) {
      challengeTokens -= 1;
      return true;
    }
    return false;
  }

  // ---- package access for the TCP classes --------------------------------------------------

  NetworkStack stack() {
    return stack;
  }

  /** The interface the IPv6 segment being processed arrived on, or null. */
  Nic arrival() {
    return arrival;
  }

  /** Established connections now (counted against {@link TcpSettings#maxConnections}). */
  public int establishedConnections() {
    return established;
  }

  /** The IPv6 layer this TCP runs over too ({@link #attach}), or null on an IPv4-only node. */
  public Ipv6Layer ipv6() {
    return ipv6;
  }

  TcpObserver observer() {
    return observer;
  }

  TcpOutput output() {
    return output;
  }

  TcpInput input() {
    return input;
  }

  LossRecovery recovery() {
    return recovery;
  }
}
