package emu.control.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import emu.control.plan.PortAllocator;
import emu.link.wire.EthernetFrame;
import emu.link.wire.MacAddress;
import emu.node.config.NodeConfig;
import emu.node.wire.ArpPacket;
import emu.node.wire.IcmpPacket;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One router process (a real JVM, real UDP sockets) whose two links end in sockets this test
 * holds. The test feeds it truncated, oversized, garbage, bad-checksum and foreign frames,
 * checks each is counted as the right drop, and that the router still forwards afterwards.
 */
class NodeProcessGarbageTest {
  static final long R1_ETH0 = 0x020000000400L;
  static final long R1_ETH1 = 0x020000000401L;
  static final long CLIENT = 0x020000000100L;
  static final long SERVER = 0x020000000500L;

  @TempDir
  Path dir;
  DatagramSocket side0;
  DatagramSocket side1;
  DatagramSocket stranger;
  Process router;
  NodeClient client;

  /** The leak detector level before: this class's router runs at paranoid, and its log is read for LEAK. */
  static String leakLevel;

  @BeforeAll
  static void paranoid() {
    leakLevel = System.getProperty("io.netty.leakDetection.level");
    System.setProperty("io.netty.leakDetection.level", "paranoid");
  }

  @AfterAll
  static void leakLevelBack() {
    if (leakLevel == null) {
      System.clearProperty("io.netty.leakDetection.level");
    } else {
      System.setProperty("io.netty.leakDetection.level", leakLevel);
    }
  }

  @BeforeEach
  void start() throws Exception {
    InetAddress lo = InetAddress.getLoopbackAddress();
    side0 = new DatagramSocket(0, lo);
    side1 = new DatagramSocket(0, lo);
    stranger = new DatagramSocket(0, lo);
    int p0;
    int p1;
    int mgmt;
    try (PortAllocator ports = new PortAllocator()) {
      p0 = ports.udp("127.0.0.1", null, "r1:eth0");
      p1 = ports.udp("127.0.0.1", null, "r1:eth1");
      mgmt = ports.tcp("127.0.0.1", null, "r1 mgmt");
    }
    NodeConfig cfg = NodeConfig.builder("garbage", "r1", "router").interfaces(List.of(
        new NodeConfig.Iface("eth0", MacAddress.format(R1_ETH0), "192.168.1.1/24", 1500, "127.0.0.1:" + p0,
            "127.0.0.1:" + side0.getLocalPort()),
        new NodeConfig.Iface("eth1", MacAddress.format(R1_ETH1), "192.168.5.1/24", 1500, "127.0.0.1:" + p1,
            "127.0.0.1:" + side1.getLocalPort())))
        .routes(List.of()).management(new NodeConfig.Management("127.0.0.1", mgmt, "t0ken"))
        .outputDir(dir.toString()).capture(true).seed(1).parentPid(ProcessHandle.current().pid()).build();
    Path cfgFile = dir.resolve("r1.json");
    cfg.write(cfgFile);
    router = new ProcessBuilder(NodeProcesses.command(cfgFile, false)).redirectErrorStream(true)
        .redirectOutput(dir.resolve("r1.log").toFile()).start();
    client = new NodeClient("r1", "127.0.0.1:" + mgmt, "t0ken");
    long deadline = System.currentTimeMillis() + 60_000;
    while (!client.healthy()) {
      assertTrue(router.isAlive(), () -> NodeProcesses.tail(dir.resolve("r1.log"), 20));
      assertTrue(System.currentTimeMillis() < deadline, "router not ready");
      Thread.sleep(50);
    }
    side0.setSoTimeout(5000);
    side1.setSoTimeout(5000);
    drainGratuitousArp();
    routerAt0 = new InetSocketAddress(lo, p0);
    routerAt1 = new InetSocketAddress(lo, p1);
  }

  InetSocketAddress routerAt0;
  InetSocketAddress routerAt1;

  private void drainGratuitousArp() throws Exception {
    for (DatagramSocket s : List.of(side0, side1)) {
      s.setSoTimeout(300);
      try {
        s.receive(new DatagramPacket(new byte[2048], 2048));
      } catch (SocketTimeoutException e) {
        // it may have been sent before we listened; either way is fine
      }
      s.setSoTimeout(5000);
    }
  }

  @AfterEach
  void stop() throws Exception {
    if (router != null && router.isAlive()) {
      client.shutdown();
      if (!router.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        router.destroyForcibly();
      }
    }
    side0.close();
    side1.close();
    stranger.close();
    String log = Files.readString(dir.resolve("r1.log"));
    assertTrue(!log.contains("LEAK") && !log.contains("Exception"), log);
  }

