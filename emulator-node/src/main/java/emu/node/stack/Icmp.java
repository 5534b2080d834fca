package emu.node.stack;

import emu.node.wire.IcmpPacket;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;

/**
 * ICMP (RFC 792): answers echo requests, passes replies and errors to listeners, and sends
 * error messages under the rules of RFC 1122 3.2.2 and RFC 1812 4.3.2: never about an ICMP
 * error, a broadcast or multicast, a non-initial fragment, or a packet whose source is not a
 * unicast host; quote as much of the original as fits in 576 bytes; rate limited by a token
 * bucket (Linux: 1000 per second, burst 50).
 */
public final class Icmp {
  /** RFC 1812 4.3.2.3: an error message is at most 576 bytes long. */
  static final int MAX_ERROR_LEN = 576;
  private static final long RATE_PER_SECOND = 1000;
  private static final long BURST = 50;

  private final NetworkStack stack;
  private final Ipv4Output output;
  private final IcmpObserver observer;
  private final Ipv4Packet ip = new Ipv4Packet();
  private final Ipv4Packet quoted = new Ipv4Packet();
  private final IcmpPacket icmp = new IcmpPacket();
  private final IcmpPacket built = new IcmpPacket();
  private final Listeners<IcmpListener> listeners = new Listeners<>(IcmpListener[]::new);
  private final TokenBucket errors;

  Icmp(NetworkStack stack, Ipv4Output output, IcmpObserver observer) {
    this.stack = stack;
    this.output = output;
    this.observer = observer;
    this.errors = new TokenBucket(stack.time(), RATE_PER_SECOND, BURST);
  }

  /**
   * Echo identifiers the node's own pings use now, and how many of them use each. ICMP echo has
   * no ports: its identifier tells the node's pings apart from each other and, on a router that
   * translates, from the inside hosts' pings it maps to identifiers of its outside address (Linux's
   * conntrack keeps both unique the same way, by the identifier in the tuple).
   */
  private final io.netty.util.collection.IntObjectHashMap<int[]> echoIdents =
      new io.netty.util.collection.IntObjectHashMap<>();

  /**
   * An identifier for a new ping: random (as iputils' is, from the kernel: a predictable one helps
   * blind spoofing of replies), and none that another of this node's pings uses or that its
   * translator has mapped an inside host's ping to, whose replies it would take. After 64 taken
   * ones (nearly all 65,536 in use) the last is taken anyway.
   */
  public int newEchoIdent(java.util.random.RandomGenerator random) {
    int id = 0;
    for (int i = 0; i < 64; i++) {
      id = random.nextInt(0x10000);
      if (!echoIdents.containsKey(id) && !stack.portHeldByNat(Ipv4Packet.PROTO_ICMP, id)) {
        return id;
      }
    }
    return id;
  }

  /** A ping of this node uses {@code ident} from now until {@link #releaseEchoIdent}. */
  public void claimEchoIdent(int ident) {
    int[] n = echoIdents.get(ident);
    if (n == null) {
      echoIdents.put(ident, new int[] {1});
    } else {
      n[0]++;
    }
  }

  /** A ping that claimed {@code ident} has ended. */
  public void releaseEchoIdent(int ident) {
    int[] n = echoIdents.get(ident);
    if (n != null && --n[0] == 0) {
      echoIdents.remove(ident);
    }
  }

  /** True if one of this node's own pings uses {@code ident}: a translator must not map onto it. */
  public boolean echoIdentInUse(int ident) {
    return echoIdents.containsKey(ident);
  }

  public void addListener(IcmpListener l) {
    listeners.add(l);
  }

  public void removeListener(IcmpListener l) {
    listeners.remove(l);
  }

