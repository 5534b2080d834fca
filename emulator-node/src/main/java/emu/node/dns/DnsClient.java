package emu.node.dns;

import emu.link.time.TimeSource;
import emu.node.stack.IcmpListener;
import emu.node.stack.NetworkStack;
import emu.node.trace.Tracer;
import emu.node.stack.SendResult;
import emu.node.stack.UdpListener;
import emu.node.tcp.TcpLayer;
import emu.node.event.DnsEvent;
import emu.node.tcp.TcpError;
import emu.node.wire.IcmpPacket;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.Objects;
import java.util.function.Consumer;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * Asks a DNS server one question across the emulated network, over the stack's own UDP (and
 * TCP when the UDP answer is truncated), on the stack's clock. The client side of both the
 * stub resolver and the forwarder.
 *
 * <p>RFC 5452 defences: every exchange gets a random 16-bit ID and its own random ephemeral
 * source port (both from the stack's seeded random); a reply is accepted only if it comes from
 * the server's address and port 53 to that port, carries that ID, is a response, and repeats
 * the question (name, type, class). Anything else is ignored, counted as spoofed, and the
 * exchange keeps waiting for the real answer.
 *
 * <p>Retries: a datagram per try, the same ID and port each time (as glibc's resolver), with
 * per-try timeouts that double (1 s, 2 s, 4 s by default). ICMP port unreachable from the
 * server ends the exchange at once as "connection refused", as it does for a Linux socket.
 */
public final class DnsClient {
  public static final int PORT = 53;
  /**
   * Per-try timeouts by default, as glibc's resolver with resolv.conf's defaults (timeout:5,
   * attempts:2, one server): 5 s, then 10 s (it doubles the wait per try).
   */
  public static final long[] DEFAULT_TIMEOUTS_NANOS = {5_000_000_000L, 10_000_000_000L};
  /** How long a query over TCP may take, connection included. */
  public static final long TCP_TIMEOUT_NANOS = 5_000_000_000L;

  private final NetworkStack stack;
  private final TcpLayer tcp;
  private final Tracer tracer;
  private final TimeSource time;
  private final ResolverCounters counters;
  private final long[] timeouts;

  public DnsClient(NetworkStack stack, TcpLayer tcp, Tracer tracer, ResolverCounters counters) {
    this(stack, tcp, tracer, counters, DEFAULT_TIMEOUTS_NANOS);
  }

  /** @param timeoutsNanos the wait after each UDP try; its length is the number of tries */
  public DnsClient(NetworkStack stack, TcpLayer tcp, Tracer tracer, ResolverCounters counters,
                   long[] timeoutsNanos) {
    if (timeoutsNanos.length == 0) {
      throw new IllegalArgumentException("at least one try");
    }
    this.stack = stack;
    this.tcp = tcp;
    this.tracer = tracer;
    this.time = stack.time();
    this.counters = counters;
    this.timeouts = timeoutsNanos.clone();
  }

  /**
   * Sends {@code query} (one question; its ID is replaced by a random one) to {@code server}
   * port 53, over UDP unless {@code tcp}, and calls {@code done} exactly once, always from a
   * later task than this call.
   */
  public void query(int server, Message query, boolean tcp, Consumer<DnsReply> done) {
    Objects.requireNonNull(done, "done");
    if (query.getQuestion() == null) {
      throw new IllegalArgumentException("a query needs a question");
    }
    Exchange ex = new Exchange(server, query, done);
    time.schedule(tcp ? ex::startTcp : ex::startUdp, 0);
  }

  /** One question to one server, from the first datagram to the accepted answer or the failure. */
  final class Exchange implements UdpListener, IcmpListener {
    final int server;
    final Record question;
    final int id;
    private final Message query;
    private final Consumer<DnsReply> done;
    private final long startedAt = time.nanos();
    private byte[] wire;
    private int port = -1;
    private int tries;
    private boolean truncatedOverUdp;
    private boolean finished;
    private TimeSource.Timer timer;
    /** For events: the server and question as values, made when the first event needs them. */
    private String serverText;
    private String qname;
    private String qtype;

    Exchange(int server, Message query, Consumer<DnsReply> done) {
      this.server = server;
      this.query = query;
      this.question = query.getQuestion();
      this.id = stack.random().nextInt(0x10000);
      this.done = done;
      query.getHeader().setID(id);
      this.wire = query.toWire();
      counters.queries++;
    }

    // ---- UDP --------------------------------------------------------------------------------

    void startUdp() {
      port = stack.udp().bind(0, this);
      if (port < 0) {
        finish(null, DnsReply.Failure.NETWORK, "no free UDP port", false);
        return;
      }
      stack.icmp().addListener(this);
      sendUdp();
    }

    private void sendUdp() {
      tries++;
      counters.udpSent++;
      if (tracer.enabled()) {
        tracer.emit(new DnsEvent.QuerySent(id, server(), qname(), qtype(), DnsEvent.Transport.UDP, port, tries,
            timeouts.length));
      }
      ByteBuf b = stack.allocate(wire.length);
      b.writeBytes(wire);
      SendResult r = stack.udp().send(0, port, server, PORT, 64, b);
      if (r != SendResult.SENT) {
        finish(null, DnsReply.Failure.NETWORK, r.message(), false);
        return;
      }
      timer = time.schedule(this::onTimeout, timeouts[tries - 1]);
    }

    private void onTimeout() {
      if (finished) {
        return;
      }
      long waited = timeouts[tries - 1];
      if (tries < timeouts.length) {
        counters.retries++;
        if (tracer.enabled()) {
          tracer.emit(new DnsEvent.Retried(id, server(), qname(), qtype(), tries + 1, waited, timeouts[tries]));
        }
        sendUdp();
        return;
      }
      counters.timeouts++;
      if (tracer.enabled()) {
        tracer.emit(new DnsEvent.TimedOut(id, server(), qname(), qtype(), tries, time.nanos() - startedAt));
      }
      finish(null, DnsReply.Failure.TIMEOUT, "timed out", false);
    }

    @Override
    public void onDatagram(int srcIp, int srcPort, int dstIp, int dstPort, ByteBuf payload) {
      if (finished) {
        return;
      }
      byte[] bytes = new byte[payload.readableBytes()];
      payload.getBytes(payload.readerIndex(), bytes);
      int gotId = bytes.length >= 2 ? ((bytes[0] & 0xFF) << 8) | (bytes[1] & 0xFF) : -1;
      if (srcIp != server) {
        spoofed(srcIp, srcPort, gotId, DnsEvent.Rfc5452Check.SOURCE_ADDRESS, null, false);
        return;
      }
      if (srcPort != PORT) {
        spoofed(srcIp, srcPort, gotId, DnsEvent.Rfc5452Check.SOURCE_PORT, null, false);
        return;
      }
      Message m = parse(bytes, srcIp, srcPort);
      if (m == null) {
        return;
      }
      DnsEvent.Rfc5452Check mismatch = mismatch(m);
      if (mismatch != null) {
        spoofed(srcIp, srcPort, gotId, mismatch, m, false);
        return;
      }
      if (m.getHeader().getFlag(Flags.TC)) {
        counters.truncated++;
        truncatedOverUdp = true;
        if (tracer.enabled()) {
          tracer.emit(new DnsEvent.Truncated(id, server(), qname(), qtype(), bytes.length));
        }
        stopUdp();
        startTcp();
        return;
      }
      accept(m, false);
    }

    /** ICMP port unreachable quoting our datagram to the server: nothing listens on port 53. */
    @Override
    public void onIcmp(Ipv4Packet ip, IcmpPacket icmp) {
      if (finished || icmp.type() != IcmpPacket.TYPE_DEST_UNREACHABLE
          || icmp.dataLength() < Ipv4Packet.MIN_HEADER_LEN + 8) {
        return;
      }
      ByteBuf b = ip.buffer();
      Ipv4Packet q = new Ipv4Packet().wrap(b, icmp.dataIndex());
      int qhl = q.headerLength();
      if (qhl < Ipv4Packet.MIN_HEADER_LEN || icmp.dataLength() < qhl + 8 || q.protocol() != Ipv4Packet.PROTO_UDP
          || q.dst() != server) {
        return;
      }
      int at = icmp.dataIndex() + qhl;
      if (b.getUnsignedShort(at) != port || b.getUnsignedShort(at + 2) != PORT) {
        return;
      }
      boolean refused = icmp.code() == IcmpPacket.CODE_PORT_UNREACHABLE;
      // The reply's detail, for the caller: resolve prints it after "communications error".
      String detail = switch (icmp.code()) {
        case IcmpPacket.CODE_PORT_UNREACHABLE -> "connection refused";
        case IcmpPacket.CODE_NET_UNREACHABLE -> "network unreachable";
        case IcmpPacket.CODE_HOST_UNREACHABLE -> "host unreachable";
        default -> "destination unreachable (ICMP code " + icmp.code() + ")";
      };
      if (refused) {
        counters.refused++;
      }
      if (tracer.enabled()) {
        String reporter = Ipv4Address.format(ip.src());
        tracer.emit(refused ? new DnsEvent.Refused(id, server(), qname(), qtype(), reporter)
            : new DnsEvent.Unreachable(id, server(), qname(), qtype(), reporter, icmp.code()));
      }
      finish(null, refused ? DnsReply.Failure.REFUSED : DnsReply.Failure.NETWORK, detail, false);
    }

    private void stopUdp() {
      if (timer != null) {
        timer.cancel();
        timer = null;
      }
      if (port >= 0) {
        stack.udp().unbind(port);
        stack.icmp().removeListener(this);
        port = -1;
      }
    }

    // ---- TCP --------------------------------------------------------------------------------

    void startTcp() {
      counters.tcpQueries++;
      new DnsTcpQuery(this, tcp, time, wire, TCP_TIMEOUT_NANOS).start();
    }

    /** A whole message over TCP; returns whether it was accepted (else keep reading). */
    boolean onTcpMessage(byte[] bytes) {
      if (finished) {
        return true;
      }
      Message m = parse(bytes, server, PORT);
      if (m == null) {
        return false;
      }
      DnsEvent.Rfc5452Check mismatch = mismatch(m);
      if (mismatch != null) {
        spoofed(server, PORT, m.getHeader().getID(), mismatch, m, true);
        return false;
      }
      accept(m, true);
      return true;
    }

    /**
     * The query over TCP failed: {@code failure} and {@code detail} for the caller (as a socket
     * reports it), {@code why} and {@code tcpError} for the trace.
     */
    void onTcpFailure(DnsReply.Failure failure, String detail, DnsEvent.TcpFailure why, TcpError tcpError) {
      if (finished) {
        return;
      }
      if (failure == DnsReply.Failure.TIMEOUT) {
        counters.timeouts++;
      } else if (failure == DnsReply.Failure.REFUSED) {
        counters.refused++;
      }
      if (tracer.enabled()) {
        tracer.emit(new DnsEvent.TcpFailed(id, server(), qname(), qtype(), why, tcpError,
            why == DnsEvent.TcpFailure.CONNECT_FAILED ? detail : null));
      }
      finish(null, failure, detail, true);
    }

    void traceTcpSend(int localPort) {
      if (tracer.enabled()) {
        tracer.emit(new DnsEvent.QuerySent(id, server(), qname(), qtype(), DnsEvent.Transport.TCP, localPort, 1, 1));
      }
    }

    // ---- common -----------------------------------------------------------------------------

    private Message parse(byte[] bytes, int srcIp, int srcPort) {
      try {
        return new Message(bytes);
      } catch (IOException | RuntimeException e) {
        counters.malformed++;
        if (tracer.enabled()) {
          tracer.emit(new DnsEvent.Malformed(id, server(), qname(), qtype(), Ipv4Address.format(srcIp), srcPort,
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
    private void spoofed(int srcIp, int srcPort, int gotId, DnsEvent.Rfc5452Check failed, Message m, boolean tcp) {
      counters.spoofed++;
      if (tracer.enabled()) {
        Record q = failed == DnsEvent.Rfc5452Check.QUESTION ? m.getQuestion() : null;
        tracer.emit(new DnsEvent.Spoofed(id, server(), qname(), qtype(), tcp ? DnsEvent.Transport.TCP
            : DnsEvent.Transport.UDP, Ipv4Address.format(srcIp), srcPort, gotId >= 0 ? gotId : null, failed,
            q == null ? null : DnsFacts.name(q.getName()), q == null ? null : DnsFacts.type(q.getType()),
            q == null ? null : DClass.string(q.getDClass())));
      }
    }

    private void accept(Message m, boolean tcp) {
      counters.answered(m.getRcode());
      if (tracer.enabled()) {
        tracer.emit(new DnsEvent.Answered(id, server(), qname(), qtype(), tcp ? DnsEvent.Transport.TCP
            : DnsEvent.Transport.UDP, DnsFacts.response(m)));
      }
      finish(m, null, null, tcp);
    }

    private void finish(Message m, DnsReply.Failure failure, String detail, boolean tcp) {
      if (finished) {
        return;
      }
      finished = true;
      stopUdp();
      wire = null;
      done.accept(new DnsReply(m, failure, detail, server, tcp, truncatedOverUdp, tries, time.nanos() - startedAt));
    }

    private String server() {
      if (serverText == null) {
        serverText = Ipv4Address.format(server);
      }
      return serverText;
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
