package emu.node.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.tcp.script.TcpScript;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Opening connections (RFC 9293 3.5): passive, active, simultaneous; option negotiation. */
class HandshakeScriptTest {
  /** Options off unless a test turns them on, so scripts stay short. */
  static TcpSettings plain() {
    return TcpSettings.defaults().withOptions(false, false, false);
  }

  @Test
  void passiveOpen() {
    TcpScript s = new TcpScript();
    s.run("""
        0     listen 8080
        +0    < S 0:0(0) win 65535 <mss 1000,sackOK,nop,wscale 7>
        +0    > S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 7>
        +0    expect state SYN_RECEIVED
        +0.1  < . 1:1(0) ack 1 win 1000
        +0    expect state ESTABLISHED
        +0    expect established 1
        """);
    TcpInfo info = s.connection().info();
    assertEquals(1000, info.mss(), "send MSS: the peer's (no timestamps)");
    assertEquals(7, info.sndWscale());
    assertEquals(7, info.rcvWscale());
    assertEquals(100, Math.round(info.srttMs()), "the SYN,ACK was timed");
    assertEquals(1, s.tcp().counters().passiveOpens);
    assertEquals(List.of(TcpState.SYN_RECEIVED, TcpState.ESTABLISHED), s.connection().stateHistory());
    s.run("+0 abort");
    s.run("+0 > R. 1:1(0) ack 1 win 0");
    s.finish();
  }

  @Test
  void activeOpenWithEveryOption() {
    TcpScript s = new TcpScript();
    s.run("""
        0     connect 80
        +0    > S 0:0(0) win 65535 <mss 1460,sackOK,TS val * ecr 0,nop,wscale 7>
        +0.05 < S. 0:0(0) ack 1 win 28960 <mss 1460,sackOK,TS val 700 ecr *,nop,wscale 9>
        +0    > . 1:1(0) ack 1 win 32768 <nop,nop,TS val * ecr 700>
        +0    expect state ESTABLISHED
        +0    expect established 1
        """);
    TcpInfo info = s.connection().info();
    assertEquals(1448, info.mss(), "1460 less the 12 bytes of timestamps");
    assertEquals(9, info.sndWscale());
    assertEquals(7, info.rcvWscale());
    assertEquals(50, Math.round(info.srttMs()));
    assertEquals(1, s.tcp().counters().activeOpens);
    s.run("""
        +0 write 100
        +0 > P. 1:101(100) ack 1 win 32768 <nop,nop,TS val * ecr 700>
        +0.05 < . 1:1(0) ack 101 win 100 <nop,nop,TS val 750 ecr *>
        +0 close
        +0 > F. 101:101(0) ack 1 <nop,nop,TS val * ecr 750>
        +0 abort
        +0 > R. 102:102(0) ack 1 win 0 <>
        """);
    s.finish();
  }

  @Test
  void windowScaleAndTimestampsOnlyWhenBothSynsCarryThem() {
    TcpScript s = new TcpScript();
    s.run("""
        0     listen 8080
        +0    < S 0:0(0) win 65535 <mss 1000,sackOK>
        +0    > S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK>
        +0    < . 1:1(0) ack 1 win 1000
        +0    < P. 1:1001(1000) ack 1 win 1000
        +0.04 > . 1:1(0) ack 1001 win 65535 <>
        """);
    TcpInfo info = s.connection().info();
    assertEquals(-1, info.sndWscale(), "no window scaling");
    assertEquals(1000, info.mss());
    s.run("+0 abort\n+0 > R. 1:1(0) ack 1001 win 0");
    s.finish();
  }

  @Test
  void peerOffersTimestampsButWeDoNot() {
    TcpScript s = new TcpScript(TcpSettings.defaults().withOptions(true, false, true));
    s.run("""
        0     listen 8080
        +0    < S 0:0(0) win 65535 <mss 1000,sackOK,TS val 5 ecr 0,nop,wscale 7>
        +0    > S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 7>
        +0    < . 1:1(0) ack 1 win 1000
        """);
    assertEquals(1000, s.connection().info().mss(), "no timestamps, no 12 bytes off");
    s.run("+0 abort\n+0 > R. 1:1(0) ack 1 win 0");
    s.finish();
  }

