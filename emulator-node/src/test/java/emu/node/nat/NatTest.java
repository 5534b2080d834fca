package emu.node.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.apps.diag.ConntrackCommand;
import emu.node.channel.EmuSocketChannel.Discard;
import emu.node.config.NatConfig;
import emu.node.event.NatEvent;
import emu.node.shell.Shell;
import emu.node.stack.DropReason;
import emu.node.tcp.TcpConnection;
import emu.node.testing.CapturedFrame;
import emu.node.testing.CommandRun;
import emu.node.testing.LabNode;
import emu.node.testing.LabSwitch;
import emu.node.testing.PacketBuilder;
import emu.node.testing.VirtualLab;
import emu.node.wire.Checksum;
import emu.node.wire.IcmpPacket;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Packet;
import emu.node.wire.TcpSegment;
import emu.node.wire.UdpDatagram;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A home network behind a masquerading router, on virtual time: laptop and tv (192.168.0.10,
 * .11) on a switch behind home (192.168.0.1; outside 198.51.100.2), the ISP router (198.51.100.1,
 * 203.0.113.1) with no route back to 192.168.0.0/24, and a server at 203.0.113.10. Everything
 * the server sees must come from 198.51.100.2, every packet must carry valid checksums after the
 * rewrite, and the table must keep its timeouts, size and port rules.
 */
class NatTest {
  private static final long S = 1_000_000_000L;
  private static final String HOME_OUT = "198.51.100.2";

  private VirtualLab lab;
  private LabNode laptop;
  private LabNode tv;
  private LabNode home;
  private LabNode isp;
  private LabNode server;
  private Nat nat;

  private void start(NatConfig config) {
    lab = new VirtualLab(7);
    laptop = lab.host("laptop");
    tv = lab.host("tv");
    home = lab.router("home");
    isp = lab.router("isp");
    server = lab.host("server");
    LabSwitch sw = lab.bridge("sw");
    lab.connect(laptop, "eth0", "02:00:00:00:00:10", "192.168.0.10/24", sw, "p1");
    lab.connect(tv, "eth0", "02:00:00:00:00:11", "192.168.0.11/24", sw, "p2");
    lab.connect(home, "eth0", "02:00:00:00:00:01", "192.168.0.1/24", sw, "p3");
    lab.connect(home, "eth1", "02:00:00:00:01:02", HOME_OUT + "/24", isp, "eth0", "02:00:00:00:01:01",
        "198.51.100.1/24", VirtualLab.DEFAULT_MTU);
    lab.connect(isp, "eth1", "02:00:00:00:02:01", "203.0.113.1/24", server, "eth0", "02:00:00:00:02:10",
        "203.0.113.10/24", VirtualLab.DEFAULT_MTU);
    laptop.defaultRoute("192.168.0.1");
    tv.defaultRoute("192.168.0.1");
    home.defaultRoute("198.51.100.1");
    server.defaultRoute("203.0.113.1");
    // the ISP routes only what it assigned: 192.168.0.0/24 is unknown to it, as on the real Internet
    nat = new Nat(home.stack(), home.tracer(), Nat.LocalPorts.of(home.stack(), port -> false)); // no TCP here
    home.stack().setNat(nat);
    nat.masquerade(home.nic("eth1"), config);
    lab.start();
  }

  private void start() {
    start(new NatConfig(NatConfig.DEFAULT_MAX, null));
  }

  @AfterEach
  void tearDown() {
    if (lab != null) {
      lab.close();
    }
  }

  private static int ip(String dotted) {
    return Ipv4Address.parse(dotted);
  }

  private String conntrack(String op) {
    CommandRun run = new CommandRun("home", "conntrack " + op);
    new Shell("home").add(new ConntrackCommand(nat)).run(Shell.split("conntrack " + op), run);
    lab.await(run).assertExit(0);
    return run.output();
  }

  /** Sends a UDP datagram from {@code node}'s {@code srcPort} (bound with a recording listener). */
  private List<String> udpFrom(LabNode node, int srcPort) {
    List<String> got = new ArrayList<>();
    node.stack().udp().bind(srcPort, (sIp, sPort, dIp, dPort, payload) ->
        got.add(Ipv4Address.format(sIp) + ":" + sPort));
    return got;
  }

  private void sendUdp(LabNode node, int srcPort, String dst, int dstPort, int bytes) {
    ByteBuf data = node.stack().allocate(bytes);
    data.writeZero(bytes);
    node.stack().udp().send(0, srcPort, ip(dst), dstPort, 64, data);
  }

  /** No frame home sent out of its outside interface carries {@code inside}'s four bytes anywhere (quotes included). */
  private void assertNothingOutsideCarries(String inside) {
    int a = ip(inside);
    byte[] needle = {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a};
    for (CapturedFrame f : home.sent("eth1")) {
      byte[] b = f.bytes();
      for (int i = 0; i + 4 <= b.length; i++) {
        assertFalse(b[i] == needle[0] && b[i + 1] == needle[1] && b[i + 2] == needle[2] && b[i + 3] == needle[3],
            "no inside address leaves: " + f);
      }
    }
  }

