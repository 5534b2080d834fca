package emu.node.dns;

import emu.node.config.DnsConfig;
import emu.node.event.DnsEvent;
import emu.node.ipv6.Ipv6Layer;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.tcp.TcpConnection;
import emu.node.tcp.TcpEvents;
import emu.node.tcp.TcpLayer;
import emu.node.tcp.TcpListenSocket;
import emu.node.trace.Tracer;
import emu.node.wire.IpAddress;
import emu.node.wire.Ipv6Address;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;
import org.xbill.DNS.Zone;

/**
 * A node's DNS server on UDP and TCP port 53 of the emulated stack (every address of the node,
 * IPv4 and, on a node with IPv6, IPv6: a UDP port in each family and one TCP listener on
 * {@code ::}, as a Linux server with a socket per family does), in one of the roles of
 * {@link DnsConfig}: {@code authoritative} ({@link Authority}: zones from master-file text) or
 * {@code forwarder} ({@link Forwarder}: a caching forwarder to an upstream server).
 *
 * <p>This class is the transport and the gatekeeper (the reply flow of dnsjava's jnamed): it
 * reads datagrams and TCP streams (two-byte length framing, RFC 1035 4.2.2; several queries per
 * connection; closed after {@link #TCP_IDLE_TIMEOUT_NANOS} of silence), rejects what is not a
 * well-formed standard query (FORMERR: unparsable, truncated, compression loops, QDCOUNT other
 * than 1, an unknown class, several OPT records; NOTIMP: an opcode other than QUERY; REFUSED:
 * classes CH/HS/ANY, zone transfers), handles EDNS (RFC 6891: echoes an OPT, honours the
 * client's UDP size up to {@link #MAX_UDP_PAYLOAD}, BADVERS for versions above 0), hands
 * well-formed queries to its role, and sends the answers, truncated with TC over UDP when they
 * exceed the client's size. Nothing a client sends can make it throw: every message is answered
 * or counted as dropped ({@link DnsServerCounters}).
 *
 * <p>Everything runs on the node's event loop, on its clock.
 */
public final class DnsServer {
  public static final int PORT = 53;
  /**
   * Our EDNS UDP payload size (DNS Flag Day 2020): answers up to this size fit a 1500-byte
   * path without IP fragmentation, which the emulated stack does not reassemble.
   */
  public static final int MAX_UDP_PAYLOAD = 1232;
  /** A UDP answer's limit without EDNS (RFC 1035 4.2.1). */
  public static final int MIN_UDP_PAYLOAD = 512;
  /** A TCP connection with no query for this long is closed (RFC 7766 6.2.3). */
  public static final long TCP_IDLE_TIMEOUT_NANOS = 10_000_000_000L;

  private final NetworkStack stack;
  /** The node's IPv6, or null: then the server answers over IPv4 only. */
  private final Ipv6Layer ipv6;
  private final TcpLayer tcp;
  private final Tracer tracer;
  private final String role;
  private final DnsServerCounters counters;
  private final QueryHandler handler;
  private final DnsCache cache;
  private final Set<DnsTcpSession> sessions = new HashSet<>();
  private TcpListenSocket listener;
  private boolean udpBound;
  private boolean udp6Bound;

  private DnsServer(NetworkStack stack, Ipv6Layer ipv6, TcpLayer tcp, Tracer tracer, String role,
                    DnsServerCounters counters, QueryHandler handler, DnsCache cache) {
    this.stack = stack;
    this.ipv6 = ipv6;
    this.tcp = tcp;
    this.tracer = tracer;
    this.role = role;
    this.counters = counters;
    this.handler = handler;
    this.cache = cache;
  }

  /** {@link #start(NetworkStack, Ipv6Layer, TcpLayer, Tracer, DnsConfig)} on a node without IPv6. */
  public static DnsServer start(NetworkStack stack, TcpLayer tcp, Tracer tracer, DnsConfig config) {
    return start(stack, null, tcp, tracer, config);
  }

