package emu.node.apps.diag;

import emu.node.event.AppEvent;
import emu.node.ipv6.Icmpv6Listener;
import emu.node.ipv6.Ipv6Layer;
import emu.node.shell.CommandIo;
import emu.node.stack.Nic;
import emu.node.stack.SendResult;
import emu.node.trace.Tracer;
import emu.node.wire.Icmpv6Packet;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Extensions;
import emu.node.wire.Ipv6Packet;
import io.netty.buffer.ByteBuf;

/**
 * One IPv6 ping (ICMPv6 echo, RFC 4443 4.1), printed as iputils prints it: "PING
 * 2001:db8::1(2001:db8::1) 56 data bytes", replies with the hop limit as ttl, errors in
 * iputils' ICMPv6 words. A link-local destination carries its interface (fe80::1%eth0), in the
 * lines as in the command.
 */
final class Ping6Run extends PingRun implements Icmpv6Listener {
  private final Ipv6Layer ipv6;
  private final Tracer tracer;
  private final Ipv6Address dst;
  private final Nic nic;
  private final int hopLimit;
  private final int count;

  Ping6Run(Ipv6Layer ipv6, Tracer tracer, Ipv6Address dst, Nic nic, String target, int count, long interval,
           long timeout, int size, int hopLimit, boolean quiet, CommandIo io) {
    super(target, ipv6.stack().random().nextInt(0x10000), count, interval, timeout, size, quiet, io,
        ipv6.stack().time());
    this.ipv6 = ipv6;
    this.tracer = tracer;
    this.dst = dst;
    this.nic = nic;
    this.hopLimit = hopLimit;
    this.count = count;
  }

  void start(int size) {
    if (tracer.enabled()) {
      tracer.emit(new AppEvent.Ping(target, dst.toString(), ident, count));
    }
    start("PING " + target + "(" + named(dst) + ") " + size + " data bytes");
  }

  /** The address as iputils prints it: a link-local one with its interface. */
  private String named(Ipv6Address a) {
    return a.isLinkLocal() && nic != null ? a + "%" + nic.name() : a.toString();
  }

  @Override
  protected SendResult connect() {
    if (nic != null || ipv6.localAddress(dst) != null
        || ipv6.routes().lookup(dst, ipv6.stack().time().nanos()) != null) {
      return SendResult.SENT;
    }
    return SendResult.NO_ROUTE;
  }

  @Override
  protected SendResult send(int seq, ByteBuf data) {
    return ipv6.sendEcho(dst, nic, ident, seq, hopLimit, data);
  }

  @Override
  protected void listen() {
    ipv6.addIcmpListener(this);
  }

  @Override
  protected void unlisten() {
    ipv6.removeIcmpListener(this);
  }

  @Override
  public void onIcmpv6(Ipv6Packet ip, Icmpv6Packet icmp) {
    if (done()) {
      return;
    }
    if (icmp.type() == Icmpv6Packet.TYPE_ECHO_REPLY) {
      if (icmp.ident() == ident && (ip.src().equals(dst) || dst.isMulticast())) {
        reply(icmp.seq(), icmp.length(), named(ip.src()), ip.hopLimit());
      }
      return;
    }
    // An error quotes our request: the IPv6 header, a fragment header if the request went in
    // fragments (the first one is quoted: offset 0), then the ICMPv6 echo header with our ident.
    int q = icmp.dataIndex();
    ByteBuf buf = ip.buffer();
    if (icmp.dataLength() < Ipv6Packet.HEADER_LEN + Icmpv6Packet.HEADER_LEN || !dst.equalsAt(buf, q + Ipv6Packet.DST)) {
      return;
    }
    int next = buf.getUnsignedByte(q + Ipv6Packet.NEXT_HEADER);
    int at = q + Ipv6Packet.HEADER_LEN;
    if (next == Ipv6Extensions.FRAGMENT && icmp.dataLength() >= Ipv6Packet.HEADER_LEN
        + Ipv6Extensions.FRAGMENT_HEADER_LEN + Icmpv6Packet.HEADER_LEN && (buf.getUnsignedShort(at + 2) & 0xFFF8) == 0) {
      next = buf.getUnsignedByte(at);
      at += Ipv6Extensions.FRAGMENT_HEADER_LEN;
    }
    if (next != Ipv6Extensions.ICMPV6 || buf.getUnsignedByte(at) != Icmpv6Packet.TYPE_ECHO_REQUEST
        || buf.getUnsignedShort(at + 4) != ident) {
      return;
    }
    error(buf.getUnsignedShort(at + 6), named(ip.src()), errorText(icmp));
  }

  /** iputils' words for an ICMPv6 error (ping6_common.c). */
  static String errorText(Icmpv6Packet icmp) {
    int code = icmp.code();
    return switch (icmp.type()) {
      case Icmpv6Packet.TYPE_DEST_UNREACHABLE -> "Destination unreachable: " + switch (code) {
        case Icmpv6Packet.CODE_NO_ROUTE -> "No route";
        case Icmpv6Packet.CODE_ADMIN_PROHIBITED -> "Administratively prohibited";
        case 2 -> "Beyond scope of source address";
        case Icmpv6Packet.CODE_ADDRESS_UNREACHABLE -> "Address unreachable";
        case Icmpv6Packet.CODE_PORT_UNREACHABLE -> "Port unreachable";
        default -> "Unknown code " + code;
      };
      case Icmpv6Packet.TYPE_PACKET_TOO_BIG -> "Packet too big: mtu=" + icmp.word();
      case Icmpv6Packet.TYPE_TIME_EXCEEDED -> "Time exceeded: " + switch (code) {
        case Icmpv6Packet.CODE_HOP_LIMIT_EXCEEDED -> "Hop limit";
        case Icmpv6Packet.CODE_REASSEMBLY_TIME_EXCEEDED -> "Defragmentation failure";
        default -> "code " + code;
      };
      case Icmpv6Packet.TYPE_PARAMETER_PROBLEM -> "Parameter problem: " + switch (code) {
        case 0 -> "Wrong header field ";
        case 1 -> "Unknown header ";
        case 2 -> "Unknown option ";
        default -> "code " + code + " ";
      } + "at " + icmp.word();
      default -> "ICMP type " + icmp.type() + " code " + code;
    };
  }
}
