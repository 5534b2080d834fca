package emu.node.apps.load;

import static emu.node.apps.load.Iperf3Text.SEPARATOR;
import static emu.node.apps.load.Iperf3Text.bitrate;
import static emu.node.apps.load.Iperf3Text.bytes;
import static emu.node.apps.load.Iperf3Text.span;
import static emu.node.apps.load.Iperf3Text.tag;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import emu.link.time.TimeSource;
import emu.node.apps.service.Iperf3Protocol;
import emu.node.apps.service.Iperf3Stream;
import emu.node.apps.service.Iperf3TcpStream;
import emu.node.apps.service.Iperf3UdpStream;
import emu.node.channel.EmuTransport;
import emu.node.shell.CommandIo;
import emu.node.stack.NetworkStack;
import emu.node.stack.SendResult;
import emu.node.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One run of {@code iperf3 -c}: the control connection (cookie, parameters, test states, results
 * exchange) and its data streams, each wait bounded by {@code --rcv-timeout}. Split from
 * {@link Iperf3}, which parses the command line and starts the server.
 */
final class Iperf3Client extends ChannelInboundHandlerAdapter {
  private enum Phase { CONNECTING, STATES, ERRNO, RESULTS, DONE }

  private final EmuTransport transport;
  private final NetworkStack stack;
  private final TimeSource time;
  private final Iperf3.Options o;
  private final IpAddress ip;
  private final CommandIo io;
  private final byte[] cookie;
  private final List<Iperf3Stream> streams = new ArrayList<>();
  private final Iperf3Stream.Budget budget;
  private final ObjectNode start = Iperf3Protocol.object();
  private final ArrayNode intervals = Iperf3Protocol.array();
  private final ArrayNode connected;
  private Iperf3Protocol.Reader reader;
  private Phase phase = Phase.CONNECTING;
  private Channel ch;
  private ByteBuf block;
  private TimeSource.Timer answerTimer;
  private TimeSource.Timer endTimer;
  private TimeSource.Timer reportTimer;
  private TimeSource.Timer helloTimer;
  /** A UDP stream whose port is bound but whose hello the server has not answered yet: closed by finish(). */
  private Iperf3UdpStream pendingUdp;
  private String awaiting = "the connection";
  private long startNanos;
  private double lastReport;
  private long[] lastBytes;
  private long[] lastPackets;
  private long[] lastLost;
  private long[] lastRetr;
  private JsonNode peer;
  private boolean ending;
  private boolean done;

  Iperf3Client(EmuTransport transport, Iperf3.Options o, IpAddress ip, CommandIo io) {
    this.transport = transport;
    this.stack = transport.stack();
    this.time = transport.time();
    this.cookie = Iperf3Protocol.cookie(stack.random());
    this.o = o;
    this.ip = ip;
    this.io = io;
    this.budget = new Iperf3Stream.Budget(o.reverse() ? 0 : o.bytes());
    this.connected = start.putArray("connected");
  }

