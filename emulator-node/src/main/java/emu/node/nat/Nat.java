package emu.node.nat;

import emu.link.time.TimeSource;
import emu.node.config.NatConfig;
import emu.node.event.NatEvent;
import emu.node.stack.DropReason;
import emu.node.stack.NatHook;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.trace.Tracer;
import emu.node.wire.Checksum;
import emu.node.wire.IcmpPacket;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Packet;
import emu.node.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * A router's address translator: masquerade (source NAT to the outside interface's address) of
 * everything forwarded out of that interface, port forwards into the inside, and the ICMP
 * errors about both.
 *
 * <p>Behaviour, stated as RFC 4787 asks a NAT to state it:
 * <ul>
 *   <li>Mapping: endpoint independent (REQ-1). An inside endpoint keeps one external port for every
 *   remote host; its own port when free (port preservation, as Linux does), else a random one of
 *   the same range (1-1023 or 1024-65535, REQ-3). ICMP echo is mapped by its identifier.
 *   <li>Filtering: endpoint independent (REQ-8's recommendation for transparency): once a mapping
 *   exists, any remote host may send to its external port. Linux's default filters by endpoint;
 *   this is the friendlier behaviour the RFC recommends and what games and WebRTC want.
 *   <li>Timeouts: UDP 30 s, then 180 s once packets went both ways: Linux's udp and udp_stream,
 *   which issue 18 asks for; RFC 4787 REQ-5 wants 2 minutes even unreplied, so a UDP flow silent
 *   for 30 s before its first answer loses its mapping here as on Linux. TCP 7440 s established
 *   and 240 s transitory (RFC 5382 REQ-5); ICMP echo 60 s (RFC 5508 REQ-1; Linux has 30). Packets
 *   both ways refresh (REQ-6 allows inbound refresh).
 *   <li>Hairpinning (REQ-9): an inside host may reach another's mapping or a port forward through
 *   the outside address; the packet comes back with the sender's external address and port as
 *   its source.
 *   <li>ICMP errors (RFC 5508): errors about translated packets are translated inside and outside,
 *   checksums included; errors quoting nothing mapped are dropped and counted. The router's own
 *   errors about a packet it translated inward quote it as it arrived ({@link #undoInbound}), also
 *   when it was held for ARP and the error comes seconds later.
 *   <li>Fragments: the first fragment carries the ports and is translated like a whole packet; the
 *   later ones follow it by (source, destination, identification, protocol), remembered for 30 s
 *   in a small table (256 slots, overwritten on collision), and ones that no first fragment
 *   introduced (or that came before it) are dropped and counted: a router that does not
 *   reassemble cannot do better. Hairpinned datagrams are not followed (their later fragments
 *   would need both rewrites).
 *   <li>Other protocols (GRE, ...) leaving by the interface get its address as their source; no
 *   state is kept for them, so nothing comes back in.
 *   <li>TCP: the state of the flow last opened on a mapping is followed as conntrack does; while
 *   it is established, SYN, FIN and RST from other hosts (which endpoint-independent filtering
 *   lets through) do not move it. An unsolicited SYN without a mapping is the router's own
 *   (answered with RST), so TCP hole punching (RFC 5382 REQ-4) is not supported.
 * </ul>
 * Checksums are updated incrementally (RFC 1624), except an ICMP error's own, computed again over
 * the error (the quoted bytes changed in several places). Nothing is allocated per translated
 * packet of a known flow. Runs on the node's event loop, like the stack.
 */
public final class Nat implements NatHook {
  public static final long UDP_TIMEOUT_SECONDS = 30;
  public static final long UDP_STREAM_TIMEOUT_SECONDS = 180;
  public static final long TCP_ESTABLISHED_TIMEOUT_SECONDS = 7440;
  public static final long TCP_TRANSITORY_TIMEOUT_SECONDS = 240;
  public static final long ICMP_TIMEOUT_SECONDS = 60;
  /**
   * How often at most the table is swept of lapsed mappings, when a packet passes or someone
   * looks. A lapsed mapping is ignored at once anyway; the sweep frees its slot and reports it.
   * No timer runs for this: a quiet router keeps no clock ticking (and a lab on virtual time can
   * settle).
   */
  static final long SWEEP_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final int PROTO_ICMP = Ipv4Packet.PROTO_ICMP;
  private static final int PROTO_TCP = Ipv4Packet.PROTO_TCP;
  private static final int PROTO_UDP = Ipv4Packet.PROTO_UDP;

  /**
   * Does the node itself use a port of the outside address (its own sockets), or for ICMP (1) an
   * echo identifier (its own pings)?
   */
  @FunctionalInterface
  public interface LocalPorts {
    boolean inUse(int protocol, int port);

    /**
     * A router's own: its UDP sockets' ports and its pings' echo identifiers from {@code stack},
     * its TCP ports from {@code tcpInUse} (the TCP layer sits above the stack).
     */
    static LocalPorts of(NetworkStack stack, java.util.function.IntPredicate tcpInUse) {
      return (protocol, port) -> switch (protocol) {
        case PROTO_TCP -> tcpInUse.test(port);
        case PROTO_UDP -> stack.udp().bound(port);
        case PROTO_ICMP -> stack.icmp().echoIdentInUse(port);
        default -> false;
      };
    }
  }

  private final NetworkStack stack;
  private final TimeSource time;
  private final RandomGenerator random;
  private final Tracer tracer;
  private final LocalPorts localPorts;
  private final NatCounters counters = new NatCounters();
  private final List<NatTable> outsides = new ArrayList<>();
  private final NatFragments fragments = new NatFragments();
  private final NatUndo undo = new NatUndo(outsides);
  private final Ipv4Packet ip = new Ipv4Packet();
  private final Ipv4Packet quoted = new Ipv4Packet();
  private long lastSweep;

  public Nat(NetworkStack stack, Tracer tracer, LocalPorts localPorts) {
    this.stack = stack;
    this.time = stack.time();
    this.random = stack.secrets(); // RFC 6056: a predictable port helps blind attacks on what it carries
    this.tracer = tracer;
    this.localPorts = localPorts;
  }

  /** Masquerades everything forwarded out of {@code nic}, with {@code config}'s table size and forwards. */
  public void masquerade(Nic nic, NatConfig config) {
    for (NatTable o : outsides) {
      if (o.nic == nic) {
        throw new IllegalStateException(nic.name() + " already masquerades");
      }
    }
    NatTable o = new NatTable(nic, config.max(), counters);
    outsides.add(o);
    List<String> told = new ArrayList<>();
    if (config.forwards() != null) {
      long now = time.nanos();
      for (NatConfig.Forward f : config.forwards()) {
        int proto = "udp".equals(f.proto()) ? PROTO_UDP : PROTO_TCP;
        NatMapping m = new NatMapping(proto, Ipv4Address.parse(f.to()), f.toPort(), f.port(), true, now);
        if (o.byExternal.containsKey(externalKey(proto, f.port()))
            || o.byInternal.containsKey(internalKey(proto, m.internalIp, m.internalPort))) {
          throw new IllegalArgumentException("port " + f.proto() + " " + f.port() + " of " + nic.name()
              + " is forwarded twice, or to an inside endpoint another forward has");
        }
        o.byExternal.put(externalKey(proto, f.port()), m);
        o.byInternal.put(internalKey(proto, m.internalIp, m.internalPort), m);
        o.forwards++;
        told.add(f.proto() + " " + f.port() + " -> " + f.to() + ":" + f.toPort());
      }
    }
    if (tracer.enabled()) {
      tracer.emit(new NatEvent.Serving(nic.name(), nic.ip() == 0 ? null : Ipv4Address.format(nic.ip()), o.max,
          told));
    }
  }

  public NatCounters counters() {
    return counters;
  }

  /** Sweeps the lapsed mappings away now, reporting each. */
  public void sweep() {
    long now = time.nanos();
    lastSweep = now;
    for (NatTable o : outsides) {
      o.checkAddress();
      sweep(o, now);
    }
  }

  /** At most once every {@link #SWEEP_NANOS}, from the packet path. */
  private void maybeSweep(long now) {
    if (now - lastSweep >= SWEEP_NANOS) {
      lastSweep = now;
      for (int i = 0; i < outsides.size(); i++) {
        sweep(outsides.get(i), now);
      }
    }
  }

  @Override
  public boolean holdsPort(int protocol, int port) {
    int key = externalKey(protocol, port);
    for (int i = 0; i < outsides.size(); i++) {
      if (outsides.get(i).byExternal.containsKey(key)) {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- PREROUTING: in, and hairpins

  @Override
  public boolean translatesIn(Nic in, ByteBuf frame, int ipStart) {
    ip.wrap(frame, ipStart);
    NatTable o = outsideByAddress(ip.dst());
    if (o == null) {
      return false;
    }
    long now = time.nanos();
    if (ip.fragmentOffset() != 0) {
      return fragments.find(ip.src(), ip.dst(), ip.ident(), ip.protocol(), now) != 0;
    }
    int key = inboundKey(o, frame, ip.protocol(), ip.payloadIndex(), ip.payloadLength());
    return key >= 0 && alive(o.byExternal.get(key), now);
  }

  /**
   * The key of the mapping a whole (or first) packet for {@code o}'s address is looked up by: its
   * TCP or UDP destination port, an echo reply's identifier, or the quoted source port
   * (identifier) of an ICMP error about a packet that left translated; -1 for anything else.
   */
  private static int inboundKey(NatTable o, ByteBuf frame, int proto, int l4, int len) {
    if (proto == PROTO_TCP || proto == PROTO_UDP) {
      return len < (proto == PROTO_TCP ? TcpSegment.HEADER_LEN : 8) ? -1
          : externalKey(proto, frame.getUnsignedShort(l4 + 2));
    }
    if (proto != PROTO_ICMP || len < IcmpPacket.HEADER_LEN) {
      return -1;
    }
    int type = frame.getUnsignedByte(l4);
    if (type == IcmpPacket.TYPE_ECHO_REPLY) {
      return externalKey(PROTO_ICMP, frame.getUnsignedShort(l4 + IcmpPacket.IDENT));
    }
    int q = l4 + IcmpPacket.HEADER_LEN;
    if (!NatRewrite.isError(type) || !NatRewrite.quotes(frame, q, l4 + len) || frame.getInt(q + 12) != o.nic.ip()) {
      return -1;
    }
    return quotedKey(frame, frame.getUnsignedByte(q + 9), q + (frame.getUnsignedByte(q) & 0x0F) * 4);
  }

  /** The key of the mapping a quoted packet that left translated belongs to: its source port, or its echo identifier. */
  private static int quotedKey(ByteBuf frame, int qProto, int qL4) {
    return qProto == PROTO_ICMP ? externalKey(PROTO_ICMP, frame.getUnsignedShort(qL4 + IcmpPacket.IDENT))
        : externalKey(qProto, frame.getUnsignedShort(qL4));
  }

  private static boolean alive(NatMapping m, long now) {
    return m != null && (m.forward || m.expiresNanos - now > 0);
  }

  @Override
  public DropReason prerouting(Nic in, ByteBuf frame, int ipStart) {
    undo.forget();
    ip.wrap(frame, ipStart);
    NatTable o = outsideByAddress(ip.dst());
    if (o == null) {
      return null;
    }
    long now = time.nanos();
    maybeSweep(now);
    int proto = ip.protocol();
    if (ip.fragmentOffset() != 0) {
      int inside = fragments.find(ip.src(), ip.dst(), ip.ident(), proto, now);
      if (inside == 0) {
        counters.noMapping++;
        return refused(in, DropReason.NAT_NO_MAPPING, proto);
      }
      undo.remember(frame, ipStart, -1, ip.dst(), 0, 0, 0);
      NatRewrite.rewriteDst(ip, inside);
      counters.translatedIn++;
      return null;
    }
    int l4 = ip.payloadIndex();
    int len = ip.payloadLength();
    if (proto == PROTO_TCP || proto == PROTO_UDP) {
      if (len < (proto == PROTO_TCP ? TcpSegment.HEADER_LEN : 8)) {
        return null; // too short to be anybody's: the node's own input drops it as malformed
      }
      NatMapping m = live(o, o.byExternal.get(externalKey(proto, frame.getUnsignedShort(l4 + 2))), now);
      if (m == null) {
        return null; // for the router itself (or for nobody: it answers as a host would)
      }
      int src = ip.src();
      int srcPort = frame.getUnsignedShort(l4);
      boolean hairpin = in != o.nic;
      NatMapping sender = null;
      if (hairpin) {
        sender = outboundMapping(o, proto, src, srcPort, now);
        if (sender == null) {
          return refused(in, lastRefusal, proto);
        }
      }
      int flags = proto == PROTO_TCP ? TcpSegment.flags(frame, l4) : 0;
      boolean opened = m.remoteIp == 0 || m.remoteIp != src || m.remotePort != srcPort;
      undo.remember(frame, ipStart, proto, ip.dst(), m.externalPort, hairpin ? src : 0, srcPort);
      NatRewrite.rewriteL4(ip, proto, l4, len, m.internalIp, m.internalPort, false);
      if (hairpin) {
        NatRewrite.rewriteL4(ip, proto, l4, len, o.nic.ip(), sender.externalPort, true);
        sender.seen(true, flags, m.internalIp, m.internalPort, now);
        counters.hairpinned++;
      } else {
        counters.translatedIn++;
      }
      m.seen(false, flags, src, srcPort, now);
      if (ip.moreFragments() && !hairpin) {
        fragments.put(src, o.nic.ip(), ip.ident(), proto, m.internalIp, now);
      }
      if (tracer.enabled()) {
        tracer.emit(new NatEvent.Translated(in.name(), hairpin ? "hairpin" : "in", protoName(proto),
            what(proto, flags, 0), Ipv4Address.format(o.nic.ip()), m.externalPort,
            Ipv4Address.format(m.internalIp), m.internalPort,
            hairpin ? Ipv4Address.format(o.nic.ip()) : Ipv4Address.format(src),
            hairpin ? sender.externalPort : srcPort, m.forward && opened ? "forward" : "found"));
      }
      return null;
    }
    if (proto == PROTO_ICMP && len >= IcmpPacket.HEADER_LEN) {
      int type = frame.getUnsignedByte(l4);
      if (type == IcmpPacket.TYPE_ECHO_REPLY) {
        NatMapping m = live(o, o.byExternal.get(externalKey(PROTO_ICMP, frame.getUnsignedShort(l4 + 4))), now);
        if (m == null) {
          return null;
        }
        if (ip.moreFragments()) {
          fragments.put(ip.src(), o.nic.ip(), ip.ident(), PROTO_ICMP, m.internalIp, now);
        }
        undo.remember(frame, ipStart, PROTO_ICMP, ip.dst(), m.externalPort, 0, 0);
        NatRewrite.rewriteDst(ip, m.internalIp);
        NatRewrite.rewriteIcmpIdent(ip.buffer(), l4, m.internalPort);
        m.seen(false, 0, ip.src(), 0, now);
        counters.translatedIn++;
        if (tracer.enabled()) {
          tracer.emit(new NatEvent.Translated(in.name(), "in", "icmp", "ICMP echo reply",
              Ipv4Address.format(o.nic.ip()), m.externalPort, Ipv4Address.format(m.internalIp), m.internalPort,
              Ipv4Address.format(ip.src()), 0, "found"));
        }
        return null;
      }
      if (NatRewrite.isError(type)) {
        return inboundError(in, o, l4, len, now);
      }
    }
    return null;
  }

  @Override
  public void undoInbound(ByteBuf frame, int ipStart) {
    undo.undo(frame, ipStart);
  }

  /** RFC 5508 4.2: an error from outside about a packet we translated on its way out. */
  private DropReason inboundError(Nic in, NatTable o, int l4, int len, long now) {
    ByteBuf frame = ip.buffer();
    int q = l4 + IcmpPacket.HEADER_LEN;
    if (!NatRewrite.quotes(frame, q, l4 + len)) {
      return unknownError(in);
    }
    quoted.wrap(frame, q);
    int qProto = quoted.protocol();
    int qL4 = q + quoted.headerLength();
    if (quoted.src() == o.nic.ip() && !Checksum.verify(frame, l4, len)) {
      // the error's checksum is computed anew after the rewrite: a corrupted one must not be laundered
      return refused(in, DropReason.ICMP_BAD_CHECKSUM, PROTO_ICMP);
    }
    if (quoted.src() != o.nic.ip()) {
      return null; // not about a packet that left through us translated: the router's own business
    }
    NatMapping m = live(o, o.byExternal.get(quotedKey(frame, qProto, qL4)), now);
    if (m == null) {
      if (qProto == PROTO_ICMP || localPorts.inUse(qProto, frame.getUnsignedShort(qL4))) {
        return null; // about the router's own traffic (its socket, its ping): its own stack takes it
      }
      return unknownError(in);
    }
    int type = frame.getUnsignedByte(l4);
    int code = frame.getUnsignedByte(l4 + 1);
    String before = Ipv4Address.format(ip.dst());
    NatRewrite.rewriteDst(ip, m.internalIp);
    int quotedBefore = NatRewrite.translateQuoted(frame, q, qL4, l4 + len, true, m.internalIp, m.internalPort);
    NatRewrite.fillIcmpChecksum(ip.buffer(), l4, len);
    counters.icmpErrors++; // related to the flow, not a reply on it: it neither assures nor refreshes it
    if (tracer.enabled()) {
      tracer.emit(new NatEvent.IcmpError(in.name(), "in", type, code, before, Ipv4Address.format(m.internalIp),
          protoName(qProto), quotedBefore, m.internalPort));
    }
    return null;
  }

  // ---------------------------------------------------------------- POSTROUTING: out

  @Override
  public DropReason postrouting(Nic in, Nic out, ByteBuf frame, int ipStart) {
    NatTable o = outsideByNic(out);
    if (o == null) {
      return null;
    }
    ip.wrap(frame, ipStart);
    int src = ip.src();
    int ext = out.ip();
    if (ext == 0) {
      return refused(in, DropReason.NAT_NO_ADDRESS, ip.protocol()); // no address (yet) to masquerade to
    }
    if (src == ext) {
      return null; // already the outside address
    }
    long now = time.nanos();
    o.checkAddress();
    maybeSweep(now);
    int proto = ip.protocol();
    if (ip.fragmentOffset() != 0) {
      NatRewrite.rewriteSrc(ip, ext);
      counters.translatedOut++;
      return null;
    }
    int l4 = ip.payloadIndex();
    int len = ip.payloadLength();
    if (proto == PROTO_TCP || proto == PROTO_UDP) {
      if (len < (proto == PROTO_TCP ? TcpSegment.HEADER_LEN : 8)) {
        counters.malformed++;
        return refused(in, proto == PROTO_TCP ? DropReason.TCP_MALFORMED : DropReason.UDP_MALFORMED, proto);
      }
      int srcPort = frame.getUnsignedShort(l4);
      NatMapping m = outboundMapping(o, proto, src, srcPort, now);
      if (m == null) {
        return refused(in, lastRefusal, proto);
      }
      int dst = ip.dst();
      int dstPort = frame.getUnsignedShort(l4 + 2);
      int flags = proto == PROTO_TCP ? TcpSegment.flags(frame, l4) : 0;
      NatRewrite.rewriteL4(ip, proto, l4, len, ext, m.externalPort, true);
      m.seen(true, flags, dst, dstPort, now);
      counters.translatedOut++;
      if (tracer.enabled()) {
        tracer.emit(new NatEvent.Translated(out.name(), "out", protoName(proto), what(proto, flags, 0),
            Ipv4Address.format(src), srcPort, Ipv4Address.format(ext), m.externalPort, Ipv4Address.format(dst),
            dstPort, created ? "new" : m.forward ? "forward" : "found"));
      }
      return null;
    }
    if (proto == PROTO_ICMP && len >= IcmpPacket.HEADER_LEN) {
      int type = frame.getUnsignedByte(l4);
      if (type == IcmpPacket.TYPE_ECHO_REQUEST) {
        int ident = frame.getUnsignedShort(l4 + 4);
        NatMapping m = outboundMapping(o, PROTO_ICMP, src, ident, now);
        if (m == null) {
          return refused(in, lastRefusal, proto);
        }
        NatRewrite.rewriteSrc(ip, ext);
        NatRewrite.rewriteIcmpIdent(ip.buffer(), l4, m.externalPort);
        m.seen(true, 0, ip.dst(), 0, now);
        counters.translatedOut++;
        if (tracer.enabled()) {
          tracer.emit(new NatEvent.Translated(out.name(), "out", "icmp", "ICMP echo request", Ipv4Address.format(src),
              ident, Ipv4Address.format(ext), m.externalPort, Ipv4Address.format(ip.dst()), 0,
              created ? "new" : "found"));
        }
        return null;
      }
      if (NatRewrite.isError(type)) {
        return outboundError(in, out, o, l4, len, now);
      }
    }
    NatRewrite.rewriteSrc(ip, ext); // other ICMP and other protocols: the address only, nothing kept
    counters.translatedOut++;
    return null;
  }

  /**
   * An error an inside node sends out about a packet that came in through a mapping: the
   * quoted packet's destination is the inside endpoint, to be shown as the external one.
   */
  private DropReason outboundError(Nic in, Nic out, NatTable o, int l4, int len, long now) {
    ByteBuf frame = ip.buffer();
    int q = l4 + IcmpPacket.HEADER_LEN;
    if (!NatRewrite.quotes(frame, q, l4 + len)) {
      return unknownError(in);
    }
    quoted.wrap(frame, q);
    int qProto = quoted.protocol();
    int qL4 = q + quoted.headerLength();
    if (!Checksum.verify(frame, l4, len)) {
      return refused(in, DropReason.ICMP_BAD_CHECKSUM, PROTO_ICMP);
    }
    int insidePort = qProto == PROTO_ICMP ? frame.getUnsignedShort(qL4 + 4) : frame.getUnsignedShort(qL4 + 2);
    NatMapping m = live(o, o.byInternal.get(internalKey(qProto, quoted.dst(), insidePort)), now);
    if (m == null) {
      return unknownError(in);
    }
    int type = frame.getUnsignedByte(l4);
    int code = frame.getUnsignedByte(l4 + 1);
    String before = Ipv4Address.format(ip.src());
    NatRewrite.rewriteSrc(ip, out.ip());
    NatRewrite.translateQuoted(frame, q, qL4, l4 + len, false, out.ip(), m.externalPort);
    NatRewrite.fillIcmpChecksum(ip.buffer(), l4, len);
    counters.icmpErrors++;
    if (tracer.enabled()) {
      tracer.emit(new NatEvent.IcmpError(out.name(), "out", type, code, before, Ipv4Address.format(out.ip()),
          protoName(qProto), insidePort, m.externalPort));
    }
    return null;
  }

  // ---------------------------------------------------------------- the table

  private DropReason lastRefusal;
  /** Whether {@link #outboundMapping}'s last answer was made for that packet. */
  private boolean created;

  /** The mapping of an inside endpoint, made if it has none; null (and {@link #lastRefusal}) if it cannot be. */
  private NatMapping outboundMapping(NatTable o, int proto, int src, int srcPort, long now) {
    long key = internalKey(proto, src, srcPort);
    NatMapping m = live(o, o.byInternal.get(key), now);
    created = m == null;
    if (m != null) {
      return m;
    }
    if (o.byInternal.size() >= o.max) {
      maybeSweep(now); // at most once a second: a flood of new flows does not sweep at every packet
      if (o.byInternal.size() >= o.max) {
        counters.tableFull++;
        lastRefusal = DropReason.NAT_TABLE_FULL;
        return null;
      }
    }
    int port = externalPort(o, proto, srcPort);
    if (port < 0) {
      counters.portsExhausted++;
      lastRefusal = DropReason.NAT_PORTS_EXHAUSTED;
      return null;
    }
    m = new NatMapping(proto, src, srcPort, port, false, now);
    o.byInternal.put(key, m);
    o.byExternal.put(externalKey(proto, port), m);
    counters.created++;
    return m;
  }

  /**
   * The inside port itself when free (port preservation), else a random free one of its range:
   * 1-1023 for a privileged port, 1024-65535 otherwise (RFC 4787 REQ-3); any identifier for ICMP.
   */
  private int externalPort(NatTable o, int proto, int preferred) {
    if (free(o, proto, preferred)) {
      return preferred;
    }
    int low = proto == PROTO_ICMP ? 0 : preferred < 1024 ? 1 : 1024;
    int high = proto == PROTO_ICMP ? 0xFFFF : preferred < 1024 ? 1023 : 0xFFFF;
    int range = high - low + 1;
    int start = random.nextInt(range);
    for (int i = 0; i < range; i++) {
      int p = low + (start + i) % range;
      if (free(o, proto, p)) {
        return p;
      }
    }
    return -1;
  }

  private boolean free(NatTable o, int proto, int port) {
    if (port == 0 && proto != PROTO_ICMP) {
      return false;
    }
    return !o.byExternal.containsKey(externalKey(proto, port)) && !localPorts.inUse(proto, port);
  }

  /** {@code m} if it has not lapsed; a lapsed one is removed (the sweep may not have come by yet). */
  private NatMapping live(NatTable o, NatMapping m, long now) {
    if (m == null || alive(m, now)) {
      return m;
    }
    expire(o, m, now);
    return null;
  }

  private void sweep(NatTable o, long now) {
    if (o.byInternal.size() == o.forwards) {
      return;
    }
    List<NatMapping> lapsed = null;
    for (NatMapping m : o.byInternal.values()) {
      if (!m.forward && m.expiresNanos - now <= 0) {
        if (lapsed == null) {
          lapsed = new ArrayList<>();
        }
        lapsed.add(m);
      }
    }
    if (lapsed != null) {
      for (NatMapping m : lapsed) {
        expire(o, m, now);
      }
    }
  }

  private void expire(NatTable o, NatMapping m, long now) {
    o.remove(m);
    counters.expired++;
    if (tracer.enabled()) {
      tracer.emit(new NatEvent.Expired(protoName(m.proto), m.internal(),
          Ipv4Address.format(o.nic.ip()) + ":" + m.externalPort, m.remote(),
          m.proto == PROTO_TCP ? m.stateName() : null, TimeUnit.NANOSECONDS.toSeconds(now - m.lastSeenNanos)));
    }
  }

  private NatTable outsideByAddress(int dst) {
    for (int i = 0; i < outsides.size(); i++) {
      NatTable o = outsides.get(i);
      if (o.nic.ip() == dst && dst != 0) {
        o.checkAddress();
        return o;
      }
    }
    return null;
  }

  private NatTable outsideByNic(Nic nic) {
    for (int i = 0; i < outsides.size(); i++) {
      if (outsides.get(i).nic == nic) {
        return outsides.get(i);
      }
    }
    return null;
  }

  private DropReason unknownError(Nic in) {
    counters.icmpUnknown++;
    return refused(in, DropReason.NAT_ICMP_UNKNOWN, PROTO_ICMP);
  }

  private DropReason refused(Nic in, DropReason reason, int proto) {
    if (tracer.enabled()) {
      tracer.emit(new NatEvent.Refused(in == null ? null : in.name(), reason.label(), protoName(proto),
          Ipv4Address.format(ip.src()), Ipv4Address.format(ip.dst())));
    }
    return reason;
  }

  static String protoName(int proto) {
    return switch (proto) {
      case PROTO_TCP -> "tcp";
      case PROTO_UDP -> "udp";
      case PROTO_ICMP -> "icmp";
      default -> Integer.toString(proto);
    };
  }

  private static String what(int proto, int flags, int type) {
    if (proto == PROTO_TCP) {
      int sa = TcpSegment.SYN | TcpSegment.ACK;
      return (flags & sa) == sa ? "TCP SYN-ACK" : (flags & TcpSegment.SYN) != 0 ? "TCP SYN"
          : (flags & TcpSegment.RST) != 0 ? "TCP RST" : (flags & TcpSegment.FIN) != 0 ? "TCP FIN"
          : (flags & TcpSegment.PSH) != 0 ? "TCP data" : (flags & TcpSegment.ACK) != 0 ? "TCP ACK"
          : "TCP " + TcpSegment.flagString(flags);
    }
    return proto == PROTO_UDP ? "UDP" : "ICMP type " + type;
  }

  static long internalKey(int proto, int addr, int port) {
    return ((long) proto << 48) | ((addr & 0xFFFF_FFFFL) << 16) | port;
  }

  static int externalKey(int proto, int port) {
    return (proto << 16) | port;
  }

  // ---------------------------------------------------------------- inspection

  /** One live mapping as conntrack shows a flow; {@code timeout} seconds left. */
  public record Flow(String proto, int protoNumber, long timeout, String state, String internal, int internalPort,
                     String remote, int remotePort, String external, int externalPort, boolean inboundOrigin,
                     boolean replied, boolean forward) {}

  /** The flows with traffic, oldest first. */
  public List<Flow> flows() {
    sweep();
    long now = time.nanos();
    List<NatMapping> all = new ArrayList<>();
    List<Flow> out = new ArrayList<>();
    for (NatTable o : outsides) {
      all.clear();
      for (NatMapping m : o.byInternal.values()) {
        if (m.active(now)) {
          all.add(m);
        }
      }
      all.sort(Comparator.comparingLong(m -> m.createdNanos));
      for (NatMapping m : all) {
        out.add(new Flow(protoName(m.proto), m.proto, Math.max(0, TimeUnit.NANOSECONDS.toSeconds(m.expiresNanos - now)),
            m.proto == PROTO_TCP ? m.stateName() : null, Ipv4Address.format(m.internalIp), m.internalPort,
            Ipv4Address.format(m.remoteIp), m.remotePort, Ipv4Address.format(o.nic.ip()), m.externalPort,
            m.inboundOrigin, m.replied, m.forward));
      }
    }
    return out;
  }

  /** Mappings in the tables (port forwards included). */
  public int size() {
    sweep();
    int n = 0;
    for (NatTable o : outsides) {
      n += o.byInternal.size();
    }
    return n;
  }

  /** The masquerading interfaces. */
  public List<Nic> interfaces() {
    List<Nic> nics = new ArrayList<>();
    outsides.forEach(o -> nics.add(o.nic));
    return nics;
  }
}
