package emu.node.tls;

import emu.node.event.TlsEvent;
import emu.node.trace.MemoryTracer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;

/**
 * A TLS client and server as two {@link EmbeddedChannel}s whose bytes a test shuttles across:
 * each pipeline is {@code TlsNarrator -> SslHandler}, as on a node, with its own tracer.
 */
final class TlsLoopback implements AutoCloseable {
  final MemoryTracer clientTrace = new MemoryTracer();
  final MemoryTracer serverTrace = new MemoryTracer();
  final TlsNarrator clientNarrator = new TlsNarrator(clientTrace, TlsEvent.Side.CLIENT);
  final TlsNarrator serverNarrator = new TlsNarrator(serverTrace, TlsEvent.Side.SERVER);
  final EmbeddedChannel client = new EmbeddedChannel();
  final EmbeddedChannel server = new EmbeddedChannel();
  final SslHandler clientSsl;
  final SslHandler serverSsl;
  final java.util.List<Throwable> failures = new java.util.ArrayList<>();

  TlsLoopback(SslContext serverContext, TlsContexts.Client clientContext, String host) {
    serverSsl = serverContext.newHandler(server.alloc());
    server.pipeline().addLast(serverNarrator, serverSsl);
    clientSsl = clientContext.newHandler(client.alloc(), host, 443);
    client.pipeline().addLast(clientNarrator, clientSsl); // the channel is active: the handshake starts
  }

  /** Moves bytes both ways until neither side has anything more to send. */
  void pump() {
    for (int round = 0; round < 100; round++) {
      boolean moved = move(client, server) | move(server, client);
      if (!moved) {
        return;
      }
    }
    throw new AssertionError("the two sides keep talking");
  }

  private boolean move(EmbeddedChannel from, EmbeddedChannel to) {
    boolean moved = false;
    for (Object o = from.readOutbound(); o != null; o = from.readOutbound()) {
      moved = true;
      if (to.isOpen()) {
        try {
          to.writeInbound(o);
        } catch (RuntimeException e) {
          failures.add(e); // a refused handshake: the SslHandler's exception, rethrown by EmbeddedChannel
        }
      } else {
        ((ByteBuf) o).release();
      }
    }
    return moved;
  }

  /** Sends text from the client over the established connection; returns what the server decrypted. */
  String clientSends(String text) {
    client.writeAndFlush(client.alloc().buffer().writeBytes(text.getBytes(StandardCharsets.UTF_8)));
    pump();
    StringBuilder sb = new StringBuilder();
    for (Object o = server.readInbound(); o != null; o = server.readInbound()) {
      ByteBuf b = (ByteBuf) o;
      sb.append(b.toString(StandardCharsets.UTF_8));
      b.release();
    }
    return sb.toString();
  }

  @Override
  public void close() {
    client.finishAndReleaseAll();
    server.finishAndReleaseAll();
  }
}
