package emu.node.dns;

import emu.link.time.TimeSource;
import emu.node.event.DnsEvent;
import emu.node.ipv6.Icmpv6Listener;
import emu.node.ipv6.Ipv6Layer;
import emu.node.ipv6.Udp6Listener;
import emu.node.stack.IcmpListener;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.stack.SendResult;
import emu.node.stack.UdpListener;
import emu.node.tcp.TcpError;
import emu.node.tcp.TcpLayer;
import emu.node.trace.Tracer;
import emu.node.wire.IcmpPacket;
import emu.node.wire.Icmpv6Packet;
import emu.node.wire.IpAddress;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Packet;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Extensions;
import emu.node.wire.Ipv6Packet;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * Asks DNS servers one question across the emulated network, over the stack's own UDP of
 * either family (and TCP when the UDP answer is truncated), on the stack's clock. The client
 * side of both the stub resolver and the forwarder.
 *
 * <p>RFC 5452 defences: every exchange gets a random 16-bit ID and its own random ephemeral
 * source port per family (both from the stack's {@link NetworkStack#secrets()}: a CSPRNG unless
 * the lab is seeded); a reply is accepted only if it comes from the address of a server asked
 * and port 53 to that port, carries that ID, is a response, and repeats the question (name,
 * type, class). Anything else is ignored, counted as spoofed, and the exchange keeps waiting
 * for the real answer.
 *
 * <p>Several servers are asked as glibc's resolver asks resolv.conf's (res_send): in rounds
 * ({@value #ATTEMPTS} by default), each round the servers in order, one datagram each, the
 * same ID and port every time, waiting {@code timeout << i} (divided by the number of servers
 * for all but the first; at least 1 s) for the server at index {@code i}: 5 s for a lone
 * server, every round. A server that cannot be asked (ICMP port or destination unreachable,
 * the query cannot be sent, a failed TCP query) or that answers SERVFAIL, NOTIMP or REFUSED is
 * skipped from then on and the next one asked at once; when none is left, the exchange ends
 * with that failure (or with that answer). A client can be given waits per round instead
 * (the forwarder's 1, 2, 4 s).
 */
public final class DnsClient {
  public static final int PORT = 53;
  /** glibc's RES_TIMEOUT (resolv.conf's {@code timeout:5}), seconds. */
  public static final int RETRANS_SECONDS = 5;
  /** glibc's RES_DFLRETRY (resolv.conf's {@code attempts:2}): rounds over the servers. */
  public static final int ATTEMPTS = 2;
  /** How long a query over TCP may take, connection included. */
  public static final long TCP_TIMEOUT_NANOS = 5_000_000_000L;

  private final NetworkStack stack;
  /** The node's IPv6, or null: then an IPv6 server cannot be asked. */
  private final Ipv6Layer ipv6;
  private final TcpLayer tcp;
  private final Tracer tracer;
  private final TimeSource time;
  private final ResolverCounters counters;
  /** The wait per round for every server; null for glibc's waits. */
  private final long[] roundWaits;

  /** A client that waits as glibc's resolver does ({@link #waitNanos(int, int, int)}). */
  public DnsClient(NetworkStack stack, Ipv6Layer ipv6, TcpLayer tcp, Tracer tracer, ResolverCounters counters) {
    this(stack, ipv6, tcp, tracer, counters, null);
  }

  /**
   * @param timeoutsNanos the wait after each round's datagram to a server (its length is the
   *     number of rounds); null for glibc's waits
   */
  public DnsClient(NetworkStack stack, Ipv6Layer ipv6, TcpLayer tcp, Tracer tracer, ResolverCounters counters,
                   long[] timeoutsNanos) {
    if (timeoutsNanos != null && timeoutsNanos.length == 0) {
      throw new IllegalArgumentException("at least one try");
    }
    this.stack = stack;
    this.ipv6 = ipv6;
    this.tcp = tcp;
    this.tracer = tracer;
    this.time = stack.time();
    this.counters = counters;
    this.roundWaits = timeoutsNanos == null ? null : timeoutsNanos.clone();
  }

  private int rounds() {
    return roundWaits == null ? ATTEMPTS : roundWaits.length;
  }

  /**
   * How long to wait for server {@code index} of {@code count} in {@code round}: the round's
   * wait if this client was given them, else glibc's (send_dg: {@code retrans << ns}, divided
   * by the number of servers when {@code ns > 0}, at least 1 s, in whole seconds).
   */
  long waitNanos(int round, int index, int count) {
    if (roundWaits != null) {
      return roundWaits[round];
    }
    long seconds = (long) RETRANS_SECONDS << Math.min(index, 30);
    if (index > 0) {
      seconds /= count;
    }
    return Math.max(1, seconds) * 1_000_000_000L;
  }

  /** {@link #query(List, Message, boolean, Consumer)} to one IPv4 server. */
  public void query(int server, Message query, boolean tcp, Consumer<DnsReply> done) {
    query(List.of(Nameserver.of(server)), query, tcp, done);
  }

  /**
   * Sends {@code query} (one question; its ID is replaced by a random one) to {@code servers}
   * (in order, failing over as the class says) on port 53, over UDP unless {@code tcp} (then one
   * TCP query per server), and calls {@code done} exactly once, always from a later task than
   * this call.
   */
  public void query(List<Nameserver> servers, Message query, boolean tcp, Consumer<DnsReply> done) {
    Objects.requireNonNull(done, "done");
    if (query.getQuestion() == null) {
      throw new IllegalArgumentException("a query needs a question");
    }
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("no server to ask");
    }
    Exchange ex = new Exchange(List.copyOf(servers), query, tcp, done);
    time.schedule(ex::start, 0);
  }

  /** One question to a list of servers, from the first datagram to the accepted answer or the failure. */
  final class Exchange implements UdpListener, IcmpListener, Udp6Listener, Icmpv6Listener {
    final Record question;
    final int id;
    private final List<Nameserver> servers;
    /** Servers skipped from now on: they could not be asked, or answered with an error. */
    private final boolean[] dead;
    /** Servers a datagram went to: a reply may come from any of them. */
    private final boolean[] asked;
    private final boolean tcpOnly;
    private final Message query;
    private final Consumer<DnsReply> done;
    private final long startedAt = time.nanos();
    private final List<String> notes = new ArrayList<>();
    private byte[] wire;
    private int round;
    /** The server asked now. */
    private int index;
    private int port4 = -1;
    private int port6 = -1;
    private int tries;
    private boolean truncatedOverUdp;
    private boolean finished;
    private TimeSource.Timer timer;
    /** The TCP query under way, or null. */
    private DnsTcpQuery tcpQuery;
    /** The last answer with SERVFAIL, NOTIMP or REFUSED, given when no server does better. */
    private Message lastError;
    private int lastErrorFrom;
    /** For events: the question as values, made when the first event needs them. */
    private String qname;
    private String qtype;

    Exchange(List<Nameserver> servers, Message query, boolean tcpOnly, Consumer<DnsReply> done) {
      this.servers = servers;
      this.dead = new boolean[servers.size()];
      this.asked = new boolean[servers.size()];
      this.tcpOnly = tcpOnly;
      this.query = query;
      this.question = query.getQuestion();
      this.id = stack.secrets().nextInt(0x10000);
      this.done = done;
      query.getHeader().setID(id);
      this.wire = query.toWire();
      counters.queries++;
    }

    void start() {
      if (tcpOnly) {
        startTcp();
      } else {
        sendUdp();
      }
    }

    /** The server asked now. */
    Nameserver server() {
      return servers.get(index);
    }

    /** The interface of the server asked now, for a link-local one; else null. */
    Nic zone() {
      String z = server().zone();
      return z == null ? null : stack.nic(z);
    }

    // ---- UDP --------------------------------------------------------------------------------

    private void sendUdp() {
      Nameserver s = server();
      boolean v6 = s.isV6();
      if (v6 && ipv6 == null) {
        sendFailed("Address family not supported by protocol");
        return;
      }
      int port = v6 ? port6 : port4;
      if (port < 0) {
        port = v6 ? ipv6.udp().bind(0, (Udp6Listener) this) : stack.udp().bind(0, (UdpListener) this);
        if (port < 0) {
          finish(null, DnsReply.Failure.NETWORK, "no free UDP port", false);
          return;
        }
        if (v6) {
          port6 = port;
          ipv6.addIcmpListener(this);
        } else {
          port4 = port;
          stack.icmp().addListener(this);
        }
      }
      tries++;
      counters.udpSent++;
      if (tracer.enabled()) {
        tracer.emit(new DnsEvent.QuerySent(id, s.toString(), qname(), qtype(), DnsEvent.Transport.UDP, port, tries,
            rounds() * servers.size()));
      }
      ByteBuf b = stack.allocate(wire.length);
      b.writeBytes(wire);
      SendResult r = v6 ? ipv6.udp().send(null, port, s.address().v6(), zone(), PORT, ipv6.hopLimit(), b)
          : stack.udp().send(0, port, s.address().v4(), PORT, 64, b);
      if (r != SendResult.SENT) {
        sendFailed(r.message());
        return;
      }
      asked[index] = true;
      timer = time.schedule(this::onTimeout, waitNanos(round, index, servers.size()));
    }

    /** The datagram to the server asked now could not be sent ({@code detail}: the stack's words). */
    private void sendFailed(String detail) {
      notes.add("communications error to " + server() + "#53: " + detail);
      if (!failOver(DnsEvent.NextWhy.SEND_FAILED, null, null, null, detail)) {
        end(DnsReply.Failure.NETWORK, detail, false);
      }
    }

    private void onTimeout() {
      if (finished || tcpQuery != null) {
        return;
      }
      timer = null;
      long waited = waitNanos(round, index, servers.size());
      notes.add("communications error to " + server() + "#53: timed out");
      int from = index;
      if (!advance()) {
        if (lastError != null) {
          end(DnsReply.Failure.TIMEOUT, "timed out", false);
          return;
        }
        counters.timeouts++;
        if (tracer.enabled()) {
          tracer.emit(new DnsEvent.TimedOut(id, server().toString(), qname(), qtype(), tries,
              time.nanos() - startedAt));
        }
        finish(null, DnsReply.Failure.TIMEOUT, "timed out", false);
        return;
      }
      counters.retries++;
      long next = waitNanos(round, index, servers.size());
      if (tracer.enabled()) {
        tracer.emit(index == from
            ? new DnsEvent.Retried(id, server().toString(), qname(), qtype(), tries + 1, waited, next)
            : new DnsEvent.NextServer(id, servers.get(from).toString(), qname(), qtype(), DnsEvent.NextWhy.TIMEOUT,
                waited, null, null, null, null, server().toString(), next));
      }
      sendUdp();
    }

    /** Moves to the next server still worth asking, in this round or a later one; false if none is left. */
    private boolean advance() {
      int n = servers.size();
      int r = round;
      int i = index;
      while (true) {
        i++;
        if (i == n) {
          i = 0;
          r++;
        }
        if (r >= (tcpOnly ? 1 : rounds())) {
          return false;
        }
        if (!dead[i]) {
          round = r;
          index = i;
          return true;
        }
      }
    }

    @Override
    public void onDatagram(int srcIp, int srcPort, int dstIp, int dstPort, ByteBuf payload) {
      onReply(IpAddress.of(srcIp), srcPort, payload);
    }

    @Override
    public void onDatagram(Ipv6Address src, int srcPort, Ipv6Address dst, int dstPort, ByteBuf payload) {
      onReply(IpAddress.of(src), srcPort, payload);
    }

    private void onReply(IpAddress src, int srcPort, ByteBuf payload) {
      if (finished || tcpQuery != null) {
        return; // a late datagram while the question goes over TCP: that answer will do
      }
      byte[] bytes = new byte[payload.readableBytes()];
      payload.getBytes(payload.readerIndex(), bytes);
      int gotId = bytes.length >= 2 ? ((bytes[0] & 0xFF) << 8) | (bytes[1] & 0xFF) : -1;
      int from = askedServer(src);
      if (from < 0) {
        spoofed(src, srcPort, gotId, DnsEvent.Rfc5452Check.SOURCE_ADDRESS, null, false);
        return;
      }
      if (srcPort != PORT) {
        spoofed(src, srcPort, gotId, DnsEvent.Rfc5452Check.SOURCE_PORT, null, false);
        return;
      }
      Message m = parse(bytes, src, srcPort);
      if (m == null) {
        return;
      }
      DnsEvent.Rfc5452Check mismatch = mismatch(m);
      if (mismatch != null) {
        spoofed(src, srcPort, gotId, mismatch, m, false);
        return;
      }
      if (m.getHeader().getFlag(Flags.TC)) {
        counters.truncated++;
        truncatedOverUdp = true;
        cancelTimer();
        index = from;
        if (tracer.enabled()) {
          tracer.emit(new DnsEvent.Truncated(id, server().toString(), qname(), qtype(), bytes.length));
        }
        startTcp();
        return;
      }
      if (isError(m) && from != index) {
        dead[from] = true; // a late error from a server asked before: keep waiting for the one asked now
        lastError = m;
        lastErrorFrom = from;
        return;
      }
      if (isError(m)) {
        lastError = m;
        lastErrorFrom = from;
        cancelTimer();
        if (failOver(DnsEvent.NextWhy.ERROR_RCODE, null, null, Rcode.string(m.getRcode()), null)) {
          return;
        }
      }
      accept(m, from, false);
    }

    /** The index of the asked server at {@code a}, or -1. */
    private int askedServer(IpAddress a) {
      for (int i = 0; i < servers.size(); i++) {
        if (asked[i] && servers.get(i).address().equals(a)) {
          return i;
        }
      }
      return -1;
    }

    /** SERVFAIL, NOTIMP or REFUSED: glibc's resolver asks the next server after these. */
    private static boolean isError(Message m) {
      int rc = m.getRcode();
      return rc == Rcode.SERVFAIL || rc == Rcode.NOTIMP || rc == Rcode.REFUSED;
    }

    /** ICMP destination unreachable quoting our datagram to a server. */
    @Override
    public void onIcmp(Ipv4Packet ip, IcmpPacket icmp) {
      if (finished || port4 < 0 || icmp.type() != IcmpPacket.TYPE_DEST_UNREACHABLE
          || icmp.dataLength() < Ipv4Packet.MIN_HEADER_LEN + 8) {
        return;
      }
      ByteBuf b = ip.buffer();
      Ipv4Packet q = new Ipv4Packet().wrap(b, icmp.dataIndex());
      int qhl = q.headerLength();
      if (qhl < Ipv4Packet.MIN_HEADER_LEN || icmp.dataLength() < qhl + 8 || q.protocol() != Ipv4Packet.PROTO_UDP) {
        return;
      }
      int at = icmp.dataIndex() + qhl;
      if (b.getUnsignedShort(at) != port4 || b.getUnsignedShort(at + 2) != PORT) {
        return;
      }
      int code = icmp.code();
      // The reply's detail, for the caller: resolve prints it after "communications error".
      String detail = switch (code) {
        case IcmpPacket.CODE_PORT_UNREACHABLE -> "connection refused";
        case IcmpPacket.CODE_NET_UNREACHABLE -> "network unreachable";
        case IcmpPacket.CODE_HOST_UNREACHABLE -> "host unreachable";
        default -> "destination unreachable (ICMP code " + code + ")";
      };
      unreachable(IpAddress.of(q.dst()), Ipv4Address.format(ip.src()), code,
          code == IcmpPacket.CODE_PORT_UNREACHABLE, detail);
    }

    /** ICMPv6 destination unreachable quoting our datagram to a server. */
    @Override
    public void onIcmpv6(Ipv6Packet ip, Icmpv6Packet icmp) {
      if (finished || port6 < 0 || icmp.type() != Icmpv6Packet.TYPE_DEST_UNREACHABLE
          || icmp.dataLength() < Ipv6Packet.HEADER_LEN + 8) {
        return;
      }
      ByteBuf b = ip.buffer();
      int q = icmp.dataIndex();
      if (b.getUnsignedByte(q + Ipv6Packet.NEXT_HEADER) != Ipv6Extensions.UDP) {
        return; // we send no extension headers: anything else is not about our datagram
      }
      int at = q + Ipv6Packet.HEADER_LEN;
      if (b.getUnsignedShort(at) != port6 || b.getUnsignedShort(at + 2) != PORT) {
        return;
      }
      int code = icmp.code();
      // As Linux's icmpv6_err_convert turns them into a socket's errors.
      String detail = switch (code) {
        case Icmpv6Packet.CODE_PORT_UNREACHABLE -> "connection refused";
        case Icmpv6Packet.CODE_NO_ROUTE -> "network unreachable";
        case Icmpv6Packet.CODE_ADDRESS_UNREACHABLE -> "host unreachable";
        case Icmpv6Packet.CODE_ADMIN_PROHIBITED -> "permission denied";
        default -> "destination unreachable (ICMPv6 code " + code + ")";
      };
      unreachable(IpAddress.of(Ipv6Address.read(b, q + Ipv6Packet.DST)), ip.src().toString(), code,
          code == Icmpv6Packet.CODE_PORT_UNREACHABLE, detail);
    }

    /** {@code reporter} says our datagram to {@code dst} cannot be delivered ({@code refused}: no one listens). */
    private void unreachable(IpAddress dst, String reporter, int code, boolean refused, String detail) {
      int k = askedServer(dst);
      if (k < 0 || tcpQuery != null) {
        return;
      }
      if (k != index) {
        dead[k] = true; // about a server asked before: the one asked now may still answer
        return;
      }
      notes.add("communications error to " + server() + "#53: " + detail);
      cancelTimer();
      if (failOver(refused ? DnsEvent.NextWhy.REFUSED : DnsEvent.NextWhy.UNREACHABLE, reporter,
          refused ? null : code, null, null)) {
        return;
      }
      if (lastError == null) {
        if (refused) {
          counters.refused++;
        }
        if (tracer.enabled()) {
          tracer.emit(refused ? new DnsEvent.Refused(id, server().toString(), qname(), qtype(), reporter)
              : new DnsEvent.Unreachable(id, server().toString(), qname(), qtype(), reporter, code));
        }
      }
      end(refused ? DnsReply.Failure.REFUSED : DnsReply.Failure.NETWORK, detail, false);
    }

    /**
     * The server asked now gave no usable answer ({@code why}, with its detail): skips it from
     * now on and, if a server is left to ask, narrates the move, asks it and returns true; false
     * (nothing done beyond the skip) if none is left.
     */
    private boolean failOver(DnsEvent.NextWhy why, String reporter, Integer icmpCode, String rcode, String error) {
      int from = index;
      dead[from] = true;
      if (!advance()) {
        return false;
      }
      counters.failovers++;
      if (why == DnsEvent.NextWhy.ERROR_RCODE) {
        notes.add("Got " + rcode + " reply from " + servers.get(from) + "#53, trying next server");
      }
      if (tracer.enabled()) {
        tracer.emit(new DnsEvent.NextServer(id, servers.get(from).toString(), qname(), qtype(), why, null, reporter,
            icmpCode, rcode, error, server().toString(), tcpOnly ? TCP_TIMEOUT_NANOS
            : waitNanos(round, index, servers.size())));
      }
      start();
      return true;
    }

    /** Ends without an answer: with the last error answer if a server gave one, else with {@code failure}. */
    private void end(DnsReply.Failure failure, String detail, boolean tcp) {
      if (lastError != null) {
        accept(lastError, lastErrorFrom, false); // an unhelpful answer still says more than none
      } else {
        finish(null, failure, detail, tcp);
      }
    }

    private void cancelTimer() {
      if (timer != null) {
        timer.cancel();
        timer = null;
      }
    }

    // ---- TCP --------------------------------------------------------------------------------

    private void startTcp() {
      counters.tcpQueries++;
      tcpQuery = new DnsTcpQuery(this, tcp, time, wire, TCP_TIMEOUT_NANOS);
      tcpQuery.start();
    }

    /** A whole message over TCP from {@code q}; returns whether it ends the query (else keep reading). */
    boolean onTcpMessage(DnsTcpQuery q, byte[] bytes) {
      if (finished || q != tcpQuery) {
        return true;
      }
      IpAddress src = server().address();
      Message m = parse(bytes, src, PORT);
      if (m == null) {
        return false;
      }
      DnsEvent.Rfc5452Check mismatch = mismatch(m);
      if (mismatch != null) {
        spoofed(src, PORT, m.getHeader().getID(), mismatch, m, true);
        return false;
      }
      tcpQuery = null;
      if (isError(m)) {
        lastError = m;
        lastErrorFrom = index;
        if (failOver(DnsEvent.NextWhy.ERROR_RCODE, null, null, Rcode.string(m.getRcode()), null)) {
          return true;
        }
      }
      accept(m, index, true);
      return true;
    }

    /**
     * The query over TCP by {@code q} failed: {@code failure} and {@code detail} for the caller
     * (as a socket reports it), {@code why} and {@code tcpError} for the trace.
     */
    void onTcpFailure(DnsTcpQuery q, DnsReply.Failure failure, String detail, DnsEvent.TcpFailure why,
                      TcpError tcpError) {
      if (finished || q != tcpQuery) {
        return;
      }
      tcpQuery = null;
      notes.add("communications error to " + server() + "#53: " + detail);
      if (failOver(DnsEvent.NextWhy.TCP_FAILED, null, null, null, detail)) {
        return;
      }
      if (failure == DnsReply.Failure.TIMEOUT) {
        counters.timeouts++;
      } else if (failure == DnsReply.Failure.REFUSED) {
        counters.refused++;
      }
      if (tracer.enabled()) {
        tracer.emit(new DnsEvent.TcpFailed(id, server().toString(), qname(), qtype(), why, tcpError,
            why == DnsEvent.TcpFailure.CONNECT_FAILED ? detail : null));
      }
      end(failure, detail, true);
    }

    void traceTcpSend(int localPort) {
      if (tracer.enabled()) {
        tracer.emit(new DnsEvent.QuerySent(id, server().toString(), qname(), qtype(), DnsEvent.Transport.TCP,
            localPort, 1, 1));
      }
    }

    // ---- common -----------------------------------------------------------------------------

    private Message parse(byte[] bytes, IpAddress src, int srcPort) {
      try {
        return new Message(bytes);
      } catch (IOException | RuntimeException e) {
        counters.malformed++;
        if (tracer.enabled()) {
          tracer.emit(new DnsEvent.Malformed(id, server().toString(), qname(), qtype(), src.toString(), srcPort,
              bytes.length, e.getMessage()));
        }
        return null;
      }
    }

    /** The RFC 5452 (9.1) check {@code m} fails as the answer to this exchange's query, or null if it passes them all. */
    private DnsEvent.Rfc5452Check mismatch(Message m) {
      if (m.getHeader().getID() != id) {
        return DnsEvent.Rfc5452Check.ID;
      }
      if (!m.getHeader().getFlag(Flags.QR)) {
        return DnsEvent.Rfc5452Check.RESPONSE;
      }
      Record q = m.getQuestion();
      if (q == null || m.getHeader().getCount(Section.QUESTION) != 1 || !q.getName().equals(question.getName())
          || q.getType() != question.getType() || q.getDClass() != question.getDClass()) {
        return DnsEvent.Rfc5452Check.QUESTION;
      }
      return null;
    }

    /** A reply that failed check {@code failed} ({@code m}: the parsed reply, null if not parsed). */
    private void spoofed(IpAddress src, int srcPort, int gotId, DnsEvent.Rfc5452Check failed, Message m, boolean tcp) {
      counters.spoofed++;
      if (tracer.enabled()) {
        Record q = failed == DnsEvent.Rfc5452Check.QUESTION ? m.getQuestion() : null;
        tracer.emit(new DnsEvent.Spoofed(id, server().toString(), qname(), qtype(), tcp ? DnsEvent.Transport.TCP
            : DnsEvent.Transport.UDP, src.toString(), srcPort, gotId >= 0 ? gotId : null, failed,
            q == null ? null : DnsFacts.name(q.getName()), q == null ? null : DnsFacts.type(q.getType()),
            q == null ? null : DClass.string(q.getDClass())));
      }
    }

    /** The answer {@code m} from server {@code from}, taken. */
    private void accept(Message m, int from, boolean tcp) {
      index = from;
      counters.answered(m.getRcode());
      if (tracer.enabled()) {
        tracer.emit(new DnsEvent.Answered(id, server().toString(), qname(), qtype(), tcp ? DnsEvent.Transport.TCP
            : DnsEvent.Transport.UDP, DnsFacts.response(m)));
      }
      finish(m, null, null, tcp);
    }

    private void finish(Message m, DnsReply.Failure failure, String detail, boolean tcp) {
      if (finished) {
        return;
      }
      finished = true;
      cancelTimer();
      if (port4 >= 0) {
        stack.udp().unbind(port4);
        stack.icmp().removeListener(this);
        port4 = -1;
      }
      if (port6 >= 0) {
        ipv6.udp().unbind(port6);
        ipv6.removeIcmpListener(this);
        port6 = -1;
      }
      wire = null;
      done.accept(new DnsReply(m, failure, detail, server(), tcp, truncatedOverUdp, tries, time.nanos() - startedAt,
          List.copyOf(notes)));
    }

    private String qname() {
      if (qname == null) {
        qname = DnsFacts.name(question.getName());
      }
      return qname;
    }

    private String qtype() {
      if (qtype == null) {
        qtype = DnsFacts.type(question.getType());
      }
      return qtype;
    }
  }
}
