package emu.control.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.cli.EmuCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An external node is wired exactly as QEMU's {@code -netdev socket,udp=EMU,localaddr=PEER}:
 * one Ethernet frame per UDP datagram, no header, each side sending to the other's fixed
 * address. This test is that peer, speaking raw frames from a plain UDP socket to an emu host
 * process: it ARPs for the host, gets the reply, pings it and checks the echo reply byte for
 * byte, and sees that frames from any other address are dropped. {@link QemuVmLabTest} boots a real
 * VM on the same wiring.
 */
class ExternalPeerTest {
  @TempDir
  static Path state;

  static final byte[] VM_MAC = HexFormat.ofDelimiter(":").parseHex("52:54:00:12:34:56");
  static final byte[] VM_IP = {10, 0, 0, 3};
  static final byte[] HOST_IP = {10, 0, 0, 1};
  static final byte[] HOST_MAC = HexFormat.ofDelimiter(":").parseHex("02:00:00:aa:00:01");

  @BeforeAll
  static void stateDir() {
    System.setProperty("emu.stateDir", state.toString());
  }

  @AfterAll
  static void nothingLeft() {
    assertEquals(java.util.List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
  }

  static int emu(StringWriter out, String... args) {
    StringWriter err = new StringWriter();
    int code = EmuCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    out.append(err.toString());
    return code;
  }

  @Test
  void aRawUdpPeerArpsAndPingsAnEmuHost(@TempDir Path dir) throws Exception {
    try (DatagramSocket vm = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
         DatagramSocket stranger = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      int emuPort;
      try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
        emuPort = probe.getLocalPort(); // free now; pinned below as QEMU's udp= needs a fixed address
      }
      Files.writeString(dir.resolve("ext.yml"), """
          name: ext
          topology:
            nodes:
              h1:
                kind: host
                interfaces: {eth0: {address: 10.0.0.1/24, mac: '02:00:00:aa:00:01', port: %d}}
              vm:
                kind: external
                interfaces: {eth0: {address: 10.0.0.3/24, peer: '127.0.0.1:%d'}}
            links:
              - endpoints: [h1:eth0, vm:eth0]
          """.formatted(emuPort, vm.getLocalPort()));
      StringWriter out = new StringWriter();
      assertEquals(0, emu(out, "up", dir.resolve("ext.yml").toString(), "--out", dir.resolve("out").toString()),
          out::toString);
      try {
        StringWriter status = new StringWriter();
        assertEquals(0, emu(status, "status"), status::toString);
        assertTrue(status.toString().contains("127.0.0.1:" + vm.getLocalPort()), status.toString());

        vm.setSoTimeout(500);
        InetSocketAddress emuEnd = new InetSocketAddress(InetAddress.getLoopbackAddress(), emuPort);
        // The node's gratuitous ARP at start may arrive first; wait for the reply to our request.
        byte[] reply = null;
        for (int attempt = 0; attempt < 20 && reply == null; attempt++) {
          send(vm, emuEnd, arpRequest());
          reply = receive(vm, 0x0806, f -> f[21] == 2);
        }
        assertTrue(reply != null, "no ARP reply from the emu host");
        assertArrayEquals(VM_MAC, Arrays.copyOfRange(reply, 0, 6), "reply is addressed to the VM");
        assertArrayEquals(HOST_MAC, Arrays.copyOfRange(reply, 22, 28), "sender hardware address");
        assertArrayEquals(HOST_IP, Arrays.copyOfRange(reply, 28, 32), "sender protocol address");

        byte[] payload = "emu external peer".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        send(vm, emuEnd, echoRequest(0x4242, 1, payload));
        byte[] echo = receive(vm, 0x0800, f -> f[23] == 1 && f[34] == 0);
        assertTrue(echo != null, "no echo reply");
        assertArrayEquals(VM_MAC, Arrays.copyOfRange(echo, 0, 6));
        assertArrayEquals(HOST_IP, Arrays.copyOfRange(echo, 26, 30), "from the host");
        assertArrayEquals(VM_IP, Arrays.copyOfRange(echo, 30, 34), "to the VM");
        assertEquals(0, checksum(echo, 14, 20), "IPv4 header checksum");
        int icmpLen = ((echo[16] & 0xff) << 8 | (echo[17] & 0xff)) - 20;
        assertEquals(0, checksum(echo, 34, icmpLen), "ICMP checksum");
        assertEquals(0x4242, (echo[38] & 0xff) << 8 | (echo[39] & 0xff), "identifier");
        assertArrayEquals(payload, Arrays.copyOfRange(echo, 42, 42 + payload.length));

        // The same frame from an address that is not the configured peer is dropped, unanswered.
        stranger.setSoTimeout(300);
        send(stranger, emuEnd, echoRequest(0x4242, 2, payload));
        assertTrue(receive(stranger, 0x0800, f -> true) == null, "a stranger got an answer");
        assertTrue(receive(vm, 0x0800, f -> f[23] == 1 && f[34] == 0) == null, "answered a stranger's echo");
      } finally {
        StringWriter down = new StringWriter();
        assertEquals(0, emu(down, "down"), down::toString);
      }
    }
  }

