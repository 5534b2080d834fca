package emu.node.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Test applications for end-to-end runs: a {@link Source} that writes N pseudo-random bytes
 * as fast as the send buffer takes them and then shuts its output down, and a {@link Sink}
 * that hashes what it reads and closes when the peer's FIN arrives. Both compute SHA-256.
 */
final class Transfer {
  private Transfer() {}

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** Writes {@code total} bytes, 64 KiB blocks of seeded random data, then shutdownOutput. */
  static final class Source implements TcpEvents {
    private static final int BLOCK = 64 * 1024;
    final long total;
    final MessageDigest digest = sha256();
    private final SplittableRandom random;
    private final byte[] block = new byte[BLOCK];
    private ByteBuf pending;
    long written;
    boolean established;
    boolean finished;
    int closes;
    TcpError error;
    TcpConnection conn;

    Source(long total, long seed) {
      this.total = total;
      this.random = new SplittableRandom(seed);
    }

    @Override
    public void onEstablished(TcpConnection c) {
      conn = c;
      established = true;
      pump(c);
    }

    void pump(TcpConnection c) {
      while (!finished) {
        if (pending == null || !pending.isReadable()) {
          if (pending != null) {
            pending.release();
            pending = null;
          }
          long left = total - written;
          if (left == 0) {
            finished = true;
            c.shutdownOutput();
            return;
          }
          int n = (int) Math.min(BLOCK, left);
          random.nextBytes(block);
          digest.update(block, 0, n);
          written += n;
          pending = Unpooled.wrappedBuffer(block, 0, n);
        }
        if (c.write(pending) == 0) {
          return; // onWritable will call again
        }
      }
    }

    @Override
    public void onData(TcpConnection c, ByteBuf data) {
      data.release();
    }

    @Override
    public void onPeerFin(TcpConnection c) {
      c.close();
    }

    @Override
    public void onWritable(TcpConnection c) {
      pump(c);
    }

    @Override
    public void onClosed(TcpConnection c, TcpError e) {
      closes++;
      error = e;
    }

    String sha() {
      return HexFormat.of().formatHex(digest.digest());
    }
  }

  /** Reads and hashes everything; closes on the peer's FIN. */
  static final class Sink implements TcpEvents {
    final MessageDigest digest = sha256();
    private final byte[] scratch = new byte[64 * 1024];
    long received;
    boolean peerFin;
    int closes;
    TcpError error;
    TcpConnection conn;
    boolean closeOnFin = true;

    @Override
    public void onEstablished(TcpConnection c) {
      conn = c;
    }

    @Override
    public void onData(TcpConnection c, ByteBuf data) {
      try {
        int n = data.readableBytes();
        received += n;
        while (data.isReadable()) {
          int k = Math.min(data.readableBytes(), scratch.length);
          data.readBytes(scratch, 0, k);
          digest.update(scratch, 0, k);
        }
      } finally {
        data.release();
      }
    }

    @Override
    public void onPeerFin(TcpConnection c) {
      peerFin = true;
      if (closeOnFin) {
        c.close();
      }
    }

    @Override
    public void onWritable(TcpConnection c) {}

    @Override
    public void onClosed(TcpConnection c, TcpError e) {
      closes++;
      error = e;
    }

    String sha() {
      return HexFormat.of().formatHex(digest.digest());
    }
  }
}
