package emu.node.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.time.VirtualTime;
import emu.node.event.AppEvent;
import emu.node.trace.MemoryTracer;
import emu.node.wire.IpAddress;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Happy Eyeballs' timing (RFC 8305) on virtual time: attempts are the connect promises of
 * embedded channels that the test completes, so each case says exactly when what connects.
 */
class HappyEyeballsTest {
  static final long MS = 1_000_000L;
  static final IpAddress V6A = IpAddress.parse("2001:db8:5::100");
  static final IpAddress V6B = IpAddress.parse("2001:db8:5::101");
  static final IpAddress V4A = IpAddress.parse("192.168.5.100");
  static final IpAddress V4B = IpAddress.parse("192.168.5.101");

  final VirtualTime time = new VirtualTime();
  final MemoryTracer tracer = new MemoryTracer();
  final Map<IpAddress, ChannelPromise> attempts = new LinkedHashMap<>();
  final List<String> heard = new ArrayList<>();

  HappyEyeballs connect(List<IpAddress> sorted) {
    return HappyEyeballs.connect(time, tracer, "payroll.corp.com", 443, sorted, a -> {
      ChannelPromise p = new EmbeddedChannel().newPromise();
      attempts.put(a, p);
      heard.add(time.nanos() / MS + "ms try " + a);
      return p;
    }, new HappyEyeballs.Listener() {
      @Override
      public void trying(IpAddress address) { }

      @Override
      public void connected(Channel ch, IpAddress address) {
        heard.add(time.nanos() / MS + "ms won " + address);
      }

      @Override
      public void failed(Throwable last, IpAddress address) {
        heard.add(time.nanos() / MS + "ms failed: " + address + " " + last.getMessage());
      }
    });
  }

  @Test
  void familiesAlternateStartingWithTheFirstAddresses() {
    assertEquals(List.of(V6A, V4A, V6B, V4B), HappyEyeballs.interleave(List.of(V6A, V6B, V4A, V4B)));
    assertEquals(List.of(V4A, V6A, V4B), HappyEyeballs.interleave(List.of(V4A, V4B, V6A)));
  }

  @Test
  void ipv6WinsWhenItAnswersWithinTheDelay() {
    connect(List.of(V6A, V4A));
    time.advance(100 * MS);
    attempts.get(V6A).setSuccess();
    time.advance(1000 * MS);
    assertEquals(List.of("0ms try 2001:db8:5::100", "100ms won 2001:db8:5::100"), heard);
    assertEquals(1, attempts.size(), "IPv4 never tried");
    AppEvent.ConnectWon won = tracer.of(AppEvent.ConnectWon.class).get(0);
    assertEquals(0, won.abandoned());
  }

  @Test
  void aStalledIpv6AttemptIsJoinedByIpv4AfterTheDelayAndTheFirstToConnectWins() {
    connect(List.of(V6A, V4A));
    time.advance(249 * MS);
    assertEquals(1, attempts.size());
    time.advance(1 * MS);
    assertEquals(List.of("0ms try 2001:db8:5::100", "250ms try 192.168.5.100"), heard);
    time.advance(5 * MS);
    attempts.get(V4A).setSuccess();
    assertTrue(heard.contains("255ms won 192.168.5.100"), heard.toString());
    assertTrue(attempts.get(V6A).isCancelled() || attempts.get(V6A).channel().closeFuture().isDone(),
        "the IPv6 attempt is given up");
    assertEquals(List.of(AppEvent.AttemptReason.FIRST, AppEvent.AttemptReason.DELAY),
        tracer.of(AppEvent.ConnectAttempt.class).stream().map(AppEvent.ConnectAttempt::reason).toList());
    assertEquals(1, tracer.of(AppEvent.ConnectWon.class).get(0).abandoned());
  }

  @Test
  void aFailedAttemptStartsTheNextAtOnce() {
    connect(List.of(V6A, V4A));
    time.advance(20 * MS);
    attempts.get(V6A).setFailure(new ConnectException("Network is unreachable"));
    assertEquals(List.of("0ms try 2001:db8:5::100", "20ms try 192.168.5.100"), heard);
    attempts.get(V4A).setSuccess();
    assertEquals("20ms won 192.168.5.100", heard.get(2));
    assertEquals(AppEvent.AttemptReason.PREVIOUS_FAILED,
        tracer.of(AppEvent.ConnectAttempt.class).get(1).reason());
  }

  @Test
  void whenEveryAttemptFailsTheLastCauseIsReported() {
    connect(List.of(V6A, V4A));
    attempts.get(V6A).setFailure(new ConnectException("Network is unreachable"));
    attempts.get(V4A).setFailure(new ConnectException("Connection refused"));
    assertEquals("0ms failed: 192.168.5.100 Connection refused", heard.get(heard.size() - 1));
    time.advance(10_000 * MS);
    assertEquals(3, heard.size(), "nothing more: " + heard);
  }

  @Test
  void oneAddressIsAPlainConnectWithoutEvents() {
    connect(List.of(V4A));
    attempts.get(V4A).setSuccess();
    assertEquals(List.of("0ms try 192.168.5.100", "0ms won 192.168.5.100"), heard);
    assertTrue(tracer.of(AppEvent.ConnectAttempt.class).isEmpty());
    assertFalse(time.pending() > 0 && heard.size() > 2);
  }

  @Test
  void cancellingEndsTheRaceAndClosesWhatIsPending() {
    HappyEyeballs race = connect(List.of(V6A, V4A));
    time.advance(100 * MS);
    race.cancel();
    time.advance(1000 * MS);
    assertEquals(1, attempts.size(), "no attempt after the cancel");
    assertTrue(attempts.get(V6A).isCancelled());
    assertFalse(attempts.get(V6A).trySuccess(), "a cancelled attempt cannot connect any more");
    assertEquals(List.of("0ms try 2001:db8:5::100"), heard);
  }
}