  void start() {
    io.onCancel(() -> {
      if (ch != null && ch.isActive()) {
        ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {Iperf3Protocol.CLIENT_TERMINATE}));
      }
      fail("interrupt - the client has terminated");
    });
    if (o.udp() && !ip.isV4()) {
      fail("UDP over IPv6 is not supported by emu's iperf3 (TCP is)");
      return;
    }
    start.put("version", "iperf 3.12 (emu)");
    start.put("system_info", "emu node");
    long epoch = time.epochNanos();
    ObjectNode ts = start.putObject("timestamp");
    ts.put("time", DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochSecond(epoch / 1_000_000_000L)
        .atOffset(ZoneOffset.UTC)).replace("+0000", "GMT"));
    ts.put("timesecs", epoch / 1_000_000_000L);
    ObjectNode to = start.putObject("connecting_to");
    to.put("host", o.host());
    to.put("port", o.port());
    start.put("cookie", Iperf3Protocol.cookieText(cookie));
    start.put("target_bitrate", o.rate());
    ObjectNode ts2 = start.putObject("test_start");
    ts2.put("protocol", o.udp() ? "UDP" : "TCP");
    ts2.put("num_streams", o.parallel());
    ts2.put("blksize", o.len());
    ts2.put("omit", 0);
    ts2.put("duration", o.seconds());
    ts2.put("bytes", o.bytes());
    ts2.put("blocks", 0);
    ts2.put("reverse", o.reverse() ? 1 : 0);
    ts2.put("tos", 0);
    ts2.put("target_bitrate", o.rate());
    say("Connecting to host " + o.host() + ", port " + o.port());
    if (o.reverse()) {
      say("Reverse mode, remote host " + o.host() + " is sending");
    }
    transport.tcpClient().option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) o.connectTimeoutMs()).handler(this)
        .connect(new InetSocketAddress(ip.toInet(), o.port())).addListener(f -> {
          if (!f.isSuccess()) {
            fail("unable to connect to server: " + f.cause().getMessage());
          }
        });
  }

  private void say(String line) {
    if (!o.json() && !done) {
      io.out(line);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ch = ctx.channel();
    reader = new Iperf3Protocol.Reader(ctx.alloc());
    ch.writeAndFlush(Unpooled.wrappedBuffer(cookie));
    phase = Phase.STATES;
    await("PARAM_EXCHANGE, the server's answer to the cookie");
  }

  /** Waits for the server's next message, at most --rcv-timeout. */
  private void await(String what) {
    awaiting = what;
    if (answerTimer != null) {
      answerTimer.cancel();
    }
    answerTimer = time.schedule(() -> fail(String.format(Locale.ROOT,
        "no answer from the server within %.1f s (waiting for %s); is %s an iperf3 server?",
        o.rcvTimeoutNanos() / 1e9, awaiting, ip.withPort(o.port()))), o.rcvTimeoutNanos());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (reader == null) {
      ((ByteBuf) msg).release();
      return;
    }
    reader.add((ByteBuf) msg);
    try {
      while (!done && reader.readable() > 0) {
        if (phase == Phase.ERRNO) {
          byte[] e = reader.bytes(8);
          if (e == null) {
            return;
          }
          int iErrno = ((e[0] & 0xff) << 24) | ((e[1] & 0xff) << 16) | ((e[2] & 0xff) << 8) | (e[3] & 0xff);
          int errno = ((e[4] & 0xff) << 24) | ((e[5] & 0xff) << 16) | ((e[6] & 0xff) << 8) | (e[7] & 0xff);
          fail("the server reported an error: " + serverError(iErrno)
              + (errno != 0 ? " (errno " + errno + ")" : ""));
          return;
        }
        if (phase == Phase.RESULTS) {
          JsonNode r = reader.json();
          if (r == null) {
            return;
          }
          peer = r;
          phase = Phase.STATES;
          await("DISPLAY_RESULTS");
          continue;
        }
        state(reader.state());
      }
    } catch (IllegalArgumentException e) {
      fail("the server sent " + e.getMessage());
    }
  }

  private void state(byte s) {
    switch (s) {
      case Iperf3Protocol.PARAM_EXCHANGE -> {
        ch.writeAndFlush(Iperf3Protocol.frame(ch.alloc(), parameters()));
        await("CREATE_STREAMS");
      }
      case Iperf3Protocol.CREATE_STREAMS -> {
        await("TEST_START, the server's word that the streams are in");
        nextStream();
      }
      case Iperf3Protocol.TEST_START -> await("TEST_RUNNING");
      case Iperf3Protocol.TEST_RUNNING -> running();
      case Iperf3Protocol.EXCHANGE_RESULTS -> {
        ch.writeAndFlush(Iperf3Protocol.frame(ch.alloc(), Iperf3Stream.results(streams, !o.reverse(), o.udp(),
            o.udp() ? null : congestion())));
        phase = Phase.RESULTS;
        await("the server's results");
      }
      case Iperf3Protocol.DISPLAY_RESULTS -> {
        ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {Iperf3Protocol.IPERF_DONE}));
        display();
      }
      case Iperf3Protocol.ACCESS_DENIED -> fail("the server is busy running a test. try again later");
      case Iperf3Protocol.SERVER_ERROR -> {
        phase = Phase.ERRNO;
        await("the server's error number");
      }
      case Iperf3Protocol.SERVER_TERMINATE -> fail("the server has terminated");
      default -> fail("received an unknown control message (" + Iperf3Protocol.stateName(s) + ")");
    }
  }

  private String congestion() {
    return transport.tcp().settings().congestion();
  }

  private ObjectNode parameters() {
    ObjectNode p = Iperf3Protocol.object();
    p.put(o.udp() ? "udp" : "tcp", true);
    p.put("omit", 0);
    p.put("time", o.seconds());
    p.put("num", o.bytes());
    p.put("blockcount", 0);
    p.put("parallel", o.parallel());
    if (o.reverse()) {
      p.put("reverse", true);
    }
    if (o.noDelay()) {
      p.put("nodelay", true);
    }
    p.put("len", o.len());
    if (o.rate() > 0) {
      p.put("bandwidth", o.rate());
    }
    if (o.counters64()) {
      p.put("udp_counters_64bit", 1);
    }
    p.put("pacing_timer", 1000);
    p.put("client_version", Iperf3Protocol.VERSION);
    return p;
  }

  /** Opens the next data stream, one after the other as iperf3 does (the server numbers them in order). */
  private void nextStream() {
    if (done) {
      return;
    }
    int index = streams.size();
    if (index >= o.parallel()) {
      return;
    }
    if (!o.reverse() && block == null && !o.udp()) {
      block = ch.alloc().directBuffer(o.len());
      byte[] b = new byte[o.len()];
      stack.random().nextBytes(b);
      block.writeBytes(b);
    }
    int id = Iperf3Stream.idOf(index);
    if (o.udp()) {
      udpStream(id);
      return;
    }
    transport.tcpClient().option(ChannelOption.TCP_NODELAY, o.noDelay())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) o.connectTimeoutMs())
        .handler(new ChannelInboundHandlerAdapter())
        .connect(new InetSocketAddress(ip.toInet(), o.port())).addListener(f -> {
          ChannelFuture cf = (ChannelFuture) f;
          if (!f.isSuccess()) {
            fail("unable to connect stream: " + f.cause().getMessage());
            return;
          }
          Channel sc = cf.channel();
          if (done) {
            sc.close();
            return;
          }
          sc.writeAndFlush(Unpooled.wrappedBuffer(cookie));
          Iperf3TcpStream s = new Iperf3TcpStream(id, !o.reverse(), time, o.rate(), budget, o.len(), sc, block);
          s.onClosed(() -> {
            if (!ending && !done) {
              fail("a data stream closed during the test");
            }
          });
          sc.pipeline().addLast(s.handler());
          streams.add(s);
          InetSocketAddress l = (InetSocketAddress) sc.localAddress();
          connected(id, IpAddress.of(l.getAddress()).toString(), l.getPort());
          nextStream();
        });
  }

  private void connected(int id, String local, int localPort) {
    ObjectNode c = connected.addObject();
    c.put("socket", id);
    c.put("local_host", local);
    c.put("local_port", localPort);
    c.put("remote_host", ip.toString());
    c.put("remote_port", o.port());
    say(tag(id) + " local " + local + " port " + localPort + " connected to " + ip + " port " + o.port());
  }

  /** A UDP stream: our own port, a hello to the server's, and its answer before the next stream. */
  private void udpStream(int id) {
    Iperf3UdpStream[] self = new Iperf3UdpStream[1];
    boolean[] answered = new boolean[1];
    int localPort = stack.udp().bind(0, (srcIp, srcPort, dstIp, dstPort, payload) -> {
      if (srcIp != ip.v4() || srcPort != o.port() || done) {
        return;
      }
      if (!answered[0]) {
        if (payload.readableBytes() == 4) {
          answered[0] = true;
          helloTimer.cancel();
          pendingUdp = null;
          streams.add(self[0]);
          connected(id, localAddressTo(), self[0].localPort());
          nextStream();
        }
        return;
      }
      self[0].receive(payload);
    });
    if (localPort < 0) {
      fail("no free UDP port");
      return;
    }
    self[0] = new Iperf3UdpStream(id, !o.reverse(), stack, o.rate(), budget, o.len(), localPort, ip.v4(),
        o.port(), o.counters64(), () -> stack.udp().unbind(localPort));
    pendingUdp = self[0];
    hello(self[0], answered);
  }

  private String localAddressTo() {
    InetSocketAddress l = (InetSocketAddress) ch.localAddress();
    return IpAddress.of(l.getAddress()).toString();
  }

  /** The UDP hello, again each second until answered (a datagram may be lost; --rcv-timeout bounds it). */
  private void hello(Iperf3UdpStream s, boolean[] answered) {
    if (done || answered[0]) {
      return;
    }
    ByteBuf b = stack.allocate(4).writeBytes(Iperf3Protocol.UDP_CONNECT);
    SendResult r = stack.udp().send(0, s.localPort(), s.peer(), s.peerPort(), 64, b);
    if (r != SendResult.SENT) {
      fail("unable to send the UDP stream's hello: " + r.message());
      return;
    }
    helloTimer = time.schedule(() -> hello(s, answered), 1_000_000_000L);
  }

  private void running() {
    if (answerTimer != null) {
      answerTimer.cancel();
      answerTimer = null;
    }
    startNanos = time.nanos();
    int n = streams.size();
    lastBytes = new long[n];
    lastPackets = new long[n];
    lastLost = new long[n];
    lastRetr = new long[n];
    for (Iperf3Stream s : streams) {
      s.begin();
    }
    if (o.seconds() > 0) {
      endTimer = time.schedule(this::testEnd, o.seconds() * 1_000_000_000L);
    } else {
      watchBytes(0, time.nanos());
    }
    if (o.interval() > 0) {
      header(false);
      reportTimer = time.schedule(this::interval, (long) (o.interval() * 1e9));
    }
  }

  /** -n: ends the test once the streams have moved that many bytes; fails if nothing moves for --rcv-timeout. */
  private void watchBytes(long before, long since) {
    if (done || ending) {
      return;
    }
    long moved = 0;
    for (Iperf3Stream s : streams) {
      moved += s.delivered();
    }
    if (moved >= o.bytes()) {
      testEnd();
      return;
    }
    long now = time.nanos();
    if (moved > before) {
      since = now;
    } else if (now - since > o.rcvTimeoutNanos()) {
      fail(String.format(Locale.ROOT, "nothing moved for %.1f s after %d of %d bytes", o.rcvTimeoutNanos() / 1e9,
          moved, o.bytes()));
      return;
    }
    long m = moved;
    long s = since;
    endTimer = time.schedule(() -> watchBytes(m, s), 10_000_000L);
  }

  private void header(boolean summary) {
    boolean tcpSender = !o.udp() && !o.reverse();
    if (o.udp()) {
      say(!summary && !o.reverse() ? "[ ID] Interval           Transfer     Bitrate         Total Datagrams"
          : "[ ID] Interval           Transfer     Bitrate         Jitter    Lost/Total Datagrams");
    } else {
      String head = "[ ID] Interval           Transfer     Bitrate";
      say(tcpSender || summary ? head + "         Retr" + (summary ? "" : "  Cwnd") : head);
    }
  }

  private void interval() {
    if (done || ending) {
      return;
    }
    double now = (time.nanos() - startNanos) / 1e9;
    intervalReport(lastReport, now);
    lastReport = now;
    reportTimer = time.schedule(this::interval, (long) (o.interval() * 1e9));
  }

  /** One interval's lines (and JSON), from the streams' counters since the last one. */
  private void intervalReport(double from, double to) {
    double secs = to - from;
    if (secs <= 0) {
      return;
    }
    ObjectNode iv = intervals.addObject();
    ArrayNode js = iv.putArray("streams");
    long sumBytes = 0;
    long sumPackets = 0;
    long sumLost = 0;
    long sumRetr = 0;
    double jitter = 0;
    for (int i = 0; i < streams.size(); i++) {
      Iperf3Stream s = streams.get(i);
      long b = s.bytes - lastBytes[i];
      long p = s.packets - lastPackets[i];
      long l = s.lost - lastLost[i];
      long retr = s.udp() || !s.sender ? 0 : s.retransmits() - lastRetr[i];
      lastBytes[i] = s.bytes;
      lastPackets[i] = s.packets;
      lastLost[i] = s.lost;
      lastRetr[i] = s.udp() || !s.sender ? 0 : s.retransmits();
      sumBytes += b;
      sumPackets += p;
      sumLost += l;
      sumRetr += retr;
      jitter += s.jitter;
      ObjectNode j = js.addObject();
      j.put("socket", s.id);
      figures(j, from, to, b);
      udpOrTcp(j, s.sender, p, l, s.jitter, retr, s.cwndBytes());
      j.put("omitted", false);
      j.put("sender", s.sender);
      say(tag(s.id) + " " + span(from, to) + "  " + columns(b, secs, s.sender, p, l, s.jitter, retr, s.cwndBytes()));
    }
    ObjectNode sum = iv.putObject("sum");
    figures(sum, from, to, sumBytes);
    boolean sender = !o.reverse();
    udpOrTcp(sum, sender, sumPackets, sumLost, streams.isEmpty() ? 0 : jitter / streams.size(), sumRetr, -1);
    sum.put("omitted", false);
    sum.put("sender", sender);
    if (streams.size() > 1) {
      say("[SUM] " + span(from, to) + "  " + columns(sumBytes, secs, sender, sumPackets, sumLost,
          jitter / streams.size(), sumRetr, 0));
    }
  }

  private void figures(ObjectNode j, double from, double to, long bytes) {
    j.put("start", from);
    j.put("end", to);
    j.put("seconds", to - from);
    j.put("bytes", bytes);
    j.put("bits_per_second", to > from ? bytes * 8 / (to - from) : 0);
  }

  private void udpOrTcp(ObjectNode j, boolean sender, long packets, long lost, double jitter, long retr,
                        long cwnd) {
    if (o.udp()) {
      if (!sender) {
        j.put("jitter_ms", jitter * 1000);
        j.put("lost_packets", lost);
      }
      j.put("packets", packets);
      if (!sender) {
        j.put("lost_percent", packets > 0 ? 100.0 * lost / packets : 0);
      }
    } else if (sender) {
      j.put("retransmits", retr);
      if (cwnd >= 0) {
        j.put("snd_cwnd", cwnd);
      }
    }
  }

  private String columns(long b, double secs, boolean sender, long packets, long lost, double jitter, long retr,
                         long cwnd) {
    String head = bytes(b) + "  " + bitrate(secs > 0 ? b * 8 / secs : 0);
    if (o.udp()) {
      return sender ? head + "  " + packets + "  " : head + "  " + udpLoss(jitter, lost, packets) + "  ";
    }
    return sender ? head + String.format(Locale.ROOT, "  %3d   %s", retr, cwnd > 0 ? bytes(cwnd) : "")
        : head;
  }

  private String udpLoss(double jitter, long lost, long packets) {
    return String.format(Locale.ROOT, "%.3f ms  %d/%d (%.2g%%)", jitter * 1000, lost, packets,
        packets > 0 ? 100.0 * lost / packets : 0.0).replace("(0.0%)", "(0%)");
  }

  private void testEnd() {
    if (ending || done) {
      return;
    }
    ending = true;
    if (reportTimer != null) {
      reportTimer.cancel();
    }
    double now = (time.nanos() - startNanos) / 1e9;
    if (o.interval() > 0 && now - lastReport > 0.05) {
      intervalReport(lastReport, now);
    }
    for (Iperf3Stream s : streams) {
      s.end();
    }
    ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {Iperf3Protocol.TEST_END}));
    await("EXCHANGE_RESULTS, the server's answer to TEST_END");
  }

  /** The summary: this end's figures and the server's, as iperf3 prints them. */
  private void display() {
    ObjectNode end = Iperf3Protocol.object();
    ArrayNode es = end.putArray("streams");
    boolean sender = !o.reverse();
    long sentBytes = 0;
    long recvBytes = 0;
    long retr = 0;
    long sentPackets = 0;
    long recvPackets = 0;
    long lost = 0;
    double jitter = 0;
    double sentSecs = 0;
    double recvSecs = 0;
    say(SEPARATOR);
    header(true);
    for (Iperf3Stream s : streams) {
      JsonNode theirs = Iperf3Stream.peerStream(peer, s.id);
      if (theirs == null) {
        fail("the server's results have no stream " + s.id);
        return;
      }
      double mine = s.seconds();
      double their = theirs.path("end_time").asDouble(mine);
      long tb = theirs.path("bytes").asLong(0);
      // sender's and receiver's figures, whichever end each is
      long sb = sender ? s.bytes : tb;
      long rb = sender ? tb : s.bytes;
      double ss = sender ? mine : their;
      double rs = sender ? their : mine;
      long sr = o.udp() ? 0 : sender ? s.retransmits() : theirs.path("retransmits").asLong(-1);
      long sp = sender ? s.packets : theirs.path("packets").asLong(0);
      long rp = sender ? theirs.path("packets").asLong(0) : s.packets;
      long rl = sender ? theirs.path("errors").asLong(0) : s.lost;
      double rj = sender ? theirs.path("jitter").asDouble(0) : s.jitter;
      sentBytes += sb;
      recvBytes += rb;
      retr += Math.max(0, sr);
      sentPackets += sp;
      recvPackets += rp;
      lost += rl;
      jitter += rj;
      sentSecs = Math.max(sentSecs, ss);
      recvSecs = Math.max(recvSecs, rs);
      ObjectNode e = es.addObject();
      if (o.udp()) {
        ObjectNode u = e.putObject("udp");
        u.put("socket", s.id);
        figures(u, 0, rs, rb);
        u.put("jitter_ms", rj * 1000);
        u.put("lost_packets", rl);
        u.put("packets", rp);
        u.put("lost_percent", rp > 0 ? 100.0 * rl / rp : 0);
        u.put("out_of_order", sender ? 0 : s.outOfOrder);
        u.put("sender", sender);
        say(tag(s.id) + " " + span(0, ss) + "  " + bytes(sb) + "  " + bitrate(ss > 0 ? sb * 8 / ss : 0)
            + "  " + udpLoss(0, 0, sp) + "  sender");
        say(tag(s.id) + " " + span(0, rs) + "  " + bytes(rb) + "  " + bitrate(rs > 0 ? rb * 8 / rs : 0)
            + "  " + udpLoss(rj, rl, rp) + "  receiver");
      } else {
        ObjectNode se = e.putObject("sender");
        se.put("socket", s.id);
        figures(se, 0, ss, sb);
        se.put("retransmits", sr);
        se.put("sender", sender);
        ObjectNode re = e.putObject("receiver");
        re.put("socket", s.id);
        figures(re, 0, rs, rb);
        re.put("sender", sender);
        say(tag(s.id) + " " + span(0, ss) + "  " + bytes(sb) + "  " + bitrate(ss > 0 ? sb * 8 / ss : 0)
            + String.format(Locale.ROOT, "  %3s             sender", sr < 0 ? "" : Long.toString(sr)));
        say(tag(s.id) + " " + span(0, rs) + "  " + bytes(rb) + "  " + bitrate(rs > 0 ? rb * 8 / rs : 0)
            + "                  receiver");
      }
    }
    int n = Math.max(1, streams.size());
    if (streams.size() > 1) {
      if (o.udp()) {
        say("[SUM] " + span(0, sentSecs) + "  " + bytes(sentBytes) + "  "
            + bitrate(sentSecs > 0 ? sentBytes * 8 / sentSecs : 0) + "  " + udpLoss(0, 0, sentPackets) + "  sender");
        say("[SUM] " + span(0, recvSecs) + "  " + bytes(recvBytes) + "  "
            + bitrate(recvSecs > 0 ? recvBytes * 8 / recvSecs : 0) + "  " + udpLoss(jitter / n, lost, recvPackets)
            + "  receiver");
      } else {
        say("[SUM] " + span(0, sentSecs) + "  " + bytes(sentBytes) + "  "
            + bitrate(sentSecs > 0 ? sentBytes * 8 / sentSecs : 0)
            + String.format(Locale.ROOT, "  %3d             sender", retr));
        say("[SUM] " + span(0, recvSecs) + "  " + bytes(recvBytes) + "  "
            + bitrate(recvSecs > 0 ? recvBytes * 8 / recvSecs : 0) + "                  receiver");
      }
    }
    ObjectNode sumSent = end.putObject("sum_sent");
    figures(sumSent, 0, sentSecs, sentBytes);
    ObjectNode sumRecv = end.putObject("sum_received");
    figures(sumRecv, 0, recvSecs, recvBytes);
    if (o.udp()) {
      ObjectNode sum = end.putObject("sum");
      figures(sum, 0, recvSecs, recvBytes);
      for (ObjectNode x : List.of(sum, sumRecv)) {
        x.put("jitter_ms", jitter / n * 1000);
        x.put("lost_packets", lost);
        x.put("packets", recvPackets);
        x.put("lost_percent", recvPackets > 0 ? 100.0 * lost / recvPackets : 0);
        x.put("sender", sender);
      }
      sumSent.put("jitter_ms", 0);
      sumSent.put("lost_packets", 0);
      sumSent.put("packets", sentPackets);
      sumSent.put("lost_percent", 0);
      sumSent.put("sender", sender);
    } else {
      sumSent.put("retransmits", retr);
      sumSent.put("sender", sender);
      sumRecv.put("sender", sender);
    }
    ObjectNode cpu = end.putObject("cpu_utilization_percent");
    for (String k : List.of("host_total", "host_user", "host_system", "remote_total", "remote_user",
        "remote_system")) {
      cpu.put(k, 0.0);
    }
    if (!o.udp()) {
      String theirCc = peer.path("congestion_used").asText("");
      end.put("sender_tcp_congestion", sender ? congestion() : theirCc);
      end.put("receiver_tcp_congestion", sender ? theirCc : congestion());
    }
    say("");
    say("iperf Done.");
    if (o.json()) {
      printJson(end, null);
    }
    finish(0);
  }

  private void printJson(ObjectNode end, String error) {
    ObjectNode all = Iperf3Protocol.object();
    all.set("start", start);
    all.set("intervals", intervals);
    all.set("end", end);
    if (error != null) {
      all.put("error", error);
    }
    for (String line : Iperf3Protocol.pretty(all).split("\n")) {
      io.out(line);
    }
  }

  /** Ends the run with iperf3's "iperf3: error - ..." (in the JSON's "error" with -J) and status 1. */
  private void fail(String why) {
    if (done) {
      return;
    }
    if (o.json()) {
      printJson(Iperf3Protocol.object(), why);
    } else {
      io.out("iperf3: error - " + why);
    }
    finish(1);
  }

  private void finish(int code) {
    if (done) {
      return;
    }
    done = true;
    for (TimeSource.Timer t : new TimeSource.Timer[] {answerTimer, endTimer, reportTimer, helloTimer}) {
      if (t != null) {
        t.cancel();
      }
    }
    for (Iperf3Stream s : streams) {
      s.close();
    }
    if (pendingUdp != null) {
      pendingUdp.close();
      pendingUdp = null;
    }
    if (block != null) {
      block.release();
      block = null;
    }
    if (reader != null) {
      reader.release();
      reader = null;
    }
    if (ch != null) {
      ch.close();
    }
    io.exit(code);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    fail("the server has unexpectedly closed the connection (waiting for " + awaiting + ")");
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail("control connection: " + cause.getMessage());
  }

  private static String serverError(int iErrno) {
    return switch (iErrno) {
      case 13 -> "not implemented yet";
      case 110 -> "received an unknown control message";
      case 121 -> "the server is busy running a test. try again later";
      case 202 -> "unable to start stream listener";
      default -> "iperf3 error number " + iErrno;
    };
  }
}
