package emu.node.apps.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import emu.node.apps.service.Iperf3Protocol;
import emu.node.names.Hosts;
import emu.node.names.HostsResolver;
import emu.node.stack.Udp;
import emu.node.testing.CommandRun;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * emu's iperf3 against itself, client and server on two nodes over the emulated TCP and UDP on
 * a real event loop: TCP both ways, several streams, a byte count, UDP at a rate, the JSON
 * output's shape and figures, and what it says (and its status, never a hang) for bad options,
 * a busy server, and a peer that is not an iperf3 server. Its interop with Debian's iperf3 is
 * {@code Iperf3InteropTest} in emulator-control.
 */
class Iperf3Test {
  static final ObjectMapper JSON = new ObjectMapper();
  HttpsPerfLab lab;
  Iperf3 server;
  Iperf3 client;

  @BeforeEach
  void start() throws Exception {
    lab = new HttpsPerfLab();
    server = new Iperf3(lab.web, new HostsResolver(new Hosts(BulkAndEchoTest.HOSTS)));
    client = new Iperf3(lab.pc, new HostsResolver(new Hosts(BulkAndEchoTest.HOSTS)));
  }

  @AfterEach
  void stop() throws Exception {
    lab.close();
  }

  static JsonNode json(CommandRun run) throws Exception {
    return JSON.readTree(run.output());
  }

  @Test
  void tcpBothWaysAndSeveralStreams() throws Exception {
    CommandRun s = lab.exec(server, "iperf3 -s").assertExit(0);
    assertTrue(s.output().contains("Server listening on 5201"), s.output());

    CommandRun up = lab.exec(client, "iperf3 -c web -t 2 -4").assertExit(0);
    List<String> l = up.lines();
    assertEquals("Connecting to host web, port 5201", l.get(0), up.output());
    assertTrue(l.get(1).matches("\\[  1\\] local 10\\.0\\.0\\.1 port \\d+ connected to 10\\.0\\.0\\.2 port 5201"),
        up.output());
    assertTrue(up.output().contains("[ ID] Interval           Transfer     Bitrate         Retr  Cwnd"), up.output());
    // intervals of about a second (the loop is slow under the leak detector: late timers stretch them)
    assertTrue(l.stream().anyMatch(x -> x.matches("\\[  1\\]   0\\.00-\\d\\.\\d\\d   sec .*Bytes .*bits/sec +\\d+ .*")),
        up.output());
    assertTrue(l.stream().anyMatch(x -> x.matches("\\[  1\\]   0\\.00-\\d\\.\\d\\d   sec .* +\\d+ +sender")),
        up.output());
    assertTrue(l.stream().anyMatch(x -> x.matches("\\[  1\\]   0\\.00-\\d\\.\\d\\d   sec .*bits/sec +receiver")),
        up.output());
    assertEquals("iperf Done.", l.get(l.size() - 1));

    JsonNode j = json(lab.exec(client, "iperf3 -c 10.0.0.2 -t 1 -J -P 3").assertExit(0));
    JsonNode end = j.get("end");
    long sent = end.get("sum_sent").get("bytes").asLong();
    long received = end.get("sum_received").get("bytes").asLong();
    assertTrue(sent > 0 && received > 0 && received <= sent, j.toString());
    assertEquals(3, end.get("streams").size());
    List<Integer> ids = new java.util.ArrayList<>();
    end.get("streams").forEach(x -> ids.add(x.get("sender").get("socket").asInt()));
    assertEquals(List.of(1, 3, 4), ids, "iperf3 numbers its streams so");
    assertEquals("TCP", j.get("start").get("test_start").get("protocol").asText());
    assertTrue(j.get("intervals").size() >= 1, j.toString());
    assertTrue(end.get("sum_sent").has("retransmits"), j.toString());
    assertEquals("cubic", end.get("sender_tcp_congestion").asText());

    JsonNode r = json(lab.exec(client, "iperf3 -c web -t 1 -R -J").assertExit(0));
    assertEquals(1, r.get("start").get("test_start").get("reverse").asInt());
    assertTrue(r.get("end").get("sum_received").get("bytes").asLong() > 0, r.toString());
    assertTrue(r.get("end").get("sum_received").get("bytes").asLong()
        <= r.get("end").get("sum_sent").get("bytes").asLong(), r.toString());

    JsonNode n = json(lab.exec(client, "iperf3 -c web -n 3M -J -l 64K").assertExit(0));
    assertTrue(n.get("end").get("sum_sent").get("bytes").asLong() >= 3 << 20, n.toString());
    assertEquals(n.get("end").get("sum_sent").get("bytes").asLong(),
        n.get("end").get("sum_received").get("bytes").asLong(), n.toString());

    CommandRun again = lab.exec(server, "iperf3 -s").assertExit(0);
    assertTrue(again.output().matches("(?s)iperf3 server already listening on port 5201; 4 tests so far; the last: "
        + "TCP from 10\\.0\\.0\\.1 port \\d+, 1 stream, received \\d+ bytes in .*"), again.output());
    assertEquals(List.of("iperf3 server stopped after 4 tests"),
        lab.exec(server, "iperf3 -s --stop").assertExit(0).lines());
    CommandRun refused = lab.exec(client, "iperf3 -c web -t 1").assertExit(1);
    assertEquals("iperf3: error - unable to connect to server: Connection refused to 10.0.0.2:5201",
        refused.lines().get(1), refused.output());
  }