  /** Every IPv4 frame's header, and its TCP, UDP or ICMP checksum, recomputed in full. */
  private static void assertChecksumsValid(List<CapturedFrame> frames) {
    for (CapturedFrame f : frames) {
      if (!f.isIpv4()) {
        continue;
      }
      ByteBuf b = Unpooled.wrappedBuffer(f.bytes());
      Ipv4Packet p = new Ipv4Packet().wrap(b, 14);
      assertTrue(p.checksumValid(), "IP header checksum of " + f);
      if (p.isFragment()) {
        continue; // a fragment's transport checksum covers the whole datagram: checked where reassembled
      }
      int l4 = p.payloadIndex();
      int len = p.payloadLength();
      switch (p.protocol()) {
        case Ipv4Packet.PROTO_TCP -> assertTrue(new TcpSegment().wrap(b, l4, len).checksumValid(p.src(), p.dst()),
            "TCP checksum of " + f);
        case Ipv4Packet.PROTO_UDP -> assertTrue(new UdpDatagram().wrap(b, l4, len).checksumValid(p.src(), p.dst()),
            "UDP checksum of " + f);
        case Ipv4Packet.PROTO_ICMP -> {
          assertTrue(Checksum.verify(b, l4, len), "ICMP checksum of " + f);
          int type = b.getUnsignedByte(l4);
          if (type == IcmpPacket.TYPE_DEST_UNREACHABLE || type == IcmpPacket.TYPE_TIME_EXCEEDED) {
            Ipv4Packet quoted = new Ipv4Packet().wrap(b, l4 + 8);
            assertTrue(quoted.checksumValid(), "quoted IP header checksum of " + f);
            int qL4 = quoted.payloadIndex();
            int quotedBytes = l4 + len - qL4;
            if (quoted.protocol() == Ipv4Packet.PROTO_UDP && quotedBytes >= b.getUnsignedShort(qL4 + 4)) {
              // the whole datagram is quoted (emu quotes up to 576 bytes, as RFC 1812 4.3.2.3 allows)
              assertTrue(new UdpDatagram().wrap(b, qL4, b.getUnsignedShort(qL4 + 4))
                  .checksumValid(quoted.src(), quoted.dst()), "quoted UDP checksum of " + f);
            }
          }
        }
        default -> { }
      }
    }
  }

  @Test
  void pingLeavesWithTheRoutersAddressAndTheReplyFindsTheLaptop() {
    start();
    lab.exec(laptop, "ping -c 2 203.0.113.10").assertExit(0);
    List<CapturedFrame> atServer = server.received("eth0");
    assertFalse(atServer.isEmpty());
    for (CapturedFrame f : atServer) {
      if (f.isIpv4()) {
        assertEquals(ip(HOME_OUT), f.ip().src(), "the server sees only the router's address: " + f);
      }
    }
    assertChecksumsValid(laptop.received("eth0"));
    assertChecksumsValid(server.received("eth0"));
    String table = conntrack("-L");
    assertTrue(table.matches("icmp     1 (59|60) src=192\\.168\\.0\\.10 dst=203\\.0\\.113\\.10 type=8 code=0 id=\\d+"
        + " src=203\\.0\\.113\\.10 dst=198\\.51\\.100\\.2 type=0 code=0 id=\\d+ \\[ASSURED\\] mark=0 use=1\n"
        + "conntrack v1\\.4\\.7 \\(conntrack-tools\\): 1 flow entries have been shown\\.\n?"), table);
    List<NatEvent.Translated> told = home.events(NatEvent.Translated.class);
    assertEquals("new", told.get(0).mapping());
    assertEquals("out", told.get(0).direction());
    assertEquals("in", told.get(1).direction());
    assertEquals("found", told.get(1).mapping());
  }

