package emu.control.lab;

import emu.control.process.NodeClient;
import emu.control.process.ReadyLine;
import emu.control.state.LabState;
import emu.node.config.NodeConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Links whose planned UDP port was taken when a node started, so that the node bound another
 * (emu.node.host.EmulatedNode#open): both ends' configurations are rewritten and the emu peer is
 * told (README "Security and trust": link ports).
 */
final class MovedLinks {
  private final Lab lab;

  MovedLinks(Lab lab) {
    this.lab = lab;
  }

  /**
   * For every link of {@code started} whose planned UDP port was taken (the node bound another
   * and said so on its READY line): records the new port in both ends' configuration files (a
   * later restart of either starts from there) and tells the emu peer, if it runs, to send to and
   * accept only the new port (POST /links/IF/peer). A peer emu cannot tell (a linux node's VXLAN
   * device, QEMU or another external program, which send to the port they were given) fails the
   * start: the node is killed and the message names the taken port.
   */
  void follow(Map<String, ReadyLine> started) throws LabException {
    for (Map.Entry<String, ReadyLine> e : started.entrySet()) {
      ReadyLine r = e.getValue();
      LabState.NodeState n = lab.state().node(e.getKey());
      for (NodeConfig.Iface i : config(n).interfaces()) {
        Integer now = r.links().get(i.name());
        if (i.bind() == null || i.peer() == null || now == null || now == port(i.bind())) {
          continue;
        }
        movedLink(n, i, now);
      }
    }
  }

  private void movedLink(LabState.NodeState n, NodeConfig.Iface i, int now) throws LabException {
    String was = i.bind();
    String moved = withPort(was, now);
    LabState.NodeState peer = null;
    NodeConfig.Iface peerIface = null;
    for (LabState.NodeState other : lab.state().nodes()) {
      if (other.key() == null) {
        continue; // a linux node: not an emu process
      }
      for (NodeConfig.Iface j : config(other).interfaces()) {
        if (i.peer().equals(j.bind()) && was.equals(j.peer())) {
          peer = other;
          peerIface = j;
        }
      }
    }
    if (peer == null) {
      lab.kill(n.name());
      throw new LabException(lab.describe(n.name()) + ": UDP port " + was + " of " + n.name() + ":" + i.name()
          + " is taken by another program, so it bound " + moved + " instead; but its peer at " + i.peer()
          + " is not an emu node (a linux node's VXLAN device, QEMU or another external program), which emu cannot "
          + "tell of a new port. Free " + was + " (ss -uanp shows who holds it) and start " + n.name() + " again");
    }
    try {
      rewrite(n, i.name(), moved, i.peer());
      rewrite(peer, peerIface.name(), peerIface.bind(), moved);
    } catch (IOException e) {
      throw new LabException("cannot record the new port of " + n.name() + ":" + i.name() + ": " + e.getMessage(), e);
    }
    if (lab.process(peer.name()).isEmpty() || !lab.state().node(peer.name()).mgmtKnown()) {
      return; // down: it reads the new port from its configuration when it starts
    }
    try {
      NodeClient.Reply reply = lab.client(peer.name()).request("POST", "/links/" + peerIface.name() + "/peer",
          Map.of("port", now));
      if (reply.status() != 200) {
        throw new LabException("node " + peer.name() + " refused the new port of its peer " + n.name() + ":"
            + i.name() + " (" + moved + "): " + reply.message());
      }
    } catch (IOException e) {
      throw new LabException("cannot tell node " + peer.name() + " the new port of its peer " + n.name() + ":"
          + i.name() + " (" + moved + "): " + e.getMessage(), e);
    }
  }

  private static NodeConfig config(LabState.NodeState n) throws LabException {
    try {
      return NodeConfig.readAsWritten(Path.of(n.config()));
    } catch (IOException e) {
      throw new LabException("cannot read the configuration of node " + n.name() + ": " + e.getMessage(), e);
    }
  }

  /** Rewrites a node's configuration file (mode 0600 kept) with one interface's link addresses changed. */
  private static void rewrite(LabState.NodeState n, String iface, String bind, String peer) throws IOException {
    NodeConfig c = NodeConfig.readAsWritten(Path.of(n.config()));
    c.withInterfaces(c.interfaces().stream().map(f -> f.name().equals(iface) ? f.withLink(bind, peer) : f).toList())
        .write(Path.of(n.config()));
  }

  private static int port(String hostPort) {
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  private static String withPort(String hostPort, int port) {
    return hostPort.substring(0, hostPort.lastIndexOf(':') + 1) + port;
  }
}
