package emu.node.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import emu.link.time.VirtualTime;
import emu.node.dns.DnsClient;
import emu.node.dns.ResolverCounters;
import emu.node.stack.NeighborCache;
import emu.node.stack.NetworkStack;
import emu.node.stack.StackObserver;
import emu.node.trace.Tracer;
import emu.node.wire.IpAddress;
import emu.node.wire.Ipv4Address;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Where a stack's secrets come from (RFC 5452 for DNS IDs and source ports, RFC 6528 for TCP
 * ISNs): from a CSPRNG when no seed is meant to reproduce them, so that two nodes built alike
 * still disagree; from the seeded random otherwise, so that a seeded run replays exactly.
 */
class SecretsTest {
  private static final long SEED = 29;
  private static final IpAddress A = IpAddress.of(Ipv4Address.parse("10.0.0.1"));
  private static final IpAddress B = IpAddress.of(Ipv4Address.parse("10.0.0.2"));

  /** A stack as a node of a lab seeded with {@link #SEED} builds it, its secrets from {@code secrets}. */
  private static NetworkStack stack(VirtualTime time, RandomGenerator secrets) {
    SplittableRandom random = new SplittableRandom(SEED ^ "h1".hashCode());
    return new NetworkStack("h1", time, random, secrets == null ? random : secrets, StackObserver.OFF,
        UnpooledByteBufAllocator.DEFAULT, false, NeighborCache.Params.LINUX);
  }

  /** What an off-path attacker would want to guess of a freshly built node: ISN, UDP ports, DNS IDs. */
  private static List<Integer> guessables(NetworkStack stack) {
    List<Integer> out = new ArrayList<>();
    out.add(new TcpLayer(stack, TcpObserver.OFF).isn(A, 40000, B, 443));
    for (int i = 0; i < 4; i++) {
      out.add(stack.udp().bind(0, (src, sport, dst, dport, payload) -> { }));
    }
    DnsClient dns = new DnsClient(stack, null, null, Tracer.OFF, new ResolverCounters());
    for (int i = 0; i < 4; i++) {
      Message q = Message.newQuery(Record.newRecord(Name.fromConstantString("www.corp.com."), Type.A, DClass.IN));
      dns.query(Ipv4Address.parse("10.0.0.53"), q, false, reply -> { }); // no route: fails, but has its ID
      out.add(q.getHeader().getID());
    }
    return out;
  }

  @Test
  void theSecureSourceIsADrbg() {
    RandomGenerator r = NetworkStack.secureRandom();
    assertEquals("DRBG", assertInstanceOf(SecureRandom.class, r).getAlgorithm());
    assertNotEquals(r.nextLong(), NetworkStack.secureRandom().nextLong());
  }

  @Test
  void unseededStacksBuiltAlikeDisagreeOnIsnsPortsAndDnsIds() {
    List<Integer> one = guessables(stack(new VirtualTime(), NetworkStack.secureRandom()));
    List<Integer> two = guessables(stack(new VirtualTime(), NetworkStack.secureRandom()));
    assertNotEquals(one.get(0), two.get(0), "ISN: " + one + " vs " + two);
    assertNotEquals(one.subList(1, 5), two.subList(1, 5), "ports");
    assertNotEquals(one.subList(5, 9), two.subList(5, 9), "DNS IDs");
  }

  @Test
  void seededStacksReproduceTheSameSequence() {
    NetworkStack seeded = stack(new VirtualTime(), null);
    assertSame(seeded.random(), seeded.secrets(), "a seeded stack's secrets are its seeded random");
    assertEquals(guessables(seeded), guessables(stack(new VirtualTime(), null)));
  }

  @Test
  void isnsAdvanceWithTheClockAndDifferAcrossFourTuplesWithASecretKey() {
    VirtualTime time = new VirtualTime();
    TcpLayer tcp = new TcpLayer(stack(time, NetworkStack.secureRandom()), TcpObserver.OFF);
    int isn = tcp.isn(A, 40000, B, 443);
    time.advance(1_000_000); // 1 ms: M, the 4 µs timer of RFC 6528 3, moves by 250
    assertEquals(isn + 250, tcp.isn(A, 40000, B, 443));
    assertNotEquals(tcp.isn(A, 40000, B, 443), tcp.isn(A, 40001, B, 443), "another local port");
    assertNotEquals(tcp.isn(A, 40000, B, 443), tcp.isn(B, 40000, A, 443), "the other direction");
    assertNotEquals(tcp.isn(A, 40000, B, 443), tcp.isn(A, 40000, B, 80), "another remote port");
  }
}
