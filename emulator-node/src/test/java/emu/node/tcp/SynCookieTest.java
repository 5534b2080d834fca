package emu.node.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import emu.node.stack.DropReason;
import emu.node.tcp.script.TcpScript;
import org.junit.jupiter.api.Test;

/**
 * SYN cookies (RFC 4987 3.6) on backlog overflow and the connection caps, driven segment by
 * segment on virtual time. Before cookies, a SYN past the backlog was dropped unanswered (so
 * every test here failed); before the caps, a listener took connections without limit.
 */
class SynCookieTest {
  static TcpSettings plain() {
    return HandshakeScriptTest.plain();
  }

  /** Backlog 1, the one half-open slot taken by port 40001: the SYN of 40002 gets a cookie. */
  static final String COOKIE = """
      0     listen 8080 backlog 1
      +0    < S 0:0(0) win 65535 <mss 1000> port=40001
      +0    > S. 0:0(0) ack 1 win 65535 <mss 1460> port=40001
      // the backlog is full: a SYN cookie, offering no option but the MSS, and no state
      +0    < S 0:0(0) win 65535 <mss 1300,sackOK,nop,wscale 7> port=40002
      +0    > S. 0:0(0) ack 1 win 65535 <mss 1460> port=40002
      +0    expect connections 1
      """;

  /** A listener on 8080 with one connection (from port 40001) established. */
  static final String ONE_ESTABLISHED = """
      0     listen 8080
      +0    < S 0:0(0) win 65535 <mss 1000> port=40001
      +0    > S. 0:0(0) ack 1 win 65535 <mss 1460> port=40001
      +0    < . 1:1(0) ack 1 win 1000 port=40001
      """;

  @Test
  void aValidCookieEstablishesAConnectionThatCarriesDataBothWays() {
    TcpScript s = new TcpScript(plain());
    s.run(COOKIE);
    assertEquals(1, s.tcp().counters().synCookiesSent);
    assertEquals(0, s.tcp().counters().listenOverflows);
    s.run("""
        +0.1  < . 1:1(0) ack 1 win 1000 port=40002
        +0    expect connections 2
        +0    < P. 1:101(100) ack 1 win 1000 port=40002
        +0    expect received 100
        +0    write 50
        +0    > P. 1:51(50) ack 101 port=40002
        +0    < . 101:101(0) ack 51 win 1000 port=40002
        """);
    assertEquals(1, s.tcp().counters().synCookiesValidated);
    TcpConnection c = s.connection();
    assertEquals(40002, c.remotePort());
    assertEquals(TcpState.ESTABLISHED, c.state());
    // the cookie carried the MSS index of 1300 (the largest table entry not above the peer's);
    // window scaling and SACK, which the SYN offered, are lost with a cookie (no timestamps to hide them in)
    assertEquals(1300, c.peerMss);
    assertEquals(0, c.sndShift);
    assertEquals(false, c.sackOk);
    assertEquals(1, s.tcp().listeners().get(0).halfOpen()); // 40001 still half-open, nothing else kept
    c.abort();
    s.run("+0 > R. 51:51(0) ack 101 win 0 port=40002");
    s.tcp().connections().forEach(TcpConnection::abort);
    s.run("+0 > R. 1:1(0) ack 1 win 0 port=40001");
    s.finish();
  }

  @Test
  void forgedAndTooOldCookiesAreRejectedCountedAndReset() {
    TcpScript s = new TcpScript(plain());
    s.run(COOKIE);
    s.run("""
        // a wrong cookie (the hash bits changed): RST, as any ACK to a listener
        +0.1  < . 1:1(0) ack 9 win 1000 port=40002
        +0    > R 9:9(0) port=40002
        +0    < . 1:1(0) ack 1000001 win 1000 port=40002
        +0    > R 1000001:1000001(0) port=40002
        // the right cookie for another peer ISN (the ACK's sequence number is part of the tuple hashed)
        +0    < . 2:2(0) ack 1 win 1000 port=40002
        +0    > R 1:1(0) port=40002
        +0    expect connections 1
        // 40001 gives up its half-open slot
        +0    < R 1:1(0) port=40001
        +0    expect connections 0
        """);
    assertEquals(0, s.tcp().counters().synCookiesValidated, () -> "" + s.tcp().connections());
    assertEquals(3, s.tcp().counters().synCookiesFailed, () -> s.node().drops(DropReason.TCP_NO_SOCKET) + " "
        + s.node().drops(DropReason.TCP_INVALID));
    s.run("""
        // 130 s later (two 64 s slots), with cookies being sent again, the first cookie is too old
        +130  < S 0:0(0) win 65535 <mss 1000> port=40004
        +0    > S. 0:0(0) ack 1 win 65535 <mss 1460> port=40004
        +0    < S 0:0(0) win 65535 <mss 1000> port=40005
        +0    > S. 0:0(0) ack 1 win 65535 <mss 1460> port=40005
        +0    < . 1:1(0) ack 1 win 1000 port=40002
        +0    > R 1:1(0) port=40002
        +0    expect connections 1
        // while the fresh one is valid
        +0    < . 1:1(0) ack 1 win 1000 port=40005
        +0    expect connections 2
        """);
    assertEquals(4, s.tcp().counters().synCookiesFailed);
    assertEquals(1, s.tcp().counters().synCookiesValidated);
    assertEquals(2, s.tcp().counters().synCookiesSent);
    s.tcp().connections().forEach(TcpConnection::abort);
    s.run("+0 > R. 1:1(0) ack 1 win 0 port=40004\n+0 > R. 1:1(0) ack 1 win 0 port=40005");
    s.finish();
  }