  @Test
  void mss536WhenTheSynCarriesNoMss() {
    TcpScript s = new TcpScript(plain());
    s.run("""
        0     listen 8080
        +0    < S 0:0(0) win 65535
        +0    > S. 0:0(0) ack 1 win 65535 <mss 1460>
        +0    < . 1:1(0) ack 1 win 65535
        +0    write 1000
        +0    > . 1:537(536) ack 1 win 65535
        +0    > P. 537:1001(464) ack 1 win 65535
        """);
    assertEquals(536, s.connection().info().mss());
    s.run("+0 < . 1:1(0) ack 1001 win 65535\n+0 abort\n+0 > R. 1001:1001(0) ack 1 win 0");
    s.finish();
  }

  @Test
  void simultaneousOpen() {
    TcpScript s = new TcpScript(plain());
    s.run("""
        0     connect 80
        +0    > S 0:0(0) win 65535 <mss 1460>
        // the peer's own SYN crosses ours (RFC 9293 figure 7)
        +0.01 < S 0:0(0) win 5000 <mss 1000>
        +0    > S. 0:0(0) ack 1 win 65535 <mss 1460>
        +0    expect state SYN_RECEIVED
        +0.01 < S. 0:0(0) ack 1 win 5000 <mss 1000>
        +0    expect state ESTABLISHED
        +0    expect established 1
        """);
    assertEquals(List.of(TcpState.SYN_SENT, TcpState.SYN_RECEIVED, TcpState.ESTABLISHED),
        s.connection().stateHistory());
    s.run("""
        +0 write 10
        +0 > P. 1:11(10) ack 1 win 65535
        +0.01 < . 1:1(0) ack 11 win 5000
        +0 abort
        +0 > R. 11:11(0) ack 1 win 0
        """);
    s.finish();
  }

  @Test
  void connectToClosedPortIsRefused() {
    TcpScript s = new TcpScript(plain());
    s.run("""
        0     connect 80
        +0    > S 0:0(0) win 65535 <mss 1460>
        +0.01 < R. 0:0(0) ack 1 win 0
        +0    expect closed REFUSED
        """);
    assertEquals(TcpState.CLOSED, s.connection().state());
    assertTrue(s.tcp().connections().isEmpty());
    assertEquals(1, s.tcp().counters().attemptFails);
    s.finish();
  }

  @Test
  void rstWithoutAckOrWithWrongAckInSynSentIsIgnored() {
    TcpScript s = new TcpScript(plain());
    s.run("""
        0     connect 80
        +0    > S 0:0(0) win 65535 <mss 1460>
        // RFC 9293 3.10.7.3: a RST is acceptable only with an ACK of our SYN
        +0.01 < R 0:0(0) win 0
        +0    expect open
        +0    < R. 0:0(0) ack 5 win 0
        +0    expect open
        // an ACK of something we never sent gets a RST of its own (but not a RST for a RST)
        +0    < . 0:0(0) ack 7 win 0
        +0    > R 7:7(0) win 0
        +0.99 > S 0:0(0) win 65535 <mss 1460>
        +0    abort
        +0    expect closed ABORTED
        """);
    s.finish();
  }

  @Test
  void synRetransmissionsBackOffAndTimeOut() {
    TcpScript s = new TcpScript(plain().withRetries(15, 3));
    s.run("""
        0   connect 80
        +0  > S 0:0(0) win 65535 <mss 1460>
        +1  > S 0:0(0) win 65535 <mss 1460>
        +2  > S 0:0(0) win 65535 <mss 1460>
        +4  > S 0:0(0) win 65535 <mss 1460>
        +7.9 expect open
        +0.1 expect closed TIMEOUT
        """);
    s.finish();
  }