  /**
   * The router pings the server while the laptop pings it with the router's identifier: the
   * translator maps the laptop's ping to another identifier, so each gets its own replies (with
   * one identifier for both, the router's replies went inside, to the laptop).
   */
  @Test
  void theRoutersOwnPingAndAnInsideHostsWithItsIdentifierEachGetTheirReplies() {
    start();
    CommandRun routers = lab.launch(home, "ping -c 5 -i 0.2 203.0.113.10");
    lab.advance(S / 10);
    int ident = home.events(emu.node.event.AppEvent.Ping.class).get(0).ident();
    List<Integer> laptopReplies = new ArrayList<>();
    laptop.stack().icmp().addListener((ip, icmp) -> {
      if (icmp.type() == IcmpPacket.TYPE_ECHO_REPLY) {
        laptopReplies.add(icmp.ident());
      }
    });
    for (int seq = 1; seq <= 3; seq++) {
      laptop.stack().icmp().sendEcho(ip("203.0.113.10"), ident, seq, 64, Unpooled.buffer(8).writeZero(8));
      lab.advance(S / 5);
    }
    lab.await(routers).assertExit(0);
    assertTrue(routers.output().contains("5 packets transmitted, 5 received"), routers.output());
    assertEquals(List.of(ident, ident, ident), laptopReplies, "the laptop's replies, with its own identifier");
    List<Integer> leaving = home.sent("eth1").stream().filter(CapturedFrame::isIcmp)
        .filter(f -> f.icmp().type() == IcmpPacket.TYPE_ECHO_REQUEST).map(f -> f.icmp().ident()).toList();
    assertEquals(8, leaving.size(), leaving.toString());
    assertEquals(5, leaving.stream().filter(i -> i == ident).count(), "only the router's own requests keep " + ident);
    String table = conntrack("-L");
    assertTrue(table.contains("type=8 code=0 id=" + ident + " "), "the laptop's own identifier inside: " + table);
    assertFalse(table.contains("type=0 code=0 id=" + ident + " "), "mapped to another outside: " + table);
  }

  /**
   * The other order: the laptop's ping holds an identifier of the outside address, and a ping
   * the router starts then draws another.
   */
  @Test
  void aPingOfTheRouterNeverDrawsAnIdentifierTheTranslatorHolds() {
    start();
    int held = new java.util.Random(42).nextInt(0x10000);
    laptop.stack().icmp().sendEcho(ip("203.0.113.10"), held, 1, 64, Unpooled.buffer(8).writeZero(8));
    lab.advance(S / 10);
    assertTrue(nat.holdsPort(Ipv4Packet.PROTO_ICMP, held), "the laptop's ping kept its identifier outside");
    java.util.Random same = new java.util.Random(42);
    same.nextInt(0x10000);
    int next = same.nextInt(0x10000);
    assertEquals(next, home.stack().icmp().newEchoIdent(new java.util.Random(42)),
        "the first draw is held by the translator: the second is taken");
    home.stack().icmp().claimEchoIdent(next);
    assertTrue(home.stack().icmp().echoIdentInUse(next));
    home.stack().icmp().releaseEchoIdent(next);
    assertFalse(home.stack().icmp().echoIdentInUse(next));
  }

  @Test
  void udpMappingLives30SecondsUnrepliedAnd180OnceBothWays() {
    start();
    udpFrom(laptop, 5000);
    sendUdp(laptop, 5000, "203.0.113.10", 9, 10); // discard port: no listener, nothing comes back but an error
    lab.settle();
    String row = conntrack("-L");
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("udp      17 (\\d+) src=192.168.0.10 dst=203.0.113.10"
        + " sport=5000 dport=9 \\[UNREPLIED] src=203.0.113.10 dst=198.51.100.2 sport=9 dport=5000 mark=0 use=1\n")
        .matcher(row);
    assertTrue(m.lookingAt(), "the port unreachable that came back is related, not a reply:\n" + row);
    long left = Long.parseLong(m.group(1));
    assertTrue(left <= 30 && left >= 20, row);
    lab.advance((left + 1) * S);
    assertEquals(0, nat.size(), "an unreplied UDP mapping lapses after 30 s");
    assertEquals(1, nat.counters().expired);

    // both ways: the server echoes
    server.stack().udp().bind(7, (sIp, sPort, dIp, dPort, payload) -> {
      ByteBuf back = server.stack().allocate(4);
      back.writeInt(42);
      server.stack().udp().send(0, 7, sIp, sPort, 64, back);
    });
    List<String> got = udpFrom(laptop, 5001);
    long sent = lab.now();
    sendUdp(laptop, 5001, "203.0.113.10", 7, 10);
    lab.settle();
    assertEquals(List.of("203.0.113.10:7"), got, "the echo comes back through the mapping");
    assertTrue(conntrack("-L").contains("[ASSURED]"));
    lab.advance(sent + 179 * S - lab.now());
    assertEquals(1, nat.size(), "a UDP mapping used both ways lasts 180 s");
    lab.advance(2 * S);
    assertEquals(0, nat.size());
  }

