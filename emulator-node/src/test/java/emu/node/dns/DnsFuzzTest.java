package emu.node.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.wire.MacAddress;
import emu.node.event.DnsEvent;
import emu.node.testing.CapturedFrame;
import emu.node.testing.FuzzRig;
import emu.node.testing.LabNode;
import emu.node.testing.PacketBuilder;
import emu.node.testing.Tap;
import emu.node.testing.VirtualLab;
import emu.node.wire.Ipv4Address;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.Type;

/**
 * Jazzer targets for what emu wraps around dnsjava: the authoritative server's gatekeeping and
 * answering over UDP and its DNS-over-TCP framing and sessions (RFC 7766), and the stub
 * resolver's handling of replies (RFC 5452 checks, truncation, failover). Bytes go in through
 * the stack as datagrams or a TCP stream from a real peer node. A fresh lab per input; the target
 * fails on an exception out of the stack, on a buffer still referenced when the lab closes, on a
 * server-side internal error (the server contains those, so the target looks at its events), and
 * on a lookup that does not end exactly once.
 */
class DnsFuzzTest {
  private static final String NS_IP = "10.0.0.1";
  private static final String CLIENT_IP = "10.0.0.2";
  private static final long NS_MAC = MacAddress.parse("02:00:00:00:00:01").bits();
  private static final long CLIENT_MAC = MacAddress.parse("02:00:00:00:00:02").bits();

  /** One UDP datagram to the authoritative server's port 53 (the corp.com zone of {@link DnsLab}). */
  @FuzzTest(maxDuration = "10m")
  void serverUdp(byte[] message) {
    try (VirtualLab lab = VirtualLab.forFuzzing(7)) {
      Server s = new Server(lab);
      s.ns.inject("eth0", PacketBuilder.ipv4(CLIENT_IP, NS_IP).eth(NS_MAC, CLIENT_MAC).udp(40000, DnsServer.PORT,
          message).frame());
      lab.advance(VirtualLab.seconds(1));
      s.assertNoInternalError();
    }
  }

  /**
   * A TCP byte stream to the server's port 53, written in one go by a client node: messages each
   * after a two-byte length, possibly cut short or followed by junk. The client then closes.
   */
  @FuzzTest(maxDuration = "10m")
  void serverTcp(byte[] stream) {
    try (VirtualLab lab = VirtualLab.forFuzzing(7)) {
      Server s = new Server(lab);
      s.client.tcp().connect(Ipv4Address.parse(NS_IP), DnsServer.PORT, 0, new FuzzRig.WriteOnce(stream, true));
      lab.advance(VirtualLab.seconds(20)); // past the server's idle timeout too
      s.assertNoInternalError();
    }
  }

  /**
   * A reply to the stub resolver's question for payroll.corp.com A, sent from the nameserver's
   * address and port 53 to the port the question came from, with the question's ID put in (when
   * the reply is that long) so that the checks after the ID are reached. The lookup must end,
   * with an answer or a failure, exactly once.
   */
  @FuzzTest(maxDuration = "10m")
  void resolverReply(byte[] reply) {
    try (VirtualLab lab = VirtualLab.forFuzzing(7)) {
      LabNode client = lab.host("client");
      Tap server = lab.tap(client, "eth0", MacAddress.format(CLIENT_MAC), CLIENT_IP + "/24");
      client.nic("eth0").neighbors().addPermanent(Ipv4Address.parse(NS_IP), NS_MAC);
      StubResolver resolver = lab.nameserver(client, NS_IP);
      lab.start();
      List<DnsLookup> done = new ArrayList<>();
      resolver.lookup("payroll.corp.com", Type.A, done::add);
      lab.advance(VirtualLab.millis(1));
      CapturedFrame question = server.frames().get(server.frames().size() - 1);
      ByteBuf q = Unpooled.wrappedBuffer(question.bytes());
      int port = q.getUnsignedShort(34);
      byte[] answer = reply.clone();
      if (answer.length >= 2) {
        answer[0] = q.getByte(42);
        answer[1] = q.getByte(43);
      }
      server.inject(PacketBuilder.ipv4(NS_IP, CLIENT_IP).eth(CLIENT_MAC, NS_MAC).udp(DnsServer.PORT, port, answer)
          .frame());
      lab.runUntil(() -> !done.isEmpty(), VirtualLab.seconds(60));
      lab.advance(VirtualLab.seconds(30));
      assertEquals(1, done.size(), "the lookup ends exactly once: " + done);
    }
  }

  /** ns (10.0.0.1, authoritative for corp.com) and a client host (10.0.0.2) on one wire. */
  private static final class Server {
    final LabNode ns;
    final LabNode client;

    Server(VirtualLab lab) {
      ns = lab.host("ns");
      client = lab.host("client");
      lab.connect(client, "eth0", MacAddress.format(CLIENT_MAC), CLIENT_IP + "/24", ns, "eth0",
          MacAddress.format(NS_MAC), NS_IP + "/24", 1500);
      lab.dnsServer(ns, DnsLab.authoritative());
      lab.start();
    }

    void assertNoInternalError() {
      for (DnsEvent.Dropped d : ns.events(DnsEvent.Dropped.class)) {
        assertTrue(d.why() != DnsEvent.DropWhy.INTERNAL_ERROR, "internal error: " + d);
      }
      assertEquals(List.of(), ns.events(DnsEvent.ServeFailed.class), "answering threw");
    }
  }
}