  @Test
  void udpAtARateCountsDatagramsBothWays() throws Exception {
    lab.exec(server, "iperf3 -s -p 5300").assertExit(0);
    CommandRun human = lab.exec(client, "iperf3 -c web -p 5300 -u -b 2M -t 1").assertExit(0);
    assertTrue(human.output().contains("Total Datagrams"), human.output());
    assertTrue(human.lines().stream().anyMatch(x -> x.matches(".* ms  0/\\d+ \\(0%\\)  receiver")), human.output());

    JsonNode j = json(lab.exec(client, "iperf3 -c web -p 5300 -u -b 4M -l 1000 -t 2 -J").assertExit(0));
    JsonNode sum = j.get("end").get("sum");
    long packets = j.get("end").get("sum_sent").get("packets").asLong();
    // 4 Mbit/s of 1000-byte datagrams: 500 a second, for the 2 s and what the end timer came late
    double secs = j.get("end").get("sum_sent").get("seconds").asDouble();
    assertTrue(secs >= 2 && Math.abs(packets - 500 * secs) <= 0.02 * 500 * secs + 5, j.toString());
    assertEquals(packets, sum.get("packets").asLong(), j.toString());
    assertEquals(0, sum.get("lost_packets").asLong(), j.toString());
    assertEquals(packets * 1000, j.get("end").get("sum_received").get("bytes").asLong(), j.toString());
    double bps = j.get("end").get("sum_sent").get("bits_per_second").asDouble();
    assertTrue(bps > 3.6e6 && bps < 4.4e6, j.toString());

    JsonNode r = json(lab.exec(client, "iperf3 -c web -p 5300 -u -b 1M -t 1 -R -J --udp-counters-64bit")
        .assertExit(0));
    assertTrue(r.get("end").get("sum_received").get("packets").asLong() > 50, r.toString());
    assertEquals(0, r.get("end").get("sum_received").get("lost_packets").asLong(), r.toString());
  }