  @Test
  void aCookieIsAKeyedHashOfTheTupleAndSlot() {
    SipHash h = new SipHash(0x0123_4567_89ab_cdefL, 0x7edc_ba98_7654_3210L);
    long tuple = SynCookies.tupleHash(h, 0x0a00_0001_0a00_0002L, 8080, 40000, 12345);
    int cookie = SynCookies.make(h, tuple, 10, 2);
    assertEquals(2, SynCookies.check(h, tuple, 10, cookie));
    assertEquals(2, SynCookies.check(h, tuple, 11, cookie)); // the previous slot is still good
    assertEquals(-1, SynCookies.check(h, tuple, 12, cookie)); // two slots later: too old
    assertEquals(-1, SynCookies.check(h, tuple, 9, cookie)); // from the future
    assertEquals(-1, SynCookies.check(h, SynCookies.tupleHash(h, 0x0a00_0001_0a00_0002L, 8080, 40001, 12345), 10,
        cookie));
    assertEquals(-1, SynCookies.check(new SipHash(1, 2), tuple, 10, cookie)); // another node's key
    assertNotEquals(cookie, SynCookies.make(h, tuple, 10, 3));
    assertEquals(0, SynCookies.mssIndex(100));
    assertEquals(1, SynCookies.mssIndex(1399));
    assertEquals(3, SynCookies.mssIndex(9000));
  }

  @Test
  void pastTheListenerCapANewSynIsRefusedWithARst() {
    TcpScript s = new TcpScript(plain().withConnectionCaps(2, 100));
    s.run(ONE_ESTABLISHED);
    s.run("""
        +0    < S 0:0(0) win 65535 <mss 1000> port=40002
        +0    > S. 0:0(0) ack 1 win 65535 <mss 1460> port=40002
        // two connections (one still half-open) fill the cap of 2: the third is refused at once
        +0    < S 0:0(0) win 65535 <mss 1000> port=40003
        +0    > R. 0:0(0) ack 1 win 0 port=40003
        +0    < . 1:1(0) ack 1 win 1000 port=40002
        +0    expect connections 2
        """);
    assertEquals(1, s.tcp().counters().connectionCapRefusals);
    assertEquals(1, s.node().drops(DropReason.TCP_CONNECTION_LIMIT));
    assertEquals(2, s.tcp().listeners().get(0).established());
    // one closes (abort: no TIME-WAIT): room again
    s.app().accepted().get(0).abort();
    s.run("""
        +0    > R. 1:1(0) ack 1 win 0 port=40001
        +0.1  < S 0:0(0) win 65535 <mss 1000> port=40004
        +0    > S. 0:0(0) ack 1 win 65535 <mss 1460> port=40004
        """);
    assertEquals(1, s.tcp().establishedConnections());
    s.tcp().connections().forEach(TcpConnection::abort);
    s.run("+0 > R. 1:1(0) ack 1 win 0 port=40002\n+0 > R. 1:1(0) ack 1 win 0 port=40004");
    s.finish();
  }

  @Test
  void pastTheNodeCapANewSynIsRefusedWithARst() {
    TcpScript s = new TcpScript(plain().withConnectionCaps(100, 1));
    s.run(ONE_ESTABLISHED);
    s.run("+0 < S 0:0(0) win 65535 <mss 1000> port=40002\n+0 > R. 0:0(0) ack 1 win 0 port=40002");
    assertEquals(1, s.tcp().counters().connectionCapRefusals);
    s.tcp().connections().forEach(TcpConnection::abort);
    s.run("+0 > R. 1:1(0) ack 1 win 0 port=40001");
    s.finish();
  }
}
