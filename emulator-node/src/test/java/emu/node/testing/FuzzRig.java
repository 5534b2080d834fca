package emu.node.testing;

import emu.link.wire.EthernetFrame;
import emu.link.wire.MacAddress;
import emu.node.tcp.TcpConnection;
import emu.node.tcp.TcpError;
import emu.node.tcp.TcpEvents;
import emu.node.wire.Checksum;
import emu.node.wire.IcmpPacket;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * What the Jazzer targets of emulator-node feed their bytes into: a fresh lab per input (so an
 * input does the same thing however often it is replayed, and the lab's close proves that every
 * buffer it took was released), holding router r1 with a {@link Tap} on each side, the peers'
 * MACs pre-resolved (no ARP in the way) and a TCP listener on port 80 that sends 3000 bytes to
 * whoever connects, so that segments from the fuzzer meet data in flight.
 *
 * <pre>
 *   peer 10.0.0.2 --tap-- eth0 10.0.0.1 [r1] 10.0.1.1 eth1 --tap-- far 10.0.1.2
 * </pre>
 *
 * The helpers wrap fuzz bytes in valid outer headers and fill the checksum of the layer under
 * test, so that mutations reach the parser's body instead of stopping at the checksum (the
 * checksum checks themselves are covered by the emu.node.stack.MalformedInputTest cases).
 */
public final class FuzzRig implements AutoCloseable {
  public static final String R1_IP = "10.0.0.1";
  public static final String PEER_IP = "10.0.0.2";
  public static final String FAR_IP = "10.0.1.2";
  public static final long R1_MAC = MacAddress.parse("02:00:00:00:00:01").bits();
  public static final long PEER_MAC = MacAddress.parse("02:00:00:00:00:02").bits();
  public static final long FAR_MAC = MacAddress.parse("02:00:00:00:01:02").bits();
  public static final int TCP_PORT = 80;
  public static final int L3 = EthernetFrame.HEADER_LEN;
  public static final int L4 = L3 + Ipv4Packet.MIN_HEADER_LEN;

  public final VirtualLab lab = VirtualLab.forFuzzing(7);
  public final LabNode r1 = lab.router("r1");
  public final Tap near = lab.tap(r1, "eth0", MacAddress.format(R1_MAC), R1_IP + "/24");
  public final Tap far = lab.tap(r1, "eth1", "02:00:00:00:01:01", "10.0.1.1/24");

  public FuzzRig() {
    r1.nic("eth0").neighbors().addPermanent(Ipv4Address.parse(PEER_IP), PEER_MAC);
    r1.nic("eth1").neighbors().addPermanent(Ipv4Address.parse(FAR_IP), FAR_MAC);
    r1.tcp().listen(0, TCP_PORT, 8, c -> new WriteOnce(new byte[3000], false));
    lab.start();
  }

  /** Hands a frame to r1 as if it had arrived on eth0 ({@code NetworkStack.input}), then lets the lab run. */
  public void input(byte[] frame) {
    r1.inject("eth0", frame);
    lab.advance(VirtualLab.millis(10));
  }

  /**
   * Settles the lab, releases what waits and fails if a buffer is still referenced, or if r1's
   * stack contained an exception: the guard around {@code NetworkStack.input} keeps a node going
   * after a bug, and would hide it from the fuzzer.
   */
  @Override
  public void close() {
    long contained = r1.stack().internalErrors().total();
    String which = r1.stack().internalErrors().byClass().toString();
    lab.close();
    if (contained != 0) {
      throw new AssertionError("r1 contained " + contained + " exception(s) in its input path: " + which);
    }
  }

  /** {@code l4} as the payload of a valid IPv4 packet from the peer to r1 (or to {@code dst}). */
  public static byte[] ipv4Frame(String dst, int protocol, byte[] l4) {
    return PacketBuilder.ipv4(PEER_IP, dst).eth(R1_MAC, PEER_MAC).payload(protocol, l4).frame();
  }

  /**
   * Fills the ICMP, UDP or TCP checksum of the transport bytes at {@link #L4} of an IPv4 frame
   * (when they are long enough to hold one) so that it verifies.
   */
  public static byte[] fillTransportChecksum(byte[] frame, int protocol) {
    int len = frame.length - L4;
    int field = switch (protocol) {
      case Ipv4Packet.PROTO_ICMP -> IcmpPacket.CHECKSUM;
      case Ipv4Packet.PROTO_UDP -> 6;
      case Ipv4Packet.PROTO_TCP -> 16;
      default -> throw new IllegalArgumentException("protocol " + protocol);
    };
    if (len < field + 2) {
      return frame;
    }
    ByteBuf b = Unpooled.wrappedBuffer(frame);
    b.setShort(L4 + field, 0);
    long acc = protocol == Ipv4Packet.PROTO_ICMP ? 0
        : Checksum.pseudoHeader(b.getInt(L3 + 12), b.getInt(L3 + 16), protocol, len);
    int sum = Checksum.finish(Checksum.add(acc, b, L4, len));
    // a UDP checksum that computes to 0 is sent as all ones (0 means "none", RFC 768)
    b.setShort(L4 + field, protocol == Ipv4Packet.PROTO_UDP && sum == 0 ? 0xFFFF : sum);
    return frame;
  }

  /**
   * A connection's application for the targets: writes {@code data} once established (copied:
   * the array stays the caller's), closing right after if asked, else when the peer does; reads
   * and drops what comes.
   */
  public static final class WriteOnce implements TcpEvents {
    private final byte[] data;
    private final boolean closeAfter;

    public WriteOnce(byte[] data, boolean closeAfter) {
      this.data = data;
      this.closeAfter = closeAfter;
    }

    @Override
    public void onEstablished(TcpConnection c) {
      c.write(Unpooled.wrappedBuffer(data));
      if (closeAfter) {
        c.close();
      }
    }

    @Override
    public void onData(TcpConnection c, ByteBuf data) {
      data.release();
    }

    @Override
    public void onPeerFin(TcpConnection c) {
      if (!closeAfter) {
        c.close();
      }
    }

    @Override
    public void onWritable(TcpConnection c) {}

    @Override
    public void onClosed(TcpConnection c, TcpError error) {}
  }
}
