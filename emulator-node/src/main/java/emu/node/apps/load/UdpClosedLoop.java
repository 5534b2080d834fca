package emu.node.apps.load;

import emu.node.shell.CommandIo;
import emu.node.stack.IcmpListener;
import emu.node.stack.NetworkStack;
import emu.node.stack.SendResult;
import emu.node.stack.UdpListener;
import emu.node.wire.IcmpPacket;
import emu.node.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;

/**
 * A {@link ClosedLoop} over UDP to one peer, as {@code dnsperf} and {@code udpperf} run it: one
 * ephemeral port of the emulated stack for the whole run, the ICMP port-unreachable errors about
 * it counted (nothing listens at the peer), and the port given back when the run ends.
 */
abstract class UdpClosedLoop extends ClosedLoop implements UdpListener, IcmpListener {
  protected final NetworkStack stack;
  protected final int peer;
  protected final int peerPort;
  /** Our port, or -1 before {@link #bind} and after {@link #close}. */
  protected int port = -1;
  protected long icmpErrors;

  UdpClosedLoop(NetworkStack stack, CommandIo io, int peer, int peerPort, int window, long durationNanos,
                long timeoutNanos) {
    super(stack.time(), io, window, durationNanos, timeoutNanos);
    this.stack = stack;
    this.peer = peer;
    this.peerPort = peerPort;
  }

  /** Takes an ephemeral port and listens for ICMP errors; false (said, exit 1) if no port is free. */
  protected final boolean bind(String tool) {
    port = stack.udp().bind(0, this);
    if (port < 0) {
      io.out(tool + ": no free UDP port");
      io.exit(1);
      return false;
    }
    stack.icmp().addListener(this);
    return true;
  }

  /** Sends one datagram from our port to the peer (TTL 64). */
  protected final SendResult send(ByteBuf payload) {
    return stack.udp().send(0, port, peer, peerPort, 64, payload);
  }

  @Override
  public final void onIcmp(Ipv4Packet ip, IcmpPacket icmp) {
    if (!finished() && unreachableFor(ip, icmp, peer, port, peerPort)) {
      icmpErrors++;
    }
  }

  @Override
  protected final void close() {
    if (port >= 0) {
      stack.udp().unbind(port);
      stack.icmp().removeListener(this);
      port = -1;
    }
  }

  /**
   * Whether {@code icmp} is a destination-unreachable error about a UDP datagram we sent from
   * {@code localPort} to {@code server}:{@code serverPort} (its quote says so). The views are
   * those an {@link emu.node.stack.IcmpListener} gets.
   */
  private static boolean unreachableFor(Ipv4Packet ip, IcmpPacket icmp, int server, int localPort, int serverPort) {
    if (icmp.type() != IcmpPacket.TYPE_DEST_UNREACHABLE || icmp.dataLength() < Ipv4Packet.MIN_HEADER_LEN + 8) {
      return false;
    }
    ByteBuf b = ip.buffer();
    Ipv4Packet q = new Ipv4Packet().wrap(b, icmp.dataIndex());
    int qhl = q.headerLength();
    if (qhl < Ipv4Packet.MIN_HEADER_LEN || icmp.dataLength() < qhl + 8 || q.protocol() != Ipv4Packet.PROTO_UDP
        || q.dst() != server) {
      return false;
    }
    int at = icmp.dataIndex() + qhl;
    return b.getUnsignedShort(at) == localPort && b.getUnsignedShort(at + 2) == serverPort;
  }

}
