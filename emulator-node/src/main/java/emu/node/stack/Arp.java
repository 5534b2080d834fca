package emu.node.stack;

import emu.link.wire.EthernetFrame;
import emu.link.wire.MacAddress;
import emu.node.trace.TraceEvent;
import emu.node.wire.ArpPacket;
import emu.node.wire.Ipv4Address;
import io.netty.buffer.ByteBuf;

/**
 * ARP (RFC 826) for Ethernet/IPv4: answers requests for our addresses, learns from what it
 * hears (the "merge" rule), confirms entries on replies, and sends requests and gratuitous
 * announcements for the neighbour cache. It answers only for the receiving interface's own
 * address (Linux with arp_ignore=1), which keeps a multi-homed node from answering for its
 * other interfaces ("ARP flux").
 */
public final class Arp {
  private final NetworkStack stack;
  private final ArpPacket in = new ArpPacket();
  private final ArpPacket out = new ArpPacket();
  private final EthernetFrame eth = new EthernetFrame();

  Arp(NetworkStack stack) {
    this.stack = stack;
  }

  void input(Nic nic, ByteBuf frame, int start) {
    in.wrap(frame, start);
    if (in.check() != ArpPacket.Check.OK) {
      stack.drop(nic, frame, DropReason.ARP_MALFORMED);
      return;
    }
    stack.counters().arpReceived++;
    int op = in.operation();
    long senderMac = in.senderMac();
    int senderIp = in.senderIp();
    int targetIp = in.targetIp();
    frame.release();
    boolean forUs = nic.ip() != 0 && targetIp == nic.ip();
    if (MacAddress.isMulticast(senderMac)) {
      return; // no station has a group address: nothing to learn, nobody to answer
    }
    if (senderIp == 0) {
      // An ARP probe (RFC 5227 2.1): someone checks whether our address is free. Defend it
      // with a reply to its MAC, but learn nothing (the prober has no address yet).
      if (op == ArpPacket.OP_REQUEST && forUs) {
        reply(nic, senderMac, 0);
      }
      return;
    }
    if (stack.tracing()) {
      stack.trace(new TraceEvent("arp.rx").put("dev", nic.name()).put("op", op == ArpPacket.OP_REQUEST ? "request" : "reply")
          .put("sender_ip", Ipv4Address.format(senderIp)).put("sender_mac", MacAddress.format(senderMac))
          .put("target_ip", Ipv4Address.format(targetIp))
          .msg(op == ArpPacket.OP_REQUEST
              ? (senderIp == targetIp ? "hears gratuitous ARP on " + nic.name() + ": " + Ipv4Address.format(senderIp)
                  + " is-at " + MacAddress.format(senderMac)
                  : "hears ARP request on " + nic.name() + ": who-has " + Ipv4Address.format(targetIp) + " tell "
                  + Ipv4Address.format(senderIp) + (forUs ? " (that is me)" : " (not me)"))
              : "hears ARP reply on " + nic.name() + ": " + Ipv4Address.format(senderIp) + " is-at "
                  + MacAddress.format(senderMac)));
    }
    NeighborCache cache = nic.neighbors();
    if (op == ArpPacket.OP_REPLY && forUs) {
      cache.confirm(senderIp, senderMac);
    } else {
      // RFC 826: update an existing entry for the sender; create one only if the request is
      // for us (we are about to talk to it anyway).
      cache.learn(senderIp, senderMac, forUs);
    }
    if (op == ArpPacket.OP_REQUEST && forUs && senderIp != targetIp) {
      reply(nic, senderMac, senderIp);
    }
  }

  /** Who-has {@code ip}: broadcast, or unicast to {@code unicastMac} when re-probing. */
  void sendRequest(Nic nic, int ip, long unicastMac) {
    boolean broadcast = unicastMac < 0;
    send(nic, ArpPacket.OP_REQUEST, broadcast ? MacAddress.BROADCAST_BITS : unicastMac, 0, ip);
    stack.counters().arpRequestsSent++;
    if (stack.tracing()) {
      stack.trace(new TraceEvent("arp.request").put("dev", nic.name()).put("target_ip", Ipv4Address.format(ip))
          .put("sender_ip", Ipv4Address.format(nic.ip())).put("sender_mac", MacAddress.format(nic.mac()))
          .put("broadcast", broadcast)
          .msg("ARP request on " + nic.name() + ": who-has " + Ipv4Address.format(ip) + " tell "
              + Ipv4Address.format(nic.ip()) + (broadcast
                  ? " (broadcast to ff:ff:ff:ff:ff:ff: every device on the subnet receives it)"
                  : " (unicast re-check to " + MacAddress.format(unicastMac) + ")")));
    }
  }

  /** Gratuitous ARP: a broadcast request for our own address, so neighbours refresh us. */
  void announce(Nic nic) {
    send(nic, ArpPacket.OP_REQUEST, MacAddress.BROADCAST_BITS, 0, nic.ip());
    stack.counters().arpRequestsSent++;
    if (stack.tracing()) {
      stack.trace(new TraceEvent("arp.announce").put("dev", nic.name()).put("ip", Ipv4Address.format(nic.ip()))
          .put("mac", MacAddress.format(nic.mac()))
          .msg("gratuitous ARP on " + nic.name() + ": " + Ipv4Address.format(nic.ip()) + " is-at "
              + MacAddress.format(nic.mac())));
    }
  }

  private void reply(Nic nic, long toMac, int toIp) {
    send(nic, ArpPacket.OP_REPLY, toMac, toMac, toIp);
    stack.counters().arpRepliesSent++;
    if (stack.tracing()) {
      stack.trace(new TraceEvent("arp.reply").put("dev", nic.name()).put("ip", Ipv4Address.format(nic.ip()))
          .put("mac", MacAddress.format(nic.mac())).put("to", Ipv4Address.format(toIp))
          .msg("ARP reply on " + nic.name() + " to " + Ipv4Address.format(toIp) + ": " + Ipv4Address.format(nic.ip())
              + " is-at " + MacAddress.format(nic.mac())));
    }
  }

  private void send(Nic nic, int op, long frameDst, long targetMac, int targetIp) {
    ByteBuf buf = stack.alloc().buffer(EthernetFrame.HEADER_LEN + ArpPacket.LEN);
    buf.writerIndex(EthernetFrame.HEADER_LEN + ArpPacket.LEN);
    eth.wrap(buf).dst(frameDst).src(nic.mac()).etherType(EthernetFrame.ETHERTYPE_ARP);
    new ArpPacket.Repr(op, nic.mac(), nic.ip(), targetMac, targetIp)
        .emit(out.wrap(buf, EthernetFrame.HEADER_LEN));
    stack.linkOutput().send(nic, buf);
  }
}
