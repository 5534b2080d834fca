package emu.node.ipv6;

import emu.link.time.TimeSource;
import emu.link.wire.EthernetFrame;
import emu.node.stack.DropReason;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.wire.Icmpv6Packet;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Extensions;
import emu.node.wire.Ipv6Packet;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reassembly of IPv6 packets addressed to this node (RFC 8200 section 4.5): one queue per
 * (source, destination, identification), its fragments kept in offset order, each held whole
 * as it arrived (no copy) until the packet is complete; then one buffer is built from the first
 * fragment's unfragmentable part and every fragment's data, and goes up as an unfragmented
 * packet would. Routers reassemble only what is addressed to them, never what they forward.
 *
 * <ul>
 *   <li>Overlapping fragments give the whole packet up, silently (RFC 5722), and so do fragments
 *       that disagree about where it ends; the queue stays, empty, until its timer, so that the
 *       packet's later fragments are dropped too rather than starting it again. An exact
 *       duplicate (same offset and length) is only dropped itself, as RFC 8200 allows.
 *   <li>A packet not complete 60 s after its first fragment arrived is given up; if its offset-0
 *       fragment came, the source hears ICMPv6 time exceeded, code 1 (fragment reassembly time
 *       exceeded).
 *   <li>Memory is bounded as Linux bounds it ({@code ip6frag_high_thresh}): each fragment is
 *       charged its buffer's capacity (Linux's truesize) and each queue {@link #QUEUE_OVERHEAD}
 *       bytes; a fragment that would take the total past the limit (4 MiB by default) is
 *       dropped and counted, and only completion or the timer frees memory.
 *   <li>A reassembled packet longer than 65535 bytes is dropped (the fragment that would make it
 *       so has already been refused with a parameter problem by {@link Ipv6Extensions}); one
 *       that turns out to be neighbour discovery is dropped (RFC 6980).
 * </ul>
 *
 * Everything is counted ({@link Ipv6Counters}, {@link DropReason}): a fragment is dropped exactly
 * once, or handed over in its packet. Runs on the node's event loop.
 */
final class Ipv6Reassembly {
  /** RFC 8200 4.5: 60 seconds after the first fragment of a packet arrived. */
  static final long TIMEOUT_NANOS = 60_000_000_000L;
  /** Linux's default ip6frag_high_thresh. */
  static final long DEFAULT_MEMORY_LIMIT = 4L << 20;
  /** What a queue itself is charged (Linux charges its struct frag_queue). */
  static final int QUEUE_OVERHEAD = 256;

  private final Ipv6Layer layer;
  private final NetworkStack stack;
  private final Ipv6Observer observer;
  private final Map<Key, Datagram> queues = new HashMap<>();
  private long memory;
  private long memoryLimit = DEFAULT_MEMORY_LIMIT;

  Ipv6Reassembly(Ipv6Layer layer, NetworkStack stack, Ipv6Observer observer) {
    this.layer = layer;
    this.stack = stack;
    this.observer = observer;
  }

  /** A packet's key: its addresses and the fragment header's identification. */
  private record Key(long srcHi, long srcLo, long dstHi, long dstLo, int id) {}

  /**
   * One fragment held: the whole buffer it came in, where its data is, and the offset (in the
   * packet) of the Next Header field that names its fragment header.
   */
  private record Fragment(ByteBuf buf, int ipStart, int offset, int length, int dataIndex, int fragmentField, Nic nic,
                          int cost) {
    int end() {
      return offset + length;
    }
  }

  /** A packet being reassembled. */
  private final class Datagram {
    final Key key;
    final List<Fragment> fragments = new ArrayList<>(4);
    /** The original length of the fragmentable part, once the last fragment has said it; else -1. */
    int total = -1;
    int received;
    int maxEnd;
    /** Sent to a multicast group or in a multicast frame: no time exceeded about it (RFC 4443 2.4). */
    boolean multicast;
    /** Given up (overlap or inconsistency): its later fragments are dropped for this reason. */
    DropReason dead;
    int seen;
    TimeSource.Timer timer;

    Datagram(Key key) {
      this.key = key;
    }

    Fragment first() {
      return !fragments.isEmpty() && fragments.get(0).offset == 0 ? fragments.get(0) : null;
    }
  }

  /**
   * A fragment (offset or more-fragments set) for this node: the packet at {@code ipStart} of
   * {@code buf}, its headers walked by {@code ext}. Owns {@code buf}: holds it, hands it on in
   * the reassembled packet, or drops it.
   */
  void input(Nic nic, ByteBuf buf, int ipStart, boolean multicast, Ipv6Extensions ext) {
    Ipv6Counters counters = layer.counters();
    counters.reassemblyRequired++;
    Key key = new Key(buf.getLong(ipStart + Ipv6Packet.SRC), buf.getLong(ipStart + Ipv6Packet.SRC + 8),
        buf.getLong(ipStart + Ipv6Packet.DST), buf.getLong(ipStart + Ipv6Packet.DST + 8), ext.identification());
    int cost = buf.capacity();
    Datagram d = queues.get(key);
    if (d != null && d.dead != null) {
      d.seen++;
      layer.drop(nic, buf, d.dead);
      return;
    }
    if (memory + cost + (d == null ? QUEUE_OVERHEAD : 0) > memoryLimit) {
      layer.drop(nic, buf, DropReason.IPV6_REASSEMBLY_MEMORY);
      return;
    }
    if (d == null) {
      d = new Datagram(key);
      queues.put(key, d);
      memory += QUEUE_OVERHEAD;
      Datagram started = d;
      d.timer = stack.time().schedule(() -> expire(started), TIMEOUT_NANOS);
    }
    d.seen++;
    d.multicast |= multicast;
    int dataIndex = ext.fragmentHeaderIndex() + Ipv6Extensions.FRAGMENT_HEADER_LEN;
    int length = ipStart + Ipv6Packet.HEADER_LEN + buf.getUnsignedShort(ipStart + Ipv6Packet.PAYLOAD_LENGTH)
        - dataIndex;
    int offset = ext.fragmentOffset();
    int end = offset + length;
    boolean last = !ext.moreFragments();
    // RFC 8200 4.5: only one end, and nothing past it
    if (last ? d.total >= 0 && end != d.total || end < d.maxEnd : d.total >= 0 && end > d.total) {
      giveUp(d, nic, buf, DropReason.IPV6_FRAGMENT_INVALID);
      return;
    }
    List<Fragment> list = d.fragments;
    int i = list.size();
    while (i > 0 && list.get(i - 1).offset > offset) {
      i--; // fragments mostly come in order: look from the end
    }
    if (i > 0 && list.get(i - 1).offset == offset && list.get(i - 1).length == length) {
      layer.drop(nic, buf, DropReason.IPV6_FRAGMENT_DUPLICATE);
      return;
    }
    if (i > 0 && list.get(i - 1).end() > offset || i < list.size() && list.get(i).offset < end) {
      giveUp(d, nic, buf, DropReason.IPV6_FRAGMENT_OVERLAP);
      return;
    }
    list.add(i, new Fragment(buf, ipStart, offset, length, dataIndex, ext.fragmentNextHeaderField(), nic, cost));
    memory += cost;
    d.received += length;
    d.maxEnd = Math.max(d.maxEnd, end);
    if (last) {
      d.total = end;
    }
    if (d.total >= 0 && d.received == d.total) {
      complete(d, nic);
    }
  }

  /** Every byte is there (no overlaps, so the sizes add up): one packet goes up. */
  private void complete(Datagram d, Nic nic) {
    forget(d);
    Fragment first = d.fragments.get(0);
    ByteBuf f = first.buf;
    int unfragmentable = first.dataIndex - Ipv6Extensions.FRAGMENT_HEADER_LEN - first.ipStart;
    int payloadLength = unfragmentable - Ipv6Packet.HEADER_LEN + d.total;
    if (payloadLength > 0xFFFF) {
      // only possible with an unfragmentable part: the fragments themselves were each in range
      fail(d, DropReason.IPV6_FRAGMENT_INVALID, false);
      return;
    }
    ByteBuf packet = stack.allocate(unfragmentable + d.total);
    int ipStart = packet.readerIndex();
    if (first.ipStart >= EthernetFrame.HEADER_LEN) {
      // the first fragment's frame header in front, as an unfragmented packet has it
      packet.setBytes(ipStart - EthernetFrame.HEADER_LEN, f, first.ipStart - EthernetFrame.HEADER_LEN,
          EthernetFrame.HEADER_LEN);
    }
    packet.writeBytes(f, first.ipStart, unfragmentable);
    // the header that named the fragment header now names what the first fragment's fragment
    // header did (RFC 8200 4.5: the offset-0 fragment's Next Header is the one used)
    packet.setByte(ipStart + first.fragmentField, f.getUnsignedByte(first.dataIndex - Ipv6Extensions.FRAGMENT_HEADER_LEN));
    packet.setShort(ipStart + Ipv6Packet.PAYLOAD_LENGTH, payloadLength);
    for (Fragment x : d.fragments) {
      packet.writeBytes(x.buf, x.dataIndex, x.length);
      memory -= x.cost;
      x.buf.release();
    }
    int count = d.fragments.size();
    d.fragments.clear();
    layer.counters().reassembled++;
    if (observer.enabled()) {
      observer.reassembled(Ipv6Address.read(packet, ipStart + Ipv6Packet.SRC),
          Ipv6Address.read(packet, ipStart + Ipv6Packet.DST), Integer.toUnsignedLong(d.key.id), count,
          Ipv6Packet.HEADER_LEN + payloadLength);
    }
    layer.input().deliverReassembled(nic, packet, ipStart, d.multicast);
  }

  /** Overlap or inconsistency: every fragment held and {@code buf} dropped, and later ones too. */
  private void giveUp(Datagram d, Nic nic, ByteBuf buf, DropReason reason) {
    layer.drop(nic, buf, reason);
    if (observer.enabled()) {
      observer.reassemblyFailed(srcOf(d), dstOf(d), Integer.toUnsignedLong(d.key.id), reason, d.seen,
          d.first() != null, false);
    }
    layer.counters().reassemblyFailed++;
    d.dead = reason;
    release(d, reason);
  }

  /** The timer: 60 s after the first fragment. */
  private void expire(Datagram d) {
    if (queues.get(d.key) != d) {
      return;
    }
    forget(d);
    if (d.dead != null) {
      return; // a packet already given up: its later fragments have been dropped meanwhile
    }
    layer.counters().reassemblyTimeouts++;
    fail(d, DropReason.IPV6_REASSEMBLY_TIMEOUT, true);
  }

  /** Gives up a packet no longer in the table: tells the source if it may, drops what was held. */
  private void fail(Datagram d, DropReason reason, boolean timeExceeded) {
    Fragment first = d.first();
    boolean told = false;
    if (timeExceeded && first != null) {
      // RFC 8200 4.5: only when the first fragment came; sendError applies RFC 4443 2.4's rules
      long before = layer.counters().icmpErrorsSent;
      layer.icmp().sendError(first.buf, first.ipStart, first.nic, d.multicast, Icmpv6Packet.TYPE_TIME_EXCEEDED,
          Icmpv6Packet.CODE_REASSEMBLY_TIME_EXCEEDED, 0);
      told = layer.counters().icmpErrorsSent != before;
    }
    if (observer.enabled()) {
      observer.reassemblyFailed(srcOf(d), dstOf(d), Integer.toUnsignedLong(d.key.id), reason, d.seen, first != null,
          told);
    }
    layer.counters().reassemblyFailed++;
    release(d, reason);
  }

  private void release(Datagram d, DropReason reason) {
    for (Fragment x : d.fragments) {
      memory -= x.cost;
      layer.drop(x.nic, x.buf, reason);
    }
    d.fragments.clear();
  }

  /** Takes {@code d} out of the table (its held fragments are the caller's to hand on or drop). */
  private void forget(Datagram d) {
    queues.remove(d.key);
    d.timer.cancel();
    memory -= QUEUE_OVERHEAD;
  }

  private static Ipv6Address srcOf(Datagram d) {
    return new Ipv6Address(d.key.srcHi, d.key.srcLo);
  }

  private static Ipv6Address dstOf(Datagram d) {
    return new Ipv6Address(d.key.dstHi, d.key.dstLo);
  }

  /** Drops every packet being reassembled (the node is going away). */
  void flush() {
    for (Datagram d : new ArrayList<>(queues.values())) {
      forget(d);
      release(d, DropReason.IPV6_REASSEMBLY_TIMEOUT);
    }
  }

  /** Bytes held for reassembly now (fragments' buffers and queues). */
  long memory() {
    return memory;
  }

  /** Packets being reassembled now (given-up ones waiting for their timer included). */
  int queues() {
    return queues.size();
  }

  /** Sets the memory limit (Linux's ip6frag_high_thresh). */
  void memoryLimit(long bytes) {
    this.memoryLimit = bytes;
  }

  long memoryLimit() {
    return memoryLimit;
  }
}