  @Test
  void karnNoSampleFromRetransmittedSynAndThreeSecondFallback() {
    TcpScript s = new TcpScript(plain());
    s.run("""
        0     connect 80
        +0    > S 0:0(0) win 65535 <mss 1460>
        +1    > S 0:0(0) win 65535 <mss 1460>
        +0.2  < S. 0:0(0) ack 1 win 5000 <mss 1000>
        +0    > . 1:1(0) ack 1 win 65535
        """);
    TcpInfo info = s.connection().info();
    assertEquals(0.0, info.srttMs(), "Karn: the SYN,ACK answers a retransmitted SYN, no sample");
    assertEquals(3000, info.rtoMs(), "RFC 6298 5.7: RTO 3 s after a SYN timeout");
    s.run("""
        +0  write 100
        +0  > P. 1:101(100) ack 1 win 65535
        +3  > P. 1:101(100) ack 1 win 65535
        +0.1 < . 1:1(0) ack 101 win 5000
        """);
    assertEquals(0.0, s.connection().info().srttMs(), "Karn again: the ACK is for a retransmission");
    s.run("""
        +0  write 100
        +0  > P. 101:201(100) ack 1 win 65535
        +0.1 < . 1:1(0) ack 201 win 5000
        """);
    assertEquals(100, Math.round(s.connection().info().srttMs()), "a clean sample");
    s.run("+0 abort\n+0 > R. 201:201(0) ack 1 win 0");
    s.finish();
  }

  @Test
  void synToClosedPortGetsRstAck() {
    TcpScript s = new TcpScript(plain());
    s.run("""
        0  < S 0:0(0) win 65535 <mss 1000>
        +0 > R. 0:0(0) ack 1 win 0
        // data for no connection: <SEQ=SEG.ACK><CTL=RST>
        +0 < P. 1:11(10) ack 5000 win 65535
        +0 > R 5000:5000(0) win 0
        // never a RST for a RST
        +0 < R. 1:1(0) ack 1 win 0
        +0.1 quiet
        """);
    assertEquals(3, s.tcp().counters().noSocket);
    assertEquals(2, s.tcp().counters().rstSent);
    s.finish();
  }

  @Test
  void retransmittedSynInSynReceivedGetsTheSynAckAgain() {
    TcpScript s = new TcpScript(plain());
    s.run("""
        0     listen 8080
        +0    < S 0:0(0) win 65535 <mss 1000>
        +0    > S. 0:0(0) ack 1 win 65535 <mss 1460>
        +0.5  < S 0:0(0) win 65535 <mss 1000>
        +0    > S. 0:0(0) ack 1 win 65535 <mss 1460>
        +0.5  > S. 0:0(0) ack 1 win 65535 <mss 1460>
        +0.1  < . 1:1(0) ack 1 win 1000
        +0    expect state ESTABLISHED
        +0    abort
        +0    > R. 1:1(0) ack 1 win 0
        """);
    s.finish();
  }

  @Test
  void listenBacklogFullDropsSynsThenAcceptsWhenThereIsRoom() {
    TcpScript s = new TcpScript(plain().withSynCookies(false)); // sysctl tcp_syncookies=0 (SynCookieTest: =1)
    s.run("""
        0     listen 8080 backlog 1
        +0    < S 0:0(0) win 65535 <mss 1000> port=40001
        +0    > S. 0:0(0) ack 1 win 65535 <mss 1460> port=40001
        // the backlog is full: the second client's SYN is dropped without an answer
        +0    < S 0:0(0) win 65535 <mss 1000> port=40002
        +0.5  quiet
        +0    < . 1:1(0) ack 1 win 1000 port=40001
        // room again: the second client's retransmitted SYN gets in
        +0.5  < S 0:0(0) win 65535 <mss 1000> port=40002
        +0    > S. 0:0(0) ack 1 win 65535 <mss 1460> port=40002
        +0    < . 1:1(0) ack 1 win 1000 port=40002
        +0    expect established 2
        """);
    assertEquals(1, s.tcp().counters().listenOverflows);
    assertEquals(1, s.node().drops(emu.node.stack.DropReason.TCP_LISTEN_OVERFLOW));
    for (TcpConnection c : s.app().accepted()) {
      c.abort();
    }
    s.run("+0 > R. 1:1(0) ack 1 win 0 port=40001\n+0 > R. 1:1(0) ack 1 win 0 port=40002");
    s.finish();
  }

