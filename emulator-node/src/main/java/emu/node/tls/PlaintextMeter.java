package emu.node.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Counts the plaintext bytes above the SslHandler (what it decrypted, what it is asked to
 * encrypt), so that applications can say "decrypted: 78 bytes" beside the narrator's record
 * counts below it. Passes everything through untouched.
 */
public final class PlaintextMeter extends ChannelDuplexHandler {
  private long received;
  private long sent;

  /** Plaintext bytes the SslHandler has delivered so far. */
  public long received() {
    return received;
  }

  /** Plaintext bytes written towards the SslHandler so far. */
  public long sent() {
    return sent;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf b) {
      received += b.readableBytes();
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf b) {
      sent += b.readableBytes();
    }
    ctx.write(msg, promise);
  }
}
