package emu.node.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** Free UDP ports on loopback, for nodes of a test linked by real UDP tunnels. */
public final class LoopbackPorts {
  private LoopbackPorts() {}

  /** {@code n} distinct ports that were free a moment ago (all held at once, then released). */
  public static int[] freeUdp(int n) throws IOException {
    int[] ports = new int[n];
    List<DatagramSocket> held = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        held.add(s);
        ports[i] = s.getLocalPort();
      }
    } finally {
      held.forEach(DatagramSocket::close);
    }
    return ports;
  }
}
