package emu.node.tcp.script;

import emu.link.wire.MacAddress;
import emu.node.stack.NeighborCache;
import emu.node.tcp.TcpConnection;
import emu.node.tcp.TcpLayer;
import emu.node.tcp.TcpSettings;
import emu.node.tcp.TcpState;
import emu.node.testing.CapturedFrame;
import emu.node.testing.LabNode;
import emu.node.testing.PacketBuilder;
import emu.node.testing.Tap;
import emu.node.testing.VirtualLab;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Packet;
import emu.node.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small packetdrill: drives ONE node's TCP through a {@link Tap} with scripted segments, on
 * virtual time. The test is the peer at 10.0.0.2 (its MAC pre-resolved in the node's neighbour
 * cache, so no ARP); the node is 10.0.0.1.
 *
 * <pre>
 * 0     listen 8080
 * +0    &lt; S 0:0(0) win 65535 &lt;mss 1000,sackOK,nop,wscale 7&gt;
 * +0    &gt; S. 0:0(0) ack 1 &lt;mss 1460,nop,nop,sackOK,nop,wscale 7&gt;
 * +0.1  &lt; . 1:1(0) ack 1 win 1000
 * +0    expect state ESTABLISHED
 * </pre>
 *
 * <p>Each line starts with a time: {@code +D} seconds after the previous line, or {@code D}
 * seconds after the start. {@code <} injects a segment from the peer (at that time); {@code >}
 * expects the next segment the node sends, at that time within 1 ms (the clock runs forward
 * until it appears, and the line fails if it does not); {@code quiet} asserts that the node
 * sent nothing since the last segment. Other lines are application commands: {@code listen P
 * [backlog N]}, {@code connect P}, {@code write N}, {@code close}, {@code shutdown},
 * {@code abort}, {@code pause}, {@code resume}, {@code nodelay on|off}, {@code keepalive
 * on|off}, and checks: {@code expect state S}, {@code expect received N}, {@code expect
 * closed ok|ERROR}, {@code expect open}, {@code expect peerfin N}, {@code expect established
 * N}. Data bytes follow a pattern (byte k of a stream is k mod 256), checked both ways.
 *
 * <p>Sequence numbers are relative, per flow: a flow is the peer's port (default 40000, or
 * {@code port=P} on a line). {@link #run} may be called several times; Java assertions can go
 * between. {@link #finish} fails if the node sent segments the script did not expect, and
 * closes the lab (which checks for leaked buffers).
 */
public final class TcpScript implements AutoCloseable {
  public static final String NODE_IP = "10.0.0.1";
  public static final String PEER_IP = "10.0.0.2";
  public static final long NODE_MAC = MacAddress.parse("02:00:00:00:00:01").bits();
  public static final long PEER_MAC = MacAddress.parse("02:00:00:00:00:02").bits();
  public static final int DEFAULT_PEER_PORT = 40000;
  static final long TOLERANCE = 1_000_000L;

  /** One connection as the script sees it. */
  static final class Flow {
    final int peerPort;
    int stackPort;
    final int peerIsn;
    int stackIss;
    boolean issKnown;
    int lastTsVal;

    Flow(int peerPort, int stackPort) {
      this.peerPort = peerPort;
      this.stackPort = stackPort;
      this.peerIsn = 1_000_000 * (peerPort % 1000 + 1);
    }
  }

  private final VirtualLab lab;
  private final LabNode node;
  private final Tap tap;
  private final ScriptApp app = new ScriptApp();
  private final Map<Integer, Flow> flows = new HashMap<>();
  private final int nodeIp = Ipv4Address.parse(NODE_IP);
  private final int peerIp = Ipv4Address.parse(PEER_IP);
  private final long start;
  private long scriptTime;
  private int consumed;
  /** The node's port for flows of a passive open: the listening port (8080 before any listen). */
  private int listenPort = 8080;
  /** The flow of lines without {@code port=}: 40000, or the port of the last connect. */
  private int defaultPort = DEFAULT_PEER_PORT;
  private int lineNo;
  private String line;

  public TcpScript() {
    this(TcpSettings.defaults());
  }

  public TcpScript(TcpSettings settings) {
    lab = new VirtualLab(7, 0, NeighborCache.Params.LINUX);
    node = lab.host("h1");
    tap = lab.tap(node, "eth0", MacAddress.format(NODE_MAC), NODE_IP + "/24");
    node.nic("eth0").neighbors().addPermanent(peerIp, PEER_MAC);
    node.tcp().settings(settings);
    lab.start();
    tap.clear();
    start = lab.now();
  }

  public VirtualLab lab() {
    return lab;
  }

  public LabNode node() {
    return node;
  }

  public TcpLayer tcp() {
    return node.tcp();
  }

  public ScriptApp app() {
    return app;
  }

  /** The connection the app commands act on. */
  public TcpConnection connection() {
    return app.conn;
  }

  /** Script time now, seconds. */
  public double time() {
    return scriptTime / 1e9;
  }

  /** Runs script lines (see the class comment). */
  public TcpScript run(String script) {
    for (String raw : script.split("\n")) {
      lineNo++;
      line = raw;
      String l = raw.strip();
      int comment = l.indexOf("//");
      if (comment >= 0) {
        l = l.substring(0, comment).strip();
      }
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      try {
        step(l);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("script line " + lineNo + " \"" + raw.strip() + "\": " + e.getMessage()
            + "\nnode sent:\n" + describeSent(), e);
      }
    }
    return this;
  }

  /** Fails if the node sent TCP segments nobody expected; then closes the lab. */
  public void finish() {
    List<CapturedFrame> left = tcpFrames();
    if (consumed < left.size()) {
      throw new AssertionError("unexpected segments from the node:\n" + describe(left.subList(consumed, left.size())));
    }
    close();
  }

  @Override
  public void close() {
    lab.close();
  }

  // ---- one line ----------------------------------------------------------------------------

  private void step(String l) {
    String[] w = l.split("\\s+", 2);
    String t = w[0];
    long target;
    if (t.startsWith("+")) {
      target = scriptTime + (long) Math.round(Double.parseDouble(t.substring(1)) * 1e9);
    } else {
      target = (long) Math.round(Double.parseDouble(t) * 1e9);
    }
    String rest = w.length > 1 ? w[1].strip() : "";
    if (rest.startsWith("<")) {
      advanceTo(target);
      inject(SegmentSpec.parse(rest.substring(1)));
    } else if (rest.startsWith(">")) {
      expect(SegmentSpec.parse(rest.substring(1)), target);
    } else if (rest.equals("quiet")) {
      advanceTo(target);
      List<CapturedFrame> sent = tcpFrames();
      if (consumed < sent.size()) {
        throw new AssertionError("expected silence but the node sent:\n" + describe(sent.subList(consumed, sent.size())));
      }
    } else {
      advanceTo(target);
      command(rest);
      lab.time().runDue();
    }
    scriptTime = target;
  }

  private void advanceTo(long target) {
    long now = lab.now() - start;
    if (target > now) {
      lab.advance(target - now);
    } else {
      lab.time().runDue();
    }
  }

  private Flow flow(Integer port) {
    int p = port == null ? defaultPort : port;
    return flows.computeIfAbsent(p, k -> new Flow(k, listenPort));
  }

  private void inject(SegmentSpec s) {
    Flow f = flow(s.port);
    int seq = f.peerIsn + (int) s.seq;
    int ack = s.ack == null ? 0 : (f.issKnown ? f.stackIss : 0) + (int) (long) s.ack;
    byte[] opts = optionBytes(s.options, f);
    int hl = TcpSegment.HEADER_LEN + opts.length;
    ByteBuf b = Unpooled.buffer(hl + s.len);
    try {
      b.writeZero(hl + s.len);
      TcpSegment seg = new TcpSegment().wrap(b, 0, hl + s.len);
      seg.srcPort(f.peerPort).dstPort(f.stackPort).seq(seq).ack(ack).headerLength(hl).flags(s.flags)
          .window(s.win == null ? 65535 : s.win).urgentPointer(0);
      b.setBytes(TcpSegment.HEADER_LEN, opts);
      long rel = s.seq + ((s.flags & TcpSegment.SYN) != 0 ? 1 : 0);
      for (int i = 0; i < s.len; i++) {
        b.setByte(hl + i, (int) ((rel - 1 + i) & 0xFF));
      }
      seg.fillChecksum(peerIp, nodeIp);
      byte[] tcp = new byte[hl + s.len];
      b.getBytes(0, tcp);
      tap.inject(PacketBuilder.ipv4(PEER_IP, NODE_IP).eth(NODE_MAC, PEER_MAC).payload(Ipv4Packet.PROTO_TCP, tcp)
          .frame());
    } finally {
      b.release();
    }
    lab.time().runDue();
  }

  /** Raw option bytes as written, padded with NOPs to a multiple of 4. */
  private static byte[] optionBytes(List<SegmentSpec.Opt> options, Flow f) {
    if (options == null) {
      return new byte[0];
    }
    java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
    for (SegmentSpec.Opt opt : options) {
      switch (opt.kind()) {
        case "nop" -> o.write(1);
        case "eol" -> o.write(0);
        case "mss" -> {
          int v = Integer.parseInt(opt.args().get(0));
          o.writeBytes(new byte[] {2, 4, (byte) (v >>> 8), (byte) v});
        }
        case "sackOK" -> o.writeBytes(new byte[] {4, 2});
        case "wscale" -> o.writeBytes(new byte[] {3, 3, (byte) Integer.parseInt(opt.args().get(0))});
        case "TS" -> {
          long val = Long.parseLong(opt.args().get(0));
          long ecr = "*".equals(opt.args().get(1)) ? f.lastTsVal & 0xFFFF_FFFFL : Long.parseLong(opt.args().get(1));
          o.writeBytes(new byte[] {8, 10});
          o.writeBytes(java.nio.ByteBuffer.allocate(8).putInt((int) val).putInt((int) ecr).array());
        }
        case "sack" -> {
          o.writeBytes(new byte[] {5, (byte) (2 + 8 * opt.args().size())});
          for (String block : opt.args()) {
            String[] lr = block.split(":");
            int l = f.stackIss + (int) Long.parseLong(lr[0]);
            int r = f.stackIss + (int) Long.parseLong(lr[1]);
            o.writeBytes(java.nio.ByteBuffer.allocate(8).putInt(l).putInt(r).array());
          }
        }
        case "raw" -> { // raw hex bytes, for malformed options
          for (String h : opt.args()) {
            o.write(Integer.parseInt(h, 16));
          }
        }
        default -> throw new IllegalArgumentException("unknown option " + opt.kind());
      }
    }
    while (o.size() % 4 != 0) {
      o.write(1);
    }
    return o.toByteArray();
  }

  /**
   * Injects raw TCP bytes (header, options, data) from the peer as they are, in an IPv4 frame;
   * with {@code fixChecksum} the TCP checksum is computed first (over the IP payload length).
   */
  public void injectTcp(byte[] tcp, boolean fixChecksum) {
    byte[] bytes = tcp.clone();
    if (fixChecksum && bytes.length >= TcpSegment.HEADER_LEN) {
      ByteBuf b = Unpooled.wrappedBuffer(bytes);
      try {
        new TcpSegment().wrap(b, 0, bytes.length).fillChecksum(peerIp, nodeIp);
      } finally {
        b.release();
      }
    }
    tap.inject(PacketBuilder.ipv4(PEER_IP, NODE_IP).eth(NODE_MAC, PEER_MAC).payload(Ipv4Packet.PROTO_TCP, bytes)
        .frame());
    lab.time().runDue();
  }

  /** A peer segment of the default flow as raw bytes (checksum not yet filled), for tests to break. */
  public byte[] segmentBytes(String spec) {
    SegmentSpec s = SegmentSpec.parse(spec);
    Flow f = flow(s.port);
    byte[] opts = optionBytes(s.options, f);
    int hl = TcpSegment.HEADER_LEN + opts.length;
    ByteBuf b = Unpooled.buffer(hl + s.len);
    try {
      b.writeZero(hl + s.len);
      new TcpSegment().wrap(b, 0, hl + s.len).srcPort(f.peerPort).dstPort(f.stackPort).seq(f.peerIsn + (int) s.seq)
          .ack(s.ack == null ? 0 : f.stackIss + (int) (long) s.ack).headerLength(hl).flags(s.flags)
          .window(s.win == null ? 65535 : s.win);
      b.setBytes(TcpSegment.HEADER_LEN, opts);
      byte[] out = new byte[hl + s.len];
      b.getBytes(0, out);
      return out;
    } finally {
      b.release();
    }
  }

  private void expect(SegmentSpec s, long target) {
    long deadline = start + target + TOLERANCE;
    if (tcpFrames().size() <= consumed) {
      lab.runUntil(() -> tcpFrames().size() > consumed, Math.max(0, deadline - lab.now()));
    }
    List<CapturedFrame> frames = tcpFrames();
    if (frames.size() <= consumed) {
      throw new AssertionError("expected " + s + " at " + target / 1e9 + " s but the node sent nothing");
    }
    CapturedFrame fr = frames.get(consumed++);
    long at = fr.atNanos() - start;
    if (Math.abs(at - target) > TOLERANCE) {
      throw new AssertionError("expected " + s + " at " + target / 1e9 + " s but got " + describe(fr) + " at "
          + at / 1e9 + " s");
    }
    match(s, fr);
  }

  private void match(SegmentSpec s, CapturedFrame fr) {
    byte[] bytes = fr.bytes();
    ByteBuf b = Unpooled.wrappedBuffer(bytes);
    try {
      Ipv4Packet ip = new Ipv4Packet().wrap(b, 14);
      TcpSegment seg = new TcpSegment().wrap(b, ip.payloadIndex(), ip.payloadLength());
      List<String> bad = new ArrayList<>();
      if (seg.check() != TcpSegment.Check.OK || !seg.checksumValid(ip.src(), ip.dst())) {
        bad.add("malformed or bad checksum");
      }
      if (ip.src() != nodeIp || ip.dst() != peerIp) {
        bad.add("addresses " + Ipv4Address.format(ip.src()) + " > " + Ipv4Address.format(ip.dst()));
      }
      if (!ip.dontFragment()) {
        bad.add("DF not set");
      }
      Flow f = flow(s.port);
      if (seg.dstPort() != f.peerPort) {
        bad.add("dst port " + seg.dstPort() + " != " + f.peerPort);
      }
      if (f.stackPort == 0) {
        f.stackPort = seg.srcPort();
      } else if (seg.srcPort() != f.stackPort) {
        bad.add("src port " + seg.srcPort() + " != " + f.stackPort);
      }
      if ((seg.flags() & TcpSegment.SYN) != 0 && !f.issKnown) {
        f.stackIss = seg.seq() - (int) s.seq;
        f.issKnown = true;
      }
      if (seg.flags() != s.flags) {
        bad.add("flags " + TcpSegment.flagString(seg.flags()) + " != " + TcpSegment.flagString(s.flags));
      }
      long relSeq = (seg.seq() - f.stackIss) & 0xFFFF_FFFFL;
      if (f.issKnown && relSeq != (s.seq & 0xFFFF_FFFFL)) {
        bad.add("seq " + relSeq + " != " + s.seq);
      }
      if (seg.payloadLength() != s.len) {
        bad.add("length " + seg.payloadLength() + " != " + s.len);
      }
      if (s.ack != null) {
        long relAck = (seg.ack() - f.peerIsn) & 0xFFFF_FFFFL;
        if (relAck != s.ack) {
          bad.add("ack " + relAck + " != " + s.ack);
        }
      }
      if (s.win != null && seg.window() != s.win) {
        bad.add("win " + seg.window() + " != " + s.win);
      }
      List<SegmentSpec.Opt> actual = parseOptions(b, seg.optionsIndex(), seg.optionsLength(), f);
      if (s.options != null && !optionsMatch(s.options, actual)) {
        bad.add("options " + actual + " != " + s.options);
      }
      long rel = relSeq + ((seg.flags() & TcpSegment.SYN) != 0 ? 1 : 0);
      for (int i = 0; i < seg.payloadLength(); i++) {
        if ((b.getByte(seg.payloadIndex() + i) & 0xFF) != ((rel - 1 + i) & 0xFF)) {
          bad.add("payload byte " + i + " is not the written pattern");
          break;
        }
      }
      if (!bad.isEmpty()) {
        throw new AssertionError("expected " + s + " but got " + describe(fr) + ": " + String.join("; ", bad));
      }
    } finally {
      b.release();
    }
  }

  private static boolean optionsMatch(List<SegmentSpec.Opt> expected, List<SegmentSpec.Opt> actual) {
    if (expected.size() != actual.size()) {
      return false;
    }
    for (int i = 0; i < expected.size(); i++) {
      SegmentSpec.Opt e = expected.get(i);
      SegmentSpec.Opt a = actual.get(i);
      if (!e.kind().equals(a.kind()) || e.args().size() != a.args().size()) {
        return false;
      }
      for (int j = 0; j < e.args().size(); j++) {
        if (!e.args().get(j).equals("*") && !e.args().get(j).equals(a.args().get(j))) {
          return false;
        }
      }
    }
    return true;
  }

  /** The options of a node's segment, as script options (SACK blocks relative to the peer's ISN). */
  private static List<SegmentSpec.Opt> parseOptions(ByteBuf b, int index, int length, Flow f) {
    List<SegmentSpec.Opt> out = new ArrayList<>();
    int i = index;
    int end = index + length;
    while (i < end) {
      int kind = b.getUnsignedByte(i);
      if (kind == 0) {
        out.add(new SegmentSpec.Opt("eol", List.of()));
        i++;
        continue;
      }
      if (kind == 1) {
        out.add(new SegmentSpec.Opt("nop", List.of()));
        i++;
        continue;
      }
      int len = b.getUnsignedByte(i + 1);
      switch (kind) {
        case 2 -> out.add(new SegmentSpec.Opt("mss", List.of(String.valueOf(b.getUnsignedShort(i + 2)))));
        case 3 -> out.add(new SegmentSpec.Opt("wscale", List.of(String.valueOf(b.getUnsignedByte(i + 2)))));
        case 4 -> out.add(new SegmentSpec.Opt("sackOK", List.of()));
        case 8 -> {
          f.lastTsVal = b.getInt(i + 2);
          out.add(new SegmentSpec.Opt("TS", List.of(Integer.toUnsignedString(b.getInt(i + 2)),
              Integer.toUnsignedString(b.getInt(i + 6)))));
        }
        case 5 -> {
          List<String> blocks = new ArrayList<>();
          for (int j = i + 2; j + 8 <= i + len; j += 8) {
            blocks.add(Integer.toUnsignedString(b.getInt(j) - f.peerIsn) + ":"
                + Integer.toUnsignedString(b.getInt(j + 4) - f.peerIsn));
          }
          out.add(new SegmentSpec.Opt("sack", blocks));
        }
        default -> out.add(new SegmentSpec.Opt("kind" + kind, List.of()));
      }
      i += Math.max(len, 2);
    }
    return out;
  }

  // ---- application commands ------------------------------------------------------------------

  private void command(String c) {
    String[] w = c.split("\\s+");
    TcpConnection conn = app.conn;
    switch (w[0]) {
      case "listen" -> {
        listenPort = Integer.parseInt(w[1]);
        int backlog = w.length > 3 && w[2].equals("backlog") ? Integer.parseInt(w[3]) : 0;
        tcp().listen(0, listenPort, backlog, accepted -> {
          app.conn = accepted;
          app.accepted.add(accepted);
          return app;
        });
        for (Flow f : flows.values()) {
          if (f.stackPort == 0) {
            f.stackPort = listenPort;
          }
        }
      }
      case "connect" -> {
        int port = Integer.parseInt(w[1]);
        flows.put(port, new Flow(port, 0));
        defaultPort = port;
        app.conn = tcp().connect(peerIp, port, 0, app);
      }
      case "write" -> {
        int n = Integer.parseInt(w[1]);
        byte[] data = new byte[n];
        for (int i = 0; i < n; i++) {
          data[i] = (byte) (app.written + i);
        }
        ByteBuf b = Unpooled.wrappedBuffer(data);
        try {
          int took = conn.write(b);
          app.written += took;
          if (w.length > 2 && w[2].equals("=") && took != Integer.parseInt(w[3])) {
            throw new AssertionError("write took " + took + " bytes, expected " + w[3]);
          }
        } finally {
          b.release();
        }
      }
      case "close" -> conn.close();
      case "shutdown" -> conn.shutdownOutput();
      case "abort" -> conn.abort();
      case "pause" -> conn.pauseReading();
      case "resume" -> conn.resumeReading();
      case "nodelay" -> conn.noDelay(w[1].equals("on"));
      case "keepalive" -> conn.keepAlive(w[1].equals("on"));
      case "expect" -> check(w);
      default -> throw new IllegalArgumentException("unknown command " + w[0]);
    }
  }

  private void check(String[] w) {
    switch (w[1]) {
      case "state" -> {
        TcpState want = TcpState.valueOf(w[2]);
        TcpConnection c = app.conn;
        if (c == null && tcp().connections().size() == 1) {
          c = tcp().connections().get(0); // not accepted yet
        }
        if (c == null || c.state() != want) {
          throw new AssertionError("state " + (c == null ? "(no connection)" : c.state()) + " != " + want);
        }
      }
      case "received" -> {
        byte[] got = app.receivedBytes();
        if (got.length != Integer.parseInt(w[2])) {
          throw new AssertionError("received " + got.length + " bytes, expected " + w[2] + "; events " + app.log());
        }
        for (int i = 0; i < got.length; i++) {
          if ((got[i] & 0xFF) != (i & 0xFF)) {
            throw new AssertionError("received byte " + i + " is not the pattern");
          }
        }
      }
      case "closed" -> {
        if (app.closes != 1) {
          throw new AssertionError("onClosed called " + app.closes + " times; events " + app.log());
        }
        String got = app.error == null ? "ok" : app.error.name();
        if (!got.equals(w[2])) {
          throw new AssertionError("closed with " + got + ", expected " + w[2]);
        }
      }
      case "open" -> {
        if (app.closes != 0) {
          throw new AssertionError("closed already: " + app.log());
        }
      }
      case "peerfin" -> {
        if (app.peerFins != Integer.parseInt(w[2])) {
          throw new AssertionError("onPeerFin " + app.peerFins + " times; events " + app.log());
        }
      }
      case "connections" -> {
        if (tcp().connections().size() != Integer.parseInt(w[2])) {
          throw new AssertionError(tcp().connections().size() + " connections: " + tcp().connections());
        }
      }
      case "established" -> {
        if (app.established != Integer.parseInt(w[2])) {
          throw new AssertionError("onEstablished " + app.established + " times; events " + app.log());
        }
      }
      default -> throw new IllegalArgumentException("unknown check " + w[1]);
    }
  }

  // ---- captured frames ---------------------------------------------------------------------

  private List<CapturedFrame> tcpFrames() {
    List<CapturedFrame> out = new ArrayList<>();
    for (CapturedFrame f : tap.frames()) {
      if (f.isIpv4() && f.ip().protocol() == Ipv4Packet.PROTO_TCP) {
        out.add(f);
      }
    }
    return out;
  }

  private String describeSent() {
    return describe(tcpFrames());
  }

  private String describe(List<CapturedFrame> frames) {
    StringBuilder sb = new StringBuilder();
    for (CapturedFrame f : frames) {
      sb.append("  ").append(String.format("%.6f ", (f.atNanos() - start) / 1e9)).append(describe(f)).append('\n');
    }
    return sb.toString();
  }

  /** A node segment in script notation (relative numbers). */
  private String describe(CapturedFrame fr) {
    ByteBuf b = Unpooled.wrappedBuffer(fr.bytes());
    try {
      Ipv4Packet ip = new Ipv4Packet().wrap(b, 14);
      TcpSegment seg = new TcpSegment().wrap(b, ip.payloadIndex(), ip.payloadLength());
      if (seg.check() != TcpSegment.Check.OK) {
        return "malformed TCP";
      }
      Flow f = flows.get(seg.dstPort());
      int iss = f != null && f.issKnown ? f.stackIss : 0;
      int peerIsn = f != null ? f.peerIsn : 0;
      long rel = (seg.seq() - iss) & 0xFFFF_FFFFL;
      String opts = parseOptions(b, seg.optionsIndex(), seg.optionsLength(), f == null ? new Flow(0, 0) : f).toString();
      return "> " + TcpSegment.flagString(seg.flags()) + " " + rel + ":" + (rel + seg.payloadLength()) + "("
          + seg.payloadLength() + ")" + ((seg.flags() & TcpSegment.ACK) != 0
          ? " ack " + ((seg.ack() - peerIsn) & 0xFFFF_FFFFL) : "") + " win " + seg.window() + " "
          + opts.replace('[', '<').replace(']', '>') + " port=" + seg.dstPort();
    } finally {
      b.release();
    }
  }
}