  @Test
  void tcpEstablishedOutlivesTransitoryTimeoutAndClosedOnesLapseAfter240Seconds() {
    start();
    List<TcpConnection> accepted = new ArrayList<>();
    server.tcp().listen(0, 443, 0, c -> {
      accepted.add(c);
      return Discard.INSTANCE;
    });
    TcpConnection c = laptop.tcp().connect(ip("203.0.113.10"), 443, 0, Discard.INSTANCE);
    lab.runUntil(() -> !accepted.isEmpty(), 10 * S);
    assertEquals(ip(HOME_OUT), accepted.get(0).remoteIp(), "the server's peer is the router");
    assertEquals(c.localPort(), accepted.get(0).remotePort(), "the port is preserved");
    lab.advance(S);
    assertTrue(conntrack("-L").contains("tcp      6 7438 ESTABLISHED src=192.168.0.10 dst=203.0.113.10 sport="
        + c.localPort() + " dport=443 src=203.0.113.10 dst=198.51.100.2 sport=443 dport=" + c.localPort()
        + " [ASSURED]"), conntrack("-L"));
    lab.advance(600 * S); // well past the transitory 240 s
    assertEquals(1, nat.size(), "an established TCP mapping stays for 2 h 4 min idle (RFC 5382 REQ-5)");
    c.close();
    accepted.get(0).close();
    lab.advance(5 * S);
    assertTrue(conntrack("-L").contains("TIME_WAIT"), conntrack("-L"));
    lab.advance(241 * S);
    assertEquals(0, nat.size(), "a closed connection's mapping goes after the transitory 240 s");

    // a SYN to a closed port: RST, transitory
    laptop.tcp().connect(ip("203.0.113.10"), 444, 0, Discard.INSTANCE);
    lab.advance(2 * S);
    assertTrue(conntrack("-L").contains("CLOSE src=192.168.0.10"), conntrack("-L"));
    lab.advance(241 * S);
    assertEquals(0, nat.size());
  }

  @Test
  void tracerouteThroughTheNatGetsItsTimeExceededErrorsTranslated() {
    start();
    CommandRun run = lab.exec(laptop, "traceroute -n -q 1 203.0.113.10");
    run.assertExit(0);
    assertTrue(run.output().contains("198.51.100.1"), "the ISP's hop answered through the NAT:\n" + run.output());
    assertTrue(run.output().contains("203.0.113.10"), run.output());
    assertTrue(nat.counters().icmpErrors >= 2, "time exceeded and port unreachable were translated");
    assertChecksumsValid(laptop.received("eth0"));
    List<NatEvent.IcmpError> told = home.events(NatEvent.IcmpError.class);
    assertEquals(HOME_OUT, told.get(0).beforeAddr());
    assertEquals("192.168.0.10", told.get(0).afterAddr());
  }

  @Test
  void icmpErrorQuotingNoMappingAndALaterFragmentWithoutAFirstAreDroppedAndCounted() {
    start();
    // a port unreachable from outside about a datagram 198.51.100.2:40000 never sent
    byte[] quoted = PacketBuilder.ipv4(HOME_OUT, "203.0.113.10").udp(40000, 53, new byte[4]).packet();
    byte[] error = PacketBuilder.ipv4("203.0.113.10", HOME_OUT)
        .eth(home.mac("eth1"), isp.mac("eth0")).icmp(IcmpPacket.TYPE_DEST_UNREACHABLE, 3, 0, quoted).frame();
    home.inject("eth1", error);
    // the second fragment of a datagram whose first never came
    byte[] fragment = PacketBuilder.ipv4("203.0.113.10", HOME_OUT).ident(77).flagsFragment(185)
        .eth(home.mac("eth1"), isp.mac("eth0")).payload(Ipv4Packet.PROTO_UDP, new byte[64]).frame();
    home.inject("eth1", fragment);
    lab.settle();
    assertEquals(1, home.drops(DropReason.NAT_ICMP_UNKNOWN));
    assertEquals(1, home.drops(DropReason.NAT_NO_MAPPING));
    assertEquals(1, nat.counters().icmpUnknown);
    assertEquals(1, nat.counters().noMapping);
    // and the router still translates
    lab.exec(laptop, "ping -c 1 203.0.113.10").assertExit(0);
  }

  @Test
  void fragmentsOfAnInboundDatagramFollowTheirFirstFragment() {
    start();
    udpFrom(laptop, 6000);
    sendUdp(laptop, 6000, "203.0.113.10", 9, 10);
    lab.settle();
    laptop.clearRecords();
    // the server's (hand-built) reply in two fragments: UDP header + 16 bytes, then 24 more bytes
    byte[] whole = PacketBuilder.ipv4("203.0.113.10", HOME_OUT).udp(9, 6000, new byte[40]).packet();
    byte[] first = new byte[20 + 24];
    System.arraycopy(whole, 0, first, 0, first.length);
    byte[] rest = new byte[24];
    System.arraycopy(whole, 20 + 24, rest, 0, 24);
    byte[] f1 = PacketBuilder.ipv4("203.0.113.10", HOME_OUT).ident(500).flagsFragment(0x2000)
        .eth(home.mac("eth1"), isp.mac("eth0")).payload(Ipv4Packet.PROTO_UDP, java.util.Arrays.copyOfRange(first,
            20, first.length)).frame();
    byte[] f2 = PacketBuilder.ipv4("203.0.113.10", HOME_OUT).ident(500).flagsFragment(3)
        .eth(home.mac("eth1"), isp.mac("eth0")).payload(Ipv4Packet.PROTO_UDP, rest).frame();
    home.inject("eth1", f1);
    home.inject("eth1", f2);
    lab.settle();
    List<CapturedFrame> frags = laptop.received("eth0").stream().filter(CapturedFrame::isIpv4)
        .filter(f -> f.ip().ident() == 500).toList();
    assertEquals(2, frags.size(), "both fragments reach the laptop: " + laptop.received("eth0"));
    for (CapturedFrame f : frags) {
      assertEquals(ip("192.168.0.10"), f.ip().dst());
    }
    assertChecksumsValid(frags);
    // the first fragment's UDP checksum covers the whole datagram: check it over both parts
    ByteBuf joined = Unpooled.buffer();
    joined.writeBytes(frags.get(0).bytes(), 14 + 20, 24);
    joined.writeBytes(frags.get(1).bytes(), 14 + 20, 24);
    long pseudo = Checksum.pseudoHeader(ip("203.0.113.10"), ip("192.168.0.10"), Ipv4Packet.PROTO_UDP, 48);
    assertEquals(0xFFFF, Checksum.fold(Checksum.add(pseudo, joined, 0, 48)),
        "the reassembled datagram's UDP checksum is valid after the rewrite");
  }

