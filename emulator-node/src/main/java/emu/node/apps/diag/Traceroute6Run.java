package emu.node.apps.diag;

import emu.node.ipv6.Icmpv6Listener;
import emu.node.ipv6.Ipv6Layer;
import emu.node.shell.CommandIo;
import emu.node.stack.Nic;
import emu.node.stack.SendResult;
import emu.node.wire.Icmpv6Packet;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Extensions;
import emu.node.wire.Ipv6Packet;
import io.netty.buffer.ByteBuf;

/**
 * One IPv6 traceroute ({@code traceroute -6}): UDP probes over IPv6 with rising hop limits;
 * routers answer "time exceeded", the destination "port unreachable" (RFC 4443). Printed as
 * Linux's traceroute prints it: 80-byte packets (40 + 8 + 32), a hop as "ADDR (ADDR)", or the
 * bare address with {@code -n}.
 */
final class Traceroute6Run extends TracerouteRun implements Icmpv6Listener {
  private final Ipv6Layer ipv6;
  private final Ipv6Address dst;
  private final Nic nic;
  private final boolean numeric;
  private final int dataLength;

  Traceroute6Run(Ipv6Layer ipv6, Ipv6Address dst, Nic nic, String target, int firstTtl, int maxTtl, int probes,
                 long wait, int basePort, boolean numeric, int dataLength, CommandIo io) {
    super(target, firstTtl, maxTtl, probes, wait, basePort, io, ipv6.stack().time());
    this.ipv6 = ipv6;
    this.dst = dst;
    this.nic = nic;
    this.numeric = numeric;
    this.dataLength = dataLength;
  }

  void start(int maxTtl) {
    start("traceroute to " + target + " (" + dst + "), " + maxTtl + " hops max, "
        + (Ipv6Packet.HEADER_LEN + 8 + dataLength) + " byte packets");
  }

  @Override
  protected int bind() {
    return ipv6.udp().bind(0, (s, sp, d, dp, p) -> { });
  }

  @Override
  protected void unbind(int port) {
    ipv6.udp().unbind(port);
  }

  @Override
  protected SendResult send(int dstPort, int ttl) {
    ByteBuf data = ipv6.stack().allocate(dataLength);
    data.writeZero(dataLength);
    return ipv6.udp().send(null, srcPort, dst, nic, dstPort, ttl, data);
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
    int type = icmp.type();
    if (done() || !icmp.isError() || icmp.dataLength() < Ipv6Packet.HEADER_LEN + 8) {
      return;
    }
    // the error quotes our probe: its IPv6 header (we add no extension headers), then UDP
    ByteBuf b = ip.buffer();
    int q = icmp.dataIndex();
    if (b.getUnsignedByte(q + Ipv6Packet.NEXT_HEADER) != Ipv6Extensions.UDP || !dst.equalsAt(b, q + Ipv6Packet.DST)) {
      return;
    }
    int at = q + Ipv6Packet.HEADER_LEN;
    if (b.getUnsignedShort(at) != srcPort) {
      return;
    }
    Ipv6Address from = ip.src();
    String who = numeric ? from.toString() : from + " (" + from + ")";
    String note = "";
    boolean stop = type != Icmpv6Packet.TYPE_TIME_EXCEEDED;
    if (type == Icmpv6Packet.TYPE_DEST_UNREACHABLE) {
      note = switch (icmp.code()) {
        case Icmpv6Packet.CODE_PORT_UNREACHABLE -> "";
        case Icmpv6Packet.CODE_NO_ROUTE -> " !N";
        case Icmpv6Packet.CODE_ADMIN_PROHIBITED -> " !X";
        case Icmpv6Packet.CODE_ADDRESS_UNREACHABLE -> " !H";
        default -> " !<" + icmp.code() + ">";
      };
    } else if (type == Icmpv6Packet.TYPE_PACKET_TOO_BIG) {
      note = " !F-" + icmp.word();
    } else if (type == Icmpv6Packet.TYPE_PARAMETER_PROBLEM) {
      note = " !<" + icmp.code() + ">";
    }
    boolean reached = type == Icmpv6Packet.TYPE_DEST_UNREACHABLE && icmp.code() == Icmpv6Packet.CODE_PORT_UNREACHABLE
        && from.equals(dst);
    answer(b.getUnsignedShort(at + 2), who, note, reached, stop);
  }
}