  void input(Nic nic, ByteBuf buf, int ipStart, boolean broadcast) {
    ip.wrap(buf, ipStart);
    icmp.wrap(buf, ip.payloadIndex(), ip.payloadLength());
    if (!icmp.check()) {
      stack.drop(nic, buf, DropReason.ICMP_MALFORMED);
      return;
    }
    if (!icmp.checksumValid()) {
      stack.drop(nic, buf, DropReason.ICMP_BAD_CHECKSUM);
      return;
    }
    if (icmp.type() == IcmpPacket.TYPE_ECHO_REQUEST) {
      if (!broadcast) { // Linux: icmp_echo_ignore_broadcasts=1
        echoReply(ip, icmp);
      }
    } else {
      for (IcmpListener l : listeners.array()) {
        try {
          l.onIcmp(ip, icmp);
        } catch (RuntimeException e) { // one failing listener (a ping) must not starve the others
          stack.internalError(nic, null, e, "in an ICMP listener");
        }
      }
    }
    buf.release();
  }

  private void echoReply(Ipv4Packet req, IcmpPacket echo) {
    int len = echo.length();
    ByteBuf reply = stack.allocate(len);
    reply.writeBytes(req.buffer(), req.payloadIndex(), len);
    built.wrap(reply, reply.readerIndex(), len).type(IcmpPacket.TYPE_ECHO_REPLY).code(0).fillChecksum();
    int from = req.dst();
    int to = req.src();
    if (observer.enabled()) {
      observer.echoAnswered(to, echo.ident(), echo.seq());
    }
    output.send(from, to, Ipv4Packet.PROTO_ICMP, Ipv4Output.DEFAULT_TTL, false, reply,
        TransportChecksum.NONE);
  }

  /**
   * Sends an ICMP error about the IPv4 packet at {@code ipStart} of {@code original}, if the
   * rules allow. Does not take ownership of {@code original}.
   */
  public void sendError(ByteBuf original, int ipStart, boolean l2Broadcast, int type, int code, int rest) {
    quoted.wrap(original, ipStart);
    int src = quoted.src();
    int dst = quoted.dst();
    if (l2Broadcast || src == 0 || stack.isBroadcast(src) || Ipv4Address.isMulticast(src)
        || stack.isBroadcast(dst) || Ipv4Address.isMulticast(dst) || quoted.fragmentOffset() != 0) {
      return;
    }
    if (quoted.protocol() == Ipv4Packet.PROTO_ICMP && quoted.payloadLength() >= 1) {
      int t = original.getUnsignedByte(quoted.payloadIndex());
      if (t != IcmpPacket.TYPE_ECHO_REQUEST && t != IcmpPacket.TYPE_ECHO_REPLY && t != 13 && t != 14) {
        return; // never an error about an error (RFC 1122 3.2.2)
      }
    }
    if (!errors.take()) {
      stack.counters().icmpRateLimited++;
      return;
    }
    int quoteLen = Math.min(quoted.totalLength(),
        MAX_ERROR_LEN - Ipv4Packet.MIN_HEADER_LEN - IcmpPacket.HEADER_LEN);
    ByteBuf msg = stack.allocate(IcmpPacket.HEADER_LEN + quoteLen);
    msg.writerIndex(msg.writerIndex() + IcmpPacket.HEADER_LEN);
    msg.writeBytes(original, ipStart, quoteLen);
    new IcmpPacket.Repr(type, code, rest).emit(built.wrap(msg, msg.readerIndex(), msg.readableBytes()));
    stack.counters().icmpErrorsSent++;
    if (observer.enabled()) {
      observer.errorSent(type, code, src, original, ipStart);
    }
    output.send(0, src, Ipv4Packet.PROTO_ICMP, Ipv4Output.DEFAULT_TTL, false, msg,
        TransportChecksum.NONE);
  }

  /**
   * Sends an echo request; {@code data} bytes follow the 8-byte header. For ping.
   */
  public SendResult sendEcho(int dst, int ident, int seq, int ttl, ByteBuf data) {
    ByteBuf msg = stack.allocate(IcmpPacket.HEADER_LEN + data.readableBytes());
    msg.writerIndex(msg.writerIndex() + IcmpPacket.HEADER_LEN);
    msg.writeBytes(data);
    IcmpPacket.Repr.echo(IcmpPacket.TYPE_ECHO_REQUEST, ident, seq)
        .emit(built.wrap(msg, msg.readerIndex(), msg.readableBytes()));
    return output.send(0, dst, Ipv4Packet.PROTO_ICMP, ttl, true, msg, TransportChecksum.NONE);
  }
}
