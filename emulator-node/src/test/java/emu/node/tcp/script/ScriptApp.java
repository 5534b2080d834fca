package emu.node.tcp.script;

import emu.node.tcp.TcpConnection;
import emu.node.tcp.TcpError;
import emu.node.tcp.TcpEvents;
import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The application side of a script: records every event of the connections it owns, copies
 * and releases the data it is given, and remembers the order of events.
 */
public final class ScriptApp implements TcpEvents {
  /** The connection commands act on: the last one connected or accepted. */
  TcpConnection conn;
  final List<TcpConnection> accepted = new ArrayList<>();
  final ByteArrayOutputStream received = new ByteArrayOutputStream();
  final List<String> log = new ArrayList<>();
  int established;
  int peerFins;
  int writables;
  int closes;
  TcpError error;
  long written;

  @Override
  public void onEstablished(TcpConnection c) {
    established++;
    log.add("established");
  }

  @Override
  public void onData(TcpConnection c, ByteBuf data) {
    try {
      byte[] b = new byte[data.readableBytes()];
      data.readBytes(b);
      received.writeBytes(b);
      log.add("data " + b.length);
    } finally {
      data.release();
    }
  }

  @Override
  public void onPeerFin(TcpConnection c) {
    peerFins++;
    log.add("peerfin");
  }

  @Override
  public void onWritable(TcpConnection c) {
    writables++;
    log.add("writable");
  }

  @Override
  public void onClosed(TcpConnection c, TcpError e) {
    closes++;
    error = e;
    log.add("closed " + (e == null ? "ok" : e.name()));
  }

  public TcpConnection connection() {
    return conn;
  }

  /** Every connection a listener handed over, oldest first. */
  public List<TcpConnection> accepted() {
    return List.copyOf(accepted);
  }

  public byte[] receivedBytes() {
    return received.toByteArray();
  }

  public List<String> log() {
    return List.copyOf(log);
  }

  public int closes() {
    return closes;
  }

  public TcpError error() {
    return error;
  }

  public int established() {
    return established;
  }
}