  @Test
  void badOptionsAndPeersThatAreNotIperf3EndWithAnError() throws Exception {
    assertEquals(List.of("iperf3: unknown option --frobnicate"),
        lab.exec(client, "iperf3 -c web --frobnicate").assertExit(2).lines());
    assertEquals(List.of("iperf3: option --bidir is not supported by emu's iperf3 (see iperf3 --help)"),
        lab.exec(client, "iperf3 -c web --bidir").assertExit(2).lines());
    assertEquals(List.of("iperf3: option -t needs a whole number of seconds from 1 to 86400, not '0'"),
        lab.exec(client, "iperf3 -c web -t 0").assertExit(2).lines());
    assertEquals(List.of("iperf3: option -t needs a whole number of seconds from 1 to 86400, not '-3'"),
        lab.exec(client, "iperf3 -c web -t -3").assertExit(2).lines());
    assertEquals(List.of("iperf3: option -t needs a whole number of seconds from 1 to 86400, not '1.5'"),
        lab.exec(client, "iperf3 -c web -t 1.5").assertExit(2).lines());
    assertEquals(List.of("iperf3: only one test end condition (-t, -n) may be given"),
        lab.exec(client, "iperf3 -c web -t 2 -n 1M").assertExit(2).lines());
    assertEquals(List.of("iperf3: option -b wants a rate such as 10M, 1G or 500K (bits/sec), not 'fast'"),
        lab.exec(client, "iperf3 -c web -u -b fast").assertExit(2).lines());
    assertEquals(List.of("iperf3: option -l must be from 16 to 65507 bytes over UDP, not 8"),
        lab.exec(client, "iperf3 -c web -u -l 8").assertExit(2).lines());
    assertEquals(List.of("iperf3: cannot be both server (-s) and client (-c)"),
        lab.exec(client, "iperf3 -s -c web").assertExit(2).lines());
    assertEquals(List.of("iperf3: options -4 and -6 exclude each other"),
        lab.exec(client, "iperf3 -c web -4 -6").assertExit(2).lines());
    assertEquals(List.of("iperf3: option -6 is for the client (-c) only"),
        lab.exec(client, "iperf3 -s -6").assertExit(2).lines());
    CommandRun v6 = lab.exec(client, "iperf3 -c web -6 -t 1").assertExit(1);
    assertEquals(List.of("iperf3: error - unable to resolve host web to an IPv6 address"), v6.lines(), v6.output());
    assertEquals(2, lab.exec(client, "iperf3").exitCode());
    assertEquals(2, lab.exec(client, "iperf3 -s -J").exitCode());
    assertEquals(0, lab.exec(client, "iperf3 --help").exitCode());

    // bulk's server reads the cookie as the start of a length and never answers: a timeout, not a hang
    Bulk bulk = new Bulk(lab.web, new HostsResolver(new Hosts(BulkAndEchoTest.HOSTS)));
    lab.exec(bulk, "bulk server").assertExit(0);
    CommandRun silent = lab.exec(client, "iperf3 -c web --rcv-timeout 500").assertExit(1);
    assertEquals("iperf3: error - no answer from the server within 0.5 s (waiting for PARAM_EXCHANGE, the server's "
        + "answer to the cookie); is 10.0.0.2:5201 an iperf3 server?", silent.lines().get(1), silent.output());
    JsonNode j = json(lab.exec(client, "iperf3 -c web --rcv-timeout 500 -J").assertExit(1));
    assertTrue(j.get("error").asText().startsWith("no answer from the server within 0.5 s"), j.toString());

    // a server busy with a test turns a second client away, as iperf3 does
    lab.exec(server, "iperf3 -s -p 5400").assertExit(0);
    CommandRun first = lab.launch(client, "iperf3 -c web -p 5400 -t 3 -b 1M");
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!lab.onLoop(first::output).contains("connected to 10.0.0.2 port 5400")) {
      assertTrue(System.nanoTime() < deadline, "the first test did not start: " + lab.onLoop(first::output));
      Thread.sleep(10);
    }
    Iperf3 other = new Iperf3(lab.pc, new HostsResolver(new Hosts(BulkAndEchoTest.HOSTS)));
    CommandRun busy = lab.exec(other, "iperf3 -c web -p 5400 -t 1").assertExit(1);
    assertEquals("iperf3: error - the server is busy running a test. try again later",
        busy.lines().get(busy.lines().size() - 1), busy.output());
    lab.await(first).assertExit(0);
  }

  /**
   * A server that answers the cookie and the parameters but never the UDP stream's hello: the client ends on its
   * --rcv-timeout, and gives back the UDP port it bound for that stream.
   */
  @Test
  void aUdpStreamNeverAnsweredGivesItsPortBack() throws Exception {
    lab.onLoop(() -> lab.web.tcpServer().childHandler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
          @Override
          public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {Iperf3Protocol.PARAM_EXCHANGE,
                Iperf3Protocol.CREATE_STREAMS}));
          }

          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
          }

          @Override
          public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
          }
        });
      }
    }).bind(new InetSocketAddress(5600)));
    Thread.sleep(200);
    int before = lab.onLoop(this::boundUdpPorts);
    CommandRun run = lab.exec(client, "iperf3 -c web -p 5600 -u --rcv-timeout 500").assertExit(1);
    assertTrue(run.output().contains("iperf3: error - no answer from the server within 0.5 s (waiting for TEST_START"),
        run.output());
    assertEquals(before, (int) lab.onLoop(this::boundUdpPorts), "the UDP stream's port is still bound");
    lab.exec(client, "iperf3 -c web -p 5600 -u --rcv-timeout 500").assertExit(1);
    assertEquals(before, (int) lab.onLoop(this::boundUdpPorts), "the UDP stream's port is still bound");
  }

  private int boundUdpPorts() {
    int n = 0;
    for (int p = Udp.EPHEMERAL_LOW; p <= Udp.EPHEMERAL_HIGH; p++) {
      n += lab.pc.stack().udp().bound(p) ? 1 : 0;
    }
    return n;
  }

  /** The case: bulk client against a plain TCP sink (it reads and never answers) ends with an error. */
  @Test
  void bulkClientGivesUpOnASinkThatNeverAnswers() throws Exception {
    lab.onLoop(() -> lab.web.tcpServer().childHandler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
          }

          @Override
          public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // the client gave up and reset the connection: expected
          }
        });
      }
    }).bind(new InetSocketAddress(5999)));
    Thread.sleep(200);
    Bulk bulk = new Bulk(lab.pc, new HostsResolver(new Hosts(BulkAndEchoTest.HOSTS)));
    long t0 = System.nanoTime();
    CommandRun run = lab.exec(bulk, "bulk client web -p 5999 --bytes 1M").assertExit(1);
    assertTrue(run.lines().get(run.lines().size() - 1).matches("bulk: no answer from 10\\.0\\.0\\.2:5999 10 s after "
        + "the last of its 1048576 bytes was acknowledged; is it a bulk server\\? .*"), run.output());
    assertTrue(System.nanoTime() - t0 < 30_000_000_000L, "took too long");
  }

  /** A client that connects and says nothing holds the server at most 10 s (its cookie's wait), then it serves. */
  @Test
  void aSilentClientDoesNotHoldTheServer() throws Exception {
    lab.exec(server, "iperf3 -s").assertExit(0);
    Channel silent = lab.onLoop(() -> lab.pc.tcpClient().handler(new ChannelInboundHandlerAdapter())
        .connect(new InetSocketAddress("10.0.0.2", 5201))).sync().channel();
    long t0 = System.nanoTime();
    CommandRun busy = lab.exec(client, "iperf3 -c web -t 1").assertExit(1);
    assertTrue(busy.output().contains("the server is busy running a test"), busy.output());
    while (lab.onLoop(silent::isActive) && System.nanoTime() - t0 < 20_000_000_000L) {
      Thread.sleep(100);
    }
    assertTrue(!lab.onLoop(silent::isActive), "the server still holds the silent client's connection");
    lab.exec(client, "iperf3 -c web -t 1").assertExit(0);
    CommandRun status = lab.exec(server, "iperf3 -s").assertExit(0);
    assertTrue(status.output().contains("2 tests so far; the last: TCP from 10.0.0.1"), status.output());
  }
}
