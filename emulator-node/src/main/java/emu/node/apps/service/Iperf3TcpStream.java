package emu.node.apps.service;

import emu.link.time.TimeSource;
import emu.node.channel.EmuSocketChannel;
import emu.node.tcp.TcpInfo;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * An iperf3 data stream over the node's TCP: the sender writes its block again and again while
 * the channel is writable (as iperf3 reuses its buffer), counting what it hands to TCP; the
 * receiver counts what it reads. Its {@link #handler()} goes into the connection's pipeline
 * once the cookie has gone (client) or has been read (server).
 */
public final class Iperf3TcpStream extends Iperf3Stream {
  private final Channel ch;
  private final ByteBuf block;
  private final Handler handler = new Handler();
  private long retransmits;
  private long cwnd;
  private Runnable onClosed = () -> {};

  /** {@code block}: the sender's buffer of {@code len} bytes (not owned; the test releases it). */
  public Iperf3TcpStream(int id, boolean sender, TimeSource time, long rate, Budget budget, int len, Channel ch,
                         ByteBuf block) {
    super(id, sender, time, rate, budget, len);
    this.ch = ch;
    this.block = block;
  }

  public ChannelInboundHandlerAdapter handler() {
    return handler;
  }

  public Channel channel() {
    return ch;
  }

  /** What to do if the peer closes the stream or it fails while the test runs. */
  public void onClosed(Runnable r) {
    onClosed = r;
  }

  /** Counts data that arrived before the handler was in place (after the cookie). */
  public void received(ByteBuf in) {
    try {
      if (counting()) {
        bytes += in.readableBytes();
      }
    } finally {
      in.release();
    }
  }

  @Override
  public boolean udp() {
    return false;
  }

  @Override
  public long retransmits() {
    if (running) {
      TcpInfo i = info();
      return i == null ? retransmits : i.retransmitsTotal();
    }
    return retransmits;
  }

  @Override
  public long cwndBytes() {
    TcpInfo i = info();
    return i == null ? cwnd : i.cwndSegments() * i.mss();
  }

  private TcpInfo info() {
    if (ch instanceof EmuSocketChannel s && s.connection() != null) {
      return s.connection().info();
    }
    return null;
  }

  @Override
  protected void ended() {
    TcpInfo i = info();
    if (i != null) {
      retransmits = i.retransmitsTotal();
      cwnd = i.cwndSegments() * i.mss();
    }
  }

  @Override
  public void close() {
    end();
    ch.close();
  }

  /**
   * Bytes the peer has acknowledged (the cookie not counted): for a sender, what has surely
   * arrived, which -n waits for before it ends the test.
   */
  @Override
  public long delivered() {
    if (!sender || !(ch instanceof EmuSocketChannel s) || s.connection() == null) {
      return bytes;
    }
    return Math.max(0, Math.min(bytes, s.connection().info().bytesAcked() - Iperf3Protocol.COOKIE_SIZE));
  }

  /**
   * Whether TCP holds as much as Linux's autotuned send buffer would (about two congestion
   * windows, at least 64 KiB): past that the sender waits, so that what it counts as sent is
   * about what a real sender's count would be, and not megabytes of queue the test's end
   * cuts off.
   */
  private boolean queueFull() {
    if (!(ch instanceof EmuSocketChannel s) || s.connection() == null) {
      return false;
    }
    TcpInfo i = s.connection().info();
    long limit = Math.max(64 * 1024, 2 * i.cwndSegments() * i.mss());
    return s.connection().sendQueued() + ch.unsafe().outboundBuffer().totalPendingWriteBytes() >= limit;
  }

  @Override
  protected void send() {
    boolean wrote = false;
    while (ch.isWritable() && maySend()) {
      if (queueFull()) {
        later();
        break;
      }
      ch.write(block.retainedSlice(0, len), ch.voidPromise());
      sent(len);
      wrote = true;
    }
    if (wrote) {
      ch.flush();
    }
  }

  private final class Handler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      received((ByteBuf) msg);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (sender && ctx.channel().isWritable()) {
        send();
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (running) {
        ended();
        onClosed.run();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