  private static byte[] echoFrame(int ttl, boolean breakChecksum) {
    ByteBuf b = Unpooled.buffer(14 + 20 + 8 + 32);
    b.writerIndex(14 + 20 + 8 + 32);
    new EthernetFrame.Repr(new MacAddress(R1_ETH0), new MacAddress(CLIENT), EthernetFrame.ETHERTYPE_IPV4)
        .emit(new EthernetFrame().wrap(b));
    IcmpPacket icmp = new IcmpPacket().wrap(b, 34, 40);
    IcmpPacket.Repr.echo(IcmpPacket.TYPE_ECHO_REQUEST, 7, 1).emit(icmp);
    Ipv4Packet ip = new Ipv4Packet().wrap(b, 14);
    new Ipv4Packet.Repr(Ipv4Address.parse("192.168.1.100"), Ipv4Address.parse("192.168.5.100"),
        Ipv4Packet.PROTO_ICMP, ttl, 99, false, 0, 40).emit(ip);
    if (breakChecksum) {
      ip.checksum(ip.checksum() ^ 0x0101);
    }
    byte[] out = new byte[b.readableBytes()];
    b.readBytes(out);
    b.release();
    return out;
  }

  private void send(DatagramSocket from, byte[] frame, InetSocketAddress to) throws Exception {
    from.send(new DatagramPacket(frame, frame.length, to));
  }

  @Test
  void garbageIsCountedAndDroppedAndForwardingContinues() throws Exception {
    send(side0, new byte[5], routerAt0); // runt
    byte[] unknownType = echoFrame(64, false);
    unknownType[12] = (byte) 0x88;
    unknownType[13] = (byte) 0xB5; // local experimental EtherType
    send(side0, unknownType, routerAt0);
    send(side0, echoFrame(64, true), routerAt0); // bad header checksum
    byte[] badIhl = echoFrame(64, false);
    badIhl[14] = 0x43;
    send(side0, badIhl, routerAt0);
    byte[] truncated = java.util.Arrays.copyOf(echoFrame(64, false), 30);
    send(side0, truncated, routerAt0);
    send(side0, new byte[1600], routerAt0); // over MTU 1500 + 14
    send(stranger, echoFrame(64, false), routerAt0); // not the configured peer
    Random random = new Random(3);
    for (int i = 0; i < 200; i++) {
      byte[] g = new byte[14 + random.nextInt(200)];
      random.nextBytes(g);
      MacAddress.write(Unpooled.wrappedBuffer(g).writerIndex(0), 0, R1_ETH0);
      g[12] = 0x08;
      g[13] = (byte) (random.nextBoolean() ? 0x00 : 0x06); // IPv4 or ARP, garbage inside
      send(side0, g, routerAt0);
    }

    // Now a good echo request: the router must ARP for the server on eth1, then forward.
    send(side0, echoFrame(64, false), routerAt0);
    byte[] buf = new byte[2048];
    DatagramPacket got = new DatagramPacket(buf, buf.length);
    side1.receive(got);
    ByteBuf arp = Unpooled.wrappedBuffer(buf, 0, got.getLength());
    assertEquals(EthernetFrame.ETHERTYPE_ARP, EthernetFrame.etherType(arp, 0));
    ArpPacket.Repr req = ArpPacket.Repr.parse(new ArpPacket().wrap(arp, 14));
    assertEquals(Ipv4Address.parse("192.168.5.100"), req.targetIp());
    ByteBuf reply = Unpooled.buffer(42).writerIndex(42);
    new EthernetFrame.Repr(new MacAddress(R1_ETH1), new MacAddress(SERVER), EthernetFrame.ETHERTYPE_ARP)
        .emit(new EthernetFrame().wrap(reply));
    new ArpPacket.Repr(ArpPacket.OP_REPLY, SERVER, Ipv4Address.parse("192.168.5.100"), R1_ETH1,
        Ipv4Address.parse("192.168.5.1")).emit(new ArpPacket().wrap(reply, 14));
    send(side1, java.util.Arrays.copyOf(reply.array(), 42), routerAt1);
    reply.release();
    side1.receive(got);
    ByteBuf fwd = Unpooled.wrappedBuffer(buf, 0, got.getLength());
    assertEquals(SERVER, EthernetFrame.dst(fwd, 0));
    assertEquals(R1_ETH1, EthernetFrame.src(fwd, 0));
    Ipv4Packet ip = new Ipv4Packet().wrap(fwd, 14);
    assertEquals(63, ip.ttl());
    assertTrue(ip.checksumValid());

    JsonNode st = client.status();
    JsonNode eth0 = st.path("interfaces").get(0);
    assertEquals(1, eth0.path("link").path("rx_drop_not_from_peer").asLong(), st.toPrettyString());
    assertEquals(1, eth0.path("link").path("rx_drop_oversize").asLong(), st.toPrettyString());
    JsonNode drops = st.path("ip").path("drops");
    assertEquals(1, drops.path("runt").asLong(), drops.toPrettyString());
    assertTrue(drops.path("unknown_ethertype").asLong() >= 1, drops.toPrettyString());
    assertTrue(drops.path("ip_bad_checksum").asLong() >= 1, drops.toPrettyString());
    assertTrue(drops.path("ip_malformed").asLong() >= 2, drops.toPrettyString());
    assertTrue(drops.path("arp_malformed").asLong() >= 1, drops.toPrettyString());
    assertEquals(1, st.path("ip").path("forwarded").asLong(), st.toPrettyString());
    assertTrue(router.isAlive());
  }
}
