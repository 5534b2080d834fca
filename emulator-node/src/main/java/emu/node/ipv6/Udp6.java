package emu.node.ipv6;

import emu.node.stack.DropReason;
import emu.node.stack.EphemeralPorts;
import emu.node.stack.Nic;
import emu.node.stack.SendResult;
import emu.node.wire.Icmpv6Packet;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Extensions;
import emu.node.wire.Ipv6Packet;
import emu.node.wire.UdpDatagram;
import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;

/**
 * UDP over IPv6 (RFC 768 with RFC 8200 8.1's pseudo-header): port demultiplexing, ICMPv6 port
 * unreachable for closed ports (never about multicast), and sending. The checksum is mandatory
 * over IPv6: a datagram with checksum zero is dropped. Its ports are its own, as sockets bound
 * with IPV6_V6ONLY are: a service that speaks both families binds a port in each. Ephemeral
 * ports are drawn as IPv4's are (Linux's 32768-60999, RFC 6056 algorithm 1).
 */
public final class Udp6 implements Ipv6Protocol {
  private final Ipv6Layer layer;
  private final Udp6Observer observer;
  private final Ipv6Packet ip = new Ipv6Packet();
  private final UdpDatagram udp = new UdpDatagram();
  private final UdpDatagram out = new UdpDatagram();
  private final IntObjectHashMap<Udp6Listener> ports = new IntObjectHashMap<>();
  /** The interface the datagram being delivered came in on; null outside a delivery. */
  private Nic arrival;

  Udp6(Ipv6Layer layer, Udp6Observer observer) {
    this.layer = layer;
    this.observer = observer;
  }

  /** Binds {@code port} (0: a random free ephemeral port); returns the port, or -1 if taken. */
  public int bind(int port, Udp6Listener listener) {
    int p = port != 0 ? port : EphemeralPorts.pick(layer.stack().secrets(), ports::containsKey);
    if (p < 0 || ports.containsKey(p)) {
      return -1;
    }
    ports.put(p, listener);
    return p;
  }

  public void unbind(int port) {
    ports.remove(port);
  }

  @Override
  public void input(Nic nic, ByteBuf buf, int ipStart, int at, int length, boolean multicast) {
    ip.wrap(buf, ipStart);
    udp.wrap(buf, at, length);
    if (!udp.check()) {
      layer.drop(nic, buf, DropReason.UDP_MALFORMED);
      return;
    }
    if (udp.checksum() == 0 || !udp.checksumValid(Ipv6Packet.pseudoHeader(buf, ipStart, udp.length(),
        Ipv6Extensions.UDP))) {
      layer.drop(nic, buf, DropReason.UDP_BAD_CHECKSUM);
      return;
    }
    int dstPort = udp.dstPort();
    Udp6Listener listener = ports.get(dstPort);
    if (listener == null) {
      layer.icmp().sendError(buf, ipStart, nic, multicast, Icmpv6Packet.TYPE_DEST_UNREACHABLE,
          Icmpv6Packet.CODE_PORT_UNREACHABLE, 0);
      layer.drop(nic, buf, DropReason.NO_LISTENER);
      return;
    }
    Ipv6Address src = ip.src();
    int srcPort = udp.srcPort();
    if (observer.enabled()) {
      observer.udpDelivered(src, srcPort, dstPort, udp.payloadLength());
    }
    ByteBuf payload = buf.slice(udp.payloadIndex(), udp.payloadLength());
    arrival = nic;
    try {
      listener.onDatagram(src, srcPort, ip.dst(), dstPort, payload);
    } catch (RuntimeException e) { // as Udp: the socket's owner failed; the datagram is released below
      layer.stack().internalError(nic, null, e, "in the listener of UDP port " + dstPort);
    } finally {
      arrival = null;
      buf.release();
    }
  }

  /**
   * During {@link Udp6Listener#onDatagram}: the interface the datagram came in on, where an
   * answer to a link-local sender must go (its zone); null at any other time.
   */
  public Nic arrival() {
    return arrival;
  }

  /**
   * Sends {@code data} (reader index at the payload, {@code NetworkStack.HEADROOM} free in front,
   * as {@code NetworkStack.allocate} makes it) from {@code src} (null: the address source
   * selection picks) to {@code dst}; {@code nic} names the interface of a link-local or
   * multicast destination. Takes ownership of {@code data}.
   */
  public SendResult send(Ipv6Address src, int srcPort, Ipv6Address dst, Nic nic, int dstPort, int hopLimit,
                         ByteBuf data) {
    int len = data.readableBytes();
    int start = data.readerIndex() - UdpDatagram.HEADER_LEN;
    data.readerIndex(start);
    out.wrap(data, start, UdpDatagram.HEADER_LEN + len).srcPort(srcPort).dstPort(dstPort)
        .length(UdpDatagram.HEADER_LEN + len);
    return layer.output().send(src, dst, nic, Ipv6Extensions.UDP, hopLimit, data,
        (b, s, l, pseudo) -> out.wrap(b, s, l).fillChecksum(pseudo)); // 0 goes as 0xFFFF
  }
}