  /**
   * Builds the server for {@code config} and starts serving on UDP and TCP port 53 of every
   * address of {@code stack}, and of {@code ipv6} when it is not null (whose TCP must be
   * {@code tcp}, attached to it). Call on the node's event loop (or before it runs).
   *
   * @throws IllegalArgumentException for a bad configuration (unknown role, no zones, a zone
   *     that does not parse, a bad upstream address), with the reason
   * @throws IllegalStateException if UDP or TCP port 53 is already taken on the node
   */
  public static DnsServer start(NetworkStack stack, Ipv6Layer ipv6, TcpLayer tcp, Tracer tracer, DnsConfig config) {
    Objects.requireNonNull(stack, "stack");
    Objects.requireNonNull(config, "config");
    DnsServerCounters counters = new DnsServerCounters();
    DnsServer server;
    if (DnsConfig.AUTHORITATIVE.equals(config.role())) {
      if (config.zones() == null || config.zones().isEmpty()) {
        throw new IllegalArgumentException("an authoritative DNS server needs at least one zone");
      }
      List<Zone> zones = new ArrayList<>();
      Set<Name> origins = new HashSet<>();
      for (DnsConfig.Zone z : config.zones()) {
        Zone zone = DnsZones.parse(z.origin(), z.file(), z.text());
        if (!origins.add(zone.getOrigin())) {
          throw new IllegalArgumentException("zone " + zone.getOrigin() + " is given twice");
        }
        zones.add(zone);
      }
      server = new DnsServer(stack, ipv6, tcp, tracer, config.role(), counters, new Authority(tracer, zones), null);
    } else if (DnsConfig.FORWARDER.equals(config.role())) {
      Nameserver upstream;
      try {
        upstream = Nameserver.parse(config.upstream());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("a forwarder needs an upstream address: " + e.getMessage(), e);
      }
      Forwarder f = new Forwarder(stack, ipv6, tcp, tracer, upstream, counters);
      server = new DnsServer(stack, ipv6, tcp, tracer, config.role(), counters, f, f.cache());
    } else {
      throw new IllegalArgumentException("unknown DNS role '" + config.role() + "' (authoritative or forwarder)");
    }
    server.bind();
    if (tracer.enabled()) {
      boolean v6 = server.udp6Bound;
      tracer.emit(server.handler instanceof Authority a
          ? new DnsEvent.Started(DnsEvent.Role.AUTHORITATIVE, a.origins(), null, v6)
          : new DnsEvent.Started(DnsEvent.Role.FORWARDER, null, ((Forwarder) server.handler).upstream().toString(),
              v6));
    }
    return server;
  }

  private void bind() {
    if (stack.udp().bind(PORT, this::onUdp) < 0) {
      throw new IllegalStateException("UDP port " + PORT + " is already in use on " + stack.name());
    }
    udpBound = true;
    if (ipv6 != null) {
      if (ipv6.udp().bind(PORT, this::onUdp6) < 0) {
        stop();
        throw new IllegalStateException("UDP port " + PORT + " over IPv6 is already in use on " + stack.name());
      }
      udp6Bound = true;
    }
    try {
      // on ::, a listener takes connections of both families; an IPv4-only node listens on 0.0.0.0
      listener = tcp.listen(ipv6 != null ? IpAddress.ANY6 : IpAddress.ANY4, PORT, 0, this::accept);
    } catch (IllegalStateException e) {
      stop();
      throw new IllegalStateException("TCP port " + PORT + " on " + stack.name() + ": " + e.getMessage(), e);
    }
  }

  /** Stops serving: unbinds the ports, closes TCP connections, forgets queries in flight. */
  public void stop() {
    if (udpBound) {
      stack.udp().unbind(PORT);
      udpBound = false;
    }
    if (udp6Bound) {
      ipv6.udp().unbind(PORT);
      udp6Bound = false;
    }
    if (listener != null) {
      listener.close();
      listener = null;
    }
    for (DnsTcpSession s : new ArrayList<>(sessions)) {
      s.close();
    }
    handler.stop();
  }

  /** "authoritative" or "forwarder". */
  public String role() {
    return role;
  }

  public DnsServerCounters counters() {
    return counters;
  }

