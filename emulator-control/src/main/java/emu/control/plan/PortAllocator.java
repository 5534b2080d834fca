package emu.control.plan;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds free ports by binding them, and holds every socket until {@link #release} so that no
 * two nodes get the same port. Pinned ports are checked the same way, so a taken port is
 * reported (naming its owner in the topology) before any node starts. A port could still be
 * taken between release and the node's own bind: a link then binds another port, which the
 * control plane tells its peer; a pinned management port makes the node exit saying so.
 *
 * <p>Not final: rendering for Kubernetes plans with fixed ports and must bind nothing here.
 */
public class PortAllocator implements AutoCloseable {
  private final List<AutoCloseable> held = new ArrayList<>();

  /** A UDP port on {@code host}: {@code pinned} if not null (checked), else a free one. */
  public int udp(String host, Integer pinned, String owner) throws IOException {
    try {
      DatagramSocket s = new DatagramSocket(null);
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(InetAddress.getByName(host), pinned == null ? 0 : pinned));
      held.add(s);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IOException("UDP port " + (pinned == null ? "(any)" : pinned) + " on " + host + " for " + owner
          + " cannot be bound: " + e.getMessage(), e);
    }
  }

  /** A TCP port on {@code host}, as {@link #udp}. */
  public int tcp(String host, Integer pinned, String owner) throws IOException {
    try {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getByName(host), pinned == null ? 0 : pinned));
      held.add(s);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IOException("TCP port " + (pinned == null ? "(any)" : pinned) + " on " + host + " for " + owner
          + " cannot be bound: " + e.getMessage(), e);
    }
  }

  /** Closes the held sockets so the nodes can bind the ports. */
  public void release() {
    for (AutoCloseable c : held) {
      try {
        c.close();
      } catch (Exception ignored) {
        // closing a probe socket cannot fail in a way that matters
      }
    }
    held.clear();
  }

  @Override
  public void close() {
    release();
  }
}
