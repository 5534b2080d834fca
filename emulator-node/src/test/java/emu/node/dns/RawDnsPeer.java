package emu.node.dns;

import emu.node.stack.NetworkStack;
import emu.node.tcp.TcpLayer;
import emu.node.tcp.TcpConnection;
import emu.node.tcp.TcpError;
import emu.node.tcp.TcpEvents;
import emu.node.wire.Ipv4Address;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A test's DNS client that sends whatever bytes it is given, over a node's UDP or TCP, and
 * keeps what comes back: the way to throw garbage at a server.
 */
final class RawDnsPeer {
  final List<byte[]> replies = new ArrayList<>();
  private final NetworkStack stack;
  private final int server;
  private final int port;

  RawDnsPeer(NetworkStack stack, String server) {
    this.stack = stack;
    this.server = Ipv4Address.parse(server);
    this.port = stack.udp().bind(0, (src, sport, dst, dport, payload) -> {
      byte[] b = new byte[payload.readableBytes()];
      payload.getBytes(payload.readerIndex(), b);
      replies.add(b);
    });
  }

  void send(byte[] payload) {
    ByteBuf b = stack.allocate(payload.length);
    b.writeBytes(payload);
    stack.udp().send(0, port, server, 53, 64, b);
  }

  void close() {
    stack.udp().unbind(port);
  }

  // ---- building messages by hand ------------------------------------------------------------

  /** A 12-byte header. */
  static byte[] header(int id, int flags, int qd, int an, int ns, int ar) {
    return new byte[] {(byte) (id >> 8), (byte) id, (byte) (flags >> 8), (byte) flags, (byte) (qd >> 8), (byte) qd,
        (byte) (an >> 8), (byte) an, (byte) (ns >> 8), (byte) ns, (byte) (ar >> 8), (byte) ar};
  }

  /** A question: the name as labels, then type and class. */
  static byte[] question(String name, int type, int dclass) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String label : name.split("\\.")) {
      byte[] l = label.getBytes(StandardCharsets.US_ASCII);
      out.write(l.length);
      out.writeBytes(l);
    }
    out.write(0);
    out.write(type >> 8);
    out.write(type);
    out.write(dclass >> 8);
    out.write(dclass);
    return out.toByteArray();
  }

  /** An OPT pseudo-record (RFC 6891) with this UDP size and version. */
  static byte[] opt(int udpSize, int version) {
    return new byte[] {0, 0, 41, (byte) (udpSize >> 8), (byte) udpSize, 0, (byte) version, 0, 0, 0, 0};
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** A DNS-over-TCP client that writes raw bytes and collects the framed messages that come back. */
  static final class Tcp implements TcpEvents {
    final List<byte[]> messages = new ArrayList<>();
    final DnsFramer framer = new DnsFramer();
    TcpConnection conn;
    boolean established;
    boolean peerFin;
    boolean closed;
    private final byte[] toSend;

    Tcp(TcpLayer tcp, String server, byte[] toSend) {
      this.toSend = toSend;
      this.conn = tcp.connect(Ipv4Address.parse(server), 53, 0, this);
    }

    @Override
    public void onEstablished(TcpConnection c) {
      established = true;
      ByteBuf b = Unpooled.wrappedBuffer(toSend);
      c.write(b);
      b.release();
    }

    @Override
    public void onData(TcpConnection c, ByteBuf data) {
      framer.add(data);
      data.release();
      byte[] m;
      while ((m = framer.next()) != null) {
        messages.add(m);
      }
    }

    @Override
    public void onPeerFin(TcpConnection c) {
      peerFin = true;
      c.close();
    }

    @Override
    public void onWritable(TcpConnection c) {}

    @Override
    public void onClosed(TcpConnection c, TcpError error) {
      closed = true;
    }
  }

  /** {@code wire} with its two-byte length in front. */
  static byte[] framed(byte[] wire) {
    return concat(new byte[] {(byte) (wire.length >> 8), (byte) wire.length}, wire);
  }
}