  /** The forwarder's client side toward its upstream; null for an authoritative server. */
  public ResolverCounters upstreamCounters() {
    return handler instanceof Forwarder f ? f.upstreamCounters() : null;
  }

  /** The forwarder's cache; null for an authoritative server. */
  public DnsCache cache() {
    return cache;
  }

  // =========================================================================================
  // Transports
  // =========================================================================================

  private void onUdp(int srcIp, int srcPort, int dstIp, int dstPort, ByteBuf payload) {
    // Answer from the address the query was sent to, so the client's RFC 5452 check passes.
    int from = stack.isLocal(dstIp) ? dstIp : 0;
    onDatagram(IpAddress.of(srcIp), srcPort, payload, b -> stack.udp().send(from, PORT, srcIp, srcPort, 64, b));
  }

  private void onUdp6(Ipv6Address src, int srcPort, Ipv6Address dst, int dstPort, ByteBuf payload) {
    counters.udp6Queries++;
    // From the address asked (source selection picks one for a multicast query); a link-local
    // client is answered on the link its query came in by.
    Ipv6Address from = ipv6.localAddress(dst) != null ? dst : null;
    Nic zone = src.isLinkLocal() || dst.isLinkLocal() ? ipv6.udp().arrival() : null;
    onDatagram(IpAddress.of(src), srcPort, payload,
        b -> ipv6.udp().send(from, PORT, src, zone, srcPort, ipv6.hopLimit(), b));
  }

  /**
   * A datagram from {@code client}:{@code port}, of either family: dropped if it comes from port
   * 0, else handled; {@code send} sends an answer (a buffer made as {@code stack.allocate} makes it).
   */
  private void onDatagram(IpAddress client, int port, ByteBuf payload, java.util.function.Consumer<ByteBuf> send) {
    counters.udpQueries++;
    byte[] bytes = bytes(payload);
    if (port == 0) {
      drop(bytes.length, client, port, false, DnsEvent.DropWhy.FROM_PORT_ZERO, null);
      return;
    }
    handle(bytes, new UdpResponder(client, port, wire -> send.accept(stack.allocate(wire.length).writeBytes(wire))));
  }

  private static byte[] bytes(ByteBuf payload) {
    byte[] bytes = new byte[payload.readableBytes()];
    payload.getBytes(payload.readerIndex(), bytes);
    return bytes;
  }

  /** The way back to a UDP client of either family: {@code out} sends an answer's bytes. */
  private record UdpResponder(IpAddress client, int clientPort, java.util.function.Consumer<byte[]> out)
      implements ServerQuery.Responder {
    @Override
    public void send(byte[] wire) {
      out.accept(wire);
    }

    @Override
    public boolean tcp() {
      return false;
    }
  }

  private TcpEvents accept(TcpConnection c) {
    counters.tcpConnections++;
    DnsTcpSession s = new DnsTcpSession(this, stack.time(), tracer, c, TCP_IDLE_TIMEOUT_NANOS);
    sessions.add(s);
    return s;
  }

  void sessionClosed(DnsTcpSession s, boolean idle) {
    sessions.remove(s);
    if (idle) {
      counters.tcpIdleClosed++;
    }
  }

  void countTcpQuery(boolean overIpv6) {
    counters.tcpQueries++;
    if (overIpv6) {
      counters.tcp6Queries++;
    }
  }

  // =========================================================================================
  // Gatekeeping
  // =========================================================================================

  /**
   * One message from a client, over either transport. Returns whether it will be answered
   * (false: dropped). Never throws.
   */
  boolean handle(byte[] bytes, ServerQuery.Responder r) {
    try {
      return admit(bytes, r);
    } catch (RuntimeException e) { // a bug of ours must not take the server down
      drop(bytes.length, r.client(), r.clientPort(), r.tcp(), DnsEvent.DropWhy.INTERNAL_ERROR, e.toString());
      return false;
    }
  }