  @Test
  void pawsDropsSegmentsWithAnOldTimestamp() {
    TcpScript s = new TcpScript(TcpSettings.defaults().withOptions(false, true, false));
    s.run("""
        0     listen 8080
        +0    < S 0:0(0) win 65535 <mss 1000,nop,nop,TS val 1000 ecr 0>
        +0    > S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,TS val * ecr 1000>
        +0    < . 1:1(0) ack 1 win 65535 <nop,nop,TS val 1001 ecr *>
        +0    < P. 1:101(100) ack 1 win 65535 <nop,nop,TS val 1002 ecr *>
        +0    expect received 100
        // an older timestamp (RFC 7323 5.3): answered with an ACK, data dropped
        +0    < P. 101:201(100) ack 1 win 65535 <nop,nop,TS val 900 ecr *>
        +0    > . 1:1(0) ack 101 win 65535 <nop,nop,TS val * ecr 1002>
        +0    expect received 100
        +0    < P. 101:201(100) ack 1 win 65535 <nop,nop,TS val 1003 ecr *>
        +0    expect received 200
        """);
    assertEquals(1, s.tcp().counters().pawsRejected);
    s.run("+0 abort\n+0 > R. 1:1(0) ack 201 win 0");
    s.finish();
  }

  @Test
  void closingAListenerResetsItsHalfOpenConnections() {
    TcpScript s = new TcpScript(plain());
    s.run("""
        0     listen 8080
        +0    < S 0:0(0) win 65535 <mss 1000>
        +0    > S. 0:0(0) ack 1 win 65535 <mss 1460>
        """);
    s.tcp().listeners().get(0).close();
    s.run("""
        +0    > R. 1:1(0) ack 1 win 0
        +0    expect connections 0
        +0    < . 1:1(0) ack 1 win 1000
        +0    > R 1:1(0) win 0
        """);
    assertEquals(0, s.tcp().listeners().size());
    s.finish();
  }

  @Test
  void icmpPortUnreachableQuotingOurSynFailsTheAttempt() {
    TcpScript s = new TcpScript(plain());
    s.run("""
        0     connect 80
        +0    > S 0:0(0) win 65535 <mss 1460>
        """);
    TcpConnection c = s.connection();
    byte[] quote = quotedSyn(c);
    s.node().inject("eth0", emu.node.testing.PacketBuilder.ipv4(TcpScript.PEER_IP, TcpScript.NODE_IP)
        .eth(TcpScript.NODE_MAC, TcpScript.PEER_MAC)
        .icmp(emu.node.wire.IcmpPacket.TYPE_DEST_UNREACHABLE, emu.node.wire.IcmpPacket.CODE_PORT_UNREACHABLE, 0, quote)
        .frame());
    s.run("+0 expect closed UNREACHABLE");
    s.finish();
  }

  /** The first 28 bytes of the SYN the node sent: IP header and 8 bytes of TCP, as an ICMP error quotes it. */
  static byte[] quotedSyn(TcpConnection c) {
    io.netty.buffer.ByteBuf b = io.netty.buffer.Unpooled.buffer(28);
    try {
      b.writeZero(28);
      new emu.node.wire.Ipv4Packet.Repr(c.localIp(), c.remoteIp(), emu.node.wire.Ipv4Packet.PROTO_TCP, 64, 1, true, 0,
          20).emit(new emu.node.wire.Ipv4Packet().wrap(b, 0));
      b.setShort(20, c.localPort()).setShort(22, c.remotePort()).setInt(24, c.info().sendQ() == 0 ? iss(c) : 0);
      byte[] out = new byte[28];
      b.getBytes(0, out);
      return out;
    } finally {
      b.release();
    }
  }

  static int iss(TcpConnection c) {
    return c.iss;
  }
}