  private static void send(DatagramSocket s, InetSocketAddress to, byte[] frame) throws Exception {
    s.send(new DatagramPacket(frame, frame.length, to));
  }

  /** The next frame of this EtherType that {@code wanted} accepts, or null after a quiet while. */
  private static byte[] receive(DatagramSocket s, int etherType, java.util.function.Predicate<byte[]> wanted)
      throws Exception {
    long deadline = System.nanoTime() + 5_000_000_000L;
    byte[] buf = new byte[2048];
    while (System.nanoTime() < deadline) {
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        s.receive(p);
      } catch (SocketTimeoutException e) {
        return null;
      }
      byte[] f = Arrays.copyOf(p.getData(), p.getLength());
      if (f.length >= 14 && ((f[12] & 0xff) << 8 | (f[13] & 0xff)) == etherType && f.length >= 42 && wanted.test(f)) {
        return f;
      }
    }
    return null;
  }

  private static byte[] arpRequest() {
    ByteBuffer b = ByteBuffer.allocate(60); // padded to the Ethernet minimum, as a NIC does
    b.put(new byte[] {-1, -1, -1, -1, -1, -1}).put(VM_MAC).putShort((short) 0x0806);
    b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
    b.put(VM_MAC).put(VM_IP).put(new byte[6]).put(HOST_IP);
    return b.array();
  }

  private static byte[] echoRequest(int id, int seq, byte[] payload) {
    int icmpLen = 8 + payload.length;
    ByteBuffer b = ByteBuffer.allocate(14 + 20 + icmpLen);
    b.put(HOST_MAC).put(VM_MAC).putShort((short) 0x0800);
    b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + icmpLen)).putShort((short) seq).putShort((short) 0x4000)
        .put((byte) 64).put((byte) 1).putShort((short) 0).put(VM_IP).put(HOST_IP);
    b.put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) id).putShort((short) seq).put(payload);
    byte[] f = b.array();
    int ipSum = checksum(f, 14, 20);
    f[24] = (byte) (ipSum >> 8);
    f[25] = (byte) ipSum;
    int icmpSum = checksum(f, 34, icmpLen);
    f[36] = (byte) (icmpSum >> 8);
    f[37] = (byte) icmpSum;
    return f;
  }

  /** RFC 1071: 0 over a region that carries its correct checksum. */
  static int checksum(byte[] f, int off, int len) {
    long sum = 0;
    for (int i = 0; i < len; i += 2) {
      int hi = f[off + i] & 0xff;
      int lo = i + 1 < len ? f[off + i + 1] & 0xff : 0;
      sum += hi << 8 | lo;
    }
    while (sum >> 16 != 0) {
      sum = (sum & 0xffff) + (sum >> 16);
    }
    return (int) (~sum & 0xffff);
  }
}