  @Test
  void tableFullDropsNewFlowsAndCountsThemWhileKnownFlowsGoOn() {
    start(new NatConfig(100, null));
    lab.exec(laptop, "ping -c 1 192.168.0.1").assertExit(0); // the laptop knows its gateway's MAC: no ARP queue
    for (int p = 10000; p < 11000; p++) {
      sendUdp(laptop, p, "203.0.113.10", 9, 1);
    }
    lab.settle();
    assertEquals(100, nat.size());
    assertEquals(900, nat.counters().tableFull);
    assertEquals(900, home.drops(DropReason.NAT_TABLE_FULL));
    assertTrue(conntrack("-S").contains("insert=100 insert_failed=900"), conntrack("-S"));
    assertEquals("100", conntrack("-C").trim());
    lab.advance(31 * S);
    lab.exec(laptop, "ping -c 1 203.0.113.10").assertExit(0);
  }

  @Test
  void twoInsideHostsOnOnePortGetTwoExternalPorts() {
    start();
    udpFrom(laptop, 5353);
    udpFrom(tv, 5353);
    sendUdp(laptop, 5353, "203.0.113.10", 9, 1);
    sendUdp(tv, 5353, "203.0.113.10", 9, 1);
    lab.settle();
    List<Integer> ports = server.received("eth0").stream().filter(CapturedFrame::isUdp)
        .map(f -> f.udp().srcPort()).distinct().toList();
    assertEquals(2, ports.size(), "the server tells the two apart: " + ports);
    assertTrue(ports.contains(5353), "the first keeps its port");
    int other = ports.get(0) == 5353 ? ports.get(1) : ports.get(0);
    assertTrue(other >= 1024 && other <= 65535, "the second gets a port of the same range: " + other);
  }

  @Test
  void portForwardAndHairpin() {
    start(new NatConfig(NatConfig.DEFAULT_MAX, List.of(new NatConfig.Forward("tcp", 8443, "192.168.0.10", 443))));
    List<TcpConnection> accepted = new ArrayList<>();
    laptop.tcp().listen(0, 443, 0, c -> {
      accepted.add(c);
      return Discard.INSTANCE;
    });
    // from outside, to the router's address
    TcpConnection fromServer = server.tcp().connect(ip(HOME_OUT), 8443, 0, Discard.INSTANCE);
    lab.runUntil(() -> accepted.size() == 1, 10 * S);
    assertEquals(ip("203.0.113.10"), accepted.get(0).remoteIp(), "a port forward keeps the client's address");
    lab.advance(S);
    assertEquals(ip(HOME_OUT), fromServer.remoteIp());
    assertTrue(fromServer.state().name().equals("ESTABLISHED"), fromServer.state().name());
    String table = conntrack("-L");
    assertTrue(table.contains("ESTABLISHED src=203.0.113.10 dst=198.51.100.2 sport=" + fromServer.localPort()
        + " dport=8443 src=192.168.0.10 dst=203.0.113.10 sport=443 dport=" + fromServer.localPort() + " [ASSURED]"),
        table);
    // from the tv, to the same public address and port: hairpinned back inside
    TcpConnection fromTv = tv.tcp().connect(ip(HOME_OUT), 8443, 0, Discard.INSTANCE);
    lab.runUntil(() -> accepted.size() == 2, 10 * S);
    lab.advance(S);
    assertEquals(ip(HOME_OUT), accepted.get(1).remoteIp(),
        "a hairpinned packet comes with the sender's external address (RFC 4787 REQ-9)");
    assertEquals("ESTABLISHED", fromTv.state().name());
    assertEquals(ip(HOME_OUT), fromTv.remoteIp());
    assertTrue(nat.counters().hairpinned > 0);
    assertChecksumsValid(laptop.received("eth0"));
    assertChecksumsValid(tv.received("eth0"));
    assertFalse(home.events(NatEvent.Translated.class).stream().noneMatch(e -> e.direction().equals("hairpin")));
  }

