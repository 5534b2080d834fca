package emu.node.stack;

import emu.link.wire.EthernetFrame;
import emu.link.wire.MacAddress;
import emu.node.wire.ArpPacket;
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
  private final LinkOutput link;
  private final ArpObserver observer;
  private final ArpPacket in = new ArpPacket();
  private final ArpPacket out = new ArpPacket();
  private final EthernetFrame eth = new EthernetFrame();
  private final java.util.ArrayList<ArpWatcher> watchers = new java.util.ArrayList<>();

  Arp(NetworkStack stack, LinkOutput link, ArpObserver observer) {
    this.stack = stack;
    this.link = link;
    this.observer = observer;
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
    for (int i = 0; i < watchers.size(); i++) {
      watchers.get(i).heard(nic, op, senderIp, senderMac, targetIp);
    }
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
    if (observer.enabled()) {
      observer.heard(nic, op, senderIp, senderMac, targetIp, forUs);
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
    send(nic, ArpPacket.OP_REQUEST, broadcast ? MacAddress.BROADCAST_BITS : unicastMac, nic.ip(), 0, ip);
    stack.counters().arpRequestsSent++;
    if (observer.enabled()) {
      observer.requestSent(nic, ip, unicastMac);
    }
  }

  /** Hears every well-formed ARP message from now on (a DHCP client watching for a conflict). */
  public void addWatcher(ArpWatcher w) {
    watchers.add(w);
  }

  /**
   * An ARP probe (RFC 5227 2.1.1): a broadcast who-has {@code ip} from sender address 0.0.0.0, to
   * learn whether anyone already uses an address before taking it.
   */
  public void probe(Nic nic, int ip) {
    send(nic, ArpPacket.OP_REQUEST, MacAddress.BROADCAST_BITS, 0, 0, ip);
    stack.counters().arpRequestsSent++;
  }

  /** Gratuitous ARP: a broadcast request for our own address, so neighbours refresh us. */
  void announce(Nic nic) {
    send(nic, ArpPacket.OP_REQUEST, MacAddress.BROADCAST_BITS, nic.ip(), 0, nic.ip());
    stack.counters().arpRequestsSent++;
    if (observer.enabled()) {
      observer.announced(nic);
    }
  }

  private void reply(Nic nic, long toMac, int toIp) {
    send(nic, ArpPacket.OP_REPLY, toMac, nic.ip(), toMac, toIp);
    stack.counters().arpRepliesSent++;
    if (observer.enabled()) {
      observer.replySent(nic, toIp, toMac);
    }
  }

  private void send(Nic nic, int op, long frameDst, int senderIp, long targetMac, int targetIp) {
    ByteBuf buf = stack.alloc().buffer(EthernetFrame.HEADER_LEN + ArpPacket.LEN);
    buf.writerIndex(EthernetFrame.HEADER_LEN + ArpPacket.LEN);
    eth.wrap(buf).dst(frameDst).src(nic.mac()).etherType(EthernetFrame.ETHERTYPE_ARP);
    new ArpPacket.Repr(op, nic.mac(), senderIp, targetMac, targetIp)
        .emit(out.wrap(buf, EthernetFrame.HEADER_LEN));
    link.send(nic, buf);
  }
}
