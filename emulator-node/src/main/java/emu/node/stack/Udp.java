package emu.node.stack;

import emu.node.wire.IcmpPacket;
import emu.node.wire.Ipv4Packet;
import emu.node.wire.UdpDatagram;
import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;

/**
 * UDP (RFC 768): port demultiplexing with ICMP port unreachable for closed ports, checksum
 * checks, and sending. Ephemeral ports are drawn at random from Linux's default range
 * 32768-60999 (RFC 6056 algorithm 1).
 */
public final class Udp {
  public static final int EPHEMERAL_LOW = EphemeralPorts.LOW;
  public static final int EPHEMERAL_HIGH = EphemeralPorts.HIGH;

  private final NetworkStack stack;
  private final Ipv4Output output;
  private final Icmp icmp;
  private final UdpObserver observer;
  private final Ipv4Packet ip = new Ipv4Packet();
  private final UdpDatagram udp = new UdpDatagram();
  private final UdpDatagram out = new UdpDatagram();
  private final IntObjectHashMap<UdpListener> ports = new IntObjectHashMap<>();
  private Nic ingress;

  Udp(NetworkStack stack, Ipv4Output output, Icmp icmp, UdpObserver observer) {
    this.stack = stack;
    this.output = output;
    this.icmp = icmp;
    this.observer = observer;
  }

  /** Binds {@code port} (0: a random free ephemeral port); returns the port, or -1 if taken. */
  public int bind(int port, UdpListener listener) {
    int p = port != 0 ? port : EphemeralPorts.pick(stack.secrets(),
        q -> ports.containsKey(q) || stack.portHeldByNat(Ipv4Packet.PROTO_UDP, q));
    if (p < 0 || ports.containsKey(p)) {
      return -1;
    }
    ports.put(p, listener);
    return p;
  }

  /** True if a socket is bound to {@code port}. */
  public boolean bound(int port) {
    return ports.containsKey(port);
  }

  public void unbind(int port) {
    ports.remove(port);
  }

  /**
   * The interface the datagram being delivered came in on, during {@link UdpListener#onDatagram}
   * only (null otherwise): a DHCP server answers on the interface it was asked on.
   */
  public Nic ingress() {
    return ingress;
  }

  /** {@code broadcast}: no ICMP error may be sent about this datagram. */
  void input(Nic nic, ByteBuf buf, int ipStart, boolean broadcast) {
    ip.wrap(buf, ipStart);
    udp.wrap(buf, ip.payloadIndex(), ip.payloadLength());
    if (!udp.check()) {
      stack.drop(nic, buf, DropReason.UDP_MALFORMED);
      return;
    }
    int src = ip.src();
    int dst = ip.dst();
    if (!udp.checksumValid(src, dst)) {
      stack.drop(nic, buf, DropReason.UDP_BAD_CHECKSUM);
      return;
    }
    int dstPort = udp.dstPort();
    UdpListener listener = ports.get(dstPort);
    if (listener == null) {
      if (!broadcast) {
        icmp.sendError(buf, ipStart, false, IcmpPacket.TYPE_DEST_UNREACHABLE,
            IcmpPacket.CODE_PORT_UNREACHABLE, 0);
      }
      stack.drop(nic, buf, DropReason.NO_LISTENER);
      return;
    }
    if (observer.enabled()) {
      observer.delivered(src, udp.srcPort(), dstPort, udp.payloadLength());
    }
    int srcPort = udp.srcPort();
    ByteBuf payload = buf.slice(udp.payloadIndex(), udp.payloadLength());
    ingress = nic;
    try {
      listener.onDatagram(src, srcPort, dst, dstPort, payload);
    } catch (RuntimeException e) {
      // the socket's owner failed, not the stack: counted, and the datagram released below;
      // caught here so that a datagram this node sent itself does not throw at its sender
      stack.internalError(nic, null, e, "in the listener of UDP port " + dstPort);
    } finally {
      ingress = null;
      buf.release();
    }
  }

  /**
   * Sends {@code data} (reader index at the payload, {@link NetworkStack#HEADROOM} free in
   * front, as {@link NetworkStack#allocate} makes it). Takes ownership of {@code data}.
   */
  public SendResult send(int srcIp, int srcPort, int dstIp, int dstPort, int ttl, ByteBuf data) {
    int len = data.readableBytes();
    int start = data.readerIndex() - UdpDatagram.HEADER_LEN;
    data.readerIndex(start);
    out.wrap(data, start, UdpDatagram.HEADER_LEN + len).srcPort(srcPort).dstPort(dstPort)
        .length(UdpDatagram.HEADER_LEN + len);
    return output.send(srcIp, dstIp, Ipv4Packet.PROTO_UDP, ttl, false, data,
        (b, s, l, from, to) -> out.wrap(b, s, l).fillChecksum(from, to));
  }
}