  @Test
  void theRoutersOwnErrorAboutAForwardedPacketQuotesItAsItArrived() {
    start(new NatConfig(NatConfig.DEFAULT_MAX, List.of(new NatConfig.Forward("tcp", 8443, "192.168.0.10", 443))));
    byte[] seg = new byte[20];
    seg[0] = (byte) (40000 >> 8);
    seg[1] = (byte) 40000;
    seg[2] = (byte) (8443 >> 8);
    seg[3] = (byte) 8443;
    seg[12] = 0x50;
    seg[13] = (byte) TcpSegment.SYN;
    home.inject("eth1", PacketBuilder.ipv4("203.0.113.10", HOME_OUT).ttl(1).eth(home.mac("eth1"), isp.mac("eth0"))
        .payload(Ipv4Packet.PROTO_TCP, seg).frame());
    lab.settle();
    CapturedFrame err = home.sent("eth1").stream().filter(CapturedFrame::isIcmp)
        .filter(f -> f.icmp().type() == IcmpPacket.TYPE_TIME_EXCEEDED).findFirst().orElseThrow();
    ByteBuf b = Unpooled.wrappedBuffer(err.bytes());
    Ipv4Packet quoted = new Ipv4Packet().wrap(b, 14 + 20 + 8);
    assertEquals(ip(HOME_OUT), quoted.dst(), "the error quotes the router's address, not the inside host's");
    assertEquals(8443, b.getUnsignedShort(quoted.payloadIndex() + 2));
    assertEquals(ip("203.0.113.10"), err.ip().dst());
    assertChecksumsValid(List.of(err));
    assertNothingOutsideCarries("192.168.0.10");
  }

  /**
   * A port forward to an inside address nobody answers: the router's ARP for it fails seconds
   * after the SYN came in, and its host unreachable about the held SYN quotes the router's address
   * and forwarded port, as the client sent them, so the client's TCP matches it to its attempt and
   * gives up at once ("No route to host") instead of retrying for minutes; no inside address leaves.
   */
  @Test
  void hostUnreachableAboutAHeldForwardedPacketQuotesItAsItArrived() {
    start(new NatConfig(NatConfig.DEFAULT_MAX, List.of(new NatConfig.Forward("tcp", 8443, "192.168.0.99", 443))));
    Attempt events = new Attempt();
    long t0 = lab.now();
    TcpConnection fromServer = server.tcp().connect(ip(HOME_OUT), 8443, 0, events);
    assertTrue(lab.runUntil(() -> events.closed, 60 * S), "the attempt ended");
    assertEquals(emu.node.tcp.TcpError.UNREACHABLE, events.error);
    double took = (lab.now() - t0) / 1e9;
    assertTrue(took < 10, "ended by the router's error, after its ARP gave up, not by retries: " + took + " s");
    CapturedFrame err = home.sent("eth1").stream().filter(CapturedFrame::isIcmp)
        .filter(f -> f.icmp().type() == IcmpPacket.TYPE_DEST_UNREACHABLE).findFirst().orElseThrow();
    assertEquals(IcmpPacket.CODE_HOST_UNREACHABLE, err.icmp().code());
    ByteBuf b = Unpooled.wrappedBuffer(err.bytes());
    Ipv4Packet quoted = new Ipv4Packet().wrap(b, 14 + 20 + 8);
    assertEquals(ip(HOME_OUT), quoted.dst(), "the error quotes the router's address, not the inside one");
    assertEquals(ip("203.0.113.10"), quoted.src());
    assertEquals(fromServer.localPort(), b.getUnsignedShort(quoted.payloadIndex()));
    assertEquals(8443, b.getUnsignedShort(quoted.payloadIndex() + 2));
    assertChecksumsValid(List.of(err));
    assertNothingOutsideCarries("192.168.0.99");
  }

  /**
   * Held packets that no translation made are quoted as they are: an inside host's to an inside
   * address nobody answers on a port an outside flow's mapping also names.
   */
  @Test
  void hostUnreachableAboutAnInsidePacketIsNotRewritten() {
    start(new NatConfig(NatConfig.DEFAULT_MAX, List.of(new NatConfig.Forward("udp", 5353, "192.168.0.99", 53))));
    // an outside client has used the forward: its mapping's remote is the server
    sendUdp(server, 4000, HOME_OUT, 5353, 8);
    lab.advance(5 * S);
    int before = home.sent("eth0").size();
    // the tv, inside, sends to the same inside endpoint through the router (a host route on the tv)
    tv.route("192.168.0.99/32", "192.168.0.1", 0);
    sendUdp(tv, 4000, "192.168.0.99", 53, 8);
    lab.advance(10 * S);
    CapturedFrame err = home.sent("eth0").stream().skip(before).filter(CapturedFrame::isIcmp)
        .filter(f -> f.icmp().type() == IcmpPacket.TYPE_DEST_UNREACHABLE).findFirst().orElseThrow();
    assertEquals(IcmpPacket.CODE_HOST_UNREACHABLE, err.icmp().code());
    assertEquals(ip("192.168.0.11"), err.ip().dst());
    Ipv4Packet quoted = new Ipv4Packet().wrap(Unpooled.wrappedBuffer(err.bytes()), 14 + 20 + 8);
    assertEquals(ip("192.168.0.99"), quoted.dst(), "not a translated packet: quoted as sent");
    assertEquals(ip("192.168.0.11"), quoted.src());
  }