  private boolean admit(byte[] bytes, ServerQuery.Responder r) {
    if (bytes.length < 12) {
      drop(bytes.length, r.client(), r.clientPort(), r.tcp(), DnsEvent.DropWhy.SHORTER_THAN_HEADER, null);
      return false;
    }
    int id = ((bytes[0] & 0xFF) << 8) | (bytes[1] & 0xFF);
    int flags = ((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF);
    if ((flags & 0x8000) != 0) {
      drop(bytes.length, r.client(), r.clientPort(), r.tcp(), DnsEvent.DropWhy.RESPONSE, null);
      return false;
    }
    int opcode = (flags >>> 11) & 0xF;
    boolean rd = (flags & 0x0100) != 0;
    Message query;
    try {
      query = new Message(bytes);
    } catch (IOException | RuntimeException e) {
      reject(skeleton(id, opcode, rd), r, Rcode.FORMERR, bytes.length, DnsEvent.RejectWhy.MALFORMED, null, null, null,
          e.getMessage());
      return true;
    }
    // With TC set, dnsjava keeps what parsed of a cut-short message instead of failing: a section
    // may then hold fewer records than the header counts (the question none at all). Such a query
    // is as malformed as one without TC (RFC 1035 4.1.1: the counts say what follows).
    for (int s = Section.QUESTION; s <= Section.ADDITIONAL; s++) {
      int parsed = query.getSection(s).size();
      int counted = query.getHeader().getCount(s);
      if (parsed != counted) {
        reject(skeleton(id, opcode, rd), r, Rcode.FORMERR, bytes.length, DnsEvent.RejectWhy.MALFORMED, null, null,
            null, "truncated: the " + Section.longString(s) + " section holds " + parsed + " of " + counted
            + " records");
        return true;
      }
    }
    Message response = skeleton(id, opcode, rd);
    if (opcode != Opcode.QUERY) {
      if (query.getHeader().getCount(Section.QUESTION) == 1) {
        response.addRecord(query.getQuestion(), Section.QUESTION);
      }
      reject(response, r, Rcode.NOTIMP, bytes.length, DnsEvent.RejectWhy.OPCODE, null, Opcode.string(opcode), null,
          null);
      return true;
    }
    int qdcount = query.getHeader().getCount(Section.QUESTION);
    if (qdcount != 1) {
      reject(response, r, Rcode.FORMERR, bytes.length, DnsEvent.RejectWhy.QUESTION_COUNT, null, null, qdcount, null);
      return true;
    }
    Record q = query.getQuestion();
    response.addRecord(q, Section.QUESTION);
    int dclass = q.getDClass();
    if (dclass != DClass.IN) {
      boolean known = dclass == DClass.CH || dclass == DClass.HS || dclass == DClass.NONE || dclass == DClass.ANY;
      reject(response, r, known ? Rcode.REFUSED : Rcode.FORMERR, bytes.length, known
          ? DnsEvent.RejectWhy.CLASS_NOT_SERVED : DnsEvent.RejectWhy.NO_SUCH_CLASS, q, null, null, null);
      return true;
    }
    int type = q.getType();
    if (type == Type.OPT || type == Type.TSIG || type == Type.TKEY) {
      reject(response, r, Rcode.FORMERR, bytes.length, DnsEvent.RejectWhy.META_TYPE, q, null, null, null);
      return true;
    }
    if (type == Type.AXFR || type == Type.IXFR) {
      reject(response, r, Rcode.REFUSED, bytes.length, DnsEvent.RejectWhy.ZONE_TRANSFER, q, null, null, null);
      return true;
    }
    if (type == Type.MAILA || type == Type.MAILB) {
      reject(response, r, Rcode.NOTIMP, bytes.length, DnsEvent.RejectWhy.OBSOLETE_TYPE, q, null, null, null);
      return true;
    }
    int udpLimit = MIN_UDP_PAYLOAD;
    List<Record> opts = new ArrayList<>();
    for (Record a : query.getSection(Section.ADDITIONAL)) {
      if (a.getType() == Type.OPT) {
        opts.add(a);
      }
    }
    if (opts.size() > 1) { // RFC 6891 6.1.1
      reject(response, r, Rcode.FORMERR, bytes.length, DnsEvent.RejectWhy.OPT_RECORDS, q, null, opts.size(), null);
      return true;
    }
    if (!opts.isEmpty()) {
      OPTRecord opt = (OPTRecord) opts.get(0);
      if (opt.getVersion() != 0) { // RFC 6891 6.1.3
        response.addRecord(new OPTRecord(MAX_UDP_PAYLOAD, Rcode.BADVERS >>> 4, 0, 0), Section.ADDITIONAL);
        reject(response, r, Rcode.BADVERS, bytes.length, DnsEvent.RejectWhy.EDNS_VERSION, q, null, opt.getVersion(),
            null);
        return true;
      }
      udpLimit = Math.max(MIN_UDP_PAYLOAD, Math.min(opt.getPayloadSize(), MAX_UDP_PAYLOAD));
      response.addRecord(new OPTRecord(MAX_UDP_PAYLOAD, 0, 0, 0), Section.ADDITIONAL);
    }
    ServerQuery sq = new ServerQuery(this, query, response, r, udpLimit);
    try {
      handler.answer(sq);
    } catch (RuntimeException e) {
      response.getHeader().setRcode(Rcode.SERVFAIL);
      if (tracer.enabled()) {
        tracer.emit(new DnsEvent.ServeFailed(sq.client(), sq.port(), sq.transport(), sq.id(), sq.qname(), sq.qtype(),
            e.toString()));
      }
      sq.send();
    }
    return true;
  }

  /** A response with the query's ID, opcode and RD, and QR set. */
  private static Message skeleton(int id, int opcode, boolean rd) {
    Message m = new Message(id);
    m.getHeader().setFlag(Flags.QR);
    m.getHeader().setOpcode(opcode);
    if (rd) {
      m.getHeader().setFlag(Flags.RD);
    }
    return m;
  }

  /**
   * Answers with {@code rcode} (the query was {@code bytes} long) because of {@code why}: about
   * question {@code q} (null before there is one), the {@code opcode}, a {@code count} (questions,
   * OPT records or the EDNS version, as {@code why} says), or the parser's {@code error}.
   */
  private void reject(Message response, ServerQuery.Responder r, int rcode, int bytes, DnsEvent.RejectWhy why, Record q,
                      String opcode, Integer count, String error) {
    response.getHeader().setRcode(rcode & 0xF);
    if (tracer.enabled()) {
      tracer.emit(new DnsEvent.Rejected(r.client().toString(), r.clientPort(), r.tcp()
          ? DnsEvent.Transport.TCP : DnsEvent.Transport.UDP, response.getHeader().getID(), Rcode.string(rcode), why,
          q == null ? null : DnsFacts.name(q.getName()), q == null ? null : DnsFacts.type(q.getType()),
          q == null ? null : DClass.string(q.getDClass()), opcode,
          why == DnsEvent.RejectWhy.QUESTION_COUNT ? count : null, why == DnsEvent.RejectWhy.OPT_RECORDS ? count : null,
          why == DnsEvent.RejectWhy.EDNS_VERSION ? count : null, bytes, error));
    }
    counters.answered(rcode);
    r.send(response.toWire(r.tcp() ? Message.MAXLENGTH : MIN_UDP_PAYLOAD));
  }

  private void drop(int length, IpAddress client, int clientPort, boolean tcp, DnsEvent.DropWhy why, String error) {
    counters.dropped++;
    if (tracer.enabled()) {
      tracer.emit(new DnsEvent.Dropped(client.toString(), clientPort, tcp ? DnsEvent.Transport.TCP
          : DnsEvent.Transport.UDP, length, why, error));
    }
  }

  /** Sends a role's answer: whole over TCP, within the client's size over UDP (TC when cut). */
  void send(ServerQuery q) {
    Message resp = q.response;
    boolean tcp = q.responder.tcp();
    byte[] wire = resp.toWire(tcp ? Message.MAXLENGTH : q.udpLimit);
    boolean truncated = (wire[2] & 0x02) != 0;
    counters.answered(resp.getRcode());
    if (truncated && !tcp) {
      counters.truncated++;
      if (tracer.enabled()) {
        tracer.emit(new DnsEvent.ServedTruncated(q.client(), q.port(), q.id(), q.qname(), q.qtype(),
            resp.toWire().length, q.udpLimit));
      }
    }
    q.responder.send(wire);
  }
}
