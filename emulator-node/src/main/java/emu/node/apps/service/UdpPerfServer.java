package emu.node.apps.service;

import emu.node.shell.CommandIo;
import emu.node.stack.NetworkStack;
import emu.node.stack.SendResult;
import io.netty.buffer.ByteBuf;

/**
 * {@code udpperf server}: a UDP echo service (RFC 862) on the emulated stack, what
 * {@code udpperf} measures round trips against. It copies each datagram into a new buffer and
 * sends it back to where it came from, on the node's event loop, until the node stops or
 * {@code udpperf server --stop}; one per node.
 */
public final class UdpPerfServer {
  private final NetworkStack stack;
  private int serverPort = -1;
  private long echoed;

  public UdpPerfServer(NetworkStack stack) {
    this.stack = stack;
  }

  /** Listens on {@code port}, or says it already does; reports on {@code io} and exits. */
  public void start(int port, CommandIo io) {
    if (serverPort >= 0) {
      io.out("udpperf server already listening on UDP port " + serverPort);
      io.exit(0);
      return;
    }
    if (stack.udp().bind(port, this::echo) < 0) {
      io.out("udpperf: cannot listen on UDP port " + port + ": Address already in use");
      io.exit(1);
      return;
    }
    serverPort = port;
    echoed = 0;
    io.out("udpperf server echoing on UDP port " + port + " (runs until the node stops)");
    io.exit(0);
  }

  /** Stops listening, if it does, saying how many datagrams it echoed; exits 0. */
  public void stop(CommandIo io) {
    if (serverPort >= 0) {
      stack.udp().unbind(serverPort);
      io.out("udpperf server on UDP port " + serverPort + " stopped after echoing " + echoed + " datagrams");
      serverPort = -1;
    }
    io.exit(0);
  }

  private void echo(int srcIp, int srcPort, int dstIp, int dstPort, ByteBuf payload) {
    int n = payload.readableBytes();
    ByteBuf b = stack.allocate(n);
    b.writeBytes(payload, payload.readerIndex(), n);
    if (stack.udp().send(stack.isLocal(dstIp) ? dstIp : 0, dstPort, srcIp, srcPort, 64, b) == SendResult.SENT) {
      echoed++;
    }
  }
}