  /** A connection attempt's end, and why. */
  private static final class Attempt implements emu.node.tcp.TcpEvents {
    boolean closed;
    emu.node.tcp.TcpError error;

    @Override
    public void onEstablished(TcpConnection c) { }

    @Override
    public void onData(TcpConnection c, ByteBuf data) {
      data.release();
    }

    @Override
    public void onPeerFin(TcpConnection c) { }

    @Override
    public void onWritable(TcpConnection c) { }

    @Override
    public void onClosed(TcpConnection c, emu.node.tcp.TcpError e) {
      closed = true;
      error = e;
    }
  }

  @Test
  void anInboundPacketWithoutAMappingIsTheRoutersOwn() {
    start();
    lab.exec(server, "ping -c 1 198.51.100.2").assertExit(0); // the router answers for itself
    // a SYN to a port nobody forwards: the router's own TCP answers RST, as a real router does
    TcpConnection c = server.tcp().connect(ip(HOME_OUT), 22, 0, Discard.INSTANCE);
    lab.advance(2 * S);
    assertEquals("CLOSED", c.state().name());
    assertEquals(0, nat.size());
    for (CapturedFrame f : laptop.received("eth0")) {
      assertFalse(f.isIpv4() && f.ip().src() == ip("203.0.113.10"), "nothing from outside reached the laptop");
    }
  }

  @Test
  void aNewOutsideAddressFlushesTheMappingsAsMasqueradeDoes() {
    start();
    lab.exec(laptop, "ping -c 1 203.0.113.10").assertExit(0);
    assertEquals(1, nat.size());
    home.stack().setAddress(home.nic("eth1"), emu.node.wire.Ipv4Cidr.parse("198.51.100.3/24"));
    home.defaultRoute("198.51.100.1");
    lab.exec(laptop, "ping -c 1 203.0.113.10").assertExit(0);
    assertEquals(1, nat.counters().flushed);
    assertTrue(conntrack("-L").contains("dst=198.51.100.3"), conntrack("-L"));
  }

  @Test
  void natBlocksNothingTheRouterDoesNotForward() {
    start();
    assertNotEquals(null, home.stack().nat());
    // traffic between two inside hosts never touches the table
    lab.exec(laptop, "ping -c 1 192.168.0.11").assertExit(0);
    assertEquals(0, nat.size());
  }

