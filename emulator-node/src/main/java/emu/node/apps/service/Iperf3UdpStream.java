package emu.node.apps.service;

import emu.node.stack.NetworkStack;
import emu.node.stack.SendResult;
import io.netty.buffer.ByteBuf;

/**
 * An iperf3 data stream over the node's UDP (IPv4): the sender sends datagrams of the block
 * size at the test's rate, each starting with the sending time (seconds and microseconds of the
 * node's clock) and a sequence number from 1 (32 bits, or 64 with --udp-counters-64bit); the
 * receiver counts them as iperf3 does: a gap in the sequence counts as lost, a datagram from
 * behind as out of order (and one loss fewer), and the jitter is RFC 3550's running estimate of
 * the transit time's variation. The owner binds the port and hands datagrams to {@link #receive}.
 */
public final class Iperf3UdpStream extends Iperf3Stream {
  /** At most this many datagrams in one go, so that an unlimited rate does not hold the loop. */
  private static final int BURST = 64;

  private final NetworkStack stack;
  private final int localPort;
  private final int peer;
  private final int peerPort;
  private final boolean counters64;
  private final Runnable onClose;
  private double prevTransit;
  private String sendError;

  /** {@code onClose} gives the port back (or forgets the peer) when the stream closes. */
  public Iperf3UdpStream(int id, boolean sender, NetworkStack stack, long rate, Budget budget, int len,
                         int localPort, int peer, int peerPort, boolean counters64, Runnable onClose) {
    super(id, sender, stack.time(), rate, budget, len);
    this.stack = stack;
    this.localPort = localPort;
    this.peer = peer;
    this.peerPort = peerPort;
    this.counters64 = counters64;
    this.onClose = onClose;
  }

  public int peer() {
    return peer;
  }

  public int peerPort() {
    return peerPort;
  }

  public int localPort() {
    return localPort;
  }

  /** Why the last datagram could not be sent (errno's words), or null. */
  public String sendError() {
    return sendError;
  }

  @Override
  public boolean udp() {
    return true;
  }

  @Override
  public long retransmits() {
    return -1;
  }

  @Override
  public void close() {
    end();
    onClose.run();
  }

  @Override
  protected void send() {
    int n = 0;
    while (n < BURST && maySend()) {
      long now = time.nanos();
      ByteBuf b = stack.allocate(len);
      b.writeInt((int) (now / 1_000_000_000L)).writeInt((int) (now % 1_000_000_000L / 1000));
      long seq = packets + 1;
      if (counters64) {
        b.writeLong(seq);
      } else {
        b.writeInt((int) seq);
      }
      b.writeZero(len - b.readableBytes());
      SendResult r = stack.udp().send(0, localPort, peer, peerPort, 64, b);
      if (r != SendResult.SENT) {
        sendError = r.message();
        later(); // as a socket's ENOBUFS: try again later
        return;
      }
      packets = seq;
      sent(len);
      n++;
    }
    if (n == BURST) {
      later();
    }
  }

  /** The smallest datagram that carries the header: time and a 32-bit sequence number. */
  public static final int HEADER = 12;

  /** Counts a data datagram from the peer (its header read; the payload is not kept). */
  public void receive(ByteBuf payload) {
    int n = payload.readableBytes();
    if (!counting() || n < (counters64 ? 16 : HEADER)) {
      return;
    }
    int at = payload.readerIndex();
    long sec = payload.getUnsignedInt(at);
    long usec = payload.getUnsignedInt(at + 4);
    long seq = counters64 ? payload.getLong(at + 8) : payload.getUnsignedInt(at + 8);
    boolean first = bytes == 0;
    bytes += n;
    if (seq >= packets + 1) {
      if (seq > packets + 1) {
        lost += seq - 1 - packets;
      }
      packets = seq;
    } else {
      outOfOrder++;
      if (lost > 0) {
        lost--;
      }
    }
    double transit = time.nanos() / 1e9 - (sec + usec / 1e6);
    if (first) {
      prevTransit = transit;
    }
    double d = Math.abs(transit - prevTransit);
    prevTransit = transit;
    jitter += (d - jitter) / 16.0;
  }
}
