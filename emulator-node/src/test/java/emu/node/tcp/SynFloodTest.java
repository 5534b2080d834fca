package emu.node.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A SYN flood on virtual time: 100,000 spoofed SYNs (distinct source addresses and ports, never
 * completing) hit a listener with a backlog of 16, at 10,000 per second, while a real client
 * across a router connects, sends a request and reads the answer. Before SYN cookies the
 * client's SYN was dropped while the backlog was full (which the flood kept it, all the time),
 * so it was not served within the flood; now it gets a cookie and is. The stack keeps no more
 * than the backlog of half-open connections whatever the flood, and no buffer leaks (the
 * lab's close checks).
 *
 * <pre>
 * client 10.0.1.2 --- r1 --- 10.0.2.2 server 10.0.3.1 --- tap (the attacker: 198.18.0.0/15 behind it)
 * </pre>
 */
class SynFloodTest {
  static final long S = 1_000_000_000L;
  static final int PORT = 443;
  static final int BACKLOG = 16;
  static final int FLOOD = 100_000;
  static final long TAP_MAC = 0x02_00_00_00_03_02L;

  @Test
  void aClientIsServedDuringAHundredThousandSynFlood() {
    try (VirtualLab lab = VirtualLab.bulk(20, VirtualLab.DEFAULT_LATENCY_NANOS)) {
      LabNode[] n = TcpEndToEndTest.topologyUnstarted(lab);
      LabNode server = n[2];
      Tap attacker = lab.tap(server, "eth1", "02:00:00:00:03:01", "10.0.3.1/24");
      server.route("198.18.0.0/15", "10.0.3.2", 0);
      server.nic("eth1").neighbors().addPermanent(Ipv4Address.parse("10.0.3.2"), TAP_MAC);
      lab.start();
      TcpListenSocket listener = server.tcp().listen(0, PORT, BACKLOG, c -> new Responder());
      Client client = new Client();

      int serverIp = Ipv4Address.parse("10.0.3.1");
      long serverMac = server.mac("eth1");
      ByteBuf tcp = Unpooled.buffer(TcpSegment.HEADER_LEN + 4);
      byte[] bytes = new byte[TcpSegment.HEADER_LEN + 4];
      long synAcks = 0;
      int maxHalfOpen = 0;
      int maxConnections = 0;
      int maxBuffers = 0;
      long start = lab.now();
      try {
        for (int i = 0; i < FLOOD; i++) {
          int src = Ipv4Address.parse("198.18.0.0") + 1 + (i % 131_000); // distinct addresses, then ports
          int srcPort = 1024 + (i / 131_000) * 7 + (i * 31) % 60_000;
          tcp.clear().writeZero(bytes.length);
          new TcpSegment().wrap(tcp, 0, bytes.length).srcPort(srcPort).dstPort(PORT).seq(i * 7919).ack(0)
              .headerLength(bytes.length).flags(TcpSegment.SYN).window(65535).urgentPointer(0);
          tcp.setBytes(TcpSegment.HEADER_LEN, new byte[] {2, 4, 0x05, (byte) 0xb4}); // mss 1460
          new TcpSegment().wrap(tcp, 0, bytes.length).fillChecksum(src, serverIp);
          tcp.getBytes(0, bytes);
          attacker.inject(PacketBuilder.ipv4(Ipv4Address.format(src), "10.0.3.1").eth(serverMac, TAP_MAC)
              .payload(Ipv4Packet.PROTO_TCP, bytes).frame());
          if (i % 100 == 99) {
            lab.advance(10_000_000L); // 100 SYNs per 10 ms: 10,000 per second for 10 s
            maxHalfOpen = Math.max(maxHalfOpen, listener.halfOpen());
            maxConnections = Math.max(maxConnections, server.tcp().connections().size());
            maxBuffers = Math.max(maxBuffers, lab.alloc().outstanding().size());
            for (CapturedFrame f : attacker.frames()) {
              byte[] b = f.bytes();
              int ihl = (b[14] & 0xF) * 4;
              if (b[14 + 9] == Ipv4Packet.PROTO_TCP && (b[14 + ihl + 13] & 0x3F) == (TcpSegment.SYN | TcpSegment.ACK)) {
                synAcks++;
              }
            }
            attacker.clear();
          }
          if (i == 20_000) {
            // 2 s into the flood, the backlog long full: the real client connects
            client.conn = n[0].tcp().connect(Ipv4Address.parse("10.0.2.2"), PORT, 0, client);
          }
          if (i == 30_000) {
            assertEquals(Responder.ANSWER.length(), client.received.length(), "served during the flood");
          }
        }
      } finally {
        tcp.release();
      }
      assertNull(client.error);
      assertTrue(client.closed, "the server closed after answering");
      TcpCounters counters = server.tcp().counters();
      System.out.printf("SYN flood: %d SYNs in %.1f s; %d SYN-ACKs (%d cookies, %d validated, %d failed);"
              + " at most %d half-open (backlog %d), %d connections in the table, %d buffers held in the lab%n",
          FLOOD, (lab.now() - start) / 1e9, synAcks, counters.synCookiesSent, counters.synCookiesValidated,
          counters.synCookiesFailed, maxHalfOpen, BACKLOG, maxConnections, maxBuffers);
      assertEquals(1, counters.synCookiesValidated, "the client came in by a cookie");
      assertTrue(counters.synCookiesSent > FLOOD - 1000, "nearly every spoofed SYN got a cookie");
      assertEquals(0, counters.listenOverflows);
      assertTrue(maxHalfOpen <= BACKLOG, "half-open state stays at the backlog");
      // the table: the backlog's half-open connections, the client's connection (in TIME-WAIT or
      // closing), nothing per spoofed SYN
      assertTrue(maxConnections <= BACKLOG + 1, "connections kept: " + maxConnections);
      assertTrue(maxBuffers < 1000, "buffers held between bursts: " + maxBuffers); // no per-SYN state or queue
    }
  }

  static void send(TcpConnection c, String text) {
    ByteBuf b = Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    try {
      assertEquals(text.length(), c.write(b));
    } finally {
      b.release();
    }
  }

  /** The server: reads a request, answers and closes. */
  static final class Responder implements TcpEvents {
    static final String ANSWER = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
    final StringBuilder request = new StringBuilder();

    @Override
    public void onEstablished(TcpConnection c) { }

    @Override
    public void onData(TcpConnection c, ByteBuf data) {
      request.append(data.toString(StandardCharsets.US_ASCII));
      data.release();
      if (request.toString().endsWith("\r\n\r\n")) {
        send(c, ANSWER);
        c.close();
      }
    }

    @Override
    public void onPeerFin(TcpConnection c) { }

    @Override
    public void onWritable(TcpConnection c) { }

    @Override
    public void onClosed(TcpConnection c, TcpError error) { }
  }

  /** The client: sends a request, reads the answer until the server's FIN, closes. */
  static final class Client implements TcpEvents {
    TcpConnection conn;
    final StringBuilder received = new StringBuilder();
    TcpError error;
    boolean closed;

    @Override
    public void onEstablished(TcpConnection c) {
      send(c, "GET / HTTP/1.1\r\nhost: server\r\n\r\n");
    }

    @Override
    public void onData(TcpConnection c, ByteBuf data) {
      received.append(data.toString(StandardCharsets.US_ASCII));
      data.release();
    }

    @Override
    public void onPeerFin(TcpConnection c) {
      c.close();
    }

    @Override
    public void onWritable(TcpConnection c) { }

    @Override
    public void onClosed(TcpConnection c, TcpError e) {
      error = e;
      closed = true;
    }
  }
}