  @Test
  void mutatedPacketsBothWaysNeverThrowNorLeakAndTheNatKeepsTranslating() {
    start(new NatConfig(256, List.of(new NatConfig.Forward("udp", 5353, "192.168.0.10", 5353))));
    udpFrom(laptop, 5000);
    sendUdp(laptop, 5000, "203.0.113.10", 9, 10);
    lab.exec(laptop, "ping -c 1 203.0.113.10").assertExit(0);
    long in = home.mac("eth1");
    long ispMac = isp.mac("eth0");
    long out = home.mac("eth0");
    long laptopMac = laptop.mac("eth0");
    byte[] quotedUdp = PacketBuilder.ipv4(HOME_OUT, "203.0.113.10").udp(5000, 9, new byte[4]).packet();
    byte[] quotedInside = PacketBuilder.ipv4("203.0.113.10", "192.168.0.10").udp(9, 5353, new byte[4]).packet();
    List<byte[]> inbound = List.of(
        PacketBuilder.ipv4("203.0.113.10", HOME_OUT).eth(in, ispMac).udp(9, 5000, new byte[12]).frame(),
        PacketBuilder.ipv4("203.0.113.10", HOME_OUT).eth(in, ispMac).udp(9, 5353, new byte[12]).frame(),
        PacketBuilder.ipv4("203.0.113.1", HOME_OUT).eth(in, ispMac).icmp(IcmpPacket.TYPE_TIME_EXCEEDED, 0, 0,
            quotedUdp).frame(),
        PacketBuilder.ipv4("203.0.113.10", HOME_OUT).eth(in, ispMac).icmpEcho(1, 1, 8).frame(),
        PacketBuilder.ipv4("203.0.113.10", HOME_OUT).ident(9).flagsFragment(0x2000).eth(in, ispMac)
            .payload(Ipv4Packet.PROTO_UDP, new byte[24]).frame(),
        PacketBuilder.ipv4("203.0.113.10", HOME_OUT).eth(in, ispMac).payload(Ipv4Packet.PROTO_TCP, new byte[20])
            .frame());
    List<byte[]> outbound = List.of(
        PacketBuilder.ipv4("192.168.0.10", "203.0.113.10").eth(out, laptopMac).udp(5001, 53, new byte[12]).frame(),
        PacketBuilder.ipv4("192.168.0.10", "203.0.113.10").eth(out, laptopMac).icmpEcho(7, 1, 8).frame(),
        PacketBuilder.ipv4("192.168.0.10", "203.0.113.10").eth(out, laptopMac).icmp(IcmpPacket.TYPE_DEST_UNREACHABLE,
            3, 0, quotedInside).frame(),
        PacketBuilder.ipv4("192.168.0.10", HOME_OUT).eth(out, laptopMac).udp(5002, 5353, new byte[12]).frame(),
        PacketBuilder.ipv4("192.168.0.10", "203.0.113.10").eth(out, laptopMac).payload(Ipv4Packet.PROTO_TCP,
            new byte[20]).frame());
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(4787);
    for (int i = 0; i < 4000; i++) {
      boolean inside = rnd.nextBoolean();
      List<byte[]> seeds = inside ? outbound : inbound;
      byte[] f = seeds.get(rnd.nextInt(seeds.size())).clone();
      int edits = 1 + rnd.nextInt(4);
      for (int e = 0; e < edits; e++) {
        int at = 14 + rnd.nextInt(f.length - 14);
        if (at >= 14 + 12 && at < 14 + 20 && rnd.nextInt(4) != 0) {
          continue; // mostly keep the addresses, so the packet reaches the translation
        }
        f[at] = (byte) rnd.nextInt(256);
      }
      if (rnd.nextInt(6) == 0) {
        f = java.util.Arrays.copyOf(f, 14 + rnd.nextInt(f.length - 13));
      }
      int ihl = f.length > 14 ? (f[14] & 0x0F) * 4 : 0;
      if (ihl >= 20 && f.length >= 14 + ihl && rnd.nextInt(4) != 0) {
        f = PacketBuilder.refreshIpChecksum(f, 14); // past the IP checks, into the NAT
      }
      byte[] frame = f;
      org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> home.inject(inside ? "eth0" : "eth1", frame));
      if (i % 200 == 0) {
        lab.settle();
      }
    }
    lab.settle();
    lab.advance(200 * S);
    lab.exec(laptop, "ping -c 1 203.0.113.10").assertExit(0);
    lab.exec(laptop, "traceroute -n -q 1 203.0.113.10").assertExit(0);
    assertTrue(nat.size() <= 256);
    lab.assertNoLeaks();
  }

  @Test
  void aZeroUdpChecksumStaysZeroAndOthersCannotCloseAnEstablishedFlow() {
    start();
    lab.exec(laptop, "ping -c 1 192.168.0.1").assertExit(0);
    byte[] frame = PacketBuilder.ipv4("192.168.0.10", "203.0.113.10").eth(home.mac("eth0"), laptop.mac("eth0"))
        .udp(7000, 9, new byte[8]).frame();
    frame[14 + 20 + 6] = 0; // no UDP checksum (RFC 768)
    frame[14 + 20 + 7] = 0;
    home.inject("eth0", frame);
    lab.settle();
    CapturedFrame out = isp.received("eth0").stream().filter(CapturedFrame::isUdp)
        .filter(f -> f.udp().dstPort() == 9).findFirst().orElseThrow();
    assertEquals(ip(HOME_OUT), out.ip().src());
    assertEquals(0, Unpooled.wrappedBuffer(out.bytes()).getUnsignedShort(14 + 20 + 6), "no checksum stays none");

    List<TcpConnection> accepted = new ArrayList<>();
    server.tcp().listen(0, 443, 0, c -> {
      accepted.add(c);
      return Discard.INSTANCE;
    });
    TcpConnection c = laptop.tcp().connect(ip("203.0.113.10"), 443, 0, Discard.INSTANCE);
    lab.runUntil(() -> !accepted.isEmpty(), 10 * S);
    lab.advance(S);
    // a stranger's RST and SYN to the open mapping (endpoint-independent filtering lets them in)
    for (int flags : new int[] {TcpSegment.RST, TcpSegment.SYN, TcpSegment.FIN | TcpSegment.ACK}) {
      byte[] seg = new byte[20];
      seg[0] = (byte) (4444 >> 8);
      seg[1] = (byte) 4444;
      seg[2] = (byte) (c.localPort() >> 8);
      seg[3] = (byte) c.localPort();
      seg[12] = 0x50;
      seg[13] = (byte) flags;
      home.inject("eth1", PacketBuilder.ipv4("203.0.113.99", HOME_OUT).eth(home.mac("eth1"), isp.mac("eth0"))
          .payload(Ipv4Packet.PROTO_TCP, seg).frame());
    }
    lab.advance(S);
    assertTrue(conntrack("-L").contains("ESTABLISHED src=192.168.0.10 dst=203.0.113.10"),
        "a stranger cannot move the tracked connection: " + conntrack("-L"));
  }
}
